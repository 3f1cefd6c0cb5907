package io.mfstream.stream.serve;

import io.mfstream.model.ModelType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The top-N scan alone, without HTTP, Kafka or training: one replica of a synthetic catalogue
 * (random rows, k = 64, hidden = 64, as the defaults), top-10 requests from 1, 2 and 8 threads
 * at once, 2 s a round, three rounds. A main, not a test (docs/BENCHMARKS.md runs it):
 *
 * <pre>
 * ./mvnw -q package -DskipTests
 * java -cp 'target/classes:target/test-classes:target/lib/*' \
 *     io.mfstream.stream.serve.TopNScanBenchmark biased-mf 1682 mlp 1682 biased-mf 59047 mlp 59047
 * </pre>
 */
public final class TopNScanBenchmark {
  private static final int K = 64;
  private static final int HIDDEN = 64;
  private static final int USERS = 1_000;
  private static final int[] THREADS = {1, 2, 8};

  private TopNScanBenchmark() {}

  public static void main(String[] args) throws InterruptedException {
    for (int a = 0; a + 1 < args.length; a += 2) {
      ModelType type = ModelType.parse(args[a]);
      int items = Integer.parseInt(args[a + 1]);
      ModelReplica m = replica(type, items);
      for (int round = 1; round <= 3; round++) {
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT,
            "%-10s %,7d items, round %d:", type.id(), items, round));
        for (int threads : THREADS) {
          line.append(String.format(Locale.ROOT, "  %d thread%s %,8.0f/s", threads,
              threads == 1 ? " " : "s", topTensPerSecond(m, threads)));
        }
        System.out.println(line);
      }
    }
  }

  private static double topTensPerSecond(ModelReplica m, int threads)
      throws InterruptedException {
    AtomicLong answered = new AtomicLong();
    long t0 = System.nanoTime();
    long end = t0 + 2_000_000_000L;
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t * 97;
      Thread th = new Thread(() -> {
        for (int c = first; System.nanoTime() < end; c++) {
          m.recommend("r", "u" + (c % USERS), 10, List.of(), 0);
          answered.incrementAndGet();
        }
      });
      th.start();
      running.add(th);
    }
    for (Thread th : running) {
      th.join();
    }
    return answered.get() / ((System.nanoTime() - t0) / 1e9);
  }

  private static ModelReplica replica(ModelType type, int items) {
    Replicas r = new Replicas(List.of("m"));
    Random rnd = new Random(1);
    int width = type == ModelType.BIASED_MF ? K + 1 : K;
    List<String> userIds = new ArrayList<>();
    List<float[]> userRows = new ArrayList<>();
    for (int j = 0; j < USERS; j++) {
      userIds.add("u" + j);
      userRows.add(random(rnd, width, 0.5f));
    }
    List<String> itemIds = new ArrayList<>();
    List<float[]> itemRows = new ArrayList<>();
    for (int j = 0; j < items; j++) {
      itemIds.add("i" + j);
      itemRows.add(random(rnd, width, 0.5f));
    }
    StateRecords.model(r, 0, type, K, type.isMlp() ? HIDDEN : 0, 10, 1_000, 3.5, userIds,
        userRows, itemIds, itemRows);
    if (type.isMlp()) {
      for (int p = 0; p < 4; p++) {
        r.apply(0, StateRecords.denseKey(p),
            StateRecords.dense(random(rnd, p % 2 == 0 ? K * HIDDEN : HIDDEN, 0.1f)));
      }
    }
    return r.get("m");
  }

  private static float[] random(Random rnd, int n, float scale) {
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = (rnd.nextFloat() * 2 - 1) * scale;
    }
    return v;
  }
}
