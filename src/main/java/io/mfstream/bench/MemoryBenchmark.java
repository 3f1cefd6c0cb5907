package io.mfstream.bench;

import io.mfstream.app.AppConfig;
import io.mfstream.app.Pipeline;
import io.mfstream.data.Rating;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serve.ModelReplica;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.validate.RejectionCounts;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code bench-memory}: runs the pipeline over a set of ratings until every model has learned
 * all of them and its replica holds the last checkpoint, then measures where the bytes are
 * ({@link MemoryBreakdown}).
 *
 * <p>By default ({@link #runSeparately}) this process hosts the embedded broker and replays the
 * ratings, and the pipeline runs alone in a child JVM started with native memory tracking
 * ({@code -XX:NativeMemoryTracking=summary}), which measures itself and prints the breakdown:
 * the child's figures are those of a pipeline instance without the broker and without the
 * replay's copy of the ratings, and this process's own (the broker's share) are printed after.
 * {@link #runInProcess} keeps all of it in one JVM, as {@code run} does on its embedded broker.
 */
public final class MemoryBenchmark {
  /** The line the child prints once its pipeline is running (the parent then replays). */
  static final String RUNNING = "bench-memory: pipeline running";

  private static final Duration START = Duration.ofMinutes(3);
  private static final Duration LEARN = Duration.ofHours(1);
  private static final Duration INSPECT = Duration.ofMinutes(1);

  private MemoryBenchmark() {}

  /** The settings every measurement adds: RocksDB and record-cache metrics, no HTTP port. */
  static Map<String, String> settings(Map<String, String> base, String bootstrap, Path dir) {
    Map<String, String> s = new LinkedHashMap<>(base);
    s.putIfAbsent("kafka.metrics.recording.level", "DEBUG");
    s.put("bootstrap.servers", bootstrap);
    s.put("state.dir", dir.resolve("state").toString());
    s.put("topics.create", "true");
    s.put("http.port", "0");
    return s;
  }

  /** Distinct (user, item) pairs: what the seen set holds once it has read everything. */
  public static long distinctPairs(List<Rating> ratings) {
    Set<String> pairs = new HashSet<>();
    for (Rating r : ratings) {
      pairs.add(r.user() + '\u0000' + r.item());
    }
    return pairs.size();
  }

  /**
   * Everything in this JVM: an embedded broker, the pipeline, the replay. NMT figures appear
   * only if this JVM runs with NMT.
   */
  public static MemoryBreakdown runInProcess(List<Rating> ratings, Map<String, String> base,
      PrintWriter out, int histogramLines) throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mfstream-bench-memory-");
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), Map.of()).start()) {
      long pairs = distinctPairs(ratings);
      return runPipeline(kafka.bootstrapServers(), ratings.size(), pairs, base, dir,
          () -> Replayer.builder(kafka.bootstrapServers()).build().replay(ratings), out,
          histogramLines);
    } finally {
      Pipeline.deleteQuietly(dir);
    }
  }

  /** What the replay step does once the pipeline runs. */
  public interface Replay {
    void replay() throws InterruptedException, IOException;
  }

  /**
   * The child's part: the pipeline on {@code bootstrap}; {@code replay} once it runs; then the
   * wait until every model has learned {@code expected} ratings and the replicas hold them; then
   * the measurement, printed.
   */
  public static MemoryBreakdown runPipeline(String bootstrap, long expected, long pairs,
      Map<String, String> base, Path dir, Replay replay, PrintWriter out, int histogramLines)
      throws IOException, InterruptedException {
    AppConfig config = AppConfig.load(null, Map.of(), settings(base, bootstrap, dir));
    StatusBoard board = new StatusBoard();
    try (Pipeline p = Pipeline.start(config, PipelineMetrics.NONE, board,
        new RejectionCounts())) {
      p.awaitRunning(START);
      out.println(RUNNING);
      out.flush();
      long t0 = System.nanoTime();
      replay.replay();
      p.awaitScored(expected, LEARN);
      awaitReplicas(p, config.modelNames(), pairs);
      double seconds = (System.nanoTime() - t0) / 1e9;
      MemoryBreakdown b = MemoryBreakdown.measure(p, config.modelNames(), INSPECT);
      out.printf("learned %,d ratings in %.1f s (models %s); measured with the pipeline "
          + "running, idle%n", expected, seconds, config.modelNames());
      b.print(out, histogramLines);
      return b;
    }
  }

  /**
   * Waits until each replica holds its trainer's last checkpoint (the ratings learned) and the
   * seen set holds every pair.
   */
  private static void awaitReplicas(Pipeline p, List<String> models, long pairs)
      throws InterruptedException {
    long deadline = System.nanoTime() + START.toNanos();
    while (true) {
      boolean done = p.replicas().seenPairs() >= pairs;
      for (String m : models) {
        ModelStatus s = p.board().get(m);
        ModelReplica.Header h = p.replicas().get(m).header();
        done &= s != null && h != null && h.trained() == s.trained() && s.pending() == 0
            || s != null && s.isDegraded();
      }
      if (done) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the replicas did not catch up with the trainers within "
            + START + ": " + p.board().all() + ", seen pairs " + p.replicas().seenPairs()
            + " of " + pairs);
      }
      Thread.sleep(50);
    }
  }

  /**
   * The default: this JVM hosts the broker and replays; the pipeline runs in a child JVM with
   * NMT on ({@code java}, this JVM's class path, {@code jvmOptions}) and prints the breakdown,
   * which is copied to {@code out}; then this process's own figures. The child's standard error
   * (its log) goes to a file, whose end is shown if it fails.
   *
   * @param ratings the ratings; the list is released before this process is measured
   * @param childArgs the child's command-line arguments after {@code bench-memory}, besides the
   *     broker's address and the counts (settings, histogram lines)
   */
  public static void runSeparately(AtomicReference<List<Rating>> ratings, List<String> jvmOptions,
      List<String> childArgs, PrintWriter out, PrintWriter err)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mfstream-bench-memory-");
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), Map.of()).start()) {
      List<Rating> data = ratings.get();
      List<String> cmd = new ArrayList<>();
      cmd.add(ProcessHandle.current().info().command().orElse("java"));
      cmd.add("-XX:NativeMemoryTracking=summary");
      cmd.addAll(jvmOptions);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.mfstream.cli.Main",
          "bench-memory", "--pipeline-only", kafka.bootstrapServers(),
          "--expect", Long.toString(data.size()),
          "--expect-pairs", Long.toString(distinctPairs(data))));
      cmd.addAll(childArgs);
      Path log = dir.resolve("child.log");
      Process child = new ProcessBuilder(cmd).redirectError(log.toFile()).start();
      CountDownLatch running = new CountDownLatch(1);
      Thread relay = new Thread(() -> relay(child, running, out), "bench-memory-relay");
      relay.setDaemon(true);
      relay.start();
      try {
        while (!running.await(200, TimeUnit.MILLISECONDS)) {
          if (!child.isAlive()) {
            throw childFailed(child, log, err);
          }
        }
        Replayer.Result sent = Replayer.builder(kafka.bootstrapServers()).build().replay(data);
        out.printf("(parent) replayed %,d ratings in %.1f s%n", sent.sent(), sent.seconds());
        out.flush();
        if (!child.waitFor(LEARN.toMinutes(), TimeUnit.MINUTES) || child.exitValue() != 0) {
          throw childFailed(child, log, err);
        }
        relay.join(10_000);
      } finally {
        child.destroy();
      }
      MemoryUsage withRatings = JvmMemory.heapAfterGc();
      data = null;
      ratings.set(null);
      MemoryUsage without = JvmMemory.heapAfterGc();
      JvmMemory.Resident r = JvmMemory.resident();
      out.printf("%nthe parent process (pid %d): the embedded broker, and the replay's copy of the "
          + "ratings until released%n", ProcessHandle.current().pid());
      out.printf("  %-46s %12s MiB%n", "heap used after GC, ratings held",
          JvmMemory.mib(withRatings.getUsed()));
      out.printf("  %-46s %12s MiB%n", "heap used after GC, ratings released (broker)",
          JvmMemory.mib(without.getUsed()));
      out.printf("  %-46s %12s MiB%n", "the replay's copy of the ratings",
          JvmMemory.mib(withRatings.getUsed() - without.getUsed()));
      out.printf("  %-46s %12s MiB  (anonymous %s, files %s, peak %s)%n",
          "resident set (VmRSS)", JvmMemory.mib(r.rss()), JvmMemory.mib(r.anon()),
          JvmMemory.mib(r.file()), JvmMemory.mib(r.peakRss()));
      out.flush();
    } finally {
      Pipeline.deleteQuietly(dir);
    }
  }

  private static void relay(Process child, CountDownLatch running, PrintWriter out) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.equals(RUNNING)) {
          running.countDown();
          continue;
        }
        synchronized (out) {
          out.println(line);
          out.flush();
        }
      }
    } catch (IOException e) {
      // the child is gone; its exit code says how
    }
  }

  private static IllegalStateException childFailed(Process child, Path log, PrintWriter err)
      throws IOException {
    String code = child.isAlive() ? "still running" : "exit code " + child.exitValue();
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    err.printf("the pipeline's process (%s) wrote last:%n", code);
    for (String l : lines.subList(Math.max(0, lines.size() - 30), lines.size())) {
      err.println("  " + l);
    }
    err.flush();
    return new IllegalStateException("the pipeline's process failed (" + code + ")");
  }
}
