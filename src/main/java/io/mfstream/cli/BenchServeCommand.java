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
        + "and the learning delay during the phase (docs/BENCHMARKS.md). Over HTTP, a 2 s flood "
        + "of each kind before its first phase warms up and is not measured."})
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

  @Option(names = "--kinds", split = ",", defaultValue = "prediction,batch,recommendation",
      description = "prediction, batch (over HTTP only: --batch-size pairs a request) and "
      + "recommendation, in this order (default: ${DEFAULT-VALUE}).")
  List<String> kinds;

  @Option(names = "--paths", split = ",", defaultValue = "topics,http",
      description = "topics (request and answer topics, through Kafka), http (the HTTP API of "
      + "the instance), or both, in this order (default: ${DEFAULT-VALUE}).")
  List<String> paths;

  @Option(names = "--connections", defaultValue = "8", description = "HTTP keep-alive "
      + "connections, a load thread each (default: ${DEFAULT-VALUE}).")
  int connections;

  @Option(names = "--batch-size", defaultValue = "100", description = "Pairs per batch "
      + "request (default: ${DEFAULT-VALUE}).")
  int batchSize;

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
    if (!(trainRate > 0) || !(seconds > 0) || n < 1 || rates.stream().anyMatch(r -> !(r >= 0))
        || connections < 1 || batchSize < 1 || batchSize > 1000) {
      throw new IllegalArgumentException("--train-rate and --seconds must be more than 0, --n "
          + "and --connections at least 1, --batch-size from 1 to 1000 and every rate at least 0");
    }
    List<ServingBenchmark.Kind> parsed = kinds.stream().map(k -> switch (k.trim()) {
      case "prediction" -> ServingBenchmark.Kind.PREDICTION;
      case "batch" -> ServingBenchmark.Kind.BATCH;
      case "recommendation" -> ServingBenchmark.Kind.RECOMMENDATION;
      default -> throw new IllegalArgumentException("--kinds: '" + k + "' is not prediction, "
          + "batch or recommendation");
    }).toList();
    List<ServingBenchmark.Via> parsedPaths = paths.stream().map(p -> switch (p.trim()) {
      case "topics" -> ServingBenchmark.Via.TOPICS;
      case "http" -> ServingBenchmark.Via.HTTP;
      default -> throw new IllegalArgumentException("--paths: '" + p + "' is neither topics "
          + "nor http");
    }).toList();
    List<Rating> ratings = data.loadForStreaming(dataFile, limit, spec.commandLine().getErr());
    out.printf("bench-serve: %,d ratings, settings %s, training at %,.0f ratings/s, %.0f s per "
        + "phase%n", ratings.size(), settings, trainRate, seconds);
    out.printf("load average at start: %.2f%n", DataOptions.loadAverage());
    ServingBenchmark.run(ratings, settings, trainRate, parsed, rates, seconds, n, parsedPaths,
        connections, batchSize, out);
    out.printf("load average at end: %.2f%n", DataOptions.loadAverage());
    out.printf("  (answered: by every model within the phase; latency: from sending the request "
        + "to its last answer, over HTTP from when it was due at the offered rate; delay: from "
        + "producing a rating to the step that learned it)%n");
    return 0;
  }
}
