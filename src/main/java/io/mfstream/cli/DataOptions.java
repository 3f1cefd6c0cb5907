package io.mfstream.cli;

import io.mfstream.data.BadLine;
import io.mfstream.data.Rating;
import io.mfstream.data.RatingFormat;
import io.mfstream.data.RatingReader;
import io.mfstream.data.ReadMode;
import io.mfstream.data.ReadResult;
import io.mfstream.data.SyntheticRatings;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** How rating files are read. */
final class DataOptions {
  @Option(names = "--format", description = "auto, ml-100k (tab), ml-1m (::), ml-csv (header), "
      + "or delimited:SEP:USER:ITEM:RATING[:TIMESTAMP] with 0-based columns "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "auto")
  String format;

  @Option(names = "--lenient", description = "Skip bad lines and report them, instead of "
      + "stopping at the first.")
  boolean lenient;

  RatingFormat formatFor(Path file) throws IOException {
    String f = format.trim().toLowerCase(Locale.ROOT);
    return switch (f) {
      case "auto" -> RatingFormat.detect(file);
      case "ml-100k" -> RatingFormat.ML_100K;
      case "ml-1m", "ml-10m" -> RatingFormat.ML_1M;
      case "ml-csv", "ml-25m", "ml-latest" -> RatingFormat.ML_CSV;
      default -> parseDelimited(format);
    };
  }

  private static RatingFormat parseDelimited(String spec) {
    String[] parts = spec.split(":", -1);
    if (parts.length < 5 || !parts[0].equalsIgnoreCase("delimited")) {
      throw new IllegalArgumentException("unknown format '" + spec
          + "' (expected auto, ml-100k, ml-1m, ml-csv or delimited:SEP:USER:ITEM:RATING[:TS])");
    }
    String sep = switch (parts[1]) {
      case "tab", "\\t" -> "\t";
      case "comma" -> ",";
      case "colon" -> ":";
      default -> parts[1];
    };
    int ts = parts.length > 5 ? Integer.parseInt(parts[5]) : RatingFormat.NO_COLUMN;
    return RatingFormat.delimited(sep, Integer.parseInt(parts[2]), Integer.parseInt(parts[3]),
        Integer.parseInt(parts[4]), ts, false);
  }

  /**
   * The ratings with every value clipped to [min, max]: synthetic ratings (a planted model plus
   * Gaussian noise) are unbounded, and the pipeline would dead-letter those outside its range.
   */
  static List<Rating> clip(List<Rating> ratings, float min, float max) {
    return ratings.stream().map(r -> new Rating(r.user(), r.item(),
        Math.max(min, Math.min(max, r.rating())), r.timestamp())).toList();
  }

  /**
   * What the streaming benchmarks replay: the ratings in timestamp order, synthetic ones clipped
   * to the validator's default range (so that none is dead-lettered), the first {@code limit}
   * when it is set.
   */
  List<Rating> loadForStreaming(Path file, Integer limit, PrintWriter err) throws IOException {
    List<Rating> ratings = load(file, "timestamp", err).ratings();
    if (file == null) {
      ratings = clip(ratings, io.mfstream.stream.validate.ValidatorConfig.DEFAULT_MIN_RATING,
          io.mfstream.stream.validate.ValidatorConfig.DEFAULT_MAX_RATING);
    }
    return limit == null ? ratings : ratings.subList(0, Math.min(limit, ratings.size()));
  }

  /** The system load average over the last minute, which the benchmarks print beside figures. */
  static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        .getSystemLoadAverage();
  }

  /** Ratings and where they came from, for the commands' first line. */
  record Loaded(List<Rating> ratings, String source) {}

  /** The {@code --order} value in lower case: {@code file} or {@code timestamp}, else an error. */
  static String checkOrder(String order) {
    String o = order.trim().toLowerCase(Locale.ROOT);
    if (!o.equals("file") && !o.equals("timestamp")) {
      throw new IllegalArgumentException("--order must be file or timestamp, got " + order);
    }
    return o;
  }

  /**
   * The ratings of {@code file}, or synthetic ones from a planted model when it is null, in file
   * order or sorted by timestamp (a stable sort: ties keep file order).
   */
  Loaded load(Path file, String order, PrintWriter err) throws IOException {
    String o = checkOrder(order);
    List<Rating> ratings = file == null
        ? SyntheticRatings.withDefaults().ratings()
        : read(file, err).ratings();
    if (o.equals("timestamp")) {
      ratings = new ArrayList<>(ratings);
      ratings.sort(Comparator.comparingLong(Rating::timestamp));
    }
    return new Loaded(ratings, file == null ? "synthetic" : file.toString());
  }

  ReadResult read(Path file, PrintWriter err) throws IOException {
    RatingReader reader = new RatingReader(formatFor(file),
        lenient ? ReadMode.LENIENT : ReadMode.STRICT);
    ReadResult result = reader.read(file);
    if (result.skipped() > 0) {
      err.printf("%s: skipped %,d bad line(s)%n", file, result.skipped());
      for (BadLine b : result.badLines()) {
        err.printf("  line %d: %s%n", b.lineNumber(), b.reason());
      }
      err.flush();
    }
    return result;
  }
}
