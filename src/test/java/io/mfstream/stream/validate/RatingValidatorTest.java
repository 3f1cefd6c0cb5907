package io.mfstream.stream.validate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.testing.UnitTest;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@UnitTest
class RatingValidatorTest {

  private final RatingValidator validator = new RatingValidator(ValidatorConfig.defaults());

  private RatingValidator.Result validate(String json) {
    return validator.validate(null, json.getBytes(UTF_8));
  }

  private Rating valid(String json) {
    return assertInstanceOf(RatingValidator.Valid.class, validate(json), json).rating();
  }

  private RatingValidator.Rejection rejected(RatingValidator.Result result) {
    return assertInstanceOf(RatingValidator.Rejection.class, result);
  }

  @Test
  void shouldAcceptARatingWithTimestamp() {
    assertEquals(new Rating("196", "242", 3f, 881250949L),
        valid("{\"user\":\"196\",\"item\":\"242\",\"rating\":3,\"timestamp\":881250949}"));
  }

  @Test
  void shouldAcceptARatingWithoutTimestampOrWithNullTimestamp() {
    Rating expected = new Rating("alice", "film-9", 4.5f);
    assertEquals(expected, valid("{\"user\":\"alice\",\"item\":\"film-9\",\"rating\":4.5}"));
    assertEquals(expected,
        valid("{\"user\":\"alice\",\"item\":\"film-9\",\"rating\":4.5,\"timestamp\":null}"));
  }

  @Test
  void shouldAcceptNumericIdsAsTheirDecimalText() {
    assertEquals(new Rating("196", "242", 0.5f),
        valid("{\"user\":196,\"item\":242,\"rating\":0.5}"));
    assertEquals("123456789012345678901234567890",
        valid("{\"user\":123456789012345678901234567890,\"item\":\"i\",\"rating\":5}").user());
  }

  @Test
  void shouldStripSurroundingWhiteSpaceFromIds() {
    assertEquals(new Rating("42", "7", 2f), valid("{\"user\":\" 42 \",\"item\":\"7\\t\",\"rating\":2}"));
  }

  @Test
  void shouldAcceptBothEndsOfTheRangeAndIgnoreUnknownFields() {
    valid("{\"user\":\"u\",\"item\":\"i\",\"rating\":0.5,\"source\":\"web\"}");
    valid("{\"user\":\"u\",\"item\":\"i\",\"rating\":5.0,\"extra\":[1,2]}");
    valid("{\"user\":\"u\",\"item\":\"i\",\"rating\":5,\"timestamp\":0}");
    valid("{\"user\":\"u\",\"item\":\"i\",\"rating\":5,\"timestamp\":253402300799}");
  }

  @Test
  void shouldAcceptAnIdExactlyAtTheLengthLimit() {
    String id = "x".repeat(256);
    assertEquals(id, valid("{\"user\":\"" + id + "\",\"item\":\"i\",\"rating\":1}").user());
  }

