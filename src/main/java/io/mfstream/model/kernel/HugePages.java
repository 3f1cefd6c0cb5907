package io.mfstream.model.kernel;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Large host arrays on transparent huge pages. Random rows of tables far larger than the caches
 * cost a TLB miss (a page walk) each on 4 KiB pages; on 2 MiB pages a 100 MB table needs 50 TLB
 * entries and the walks go away (docs/BENCHMARKS.md). Linux gives anonymous memory huge pages
 * only where the process asks with {@code madvise(MADV_HUGEPAGE)} when
 * {@code /sys/kernel/mm/transparent_hugepage/enabled} is {@code madvise} (the usual default). ND4J
 * zeroes an array as it allocates it, so its pages exist already: they are advised, then collapsed
 * into huge pages at once with {@code MADV_COLLAPSE} (Linux 6.1 and later).
 *
 * <p>Best effort: anywhere it cannot (another OS, THP disabled, no libc through JNA, a call that
 * fails) arrays are allocated as usual, and the reason is logged once.
 */
final class HugePages {
  private static final Logger LOG = LoggerFactory.getLogger(HugePages.class);
  /** Arrays smaller than this gain little; not worth a system call. */
  static final long MIN_BYTES = 8L << 20;
  private static final long HUGE = 2L << 20;
  private static final int MADV_HUGEPAGE = 14;
  private static final int MADV_COLLAPSE = 25;
  private static final Function MADVISE = lookup();

  private HugePages() {}

  /** Whether arrays will be advised (Linux, THP not disabled, madvise found). */
  static boolean available() {
    return MADVISE != null;
  }

  /** A zeroed [rows, columns] array, advised to use huge pages when large enough. */
  static INDArray zeros(DataType dataType, long rows, long columns) {
    long bytes = rows * columns * dataType.width();
    if (MADVISE == null || bytes < MIN_BYTES) {
      return Nd4j.create(dataType, rows, columns);
    }
    INDArray a = Nd4j.create(dataType, rows, columns);
    long address = a.data().address();
    if (advise(address, bytes, MADV_HUGEPAGE)) {
      // ND4J has already touched (zeroed) the pages, as 4 KiB pages: collapse them now (Linux
      // 6.1+). Older kernels refuse; khugepaged then collapses them in the background.
      advise(address, bytes, MADV_COLLAPSE);
    }
    return a;
  }

  private static boolean advise(long address, long bytes, int advice) {
    long start = (address + HUGE - 1) & -HUGE;
    long end = (address + bytes) & -HUGE;
    if (end <= start) {
      return false;
    }
    try {
      int rc = MADVISE.invokeInt(new Object[] {new Pointer(start), end - start, advice});
      if (rc != 0) {
        LOG.debug("madvise({}) returned {}", advice, rc);
      }
      return rc == 0;
    } catch (RuntimeException | LinkageError e) {
      LOG.debug("madvise({}) failed", advice, e);
      return false;
    }
  }

  private static Function lookup() {
    if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) {
      return null;
    }
    try {
      String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
      if (mode.contains("[never]")) {
        LOG.info("transparent huge pages are disabled on this machine; tables use 4 KiB pages");
        return null;
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    try {
      return NativeLibrary.getInstance("c").getFunction("madvise");
    } catch (RuntimeException | LinkageError e) {
      LOG.info("madvise not reachable through JNA ({}); tables use 4 KiB pages", e.toString());
      return null;
    }
  }
}
