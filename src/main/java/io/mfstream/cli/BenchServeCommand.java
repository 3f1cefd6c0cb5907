package io.mfstream.cli;

import io.mfstream.bench.ServingBenchmark;
import io.mfstream.data.Rating;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Answers per second and latency of serving while the models learn. */
@Command(name = "bench-serve", mixinStandardHelpOptions = true,
    description = {"Serving under load on an embedded broker: learns the ratings once, then for "
        + "each kind of request and offered rate replays the ratings at --train-rate while "
        + "requests flow over the request topics, and prints answers/s, latency p50/p99/p99.9 "
        + "and the learning delay during the phase (docs/BENCHMARKS.md)."})
final class BenchServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE", description = "Ratings (e.g. u.data); "
      + "synthetic when absent.")
  Path dataFile;

  @Mixin
  DataOptions data;

  @Option(names = "--limit", paramLabel = "N", description = "Use the first N ratings.")
  Integer limit;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting of the "
      + "pipeline (run's keys, docs/CONFIGURATION.md); repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--train-rate", paramLabel = "PER_SECOND", defaultValue = "5000",
      description = "Ratings per second replayed during each phase (default: ${DEFAULT-VALUE}).")
  double trainRate;

  @Option(names = "--kinds", split = ",", defaultValue = "prediction,recommendation",
      description = "prediction, recommendation or both (default: ${DEFAULT-VALUE}).")
  List<String> kinds;

  @Option(names = "--rates", split = ",", paramLabel = "PER_SECOND", defaultValue = "200,2000,0",
      description = "Requests per second offered, one phase each; 0 = a flood (default: "
      + "${DEFAULT-VALUE}).")
  List<Double> rates;

  @Option(names = "--seconds", defaultValue = "15", description = "Length of each phase "
      + "(default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(names = "--n", defaultValue = "10", description = "Items per recommendation request "
      + "(default: ${DEFAULT-VALUE}).")
  int n;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!(trainRate > 0) || !(seconds > 0) || n < 1 || rates.stream().anyMatch(r -> !(r >= 0))) {
      throw new IllegalArgumentException("--train-rate and --seconds must be more than 0, --n at "
          + "least 1 and every rate at least 0");
    }
    List<ServingBenchmark.Kind> parsed = kinds.stream().map(k -> switch (k.trim()) {
      case "prediction" -> ServingBenchmark.Kind.PREDICTION;
      case "recommendation" -> ServingBenchmark.Kind.RECOMMENDATION;
      default -> throw new IllegalArgumentException("--kinds: '" + k + "' is neither prediction "
          + "nor recommendation");
    }).toList();
    List<Rating> ratings = data.loadForStreaming(dataFile, limit, spec.commandLine().getErr());
    out.printf("bench-serve: %,d ratings, settings %s, training at %,.0f ratings/s, %.0f s per "
        + "phase%n", ratings.size(), settings, trainRate, seconds);
    out.printf("load average at start: %.2f%n", DataOptions.loadAverage());
    ServingBenchmark.run(ratings, settings, trainRate, parsed, rates, seconds, n, out);
    out.printf("load average at end: %.2f%n", DataOptions.loadAverage());
    out.printf("  (answered: by every model within the phase; latency: from sending the request "
        + "to its last answer; delay: from producing a rating to the step that learned it)%n");
    return 0;
  }
}
