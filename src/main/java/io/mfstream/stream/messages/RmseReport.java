package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A model's prequential RMSE (each rating scored before it was learned from): the value on topic
 * {@code rmse}, keyed by model name. A report is only made once at least one rating was scored,
 * so {@code rmse} is always a finite number.
 *
 * <pre>{"model": "biased-mf", "window": 10000, "rmse": 0.9412, "count": 97280,
 * "model_version": 1520, "at": 1735689600000}</pre>
 *
 * @param model the model's name
 * @param window how many of the latest ratings the RMSE is over (fewer than the configured window
 *     until that many have been scored), at least 1
 * @param rmse root mean squared error over the window, finite and not negative
 * @param count ratings scored so far, in total
 * @param modelVersion the model's version when the report was made: SGD steps taken
 * @param at when the report was made, milliseconds since the epoch
 */
public record RmseReport(
    @JsonProperty(value = "model", required = true) String model,
    @JsonProperty(value = "window", required = true) int window,
    @JsonProperty(value = "rmse", required = true) double rmse,
    @JsonProperty(value = "count", required = true) long count,
    @JsonProperty(value = "model_version", required = true) long modelVersion,
    @JsonProperty(value = "at", required = true) long at) {

  public RmseReport {
    Checks.text(model, "model");
    if (window < 1) {
      throw new IllegalArgumentException("window must be at least 1, was " + window);
    }
    Checks.finite(rmse, "rmse");
    if (rmse < 0) {
      throw new IllegalArgumentException("rmse is negative: " + rmse);
    }
    if (count < window) {
      throw new IllegalArgumentException("count " + count + " is smaller than window " + window);
    }
    Checks.nonNegative(modelVersion, "model_version");
  }
}
