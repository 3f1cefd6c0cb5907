package io.mfstream.stream.validate;

/**
 * The limits {@link RatingValidator} applies. Immutable.
 *
 * @param minRating the smallest valid rating, inclusive
 * @param maxRating the largest valid rating, inclusive
 * @param maxIdLength the longest valid user or item id, in characters (UTF-16 units) after
 *     stripping surrounding white space
 * @param maxValueBytes the largest record value parsed at all, in bytes
 */
public record ValidatorConfig(float minRating, float maxRating, int maxIdLength, int maxValueBytes) {

  /** MovieLens' range: half stars from 0.5 to 5. */
  public static final float DEFAULT_MIN_RATING = 0.5f;
  public static final float DEFAULT_MAX_RATING = 5f;
  public static final int DEFAULT_MAX_ID_LENGTH = 256;
  /** 64 KiB: a rating is well under 1 KiB; anything this large is not one. */
  public static final int DEFAULT_MAX_VALUE_BYTES = 64 * 1024;

  public ValidatorConfig {
    if (!Float.isFinite(minRating) || !Float.isFinite(maxRating) || minRating > maxRating) {
      throw new IllegalArgumentException("bad rating range [" + minRating + ", " + maxRating + "]");
    }
    if (maxIdLength < 1) {
      throw new IllegalArgumentException("maxIdLength must be at least 1, was " + maxIdLength);
    }
    if (maxValueBytes < 1) {
      throw new IllegalArgumentException("maxValueBytes must be at least 1, was " + maxValueBytes);
    }
  }

  /** Ratings in [0.5, 5], ids up to 256 characters, values up to 64 KiB. */
  public static ValidatorConfig defaults() {
    return new ValidatorConfig(DEFAULT_MIN_RATING, DEFAULT_MAX_RATING, DEFAULT_MAX_ID_LENGTH,
        DEFAULT_MAX_VALUE_BYTES);
  }

  public ValidatorConfig withRange(float min, float max) {
    return new ValidatorConfig(min, max, maxIdLength, maxValueBytes);
  }

  public ValidatorConfig withMaxIdLength(int length) {
    return new ValidatorConfig(minRating, maxRating, length, maxValueBytes);
  }

  public ValidatorConfig withMaxValueBytes(int bytes) {
    return new ValidatorConfig(minRating, maxRating, maxIdLength, bytes);
  }
}
