package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;

/**
 * Asks for the predicted rating of one (user, item) pair: the value on topic
 * {@code prediction-requests}. The answer is a {@link Prediction} with the same request id.
 *
 * <pre>{"request_id": "r-1", "user": "196", "item": "242"}</pre>
 *
 * @param requestId chosen by the client, copied into the answer
 * @param user the user id
 * @param item the item id
 */
public record PredictionRequest(
    @JsonProperty(value = "request_id", required = true)
        @JsonDeserialize(using = IdDeserializer.class)
        String requestId,
    @JsonProperty(value = "user", required = true) @JsonDeserialize(using = IdDeserializer.class)
        String user,
    @JsonProperty(value = "item", required = true) @JsonDeserialize(using = IdDeserializer.class)
        String item) {

  public PredictionRequest {
    Checks.id(requestId, "request_id");
    Checks.id(user, "user");
    Checks.id(item, "item");
  }
}
