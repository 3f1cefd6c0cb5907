package io.mfstream.stream.validate;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.mfstream.data.Rating;
import io.mfstream.json.JsonMappers;
import io.mfstream.stream.serde.JsonSerde;
import java.io.IOException;
import java.util.Objects;

/**
 * Decides whether the raw value of a record on topic {@code ratings} is a rating, and if not, why.
 * It never throws on input: every byte array gets a {@link Result}.
 *
 * <p>The value must be one JSON object in UTF-8 (as {@link io.mfstream.stream.messages.RatingEvent}
 * documents), no larger than the configured limit, parsed with the rules of {@link JsonSerde}
 * (trailing garbage and duplicate fields rejected, unknown fields ignored). Then, in this order,
 * the first problem found is reported:
 *
 * <ol>
 *   <li>{@code user}, {@code item}: present ({@link Reason#MISSING_FIELD}), a string or an integer
 *       ({@link Reason#BAD_ID}), not blank ({@link Reason#BLANK_ID}), at most the configured length
 *       ({@link Reason#BAD_ID}). Surrounding white space is stripped, as the file reader does, so
 *       {@code " 42"} and {@code "42"} are one user. An integer id becomes its decimal text.
 *   <li>{@code rating}: present ({@link Reason#MISSING_FIELD}), a JSON number
 *       ({@link Reason#NOT_A_NUMBER}; a string {@code "4"} is not one), finite as a float
 *       ({@link Reason#NON_FINITE}), within the configured range ({@link Reason#OUT_OF_RANGE}).
 *   <li>{@code timestamp}, optional ({@code null} counts as absent): an integer in [0,
 *       {@value #MAX_TIMESTAMP_SECONDS}] seconds ({@link Reason#BAD_TIMESTAMP}).
 * </ol>
 *
 * <p>{@code NaN} and {@code Infinity} are not JSON, but a hand-typed {@code "rating": NaN} is read
 * here so that it is reported as {@link Reason#NON_FINITE} rather than as {@link Reason#NOT_JSON}:
 * the more precise reason. A {@code null} value (a tombstone) is {@link Reason#NO_VALUE}: its own
 * code, because a delete marker on an event topic is a producer mistake worth seeing apart from
 * broken JSON. The key is not inspected. Instances are immutable and thread-safe.
 */
public final class RatingValidator {

  /** 9999-12-31T23:59:59Z in seconds: a larger "timestamp" is most likely in milliseconds. */
  public static final long MAX_TIMESTAMP_SECONDS = 253_402_300_799L;

  /** How much of an offending value a message quotes. */
  private static final int EXCERPT_CHARS = 40;

  /** JsonSerde's rules, but NaN and Infinity are read so they can be named. */
  private static final ObjectReader TREE_READER =
      JsonMappers.mapper().reader().with(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS);

  /** What {@link #validate} decided. */
  public sealed interface Result permits Valid, Rejection {}

  /** The value is a valid rating. */
  public record Valid(Rating rating) implements Result {
    public Valid {
      Objects.requireNonNull(rating, "rating");
    }
  }

  /**
   * The value is not a valid rating.
   *
   * @param reason the code, stable across releases
   * @param message what exactly was wrong, for a person
   */
  public record Rejection(Reason reason, String message) implements Result {
    public Rejection {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  private final ValidatorConfig config;

  public RatingValidator(ValidatorConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * The rating in {@code value}, or why there is none.
   *
   * @param key the record's key; not inspected
   * @param value the record's value; {@code null} for a tombstone
   */
  public Result validate(byte[] key, byte[] value) {
    if (value == null) {
      return new Rejection(Reason.NO_VALUE, "the value is null (a tombstone), not a rating");
    }
    if (value.length > config.maxValueBytes()) {
      return new Rejection(Reason.TOO_LARGE, "the value is " + value.length
          + " bytes, over the limit of " + config.maxValueBytes());
    }
    Valid fast = readPlain(value);
    return fast != null ? fast : readTree(value);
  }

  /** What {@link #validate} decides for a value within the size limit, through the tree. */
  Result readTree(byte[] value) {
    JsonNode root;
    try {
      root = TREE_READER.readTree(value);
    } catch (JsonProcessingException e) {
      return new Rejection(Reason.NOT_JSON, "not JSON: " + describe(e));
    } catch (IOException e) {
      return new Rejection(Reason.NOT_JSON, "not JSON: " + e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      return new Rejection(Reason.NOT_JSON, "not JSON: the value is empty or white space");
    }
    if (!root.isObject()) {
      return new Rejection(Reason.NOT_JSON,
          "not a JSON object but " + kind(root) + ": " + excerpt(root));
    }
    return new Fields(root).check();
  }

  /**
   * The common case read without a tree: a flat object whose {@code user} and {@code item} are
   * strings, {@code rating} a number and {@code timestamp} an integer or null or absent, other
   * fields skipped, and every check of {@link Fields} passing. Anything else (a rejection, a
   * numeric id, a parse error, a duplicate field) returns null, and the tree path decides and
   * explains: this only ever accepts what that path accepts, with the same rating. It reads the
   * same bytes with the same parser settings, about three times faster (docs/BENCHMARKS.md).
   */
  Valid readPlain(byte[] value) {
    String user = null;
    String item = null;
    double rating = Double.NaN;
    boolean hasRating = false;
    long timestamp = Rating.NO_TIMESTAMP;
    try (JsonParser p = TREE_READER.createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "user", "item" -> {
            if (v != JsonToken.VALUE_STRING) {
              return null;
            }
            String id = p.getText().strip();
            if (id.isEmpty() || id.length() > config.maxIdLength()) {
              return null;
            }
            if (name.equals("user")) {
              user = id;
            } else {
              item = id;
            }
          }
          case "rating" -> {
            if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
              return null;
            }
            rating = p.getDoubleValue();
            hasRating = true;
          }
          case "timestamp" -> {
            if (v == JsonToken.VALUE_NULL) {
              timestamp = Rating.NO_TIMESTAMP;
            } else if (v == JsonToken.VALUE_NUMBER_INT
                && (p.getNumberType() == JsonParser.NumberType.INT
                || p.getNumberType() == JsonParser.NumberType.LONG)) {
              timestamp = p.getLongValue();
              if (timestamp < 0 || timestamp > MAX_TIMESTAMP_SECONDS) {
                return null;
              }
            } else {
              return null;
            }
          }
          default -> p.skipChildren();
        }
      }
      if (p.currentToken() != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null; // not one object, or something after it
      }
    } catch (IOException | RuntimeException e) {
      return null; // the tree path reports it
    }
    float r = (float) rating;
    if (user == null || item == null || !hasRating || !Float.isFinite(r)
        || r < config.minRating() || r > config.maxRating()) {
      return null;
    }
    return new Valid(new Rating(user, item, r, timestamp));
  }

