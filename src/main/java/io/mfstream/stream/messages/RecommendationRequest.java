package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * Asks for the {@code n} best items for a user: the value on topic
 * {@code recommendation-requests}. The answer is a {@link Recommendation} with the same request
 * id.
 *
 * <pre>{"request_id": "r-2", "user": "196", "n": 10}</pre>
 *
 * @param requestId chosen by the client, copied into the answer
 * @param user the user id
 * @param n how many items, from 1 to {@value #MAX_N}
 */
public record RecommendationRequest(
    @JsonProperty(value = "request_id", required = true)
        @JsonDeserialize(using = IdDeserializer.class)
        String requestId,
    @JsonProperty(value = "user", required = true) @JsonDeserialize(using = IdDeserializer.class)
        String user,
    @JsonProperty(value = "n", required = true) int n) {

  /** The most items one request may ask for. */
  public static final int MAX_N = 1000;

  public RecommendationRequest {
    Checks.id(requestId, "request_id");
    Checks.id(user, "user");
    if (n < 1 || n > MAX_N) {
      throw new IllegalArgumentException("n must be in [1, " + MAX_N + "], was " + n);
    }
  }
}
