package io.mfstream.cli;

import io.mfstream.bench.TrainingBenchmark;
import io.mfstream.model.ModelType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Training throughput of every network beside the scalar Java reference, in one run. */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Ratings/s of one SGD step (forward, backward, lazy update; k=64) per "
        + "network and batch size, on tables the size of MovieLens-25M (162,541 users x 59,047 "
        + "items), beside a plain scalar Java loop doing plain MF's maths. Each case is measured "
        + "in alternating rounds; the median is printed, and the median over rounds of its "
        + "speed relative to the reference's in the same round (vs ref).",
        "Record results in docs/BENCHMARKS.md with the command line that produced them."})
final class BenchCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--batch-sizes", split = ",", description = "Default: 64,1024,8192.")
  int[] batchSizes = {64, 1024, 8192};

  @Option(names = "--models", split = ",", description = "Default: all four.",
      converter = ModelOptions.ModelTypeConverter.class)
  List<ModelType> models = new ArrayList<>(Arrays.asList(ModelType.values()));

  @Option(names = "--seconds", description = "Seconds per round per case "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "1.0")
  double seconds;

  @Option(names = "--rounds", description = "Rounds (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  int rounds;

  @Option(names = "--users", defaultValue = "162541", description = "Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--items", defaultValue = "59047", description = "Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(names = {"-k", "--factors"}, defaultValue = "64",
      description = "Default: ${DEFAULT-VALUE}.")
  int factors;

  @Option(names = "--hidden", defaultValue = "64", description = "Default: ${DEFAULT-VALUE}.")
  int hidden;

  @Option(names = "--nd4j-ops", description = "Also measure plain MF on the pure ND4J-ops "
      + "kernels (the path the CUDA backend takes), on this CPU.")
  boolean nd4jOps;

  @Option(names = "--separate-state", description = "Also measure every network with its "
      + "optimiser state in arrays of its own instead of beside each row (the layout the ND4J-ops "
      + "path uses), side by side.")
  boolean separateState;

  @Option(names = "--one-thread", description = "Also measure every network with both of its "
      + "sides on one thread instead of two (as on a 1-core machine), side by side.")
  boolean oneThread;

  @Option(names = "--profile", description = "After each batch size, run every network once more "
      + "with timed kernels and print where a step spends its time.")
  boolean profile;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("mfstream bench on %s, %d cores, java %s%n", System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
    TrainingBenchmark.Options options = new TrainingBenchmark.Options(users, items, factors,
        hidden, batchSizes, models, seconds, rounds, nd4jOps, separateState, oneThread,
        profile);
    new TrainingBenchmark(options).run(out);
    out.flush();
    return 0;
  }
}
