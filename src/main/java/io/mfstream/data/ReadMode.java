package io.mfstream.data;

/** What a {@link RatingReader} does with a line that is not a valid rating. */
public enum ReadMode {
  /** Fail on the first bad line with a {@link RatingFormatException}. */
  STRICT,
  /** Skip bad lines, count them, and keep the first few as {@link BadLine} samples. */
  LENIENT
}
