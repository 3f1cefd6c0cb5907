package io.mfstream.stream;

import io.mfstream.stream.train.ModelSpec;
import io.mfstream.stream.validate.ValidatorConfig;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the topology needs to know: the models (in order: model i trains on partition i of
 * {@code ratings-valid}), how often to report RMSE, the optional linger flush, and the validator.
 *
 * @param models at least one, with distinct names
 * @param reportEvery an RMSE report every this many ratings scored, per model
 * @param lingerMs also step on a partial batch this long after its first rating; 0 is off
 * @param validator the valid rating range and size limits
 */
public record PipelineSettings(List<ModelSpec> models, int reportEvery, long lingerMs,
    ValidatorConfig validator) {

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
  }

  /** The models' names, in partition order. */
  public List<String> modelNames() {
    return models.stream().map(ModelSpec::name).toList();
  }
}
