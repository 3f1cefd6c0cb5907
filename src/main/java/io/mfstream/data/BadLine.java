package io.mfstream.data;

import java.util.Objects;

/**
 * A line that a lenient {@link RatingReader} skipped, kept as a sample for the report.
 *
 * @param lineNumber the 1-based line number in the file
 * @param reason why the line is not a valid rating
 * @param text the line, truncated when long
 */
public record BadLine(long lineNumber, String reason, String text) {

  public BadLine {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(text, "text");
  }
}
