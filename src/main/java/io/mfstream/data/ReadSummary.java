package io.mfstream.data;

import java.util.List;

/**
 * What reading a ratings file found: how many ratings were accepted, how many bad lines were
 * skipped (only ever non-zero in {@link ReadMode#LENIENT} mode), and the first few of those.
 *
 * @param accepted ratings handed on
 * @param skipped bad lines skipped; blank lines and the header are not counted
 * @param badLines the first {@link RatingReader#MAX_BAD_LINE_SAMPLES} bad lines, in file order
 */
public record ReadSummary(long accepted, long skipped, List<BadLine> badLines) {

  public ReadSummary {
    badLines = List.copyOf(badLines);
    if (accepted < 0 || skipped < 0 || badLines.size() > skipped) {
      throw new IllegalArgumentException(
          "inconsistent counts: accepted=" + accepted + " skipped=" + skipped
              + " samples=" + badLines.size());
    }
  }
}
