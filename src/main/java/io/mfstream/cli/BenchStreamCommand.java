package io.mfstream.cli;

import io.mfstream.data.Rating;
import io.mfstream.bench.StreamingBenchmark;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Throughput of the whole streaming pipeline, per variant of its settings. */
@Command(name = "bench-stream", mixinStandardHelpOptions = true,
    description = {"Throughput of the whole pipeline on an embedded broker: replays the ratings "
        + "as fast as possible and measures the time until every model has scored them all. "
        + "Each --variant runs on a fresh broker, one after the other, for a side-by-side "
        + "comparison (docs/BENCHMARKS.md)."})
final class BenchStreamCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE", description = "Ratings (e.g. u.data); "
      + "synthetic when absent.")
  Path dataFile;

  @Mixin
  DataOptions data;

  @Option(names = "--limit", paramLabel = "N", description = "Use the first N ratings.")
  Integer limit;

  @Option(names = "--repeat", paramLabel = "N", defaultValue = "1", description = "Replay the "
      + "ratings N times back to back (after --limit), so that each run lasts long enough to "
      + "time the ceiling well (default: ${DEFAULT-VALUE}).")
  int repeat;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting of every "
      + "variant (run's keys, docs/CONFIGURATION.md); repeatable.")
  Map<String, String> base = new LinkedHashMap<>();

  @Option(names = "--variant", paramLabel = "NAME[:KEY=VALUE,...]", description = "A variant: "
      + "its name and settings added to --set; repeatable. Default: one variant, 'defaults'.")
  List<String> variants;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "20000", description = "First "
      + "run the first variant on the first N ratings and discard the figures, so that the JIT "
      + "has compiled the hot paths before anything is measured (default: ${DEFAULT-VALUE}; 0 = "
      + "none).")
  int warmup;

  @Option(names = "--rounds", defaultValue = "1", description = "Run the variants this many "
      + "times, interleaved (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--no-ceiling", description = "Do not run the pass-through ceiling (two "
      + "hops and a store put per rating, no model) that otherwise runs under each variant's "
      + "settings before it, with the pipeline's speed printed as a share of it.")
  boolean noCeiling;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    boolean ceiling = !noCeiling;
    List<Rating> ratings = data.loadForStreaming(dataFile, limit, spec.commandLine().getErr());
    if (repeat < 1) {
      throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
    }
    if (repeat > 1) {
      List<Rating> once = ratings;
      ratings = new ArrayList<>(once.size() * repeat);
      for (int i = 0; i < repeat; i++) {
        ratings.addAll(once);
      }
    }
    Map<String, Map<String, String>> parsed = new LinkedHashMap<>();
    if (variants == null || variants.isEmpty()) {
      parsed.put("defaults", Map.of());
    } else {
      for (String v : variants) {
        int colon = v.indexOf(':');
        String name = colon < 0 ? v : v.substring(0, colon);
        Map<String, String> settings = new LinkedHashMap<>();
        if (colon >= 0) {
          for (String kv : v.substring(colon + 1).split(",")) {
            int eq = kv.indexOf('=');
            if (eq < 1) {
              throw new IllegalArgumentException("--variant " + v + ": '" + kv
                  + "' is not KEY=VALUE");
            }
            settings.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
          }
        }
        parsed.put(name, settings);
      }
    }
    out.printf("bench-stream: %,d ratings, settings %s, %d round(s)%n", ratings.size(), base,
        rounds);
    out.printf("load average at start: %.2f%n", DataOptions.loadAverage());
    if (warmup > 0) {
      Map.Entry<String, Map<String, String>> first = parsed.entrySet().iterator().next();
      out.printf("warm-up (discarded):%n");
      StreamingBenchmark.run(ratings.subList(0, Math.min(warmup, ratings.size())), base,
          Map.of(first.getKey(), first.getValue()), ceiling, out);
    }
    Map<String, List<StreamingBenchmark.Result>> byVariant = new LinkedHashMap<>();
    for (int r = 0; r < rounds; r++) {
      out.printf("round %d of %d (load average %.2f)%n", r + 1, rounds,
          DataOptions.loadAverage());
      for (StreamingBenchmark.Result res : StreamingBenchmark.run(ratings, base, parsed, ceiling,
          out)) {
        byVariant.computeIfAbsent(res.variant(), k -> new ArrayList<>()).add(res);
      }
    }
    out.printf("%nmedian over %d round(s) (load average at end %.2f):%n", rounds,
        DataOptions.loadAverage());
    out.printf("  %-26s %12s %12s %9s %14s %12s%n", "variant", "ratings/s", "ceiling/s",
        "ratio", "records/rating", "bytes/rating");
    for (Map.Entry<String, List<StreamingBenchmark.Result>> e : byVariant.entrySet()) {
      List<StreamingBenchmark.Result> rs = e.getValue();
      out.printf("  %-26s %,12.0f %12s %9s %14.3f %12.1f%n", e.getKey(),
          median(rs, StreamingBenchmark.Result::ratingsPerSecond),
          ceiling ? String.format("%,.0f", median(rs, StreamingBenchmark.Result::ceilingPerSecond))
              : "-",
          ceiling ? String.format("%.2f", median(rs, StreamingBenchmark.Result::ratio)) : "-",
          median(rs, x -> (double) x.besidesValid().records() / x.ratings()),
          median(rs, x -> (double) x.besidesValid().bytes() / x.ratings()));
    }
    out.printf("  (records and bytes: key + value, committed, to every topic but ratings and "
        + "ratings-valid)%n");
    return 0;
  }

  private static double median(List<StreamingBenchmark.Result> rs,
      ToDoubleFunction<StreamingBenchmark.Result> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    int n = v.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
}
