package io.mfstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@UnitTest
class RatingReaderTest {

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    return Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  void shouldReadMl100kTabSeparatedLines() throws IOException {
    Path file = write("u.data", "196\t242\t3\t881250949\n186\t302\t3.5\t891717742\n");
    ReadResult result = RatingReader.strict(RatingFormat.ML_100K).read(file);
    assertEquals(
        List.of(new Rating("196", "242", 3f, 881250949L), new Rating("186", "302", 3.5f, 891717742L)),
        result.ratings());
    assertEquals(0, result.skipped());
  }

  @Test
  void shouldReadMl1mDoubleColonLines() throws IOException {
    Path file = write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n");
    ReadResult result = RatingReader.strict(RatingFormat.ML_1M).read(file);
    assertEquals(
        List.of(new Rating("1", "1193", 5f, 978300760L), new Rating("1", "661", 3f, 978302109L)),
        result.ratings());
  }

  @Test
  void shouldSkipHeaderOfMlCsv() throws IOException {
    Path file = write("ratings.csv", "userId,movieId,rating,timestamp\n1,307,3.5,1256677221\n");
    ReadResult result = RatingReader.strict(RatingFormat.ML_CSV).read(file);
    assertEquals(List.of(new Rating("1", "307", 3.5f, 1256677221L)), result.ratings());
  }

  @Test
  void shouldSkipHeaderAfterLeadingBlankLinesAndByteOrderMark() throws IOException {
    Path file = write("ratings.csv", "\uFEFF\n\nuserId,movieId,rating,timestamp\n1,307,3.5,1\n");
    assertEquals(1, RatingReader.strict(RatingFormat.ML_CSV).read(file).ratings().size());
  }

  @Test
  void shouldReadGenericFormatWithChosenColumnsAndNoTimestamp() throws IOException {
    Path file = write("x.txt", "4.5;extra;alice;book\n2;;bob;film\n");
    RatingFormat format = RatingFormat.delimited(";", 2, 3, 0, RatingFormat.NO_COLUMN, false);
    ReadResult result = RatingReader.strict(format).read(file);
    assertEquals(List.of(new Rating("alice", "book", 4.5f), new Rating("bob", "film", 2f)), result.ratings());
    assertFalse(result.ratings().get(0).hasTimestamp());
  }

  @Test
  void shouldTreatDelimiterLiterallyNotAsRegex() throws IOException {
    Path file = write("x.txt", "a|b|1\n");
    RatingFormat format = RatingFormat.delimited("|", 0, 1, 2, RatingFormat.NO_COLUMN, false);
    assertEquals(List.of(new Rating("a", "b", 1f)), RatingReader.strict(format).read(file).ratings());
  }

  @Test
  void shouldSkipBlankLinesSilently() throws IOException {
    Path file = write("u.data", "\n1\t2\t3\t4\n   \n\n5\t6\t7\t8\n\n");
    ReadResult result = RatingReader.strict(RatingFormat.ML_100K).read(file);
    assertEquals(2, result.ratings().size());
    assertEquals(0, result.skipped());
  }

  @Test
  void shouldStripWhiteSpaceAroundFieldsAndAcceptWindowsLineEnds() throws IOException {
    Path file = write("u.data", " 1 \t 2\t3 \t4\r\n");
    assertEquals(
        List.of(new Rating("1", "2", 3f, 4L)),
        RatingReader.strict(RatingFormat.ML_100K).read(file).ratings());
  }

  @Test
  void shouldNameFileLineNumberReasonAndLineWhenStrictReadFails() throws IOException {
    Path file = write("u.data", "1\t2\t3\t4\n\n1\t2\tthree\t4\n");
    RatingFormatException e =
        assertThrows(RatingFormatException.class, () -> RatingReader.strict(RatingFormat.ML_100K).read(file));
    assertEquals(3, e.lineNumber());
    assertEquals(file, e.file());
    assertEquals("1\t2\tthree\t4", e.line());
    assertTrue(e.getMessage().contains("u.data:3:"), e.getMessage());
    assertTrue(e.getMessage().contains("rating is not a number: 'three'"), e.getMessage());
    assertTrue(e.getMessage().contains("\"1\t2\tthree\t4\""), e.getMessage());
  }

  @Test
  void shouldTruncateLongOffendingLineInMessage() throws IOException {
    String longLine = "x".repeat(1000);
    Path file = write("u.data", longLine + "\n");
    RatingFormatException e =
        assertThrows(RatingFormatException.class, () -> RatingReader.strict(RatingFormat.ML_100K).read(file));
    assertTrue(e.getMessage().length() < 400, e.getMessage());
    assertTrue(e.getMessage().contains("..."), e.getMessage());
    assertEquals(longLine, e.line());
  }

