package io.mfstream.data;

import java.util.List;
import java.util.Objects;

/**
 * A whole ratings file read into memory: the ratings in file order and the {@link ReadSummary}.
 *
 * @param ratings the accepted ratings, in file order (unmodifiable)
 * @param summary counts and bad-line samples
 */
public record ReadResult(List<Rating> ratings, ReadSummary summary) {

  public ReadResult {
    ratings = List.copyOf(ratings);
    Objects.requireNonNull(summary, "summary");
  }

  /** Bad lines skipped (lenient mode only). */
  public long skipped() {
    return summary.skipped();
  }

  /** The first few skipped bad lines. */
  public List<BadLine> badLines() {
    return summary.badLines();
  }
}