  static Stream<Arguments> badInputs() {
    String big = "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"pad\":\"" + "x".repeat(70_000) + "\"}";
    return Stream.of(
        Arguments.of(Reason.TOO_LARGE, big),
        Arguments.of(Reason.NOT_JSON, ""),
        Arguments.of(Reason.NOT_JSON, "   "),
        Arguments.of(Reason.NOT_JSON, "196\t242\t3\t881250949"),
        Arguments.of(Reason.NOT_JSON, "{\"user\":\"u\",\"item\":\"i\",\"rating\":4"),
        Arguments.of(Reason.NOT_JSON, "{\"user\":\"u\",\"item\":\"i\",\"rating\":4} trailing"),
        Arguments.of(Reason.NOT_JSON, "{\"user\":\"u\",\"item\":\"i\",\"rating\":1,\"rating\":5}"),
        Arguments.of(Reason.NOT_JSON, "[\"u\",\"i\",4]"),
        Arguments.of(Reason.NOT_JSON, "null"),
        Arguments.of(Reason.NOT_JSON, "42"),
        Arguments.of(Reason.MISSING_FIELD, "{\"item\":\"i\",\"rating\":4}"),
        Arguments.of(Reason.MISSING_FIELD, "{\"user\":\"u\",\"rating\":4}"),
        Arguments.of(Reason.MISSING_FIELD, "{\"user\":\"u\",\"item\":\"i\"}"),
        Arguments.of(Reason.MISSING_FIELD, "{\"user\":null,\"item\":\"i\",\"rating\":4}"),
        Arguments.of(Reason.MISSING_FIELD, "{\"user\":\"u\",\"item\":\"i\",\"rating\":null}"),
        Arguments.of(Reason.BLANK_ID, "{\"user\":\"\",\"item\":\"i\",\"rating\":4}"),
        Arguments.of(Reason.BLANK_ID, "{\"user\":\"u\",\"item\":\"  \",\"rating\":4}"),
        Arguments.of(Reason.BAD_ID, "{\"user\":1.5,\"item\":\"i\",\"rating\":4}"),
        Arguments.of(Reason.BAD_ID, "{\"user\":\"u\",\"item\":true,\"rating\":4}"),
        Arguments.of(Reason.BAD_ID, "{\"user\":{\"id\":1},\"item\":\"i\",\"rating\":4}"),
        Arguments.of(Reason.BAD_ID,
            "{\"user\":\"" + "x".repeat(257) + "\",\"item\":\"i\",\"rating\":4}"),
        Arguments.of(Reason.NOT_A_NUMBER, "{\"user\":\"u\",\"item\":\"i\",\"rating\":\"4\"}"),
        Arguments.of(Reason.NOT_A_NUMBER, "{\"user\":\"u\",\"item\":\"i\",\"rating\":\"four\"}"),
        Arguments.of(Reason.NOT_A_NUMBER, "{\"user\":\"u\",\"item\":\"i\",\"rating\":true}"),
        Arguments.of(Reason.NOT_A_NUMBER, "{\"user\":\"u\",\"item\":\"i\",\"rating\":[4]}"),
        Arguments.of(Reason.NON_FINITE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":NaN}"),
        Arguments.of(Reason.NON_FINITE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":-Infinity}"),
        Arguments.of(Reason.NON_FINITE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":1e39}"),
        Arguments.of(Reason.NON_FINITE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":1e400}"),
        Arguments.of(Reason.OUT_OF_RANGE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":7}"),
        Arguments.of(Reason.OUT_OF_RANGE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":0}"),
        Arguments.of(Reason.OUT_OF_RANGE, "{\"user\":\"u\",\"item\":\"i\",\"rating\":-1.5}"),
        Arguments.of(Reason.BAD_TIMESTAMP,
            "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"timestamp\":\"881250949\"}"),
        Arguments.of(Reason.BAD_TIMESTAMP,
            "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"timestamp\":881250949.5}"),
        Arguments.of(Reason.BAD_TIMESTAMP,
            "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"timestamp\":-1}"),
        Arguments.of(Reason.BAD_TIMESTAMP,
            "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"timestamp\":1735689600000}"),
        Arguments.of(Reason.BAD_TIMESTAMP,
            "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"timestamp\":99999999999999999999}"));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("badInputs")
  void shouldRejectBadInputWithItsReason(Reason expected, String json) {
    RatingValidator.Rejection rejection = rejected(validate(json));
    assertEquals(expected, rejection.reason(), rejection.message());
    assertTrue(!rejection.message().isBlank() && rejection.message().length() < 300,
        rejection.message());
  }

  @Test
  void shouldCoverEveryReasonWithABadInput() {
    Set<Reason> covered = EnumSet.of(Reason.NO_VALUE);
    badInputs().forEach(a -> covered.add((Reason) a.get()[0]));
    assertEquals(EnumSet.allOf(Reason.class), covered);
  }

  @Test
  void shouldRejectATombstoneAsNoValue() {
    assertEquals(Reason.NO_VALUE, rejected(validator.validate("k".getBytes(UTF_8), null)).reason());
  }

  @Test
  void shouldRejectInvalidUtf8AsNotJson() {
    byte[] bytes = {'{', '"', 'u', 's', 'e', 'r', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    assertEquals(Reason.NOT_JSON, rejected(validator.validate(null, bytes)).reason());
  }

  @Test
  void shouldReportTheFirstProblemInFieldOrder() {
    RatingValidator.Rejection r = rejected(validate("{\"user\":\"\",\"rating\":\"x\"}"));
    assertEquals(Reason.BLANK_ID, r.reason());
    assertEquals("user id is blank", r.message());
  }

  @Test
  void shouldSayWhatWasOutOfRange() {
    assertEquals("rating 7 is outside [0.5, 5.0]",
        rejected(validate("{\"user\":\"u\",\"item\":\"i\",\"rating\":7}")).message());
  }

  @Test
  void shouldApplyTheConfiguredLimits() {
    RatingValidator custom = new RatingValidator(
        ValidatorConfig.defaults().withRange(1, 10).withMaxIdLength(3).withMaxValueBytes(60));
    assertInstanceOf(RatingValidator.Valid.class,
        custom.validate(null, "{\"user\":\"abc\",\"item\":\"i\",\"rating\":10}".getBytes(UTF_8)));
    assertEquals(Reason.OUT_OF_RANGE, rejected(custom.validate(null,
        "{\"user\":\"abc\",\"item\":\"i\",\"rating\":0.5}".getBytes(UTF_8))).reason());
    assertEquals(Reason.BAD_ID, rejected(custom.validate(null,
        "{\"user\":\"abcd\",\"item\":\"i\",\"rating\":5}".getBytes(UTF_8))).reason());
    assertEquals(Reason.TOO_LARGE, rejected(custom.validate(null,
        ("{\"user\":\"abc\",\"item\":\"i\",\"rating\":5,\"x\":\"" + "y".repeat(40) + "\"}")
            .getBytes(UTF_8))).reason());
  }

  @Test
  void shouldRefuseAnInconsistentConfig() {
    assertThrows(IllegalArgumentException.class, () -> ValidatorConfig.defaults().withRange(5, 1));
    assertThrows(IllegalArgumentException.class,
        () -> ValidatorConfig.defaults().withRange(Float.NaN, 1));
    assertThrows(IllegalArgumentException.class, () -> ValidatorConfig.defaults().withMaxIdLength(0));
    assertThrows(IllegalArgumentException.class,
        () -> ValidatorConfig.defaults().withMaxValueBytes(0));
  }

  /**
   * The plain reader only ever accepts what the tree accepts, with the same rating, and it does
   * read the shapes producers write; over every input above and thousands of variations of them.
   */
  @Test
  void thePlainReaderShouldAcceptOnlyWhatTheTreeAcceptsWithTheSameRating() {
    java.util.List<String> inputs = new java.util.ArrayList<>();
    badInputs().forEach(a -> inputs.add((String) a.get()[1]));
    String[] users = {"\"u\"", "\" u \"", "7", "-0", "\"\"", "null", "\"\\u00e9t\u00e9\"", "1.5",
        "{}", "[]", "\"" + "y".repeat(256) + "\""};
    String[] ratings = {"4", "4.5", "0.5", "5", "5.0000001", "0", "1e0", "NaN", "\"4\"", "null",
        "-0.0", "3.999999999999"};
    String[] timestamps = {null, "881250949", "null", "-1", "1.0", "253402300799",
        "253402300800", "\"1\""};
    String[] extras = {"", ",\"x\":[1,{\"y\":2}]", ",\"user\":\"dup\"", ",\"rating\":3",
        " ", ",\"timestamp\":null"};
    java.util.Random rnd = new java.util.Random(42);
    for (int n = 0; n < 4000; n++) {
      java.util.List<String> fields = new java.util.ArrayList<>(java.util.List.of(
          "\"user\":" + users[rnd.nextInt(users.length)],
          "\"item\":" + users[rnd.nextInt(users.length)],
          "\"rating\":" + ratings[rnd.nextInt(ratings.length)]));
      String ts = timestamps[rnd.nextInt(timestamps.length)];
      if (ts != null) {
        fields.add("\"timestamp\":" + ts);
      }
      if (rnd.nextInt(5) == 0) {
        fields.remove(rnd.nextInt(fields.size()));
      }
      java.util.Collections.shuffle(fields, rnd);
      String json = "{" + String.join(rnd.nextBoolean() ? "," : " , ", fields)
          + extras[rnd.nextInt(extras.length)] + "}" + (rnd.nextInt(20) == 0 ? " {}" : "");
      inputs.add(json);
    }
    int plain = 0;
    for (String json : inputs) {
      byte[] bytes = json.getBytes(UTF_8);
      RatingValidator.Valid fast = validator.readPlain(bytes);
      RatingValidator.Result tree = validator.readTree(bytes);
      if (fast != null) {
        assertEquals(tree, fast, json);
        plain++;
      } else if (tree instanceof RatingValidator.Valid v && !json.contains("\"user\":7")
          && !json.contains("\"item\":7") && !json.contains("-0,") && !json.contains("-0}")
          && !json.contains("-0 ")) {
        throw new AssertionError("a plain rating left to the tree: " + json);
      }
    }
    assertTrue(plain > 50, "the plain reader read " + plain + " of " + inputs.size());
    byte[] replayed = ("{\"user\":\"196\",\"item\":\"242\",\"rating\":3,"
        + "\"timestamp\":881250949}").getBytes(UTF_8);
    assertEquals(validator.readTree(replayed), validator.readPlain(replayed), "what replay writes");
  }
}
