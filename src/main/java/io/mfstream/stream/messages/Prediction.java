package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The answer to a {@link PredictionRequest}: the value on topic {@code predictions}. It says how
 * fresh it is (model, version, ratings learned) and whether it is a cold-start fallback.
 *
 * <pre>{"request_id": "r-1", "user": "196", "item": "242", "rating": 3.71, "model": "biased-mf",
 * "model_version": 1520, "ratings_learned": 97280, "cold_start": false,
 * "answered_at": 1735689600000}</pre>
 *
 * @param requestId the request's id
 * @param user the user id, as asked
 * @param item the item id, as asked
 * @param rating the predicted rating, finite
 * @param model the model's name, e.g. {@code biased-mf}
 * @param modelVersion the model's version: SGD steps taken
 * @param ratingsLearned ratings the model has learned from
 * @param coldStart true when the user or the item was unknown and {@code rating} is the fallback
 *     (global mean, plus the known side's bias where the model has biases)
 * @param answeredAt when the answer was made, milliseconds since the epoch
 * @param degraded true when the model stopped learning after a failure and answers from its last
 *     good parameters (its version and ratings learned then stay put); false when absent
 */
public record Prediction(
    @JsonProperty(value = "request_id", required = true) String requestId,
    @JsonProperty(value = "user", required = true) String user,
    @JsonProperty(value = "item", required = true) String item,
    @JsonProperty(value = "rating", required = true) float rating,
    @JsonProperty(value = "model", required = true) String model,
    @JsonProperty(value = "model_version", required = true) long modelVersion,
    @JsonProperty(value = "ratings_learned", required = true) long ratingsLearned,
    @JsonProperty(value = "cold_start", required = true) boolean coldStart,
    @JsonProperty(value = "answered_at", required = true) long answeredAt,
    @JsonProperty("degraded") boolean degraded) {

  public Prediction {
    Checks.text(requestId, "request_id");
    Checks.text(user, "user");
    Checks.text(item, "item");
    Checks.finite(rating, "rating");
    Checks.text(model, "model");
    Checks.nonNegative(modelVersion, "model_version");
    Checks.nonNegative(ratingsLearned, "ratings_learned");
  }

  /** An answer from a model that learns. */
  public Prediction(String requestId, String user, String item, float rating, String model,
      long modelVersion, long ratingsLearned, boolean coldStart, long answeredAt) {
    this(requestId, user, item, rating, model, modelVersion, ratingsLearned, coldStart,
        answeredAt, false);
  }
}
