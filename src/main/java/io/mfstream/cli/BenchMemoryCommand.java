package io.mfstream.cli;

import io.mfstream.bench.MemoryBenchmark;
import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.stream.validate.ValidatorConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Where the pipeline's memory goes, for a chosen dataset or vocabulary size. */
@Command(name = "bench-memory", mixinStandardHelpOptions = true,
    description = {"Where the pipeline's memory goes: runs it on an embedded broker over the "
        + "ratings until every model has learned them all, then prints the models' own bytes "
        + "and what holds the rest (the trainers' tables, the replicas, the vocabularies, the "
        + "seen set, the record cache, RocksDB, the heap after GC, native memory tracking, the "
        + "resident set). By default the pipeline runs alone in a child JVM with "
        + "-XX:NativeMemoryTracking=summary while this one hosts the broker and replays, so "
        + "that the broker and the replay's copy of the ratings are measured apart "
        + "(docs/BENCHMARKS.md, Memory)."})
final class BenchMemoryCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE", description = "Ratings (e.g. u.data); "
      + "synthetic when absent (--users, --items, --ratings).")
  Path dataFile;

  @Mixin
  DataOptions data;

  @Option(names = "--limit", paramLabel = "N", description = "Use the first N ratings.")
  Integer limit;

  @Option(names = "--users", defaultValue = "1000", description = "Synthetic users "
      + "(default: ${DEFAULT-VALUE}).")
  int users;

  @Option(names = "--items", defaultValue = "1000", description = "Synthetic items "
      + "(default: ${DEFAULT-VALUE}).")
  int items;

  @Option(names = "--ratings", defaultValue = "100000", description = "Synthetic ratings, on "
      + "distinct pairs, clipped to the valid range (default: ${DEFAULT-VALUE}).")
  int ratings;

  @Option(names = "--seed", defaultValue = "42", description = "Synthetic ratings' seed "
      + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "A setting (run's keys, "
      + "docs/CONFIGURATION.md); repeatable.")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--in-process", description = "Run the broker, the replay and the pipeline "
      + "in this JVM (NMT figures only if it runs with -XX:NativeMemoryTracking=summary).")
  boolean inProcess;

  @Option(names = "--jvm-option", paramLabel = "OPTION", description = "An option of the "
      + "pipeline's JVM (e.g. -Xmx512m); repeatable.")
  List<String> jvmOptions = new ArrayList<>();

  @Option(names = "--histogram", paramLabel = "N", defaultValue = "15", description = "Classes "
      + "of the heap histogram to print (default: ${DEFAULT-VALUE}).")
  int histogram;

  @Option(names = "--pipeline-only", paramLabel = "BOOTSTRAP", hidden = true,
      description = "The child's part: the pipeline alone, on this broker.")
  String pipelineOnly;

  @Option(names = "--expect", hidden = true, description = "The child's part: ratings to await.")
  long expect;

  @Option(names = "--expect-pairs", hidden = true, description = "The child's part: distinct "
      + "pairs the seen set will hold.")
  long expectPairs;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (pipelineOnly != null) {
      Path dir = Files.createTempDirectory("mfstream-bench-memory-child-");
      try {
        MemoryBenchmark.runPipeline(pipelineOnly, expect, expectPairs, settings, dir, () -> { },
            out, histogram);
      } finally {
        io.mfstream.app.Pipeline.deleteQuietly(dir);
      }
      return Main.EXIT_OK;
    }
    List<Rating> list = load();
    out.printf("bench-memory: %,d ratings (%s), settings %s%n", list.size(),
        dataFile == null ? String.format("synthetic: %,d users x %,d items, seed %d", users,
            items, seed) : dataFile, settings);
    out.printf("load average at start: %.2f; %s%n", DataOptions.loadAverage(), inProcess
        ? "broker, replay and pipeline in this JVM"
        : "the pipeline in a child JVM with NMT; the broker and the replay in this one");
    out.flush();
    if (inProcess) {
      MemoryBenchmark.runInProcess(list, settings, out, histogram);
    } else {
      List<String> childArgs = new ArrayList<>(List.of("--histogram", Integer.toString(histogram)));
      settings.forEach((k, v) -> childArgs.addAll(List.of("--set", k + "=" + v)));
      AtomicReference<List<Rating>> held = new AtomicReference<>(list);
      list = null;
      MemoryBenchmark.runSeparately(held, jvmOptions, childArgs, out,
          spec.commandLine().getErr());
    }
    out.printf("load average at end: %.2f%n", DataOptions.loadAverage());
    out.flush();
    return Main.EXIT_OK;
  }

  /** The ratings to replay, in timestamp order (synthetic ones clipped to the valid range). */
  private List<Rating> load() throws java.io.IOException {
    if (dataFile != null) {
      return data.loadForStreaming(dataFile, limit, spec.commandLine().getErr());
    }
    List<Rating> r = new ArrayList<>(SyntheticRatings.builder().users(users).items(items)
        .ratings(ratings).seed(seed).build().ratings());
    r.sort(Comparator.comparingLong(Rating::timestamp));
    r = DataOptions.clip(r, ValidatorConfig.DEFAULT_MIN_RATING,
        ValidatorConfig.DEFAULT_MAX_RATING);
    return limit == null ? r : r.subList(0, Math.min(limit, r.size()));
  }
}
