package io.mfstream.cli;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.Trainer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where a training command starts from and what it leaves behind: snapshot in, summary and
 * snapshot out. */
final class RunOptions {
  @Option(names = "--summary", paramLabel = "FILE", description = "Also write the JSON summary "
      + "to this file.")
  Path summaryFile;

  @Option(names = "--save", paramLabel = "FILE", description = "Save the trained model "
      + "(parameters, optimiser state, vocabulary, counters) as a snapshot.")
  Path saveFile;

  @Option(names = "--load", paramLabel = "FILE", description = "Start from a saved snapshot "
      + "instead of a new model; its model and optimiser settings apply.")
  Path loadFile;

  @Option(names = "--one-thread", description = "Keep every training step on one thread. By "
      + "default, on the CPU, a network's user and item sides run on two cores at once; the "
      + "results are the same bit for bit either way.")
  boolean oneThread;

  /** A new trainer, or the one saved in {@code --load}. */
  Trainer trainer(ModelConfig model, OptimizerConfig optimizer, int batchSize) throws IOException {
    Kernels kernels = oneThread
        ? Kernels.forCurrentBackendOnOneThread() : Kernels.forCurrentBackend();
    return loadFile == null
        ? new Trainer(model, optimizer, batchSize, kernels)
        : ModelSnapshot.load(loadFile, batchSize, kernels);
  }

  /** Prints the summary, writes it to {@code --summary} and the model to {@code --save}. */
  void finish(Map<String, Object> summary, Trainer trainer, PrintWriter out, PrintWriter err)
      throws IOException {
    out.println(Json.write(summary));
    out.flush();
    if (summaryFile != null) {
      Json.write(summary, summaryFile);
    }
    if (saveFile != null) {
      ModelSnapshot.save(trainer, saveFile);
      err.println("saved " + saveFile);
      err.flush();
    }
  }
}
