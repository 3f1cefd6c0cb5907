package io.mfstream.data;

import java.util.Objects;

/**
 * One rating event: a user rated an item.
 *
 * <p>Ids are opaque strings (the open vocabulary: any id may appear at any time). The timestamp is
 * in seconds since the epoch as MovieLens writes it, or {@link #NO_TIMESTAMP} when the source had
 * none.
 *
 * @param user the user id, never blank
 * @param item the item id, never blank
 * @param rating the rating value, finite
 * @param timestamp seconds since the epoch, or {@link #NO_TIMESTAMP}
 */
public record Rating(String user, String item, float rating, long timestamp) {

  /** Marks a rating whose source carried no timestamp. */
  public static final long NO_TIMESTAMP = Long.MIN_VALUE;

  public Rating {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(item, "item");
    if (user.isBlank()) {
      throw new IllegalArgumentException("user id is blank");
    }
    if (item.isBlank()) {
      throw new IllegalArgumentException("item id is blank");
    }
    if (!Float.isFinite(rating)) {
      throw new IllegalArgumentException("rating is not finite: " + rating);
    }
  }

  /** A rating without a timestamp. */
  public Rating(String user, String item, float rating) {
    this(user, item, rating, NO_TIMESTAMP);
  }

  public boolean hasTimestamp() {
    return timestamp != NO_TIMESTAMP;
  }
}
