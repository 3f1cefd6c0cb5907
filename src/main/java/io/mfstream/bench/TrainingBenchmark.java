package io.mfstream.bench;

import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.kernel.HostKernels;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.model.kernel.Nd4jKernels;
import io.mfstream.train.Optimizer;
import io.mfstream.train.OptimizerConfig;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Training throughput: ratings per second of one SGD step (forward, backward, lazy update) per
 * network and batch size, on tables the size of MovieLens-25M, beside the scalar Java reference
 * doing plain MF's maths, all in one run. Each case is measured in several alternating rounds and
 * the median is reported, because these 2-core machines are noisy.
 */
public final class TrainingBenchmark {

  /** What to measure. */
  public record Options(int users, int items, int factors, int hidden, int[] batchSizes,
      List<ModelType> types, double secondsPerRound, int rounds, boolean includeNd4jOps,
      boolean includeSeparateState, boolean includeOneThread, boolean profile) {

    /**
     * MovieLens-25M-sized tables (162,541 users x 59,047 items), k=64, MLP(64,64), batches 64,
     * 1024 and 8192, five rounds of one second: the {@code bench} command's defaults.
     */
    public static Options standard() {
      return new Options(162_541, 59_047, 64, 64, new int[] {64, 1024, 8192},
          List.of(ModelType.values()), 1.0, 5, false, false, false, false);
    }
  }

  /**
   * One measured case: the median of its rounds, and the median over rounds of its speed divided
   * by the reference's in the same round (rounds alternate the cases, so each round pairs them up
   * under the same machine conditions).
   */
  public record Row(String name, int batch, double ratingsPerSecond, double vsReference,
      double[] rounds) {}

  /** The median over rounds of {@code rates[r] / reference[r]}. */
  static double medianRatio(double[] rates, double[] reference) {
    double[] ratios = new double[rates.length];
    for (int r = 0; r < rates.length; r++) {
      ratios[r] = rates[r] / reference[r];
    }
    return median(ratios);
  }

  /** The middle value; for an even count, the upper of the two middle ones. */
  static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static final int POOL = 1 << 20;

  private final Options options;
  private final int[] poolUsers = new int[POOL];
  private final int[] poolItems = new int[POOL];
  private final float[] poolLabels = new float[POOL];

  public TrainingBenchmark(Options options) {
    this.options = options;
    SplittableRandom rnd = new SplittableRandom(2024);
    for (int i = 0; i < POOL; i++) {
      poolUsers[i] = rnd.nextInt(options.users());
      poolItems[i] = rnd.nextInt(options.items());
      poolLabels[i] = 1 + rnd.nextInt(9) * 0.5f;
    }
  }

  /** A step function under test: trains on pool[from, from+n). */
  private interface Case {
    void step(int from, int n);
  }

  public List<Row> run(PrintWriter out) {
    List<Row> rows = new ArrayList<>();
    out.printf("tables: %,d users x %,d items, k=%d, hidden=%d; %d rounds of %.1fs, median%n",
        options.users(), options.items(), options.factors(), options.hidden(), options.rounds(),
        options.secondsPerRound());
    out.printf("%-44s %7s %14s %8s%n", "case", "batch", "ratings/s", "vs ref");
    out.flush();
    for (int batch : options.batchSizes()) {
      List<String> names = new ArrayList<>();
      List<Case> cases = new ArrayList<>();
      ScalarReferenceMf ref = new ScalarReferenceMf(options.users(), options.items(),
          options.factors(), batch, 0.05, 0.9, 1e-4, 1);
      names.add("scalar-java-reference plain-mf");
      cases.add((from, n) -> ref.step(slice(poolUsers, from, n), slice(poolItems, from, n),
          sliceF(poolLabels, from, n), n));
      // Each network gets kernels of its own: host kernels hold per-instance scratch.
      List<Supplier<Kernels>> kernelSets = new ArrayList<>();
      kernelSets.add(Kernels::forCurrentBackend);
      boolean host = Kernels.forCurrentBackend() instanceof HostKernels;
      if (options.includeSeparateState() && host) {
        kernelSets.add(() -> new HostKernels(false));
      }
      if (options.includeOneThread() && host) {
        kernelSets.add(Kernels::forCurrentBackendOnOneThread);
      }
      for (Supplier<Kernels> kernelSet : kernelSets) {
        for (ModelType type : options.types()) {
          Kernels kernels = kernelSet.get();
          names.add(kernels.name() + " " + describe(type));
          cases.add(networkCase(type, batch, kernels));
        }
      }
      if (options.includeNd4jOps()) {
        names.add("nd4j-ops plain-mf");
        cases.add(networkCase(ModelType.PLAIN_MF, batch, new Nd4jKernels()));
      }
      double[][] rates = new double[cases.size()][options.rounds()];
      for (int c = 0; c < cases.size(); c++) {
        measure(cases.get(c), batch, Math.min(0.5, options.secondsPerRound()));
      }
      for (int r = 0; r < options.rounds(); r++) {
        for (int c = 0; c < cases.size(); c++) {
          rates[c][r] = measure(cases.get(c), batch, options.secondsPerRound());
        }
      }
      for (int c = 0; c < cases.size(); c++) {
        cases.set(c, null);
      }
      for (int c = 0; c < cases.size(); c++) {
        // Case 0 is the scalar reference.
        Row row = new Row(names.get(c), batch, median(rates[c]), medianRatio(rates[c], rates[0]),
            rates[c]);
        rows.add(row);
        out.printf("%-44s %7d %,14.0f %7.2fx%n", row.name(), batch, row.ratingsPerSecond(),
            row.vsReference());
      }
      out.flush();
      if (options.profile()) {
        for (ModelType type : options.types()) {
          profile(type, batch, out);
        }
      }
    }
    return rows;
  }

