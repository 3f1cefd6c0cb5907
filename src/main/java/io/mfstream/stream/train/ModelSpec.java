package io.mfstream.stream.train;

import io.mfstream.model.ModelConfig;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.QualitySettings;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One model the pipeline trains: its name (used in keys, topics and metric labels), network,
 * optimiser, batch size and rolling RMSE window, and optionally a snapshot to start from.
 *
 * @param name lower-case letters, digits, '.', '_' and '-', starting with a letter or digit
 * @param model the network
 * @param optimizer the optimiser; embeddings must be updated lazily (a dense update touches every
 *     row at every step, which a per-row state store cannot afford)
 * @param batchSize ratings per SGD step
 * @param window ratings in the rolling RMSE
 * @param warmStart a snapshot file the model starts from when its store is empty, or null
 * @param reset the operator's reset generation, 0 by default: when it is greater than the
 *     generation the model's stored state was created under, that state is discarded once and
 *     the model starts afresh (from {@code warmStart} when set). Generations only go forward: an
 *     instance configured with an older one (a rolling change half done) keeps the newer stored
 *     state instead of discarding it again.
 * @param quality what the quality meters measure (segments, ranking); changing it restarts them
 *     (docs/METRICS.md, "Quality by segment")
 */
public record ModelSpec(String name, ModelConfig model, OptimizerConfig optimizer, int batchSize,
    int window, Path warmStart, long reset, QualitySettings quality) {

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

  public ModelSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(quality, "quality");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("model name '" + name + "' must be 1 to 63 lower-case "
          + "letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (optimizer.embeddings() != OptimizerConfig.EmbeddingUpdates.LAZY) {
      throw new IllegalArgumentException("model " + name + ": the streaming trainer needs lazy "
          + "embedding updates (dense updates rewrite every row at every step)");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("model " + name + ": batch size must be >= 1");
    }
    if (window < 1) {
      throw new IllegalArgumentException("model " + name + ": RMSE window must be >= 1");
    }
    if (reset < 0) {
      throw new IllegalArgumentException("model " + name + ": the reset generation must be >= 0");
    }
  }

  /** A spec with the default quality settings. */
  public ModelSpec(String name, ModelConfig model, OptimizerConfig optimizer, int batchSize,
      int window, Path warmStart, long reset) {
    this(name, model, optimizer, batchSize, window, warmStart, reset, QualitySettings.DEFAULTS);
  }

  /** This spec with other quality settings. */
  public ModelSpec withQuality(QualitySettings settings) {
    return new ModelSpec(name, model, optimizer, batchSize, window, warmStart, reset, settings);
  }

  /** A spec at reset generation 0. */
  public ModelSpec(String name, ModelConfig model, OptimizerConfig optimizer, int batchSize,
      int window, Path warmStart) {
    this(name, model, optimizer, batchSize, window, warmStart, 0);
  }

  /** A spec without a warm start. */
  public ModelSpec(String name, ModelConfig model, OptimizerConfig optimizer, int batchSize,
      int window) {
    this(name, model, optimizer, batchSize, window, null);
  }
}
