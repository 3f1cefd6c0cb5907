package io.mfstream.stream.validate;

/**
 * Why a record on topic {@code ratings} was rejected. The name is the value of the
 * {@code mfstream.dlq.reason} header and the label of the rejection counters, so names are stable:
 * add codes, never rename them.
 */
public enum Reason {
  /** The value is {@code null} (a tombstone): there is no rating to read. */
  NO_VALUE,
  /** The value is larger than {@link ValidatorConfig#maxValueBytes()}; it was not parsed. */
  TOO_LARGE,
  /**
   * The value is not one JSON object: empty, malformed, not UTF-8, trailing garbage, a field
   * given twice, or a JSON value that is not an object (an array, a number, {@code null}).
   */
  NOT_JSON,
  /** {@code user}, {@code item} or {@code rating} is absent or JSON {@code null}. */
  MISSING_FIELD,
  /** {@code user} or {@code item} is empty or only white space. */
  BLANK_ID,
  /**
   * {@code user} or {@code item} is neither a string nor an integer (e.g. {@code 1.5},
   * {@code true}, an object), or is longer than {@link ValidatorConfig#maxIdLength()}.
   */
  BAD_ID,
  /** {@code rating} is not a JSON number (a string such as {@code "4"}, a boolean, an object). */
  NOT_A_NUMBER,
  /** {@code rating} is {@code NaN} or infinite, or too large to be a float ({@code 1e39}). */
  NON_FINITE,
  /** {@code rating} is outside [{@link ValidatorConfig#minRating()}, {@link ValidatorConfig#maxRating()}]. */
  OUT_OF_RANGE,
  /**
   * {@code timestamp} is present but not an integer number of seconds in
   * [0, {@value RatingValidator#MAX_TIMESTAMP_SECONDS}] (the end of year 9999): a string, a
   * fraction, a negative number, or a value that looks like milliseconds.
   */
  BAD_TIMESTAMP
}
