package io.mfstream.data;

/**
 * Splits a line on a literal delimiter without regular expressions or allocation beyond the
 * fields themselves: {@link String#split} compiles or matches a regex per line, which dominates the
 * cost of reading a 25M-line file.
 */
final class LineSplitter {

  private static final char BOM = '\uFEFF';

  private LineSplitter() {}

  /** The number of fields in {@code line}: one more than the delimiter occurrences. */
  static int count(String line, String delimiter) {
    int fields = 1;
    int at = line.indexOf(delimiter);
    while (at >= 0) {
      fields++;
      at = line.indexOf(delimiter, at + delimiter.length());
    }
    return fields;
  }

  /**
   * Splits {@code line} into {@code into}, which must be at least {@code limit} long, filling at
   * most {@code limit} fields; returns the total number of fields in the line (which may exceed
   * {@code limit}, in which case the extra fields are counted but not stored).
   */
  static int split(String line, String delimiter, String[] into, int limit) {
    int fields = 0;
    int start = 0;
    int at = line.indexOf(delimiter);
    while (true) {
      int end = at < 0 ? line.length() : at;
      if (fields < limit) {
        into[fields] = line.substring(start, end);
      }
      fields++;
      if (at < 0) {
        return fields;
      }
      start = at + delimiter.length();
      at = line.indexOf(delimiter, start);
    }
  }

  /** Drops a leading byte-order mark, which some tools write at the start of UTF-8 files. */
  static String stripBom(String line) {
    return !line.isEmpty() && line.charAt(0) == BOM ? line.substring(1) : line;
  }
}