  /** Checks one object's fields; a fresh one per value keeps the validator stateless. */
  private final class Fields {
    private final JsonNode root;
    private Rejection rejection;

    Fields(JsonNode root) {
      this.root = root;
    }

    Result check() {
      String user = id("user");
      String item = user == null ? null : id("item");
      if (rejection != null) {
        return rejection;
      }
      JsonNode r = root.get("rating");
      if (r == null || r.isNull()) {
        return new Rejection(Reason.MISSING_FIELD, "no \"rating\" field");
      }
      if (!r.isNumber()) {
        return new Rejection(Reason.NOT_A_NUMBER,
            "rating is not a number but " + kind(r) + ": " + excerpt(r));
      }
      double asDouble = r.doubleValue();
      float rating = (float) asDouble;
      if (!Float.isFinite(rating)) {
        return new Rejection(Reason.NON_FINITE, "rating is not a finite float: " + excerpt(r));
      }
      if (rating < config.minRating() || rating > config.maxRating()) {
        return new Rejection(Reason.OUT_OF_RANGE, "rating " + excerpt(r) + " is outside ["
            + config.minRating() + ", " + config.maxRating() + "]");
      }
      JsonNode ts = root.get("timestamp");
      long timestamp = Rating.NO_TIMESTAMP;
      if (ts != null && !ts.isNull()) {
        if (!ts.isIntegralNumber() || !ts.canConvertToLong()) {
          return new Rejection(Reason.BAD_TIMESTAMP,
              "timestamp is not an integer number of seconds: " + excerpt(ts));
        }
        timestamp = ts.longValue();
        if (timestamp < 0) {
          return new Rejection(Reason.BAD_TIMESTAMP, "timestamp " + timestamp + " is negative");
        }
        if (timestamp > MAX_TIMESTAMP_SECONDS) {
          return new Rejection(Reason.BAD_TIMESTAMP, "timestamp " + timestamp
              + " is after year 9999: seconds are expected, were milliseconds given?");
        }
      }
      return new Valid(new Rating(user, item, rating, timestamp));
    }

    /** The stripped id in {@code field}, or {@code null} with {@link #rejection} set. */
    private String id(String field) {
      JsonNode node = root.get(field);
      if (node == null || node.isNull()) {
        return reject(Reason.MISSING_FIELD, "no \"" + field + "\" field");
      }
      String id;
      if (node.isTextual()) {
        id = node.textValue().strip();
      } else if (node.isIntegralNumber()) {
        id = node.asText();
      } else {
        return reject(Reason.BAD_ID,
            field + " id must be a string or an integer, not " + kind(node) + ": " + excerpt(node));
      }
      if (id.isEmpty()) {
        return reject(Reason.BLANK_ID, field + " id is blank");
      }
      if (id.length() > config.maxIdLength()) {
        return reject(Reason.BAD_ID, field + " id is " + id.length()
            + " characters long, over the limit of " + config.maxIdLength());
      }
      return id;
    }

    private String reject(Reason reason, String message) {
      rejection = new Rejection(reason, message);
      return null;
    }
  }

  private static String kind(JsonNode node) {
    switch (node.getNodeType()) {
      case STRING:
        return "a string";
      case NUMBER:
        return "a number";
      case BOOLEAN:
        return "a boolean";
      case ARRAY:
        return "an array";
      case OBJECT:
        return "an object";
      case NULL:
        return "null";
      default:
        return node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The node as JSON text, cut to a readable length. */
  private static String excerpt(JsonNode node) {
    String text = node.toString();
    return text.length() <= EXCERPT_CHARS ? text : text.substring(0, EXCERPT_CHARS) + "...";
  }

  private static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (message != null) {
      int newline = message.indexOf('\n');
      if (newline >= 0) {
        message = message.substring(0, newline);
      }
    }
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      message += " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }
}
