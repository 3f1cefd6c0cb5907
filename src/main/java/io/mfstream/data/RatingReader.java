package io.mfstream.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a delimited ratings file described by a {@link RatingFormat}, line by line.
 *
 * <p>A line is bad when it has the wrong number of columns, a blank user or item id, a rating that
 * does not parse or is not finite, a timestamp that does not parse, or (with {@link #withRange}) a
 * rating outside the allowed range. In {@link ReadMode#STRICT} mode the first bad line fails the
 * read with a {@link RatingFormatException}; in {@link ReadMode#LENIENT} mode bad lines are
 * skipped, counted and the first {@value #MAX_BAD_LINE_SAMPLES} kept as {@link BadLine} samples.
 * Blank lines are always skipped silently. Fields are stripped of surrounding white space.
 *
 * <p>{@link #forEach} streams, so a 25M-line file never has to be held in memory; {@link #read}
 * collects everything into a list. Files are decoded as UTF-8, undecodable bytes replaced.
 * Instances are immutable and thread-safe.
 */
public final class RatingReader {
  /**
   * A plain decimal, optionally with an exponent: what rating files hold. Float.parseFloat alone
   * would also take "4f", "4d", hex floats, "NaN" and "Infinity".
   */
  private static final java.util.regex.Pattern DECIMAL =
      java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  private static final java.util.regex.Pattern NON_FINITE =
      java.util.regex.Pattern.compile("[+-]?(NaN|Infinity)");


  /** How many bad lines a lenient read keeps as samples. */
  public static final int MAX_BAD_LINE_SAMPLES = 20;

  private static final Logger LOG = LoggerFactory.getLogger(RatingReader.class);
  private static final int BUFFER_CHARS = 1 << 16;

  private final RatingFormat format;
  private final ReadMode mode;
  private final float minRating;
  private final float maxRating;

  /** A reader without a rating range check. */
  public RatingReader(RatingFormat format, ReadMode mode) {
    this(format, mode, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
  }

  private RatingReader(RatingFormat format, ReadMode mode, float minRating, float maxRating) {
    this.format = Objects.requireNonNull(format, "format");
    this.mode = Objects.requireNonNull(mode, "mode");
    if (Float.isNaN(minRating) || Float.isNaN(maxRating) || minRating > maxRating) {
      throw new IllegalArgumentException("bad rating range [" + minRating + ", " + maxRating + "]");
    }
    this.minRating = minRating;
    this.maxRating = maxRating;
  }

  /** A strict reader for {@code format}. */
  public static RatingReader strict(RatingFormat format) {
    return new RatingReader(format, ReadMode.STRICT);
  }

  /** A lenient reader for {@code format}. */
  public static RatingReader lenient(RatingFormat format) {
    return new RatingReader(format, ReadMode.LENIENT);
  }

  /** This reader, also treating ratings outside {@code [min, max]} (inclusive) as bad lines. */
  public RatingReader withRange(float min, float max) {
    return new RatingReader(format, mode, min, max);
  }

  public RatingFormat format() {
    return format;
  }

  public ReadMode mode() {
    return mode;
  }

  /**
   * Reads the whole file into memory.
   *
   * @throws RatingFormatException in strict mode, on the first bad line
   * @throws IOException if the file cannot be read
   */
  public ReadResult read(Path file) throws IOException {
    List<Rating> ratings = new ArrayList<>();
    ReadSummary summary = forEach(file, ratings::add);
    return new ReadResult(ratings, summary);
  }

  /**
   * Hands each valid rating to {@code sink} in file order, holding only one line at a time.
   *
   * @return what was accepted and skipped
   * @throws RatingFormatException in strict mode, on the first bad line
   * @throws IOException if the file cannot be read
   */
  public ReadSummary forEach(Path file, Consumer<? super Rating> sink) throws IOException {
    Objects.requireNonNull(sink, "sink");
    LineParser parser = new LineParser();
    List<BadLine> samples = new ArrayList<>();
    long accepted = 0;
    long skipped = 0;
    boolean headerPending = format.hasHeader();
    long lineNumber = 0;
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8),
            BUFFER_CHARS)) {
      String line;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (lineNumber == 1) {
          line = LineSplitter.stripBom(line);
        }
        if (line.isBlank()) {
          continue;
        }
        if (headerPending) {
          headerPending = false;
          continue;
        }
        Rating rating = parser.parse(line);
        if (rating != null) {
          sink.accept(rating);
          accepted++;
          continue;
        }
        if (mode == ReadMode.STRICT) {
          throw new RatingFormatException(file, lineNumber, parser.problem, line);
        }
        skipped++;
        if (samples.size() < MAX_BAD_LINE_SAMPLES) {
          samples.add(new BadLine(lineNumber, parser.problem, RatingFormatException.excerpt(line)));
        }
      }
    }
    if (skipped > 0) {
      LOG.warn("{}: skipped {} bad line(s); first: line {}: {}", file, skipped,
          samples.get(0).lineNumber(), samples.get(0).reason());
    }
    return new ReadSummary(accepted, skipped, samples);
  }

  /**
   * Parses one line at a time for one {@link #forEach} call: either returns the rating or leaves
   * the reason it is not one in {@link #problem}. One per call keeps the reader itself stateless.
   */
  private final class LineParser {
    private final String[] fields = new String[format.minColumns()];
    private String problem;

    /** The rating on {@code line}, or {@code null} with {@link #problem} set. */
    Rating parse(String line) {
      int count = LineSplitter.split(line, format.delimiter(), fields, fields.length);
      if (!format.acceptsColumnCount(count)) {
        return fail("wrong number of columns: expected " + format.expectedColumns() + ", found " + count);
      }
      String user = fields[format.userColumn()].strip();
      String item = fields[format.itemColumn()].strip();
      if (user.isEmpty()) {
        return fail("blank user id");
      }
      if (item.isEmpty()) {
        return fail("blank item id");
      }
      String ratingText = fields[format.ratingColumn()].strip();
      float rating;
      if (!DECIMAL.matcher(ratingText).matches()) {
        return NON_FINITE.matcher(ratingText).matches()
            ? fail("rating is not finite: '" + ratingText + "'")
            : fail("rating is not a number: '" + ratingText + "'");
      }
      rating = Float.parseFloat(ratingText);
      if (!Float.isFinite(rating)) {
        return fail("rating is not finite: '" + ratingText + "'");
      }
      if (rating < minRating || rating > maxRating) {
        return fail("rating " + rating + " is outside [" + minRating + ", " + maxRating + "]");
      }
      long timestamp = Rating.NO_TIMESTAMP;
      if (format.hasTimestamp()) {
        String ts = fields[format.timestampColumn()].strip();
        try {
          timestamp = Long.parseLong(ts);
        } catch (NumberFormatException e) {
          return fail("timestamp is not an integer: '" + ts + "'");
        }
        if (timestamp == Rating.NO_TIMESTAMP) {
          return fail("timestamp " + ts + " is reserved for 'no timestamp'");
        }
      }
      return new Rating(user, item, rating, timestamp);
    }

    private Rating fail(String reason) {
      problem = reason;
      return null;
    }
  }
}
