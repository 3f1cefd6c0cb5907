package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The answer to a {@link RecommendationRequest}: the value on topic {@code recommendations}.
 * {@code items} holds at most n items the user has not rated, best first; it may hold fewer when
 * fewer are known.
 *
 * <pre>{"request_id": "r-2", "user": "196", "items": [{"item": "50", "rating": 4.62},
 * {"item": "181", "rating": 4.48}], "model": "biased-mf", "model_version": 1520,
 * "ratings_learned": 97280, "cold_start": false, "answered_at": 1735689600000}</pre>
 *
 * @param requestId the request's id
 * @param user the user id, as asked
 * @param items the recommended items, best first; never null
 * @param model the model's name
 * @param modelVersion the model's version: SGD steps taken
 * @param ratingsLearned ratings the model has learned from
 * @param coldStart true when the user was unknown and the items are a fallback (e.g. by item bias)
 * @param answeredAt when the answer was made, milliseconds since the epoch
 * @param degraded true when the model stopped learning after a failure and answers from its last
 *     good parameters (its version and ratings learned then stay put); false when absent
 */
public record Recommendation(
    @JsonProperty(value = "request_id", required = true) String requestId,
    @JsonProperty(value = "user", required = true) String user,
    @JsonProperty(value = "items", required = true) List<ScoredItem> items,
    @JsonProperty(value = "model", required = true) String model,
    @JsonProperty(value = "model_version", required = true) long modelVersion,
    @JsonProperty(value = "ratings_learned", required = true) long ratingsLearned,
    @JsonProperty(value = "cold_start", required = true) boolean coldStart,
    @JsonProperty(value = "answered_at", required = true) long answeredAt,
    @JsonProperty("degraded") boolean degraded) {

  public Recommendation {
    Checks.text(requestId, "request_id");
    Checks.text(user, "user");
    if (items == null) {
      throw new IllegalArgumentException("items is missing");
    }
    items = List.copyOf(items);
    Checks.text(model, "model");
    Checks.nonNegative(modelVersion, "model_version");
    Checks.nonNegative(ratingsLearned, "ratings_learned");
  }

  /** An answer from a model that learns. */
  public Recommendation(String requestId, String user, List<ScoredItem> items, String model,
      long modelVersion, long ratingsLearned, boolean coldStart, long answeredAt) {
    this(requestId, user, items, model, modelVersion, ratingsLearned, coldStart, answeredAt,
        false);
  }
}
