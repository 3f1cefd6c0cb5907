package io.mfstream.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A ratings file does not have the expected shape: a line that cannot be read as a rating (in
 * {@link ReadMode#STRICT} mode), or a file whose format cannot be recognised.
 *
 * <p>The message names the file, the 1-based line number, the reason and the offending line
 * (truncated when long), so that a user can find and fix the line without a debugger.
 */
public final class RatingFormatException extends IOException {

  /** Longest excerpt of an offending line kept in messages and {@link BadLine}s. */
  static final int MAX_EXCERPT = 120;

  private final transient Path file;
  private final long lineNumber;
  private final String reason;
  private final String line;

  /** A bad line: {@code lineNumber} is 1-based, {@code line} the raw text. */
  public RatingFormatException(Path file, long lineNumber, String reason, String line) {
    super(file + ":" + lineNumber + ": " + reason + ": \"" + excerpt(line) + "\"");
    this.file = Objects.requireNonNull(file, "file");
    this.lineNumber = lineNumber;
    this.reason = Objects.requireNonNull(reason, "reason");
    this.line = Objects.requireNonNull(line, "line");
  }

  /** A problem with the file as a whole (no single line is at fault). */
  public RatingFormatException(Path file, String reason) {
    super(file + ": " + reason);
    this.file = Objects.requireNonNull(file, "file");
    this.lineNumber = 0;
    this.reason = Objects.requireNonNull(reason, "reason");
    this.line = "";
  }

  public Path file() {
    return file;
  }

  /** The 1-based number of the offending line, or 0 when the problem is the file as a whole. */
  public long lineNumber() {
    return lineNumber;
  }

  public String reason() {
    return reason;
  }

  /** The offending line, untruncated; empty when the problem is the file as a whole. */
  public String line() {
    return line;
  }

  /** The line cut to {@link #MAX_EXCERPT} characters, marked with an ellipsis when cut. */
  static String excerpt(String line) {
    return line.length() <= MAX_EXCERPT ? line : line.substring(0, MAX_EXCERPT) + "...";
  }
}