  @ParameterizedTest
  @ValueSource(strings = {"NaN", "Infinity", "-Infinity"})
  void shouldRejectLineWithNonFiniteRating(String value) throws IOException {
    Path file = write("u.data", "1\t2\t" + value + "\t4\n");
    RatingFormatException e =
        assertThrows(RatingFormatException.class, () -> RatingReader.strict(RatingFormat.ML_100K).read(file));
    assertTrue(e.reason().startsWith("rating is not finite"), e.reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"4f", "4d", "0x1p2", "4.5.1", "four", "1e", "--3"})
  void shouldRejectRatingThatIsNotAPlainDecimal(String value) throws IOException {
    Path file = write("u.data", "1\t2\t" + value + "\t4\n");
    RatingFormatException e =
        assertThrows(RatingFormatException.class, () -> RatingReader.strict(RatingFormat.ML_100K).read(file));
    assertTrue(e.reason().startsWith("rating is not a number"), e.reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"4", "3.5", "-1", "+2.25", ".5", "4.", "4e0", "35E-1"})
  void shouldAcceptPlainDecimalRatings(String value) throws IOException {
    Path file = write("u.data", "1\t2\t" + value + "\t4\n");
    assertEquals(Float.parseFloat(value),
        RatingReader.strict(RatingFormat.ML_100K).read(file).ratings().get(0).rating());
  }

  @Test
  void shouldCountAndSampleBadLinesWhenLenient() throws IOException {
    Path file =
        write(
            "u.data",
            String.join(
                "\n",
                "1\t2\t3\t4",
                "1\t2\t3", // 2: too few columns
                "\t2\t3\t4", // 3: blank user
                "1\t \t3\t4", // 4: blank item
                "1\t2\tabc\t4", // 5: rating not a number
                "1\t2\tNaN\t4", // 6: not finite
                "1\t2\t3\tyesterday", // 7: timestamp
                "1\t2\t3\t4\t5", // 8: too many columns
                "",
                "9\t8\t7\t6"));
    ReadResult result = RatingReader.lenient(RatingFormat.ML_100K).read(file);
    assertEquals(List.of(new Rating("1", "2", 3f, 4L), new Rating("9", "8", 7f, 6L)), result.ratings());
    assertEquals(7, result.skipped());
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L), result.badLines().stream().map(BadLine::lineNumber).toList());
    assertEquals("wrong number of columns: expected 4, found 3", result.badLines().get(0).reason());
    assertEquals("blank user id", result.badLines().get(1).reason());
    assertEquals("blank item id", result.badLines().get(2).reason());
    assertTrue(result.badLines().get(5).reason().startsWith("timestamp is not an integer"));
    assertEquals("1\t2\tabc\t4", result.badLines().get(3).text());
  }

  @Test
  void shouldKeepOnlyTheFirstSamplesButCountAllBadLines() throws IOException {
    StringBuilder content = new StringBuilder();
    for (int k = 0; k < 50; k++) {
      content.append("bad line ").append(k).append('\n');
    }
    ReadResult result = RatingReader.lenient(RatingFormat.ML_100K).read(write("u.data", content.toString()));
    assertEquals(50, result.skipped());
    assertEquals(RatingReader.MAX_BAD_LINE_SAMPLES, result.badLines().size());
    assertEquals(1, result.badLines().get(0).lineNumber());
    assertTrue(result.ratings().isEmpty());
  }

  @Test
  void shouldTreatRatingOutsideRangeAsBadLine() throws IOException {
    Path file = write("u.data", "1\t2\t0.5\t4\n1\t2\t1\t4\n1\t2\t5\t4\n1\t2\t5.5\t4\n");
    ReadResult result = RatingReader.lenient(RatingFormat.ML_100K).withRange(1f, 5f).read(file);
    assertEquals(List.of(1f, 5f), result.ratings().stream().map(Rating::rating).toList());
    assertEquals(2, result.skipped());
    assertTrue(result.badLines().get(0).reason().contains("outside [1.0, 5.0]"));
    assertThrows(
        RatingFormatException.class,
        () -> RatingReader.strict(RatingFormat.ML_100K).withRange(1f, 5f).read(file));
  }

  @Test
  void shouldStreamRatingsInFileOrderWithSummary() throws IOException {
    Path file = write("u.data", "1\t2\t3\t4\nbad\n5\t6\t7\t8\n");
    List<Rating> seen = new ArrayList<>();
    ReadSummary summary = RatingReader.lenient(RatingFormat.ML_100K).forEach(file, seen::add);
    assertEquals(List.of(new Rating("1", "2", 3f, 4L), new Rating("5", "6", 7f, 8L)), seen);
    assertEquals(2, summary.accepted());
    assertEquals(1, summary.skipped());
  }

  @Test
  void shouldReadBackWhatTheWriterWrote() throws IOException {
    List<Rating> ratings =
        List.of(new Rating("u1", "i2", 3.1415927f, 10L), new Rating("u3", "i4", -0.0001f, 11L));
    Path file = dir.resolve("synthetic.tsv");
    RatingWriter.writeTsv(file, ratings);
    assertEquals(ratings, RatingReader.strict(RatingFormat.ML_100K).read(file).ratings());
  }

  @Test
  void shouldRefuseToWriteRatingWithoutTimestamp() {
    Path file = dir.resolve("x.tsv");
    assertThrows(
        IllegalArgumentException.class,
        () -> RatingWriter.writeTsv(file, List.of(new Rating("u", "i", 1f))));
    assertFalse(Files.exists(file));
  }
}
