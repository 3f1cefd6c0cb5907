package io.mfstream.stream;

import io.mfstream.stream.train.ModelSpec;
import io.mfstream.stream.validate.ValidatorConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the topology needs to know: the models (in order: model i trains on partition i of
 * {@code ratings-valid}), how often to report RMSE, the optional linger flush, how often the
 * trainers checkpoint, and the validator.
 *
 * @param models at least one, with distinct names
 * @param reportEvery an RMSE report every this many ratings scored, per model
 * @param lingerMs also step on a partial batch this long after its first rating; 0 is off
 * @param validator the valid rating range and size limits
 * @param checkpointMs a trainer checkpoints its model this often while it changes (the replicas
 *     read checkpoints): from 10 ms to a minute
 */
public record PipelineSettings(List<ModelSpec> models, int reportEvery, long lingerMs,
    ValidatorConfig validator, long checkpointMs) {

  /** The default checkpoint interval, in milliseconds: exactly-once's commit interval. */
  public static final long DEFAULT_CHECKPOINT_MS = 100;

  /** Settings with the default checkpoint interval. */
  public PipelineSettings(List<ModelSpec> models, int reportEvery, long lingerMs,
      ValidatorConfig validator) {
    this(models, reportEvery, lingerMs, validator, DEFAULT_CHECKPOINT_MS);
  }

  public PipelineSettings {
    models = List.copyOf(models);
    Objects.requireNonNull(validator, "validator");
    if (models.isEmpty()) {
      throw new IllegalArgumentException("no models configured");
    }
    Set<String> names = new HashSet<>();
    for (ModelSpec m : models) {
      if (!names.add(m.name())) {
        throw new IllegalArgumentException("model " + m.name() + " is configured twice");
      }
    }
    if (reportEvery < 1) {
      throw new IllegalArgumentException("rmse.report.every must be >= 1");
    }
    if (lingerMs < 0) {
      throw new IllegalArgumentException("linger.ms must be >= 0");
    }
    if (checkpointMs < 10 || checkpointMs > 60_000) {
      throw new IllegalArgumentException("checkpoint.interval.ms must be from 10 to 60000");
    }
  }

  /** The models' names, in partition order. */
  public List<String> modelNames() {
    return models.stream().map(ModelSpec::name).toList();
  }
}
