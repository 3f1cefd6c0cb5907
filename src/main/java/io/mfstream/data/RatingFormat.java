package io.mfstream.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How one line of a delimited ratings file maps to a {@link Rating}: the delimiter (a literal
 * string, not a regex), the 0-based columns of user, item, rating and timestamp, the number of
 * columns a line must have, and whether the first line is a header to skip.
 *
 * <p>Presets cover the MovieLens releases: {@link #ML_100K} ({@code u.data}, {@code u1.base}...),
 * {@link #ML_1M} ({@code ratings.dat} of ml-1m and ml-10m) and {@link #ML_CSV} ({@code ratings.csv}
 * of ml-latest, ml-20m and ml-25m). {@link #delimited} builds any other. Quoted CSV fields are not
 * supported: the MovieLens rating files never quote.
 *
 * @param name a short name for messages
 * @param delimiter the literal field separator, not empty
 * @param columnCount the exact number of fields a line must have, or {@link #ANY_COLUMN_COUNT} for
 *     "at least enough for the columns used"
 * @param userColumn 0-based column of the user id
 * @param itemColumn 0-based column of the item id
 * @param ratingColumn 0-based column of the rating value
 * @param timestampColumn 0-based column of the timestamp (seconds), or {@link #NO_COLUMN}
 * @param hasHeader whether the first non-blank line is a header to skip
 */
public record RatingFormat(
    String name,
    String delimiter,
    int columnCount,
    int userColumn,
    int itemColumn,
    int ratingColumn,
    int timestampColumn,
    boolean hasHeader) {

  /** Marks an absent column (only the timestamp may be absent). */
  public static final int NO_COLUMN = -1;

  /** Lines may have any number of fields, as long as the used columns exist. */
  public static final int ANY_COLUMN_COUNT = -1;

  /** MovieLens 100K ({@code u.data}, {@code u1.base}, ...): tab, user item rating timestamp. */
  public static final RatingFormat ML_100K = new RatingFormat("ml-100k", "\t", 4, 0, 1, 2, 3, false);

  /** MovieLens 1M and 10M ({@code ratings.dat}): {@code ::}, user item rating timestamp. */
  public static final RatingFormat ML_1M = new RatingFormat("ml-1m", "::", 4, 0, 1, 2, 3, false);

  /** MovieLens latest/20M/25M ({@code ratings.csv}): comma, with header {@link #ML_CSV_HEADER}. */
  public static final RatingFormat ML_CSV = new RatingFormat("ml-csv", ",", 4, 0, 1, 2, 3, true);

  /** The header line of {@link #ML_CSV} files. */
  public static final String ML_CSV_HEADER = "userId,movieId,rating,timestamp";

  /** {@code u.data}, {@code u1.base} ... {@code u5.test}, {@code ua.base}, {@code ub.test}. */
  private static final Pattern ML_100K_NAME = Pattern.compile("u\\.data|u[1-5ab]\\.(base|test)");

  public RatingFormat {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(delimiter, "delimiter");
    if (delimiter.isEmpty()) {
      throw new IllegalArgumentException("delimiter is empty");
    }
    if (userColumn < 0 || itemColumn < 0 || ratingColumn < 0) {
      throw new IllegalArgumentException("user, item and rating columns must be >= 0");
    }
    if (timestampColumn < NO_COLUMN) {
      throw new IllegalArgumentException("timestamp column must be >= 0 or NO_COLUMN");
    }
    boolean distinct =
        userColumn != itemColumn
            && userColumn != ratingColumn
            && itemColumn != ratingColumn
            && (timestampColumn == NO_COLUMN
                || (timestampColumn != userColumn
                    && timestampColumn != itemColumn
                    && timestampColumn != ratingColumn));
    if (!distinct) {
      throw new IllegalArgumentException("columns must be distinct");
    }
    int needed = neededColumns(userColumn, itemColumn, ratingColumn, timestampColumn);
    if (columnCount != ANY_COLUMN_COUNT && columnCount < needed) {
      throw new IllegalArgumentException(
          "column count " + columnCount + " is too small for the columns used (need " + needed + ")");
    }
  }

  /**
   * A generic delimited format whose lines have at least the columns used.
   *
   * @param timestampColumn the timestamp column, or {@link #NO_COLUMN}
   */
  public static RatingFormat delimited(
      String delimiter,
      int userColumn,
      int itemColumn,
      int ratingColumn,
      int timestampColumn,
      boolean hasHeader) {
    return new RatingFormat(
        "delimited", delimiter, ANY_COLUMN_COUNT, userColumn, itemColumn, ratingColumn,
        timestampColumn, hasHeader);
  }

  /** Whether lines carry a timestamp. */
  public boolean hasTimestamp() {
    return timestampColumn != NO_COLUMN;
  }

  /** The fewest fields a line must have: one past the highest column used. */
  public int minColumns() {
    return neededColumns(userColumn, itemColumn, ratingColumn, timestampColumn);
  }

  private static int neededColumns(int user, int item, int rating, int timestamp) {
    return Math.max(Math.max(user, item), Math.max(rating, timestamp)) + 1;
  }

  /** Whether a line with {@code fields} fields has the right shape. */
  boolean acceptsColumnCount(int fields) {
    return columnCount == ANY_COLUMN_COUNT ? fields >= minColumns() : fields == columnCount;
  }

  /** Describes the expected column count for messages. */
  String expectedColumns() {
    return columnCount == ANY_COLUMN_COUNT ? "at least " + minColumns() : Integer.toString(columnCount);
  }

  /**
   * Picks the MovieLens preset for a file from its name and first non-blank line: the ml-100k
   * names ({@code u.data}, {@code u1.base}, {@code ua.test}, ...) give {@link #ML_100K}; a
   * {@code .dat} file, or a first line with {@code ::}, gives {@link #ML_1M}; a first line equal to
   * {@link #ML_CSV_HEADER} gives {@link #ML_CSV}; a first line of four tab-separated fields gives
   * {@link #ML_100K}.
   *
   * @throws RatingFormatException if none of these fits, naming the file and its first line
   * @throws IOException if the file cannot be read
   */
  public static RatingFormat detect(Path file) throws IOException {
    String fileName = file.getFileName() == null ? "" : file.getFileName().toString();
    String lower = fileName.toLowerCase(Locale.ROOT);
    String first = firstNonBlankLine(file);
    if (ML_100K_NAME.matcher(lower).matches()) {
      return ML_100K;
    }
    if (lower.endsWith(".dat")) {
      return ML_1M;
    }
    if (first == null) {
      throw new RatingFormatException(file, "cannot detect the rating format: the file is empty");
    }
    if (first.strip().equalsIgnoreCase(ML_CSV_HEADER)) {
      return ML_CSV;
    }
    if (first.contains("::")) {
      return ML_1M;
    }
    if (LineSplitter.count(first, "\t") == 4) {
      return ML_100K;
    }
    throw new RatingFormatException(
        file,
        "cannot detect the rating format from the name '" + fileName + "' or the first line \""
            + RatingFormatException.excerpt(first) + "\"; expected u.data/uN.base/uN.test"
            + " (tab-separated), *.dat ('::'-separated) or a CSV with header '" + ML_CSV_HEADER
            + "'; give the format explicitly");
  }

  private static String firstNonBlankLine(Path file) throws IOException {
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = reader.readLine()) != null) {
        line = LineSplitter.stripBom(line);
        if (!line.isBlank()) {
          return line;
        }
      }
      return null;
    }
  }
}
