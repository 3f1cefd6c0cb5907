package io.mfstream.bench;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * What the JVM and the operating system say about this process's memory: the heap after a full
 * collection, native memory tracking (NMT), a class histogram of the heap, and the resident set.
 * NMT and the histogram come from the JVM's diagnostic commands (what {@code jcmd PID
 * VM.native_memory summary} and {@code jcmd PID GC.class_histogram} print), called in-process
 * through the {@code DiagnosticCommand} MBean.
 */
public final class JvmMemory {
  /** A line of the heap histogram: instances and bytes of one class. */
  public record ClassBytes(String className, long instances, long bytes) {}

  /** One NMT category, in bytes. */
  public record NmtCategory(String name, long reserved, long committed) {}

  /**
   * The process's memory, from {@code /proc/self/status} (absent elsewhere: all -1).
   *
   * @param rss resident set ({@code VmRSS})
   * @param peakRss the highest resident set so far ({@code VmHWM})
   * @param anon resident anonymous memory ({@code RssAnon}: heap, malloc, thread stacks)
   * @param file resident file mappings ({@code RssFile}: jars, native libraries, mapped files)
   */
  public record Resident(long rss, long peakRss, long anon, long file) {}

  private static final Pattern NMT_TOTAL =
      Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
  private static final Pattern NMT_CATEGORY =
      Pattern.compile("^-\\s+(.+?) \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
  private static final Pattern HISTOGRAM_LINE =
      Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

  private JvmMemory() {}

  /** Runs a full collection and returns the heap in use after it. */
  public static MemoryUsage heapAfterGc() {
    // Twice: objects with finalizers or cleaners (direct buffers, RocksDB handles) need a second.
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
  }

  /**
   * Waits until the resident set stops shrinking (less than 1 MiB in half a second), at most
   * {@code max}: after a full collection G1 hands heap regions back to the system concurrently,
   * so figures read at once would still count them.
   */
  public static void awaitSettled(java.time.Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    long last = resident().rss();
    while (last >= 0 && System.nanoTime() < deadline) {
      Thread.sleep(500);
      long now = resident().rss();
      if (Math.abs(last - now) < (1 << 20)) {
        return;
      }
      last = now;
    }
  }

  /** The non-heap pools the JVM reports (metaspace, code cache...): used bytes in total. */
  public static long nonHeapUsed() {
    return ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage().getUsed();
  }

  /** Bytes of direct NIO buffers (Kafka's network buffers, RocksDB's JNI slices...). */
  public static long directBuffers() {
    long bytes = 0;
    for (BufferPoolMXBean b : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (b.getName().equals("direct")) {
        bytes += b.getMemoryUsed();
      }
    }
    return bytes;
  }

  /** Whether the JVM was started with {@code -XX:NativeMemoryTracking=summary} (or detail). */
  public static boolean nmtEnabled() {
    HotSpotDiagnosticMXBean hs = ManagementFactory.getPlatformMXBean(
        HotSpotDiagnosticMXBean.class);
    try {
      String v = hs.getVMOption("NativeMemoryTracking").getValue();
      return !v.equalsIgnoreCase("off");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * NMT's summary by category, the total first (named {@code Total}); empty when NMT is off.
   */
  public static List<NmtCategory> nativeMemory() {
    if (!nmtEnabled()) {
      return List.of();
    }
    return parseNmt(diagnosticCommand("vmNativeMemory", "summary"));
  }

  static List<NmtCategory> parseNmt(String text) {
    List<NmtCategory> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher t = NMT_TOTAL.matcher(line);
      if (t.find() && out.isEmpty()) {
        out.add(new NmtCategory("Total", kib(t.group(1)), kib(t.group(2))));
        continue;
      }
      Matcher c = NMT_CATEGORY.matcher(line.stripLeading());
      if (c.find()) {
        out.add(new NmtCategory(c.group(1).trim(), kib(c.group(2)), kib(c.group(3))));
      }
    }
    return out;
  }

  private static long kib(String s) {
    return Long.parseLong(s) * 1024;
  }

  /** The heap histogram (after a full collection: the live objects), largest first. */
  public static List<ClassBytes> histogram() {
    return parseHistogram(diagnosticCommand("gcClassHistogram"));
  }

  static List<ClassBytes> parseHistogram(String text) {
    List<ClassBytes> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher m = HISTOGRAM_LINE.matcher(line);
      if (m.find()) {
        out.add(new ClassBytes(m.group(3), Long.parseLong(m.group(1)),
            Long.parseLong(m.group(2))));
      }
    }
    return out;
  }

  /** Bytes and instances of the histogram's classes, by class name. */
  public static Map<String, ClassBytes> byName(List<ClassBytes> histogram) {
    Map<String, ClassBytes> out = new LinkedHashMap<>();
    for (ClassBytes c : histogram) {
      out.merge(c.className(), c, (a, b) -> new ClassBytes(a.className(),
          a.instances() + b.instances(), a.bytes() + b.bytes()));
    }
    return out;
  }

  /** This process's resident memory, from {@code /proc/self/status}; -1 where unknown. */
  public static Resident resident() {
    Map<String, Long> kib = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.endsWith(" kB")) {
          kib.put(line.substring(0, colon), Long.parseLong(
              line.substring(colon + 1, line.length() - 3).trim()));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return new Resident(-1, -1, -1, -1);
    }
    return new Resident(bytes(kib, "VmRSS"), bytes(kib, "VmHWM"), bytes(kib, "RssAnon"),
        bytes(kib, "RssFile"));
  }

  private static long bytes(Map<String, Long> kib, String key) {
    Long v = kib.get(key);
    return v == null ? -1 : v * 1024;
  }

  private static String diagnosticCommand(String operation, String... args) {
    try {
      ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
      Object out = ManagementFactory.getPlatformMBeanServer().invoke(name, operation,
          new Object[] {args}, new String[] {String[].class.getName()});
      return String.valueOf(out);
    } catch (JMException e) {
      throw new IllegalStateException("diagnostic command " + operation + " failed: "
          + e.getMessage(), e);
    }
  }

  /** {@code bytes} in MiB, for the printed tables; -1 (unknown) as {@code n/a}. */
  static String mib(long bytes) {
    return bytes == -1 ? "n/a" : String.format(Locale.ROOT, "%,.1f", bytes / 1048576.0);
  }
}
