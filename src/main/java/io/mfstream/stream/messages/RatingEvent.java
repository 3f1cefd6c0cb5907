package io.mfstream.stream.messages;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import io.mfstream.data.Rating;

/**
 * A user rated an item: the value on topic {@code ratings}, and on the validated ratings topic.
 *
 * <pre>{"user": "196", "item": "242", "rating": 3, "timestamp": 881250949}</pre>
 *
 * <p>Ids may be typed as JSON integers ({@code "user": 196}); they are kept as strings. This
 * record only holds what any rating must hold (ids present and not blank, a finite rating); the
 * configurable checks (rating range, id length, timestamp range, size) are
 * {@link io.mfstream.stream.validate.RatingValidator}'s, which is what reads topic {@code ratings}.
 *
 * @param user the user id
 * @param item the item id
 * @param rating the rating, finite
 * @param timestamp seconds since the epoch, or {@code null} when the producer gave none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RatingEvent(
    @JsonProperty(value = "user", required = true) @JsonDeserialize(using = IdDeserializer.class)
        String user,
    @JsonProperty(value = "item", required = true) @JsonDeserialize(using = IdDeserializer.class)
        String item,
    @JsonProperty(value = "rating", required = true) float rating,
    @JsonProperty("timestamp") Long timestamp) {

  public RatingEvent {
    Checks.id(user, "user");
    Checks.id(item, "item");
    Checks.finite(rating, "rating");
    if (timestamp != null && timestamp == Rating.NO_TIMESTAMP) {
      throw new IllegalArgumentException("timestamp " + timestamp + " is reserved");
    }
  }

  /** The event for {@code rating}, without a timestamp when it has none. */
  public static RatingEvent from(Rating rating) {
    return new RatingEvent(rating.user(), rating.item(), rating.rating(),
        rating.hasTimestamp() ? rating.timestamp() : null);
  }

  /** This event as the trainer's {@link Rating}. */
  public Rating toRating() {
    return new Rating(user, item, rating, timestamp == null ? Rating.NO_TIMESTAMP : timestamp);
  }
}