  /** Runs one case with timed kernels and prints microseconds per step for each kernel. */
  private void profile(ModelType type, int batch, PrintWriter out) {
    KernelProfile timing = new KernelProfile();
    Case c = networkCase(type, batch, timing.wrap(Kernels.forCurrentBackend()));
    measure(c, batch, Math.min(0.5, options.secondsPerRound()));
    timing.reset();
    long steps = 0;
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (options.secondsPerRound() * 1e9);
    do {
      if (cursor + batch > POOL) {
        cursor = 0;
      }
      c.step(cursor, batch);
      cursor += batch;
      steps++;
    } while (System.nanoTime() < deadline);
    double stepMicros = (System.nanoTime() - t0) / 1e3 / steps;
    out.printf("  profile %s, batch %d: %.1f us/step (timed kernels)%n", describe(type), batch,
        stepMicros);
    for (Map.Entry<String, long[]> e : timing.totals().entrySet()) {
      double micros = e.getValue()[0] / 1e3 / steps;
      out.printf("    %-24s %9.1f us/step %5.1f%%  %d calls/step%n", e.getKey(), micros,
          100 * micros / stepMicros, e.getValue()[1] / steps);
    }
    out.flush();
  }

  private String describe(ModelType type) {
    return switch (type) {
      case PLAIN_MF, BIASED_MF -> type.id();
      default -> type.id() + "(" + options.factors() + "," + options.hidden() + ")";
    };
  }

  private Case networkCase(ModelType type, int batch, Kernels kernels) {
    ModelConfig cfg = ModelConfig.defaults(type).withFactors(options.factors())
        .withHidden(options.hidden());
    MfNetwork net = new MfNetwork(cfg, kernels, batch, Math.max(options.users(), options.items()));
    Optimizer opt = new Optimizer(OptimizerConfig.lazySgd());
    opt.attach(net);
    populate(net, options.users(), true);
    populate(net, options.items(), false);
    return (from, n) -> {
      net.forwardBackward(slice(poolUsers, from, n), slice(poolItems, from, n),
          sliceF(poolLabels, from, n), n, opt.step() + 1);
      opt.apply(net);
    };
  }

  private static void populate(MfNetwork net, int count, boolean users) {
    int chunk = 4096;
    String[] ids = new String[chunk];
    int[] rows = new int[chunk];
    for (int start = 0; start < count; start += chunk) {
      int n = Math.min(chunk, count - start);
      for (int j = 0; j < n; j++) {
        ids[j] = (users ? "u" : "i") + (start + j);
      }
      if (users) {
        net.userRows(ids, n, rows, true);
      } else {
        net.itemRows(ids, n, rows, true);
      }
    }
  }

  // Batches are slices of a pre-generated pool: copying n ints is part of every case alike.
  private final int[][] sliceBuf = new int[2][];
  private float[] sliceFBuf;
  private int flip;

  private int[] slice(int[] pool, int from, int n) {
    int which = flip++ & 1;
    if (sliceBuf[which] == null || sliceBuf[which].length < n) {
      sliceBuf[which] = new int[n];
    }
    System.arraycopy(pool, from, sliceBuf[which], 0, n);
    return sliceBuf[which];
  }

  private float[] sliceF(float[] pool, int from, int n) {
    if (sliceFBuf == null || sliceFBuf.length < n) {
      sliceFBuf = new float[n];
    }
    System.arraycopy(pool, from, sliceFBuf, 0, n);
    return sliceFBuf;
  }

  private int cursor;

  private double measure(Case c, int batch, double seconds) {
    long deadline = System.nanoTime() + (long) (seconds * 1e9);
    long ratings = 0;
    long t0 = System.nanoTime();
    long now;
    do {
      if (cursor + batch > POOL) {
        cursor = 0;
      }
      c.step(cursor, batch);
      cursor += batch;
      ratings += batch;
      now = System.nanoTime();
    } while (now < deadline);
    return ratings / ((now - t0) / 1e9);
  }
}
