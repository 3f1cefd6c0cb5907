package io.mfstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@UnitTest
class RatingFormatTest {

  @TempDir Path dir;

  @ParameterizedTest
  @ValueSource(strings = {"u.data", "u1.base", "u5.test", "ua.base", "ub.test"})
  void shouldDetectMl100kFromFileName(String name) throws IOException {
    Path file = Files.writeString(dir.resolve(name), "1\t2\t3\t4\n");
    assertEquals(RatingFormat.ML_100K, RatingFormat.detect(file));
  }

  @Test
  void shouldDetectMl1mFromDatExtension() throws IOException {
    Path file = Files.writeString(dir.resolve("ratings.dat"), "1::2::3::4\n");
    assertEquals(RatingFormat.ML_1M, RatingFormat.detect(file));
  }

  @Test
  void shouldDetectMlCsvFromHeader() throws IOException {
    Path file = Files.writeString(dir.resolve("ratings.csv"), "userId,movieId,rating,timestamp\n1,2,3,4\n");
    assertEquals(RatingFormat.ML_CSV, RatingFormat.detect(file));
  }

  @Test
  void shouldDetectFromFirstLineWhenNameSaysNothing() throws IOException {
    assertEquals(RatingFormat.ML_1M, RatingFormat.detect(Files.writeString(dir.resolve("a"), "1::2::3::4\n")));
    assertEquals(RatingFormat.ML_100K, RatingFormat.detect(Files.writeString(dir.resolve("b"), "\n1\t2\t3\t4\n")));
  }

  @Test
  void shouldExplainWhenFormatCannotBeDetected() throws IOException {
    Path file = Files.writeString(dir.resolve("mystery.csv"), "a,b,c\n");
    RatingFormatException e = assertThrows(RatingFormatException.class, () -> RatingFormat.detect(file));
    assertTrue(e.getMessage().contains("mystery.csv"), e.getMessage());
    assertTrue(e.getMessage().contains("a,b,c"), e.getMessage());
  }

  @Test
  void shouldExplainWhenFileIsEmpty() throws IOException {
    Path file = Files.writeString(dir.resolve("empty.txt"), "");
    RatingFormatException e = assertThrows(RatingFormatException.class, () -> RatingFormat.detect(file));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void shouldRejectInvalidColumnLayouts() {
    assertThrows(IllegalArgumentException.class, () -> RatingFormat.delimited("", 0, 1, 2, 3, false));
    assertThrows(IllegalArgumentException.class, () -> RatingFormat.delimited(",", 0, 0, 2, 3, false));
    assertThrows(IllegalArgumentException.class, () -> RatingFormat.delimited(",", 0, 1, 2, 2, false));
    assertThrows(IllegalArgumentException.class, () -> RatingFormat.delimited(",", -1, 1, 2, 3, false));
    assertThrows(IllegalArgumentException.class, () -> new RatingFormat("x", ",", 3, 0, 1, 2, 3, false));
  }

  @Test
  void shouldRequireOnePastHighestUsedColumn() {
    assertEquals(4, RatingFormat.delimited(",", 3, 1, 2, RatingFormat.NO_COLUMN, false).minColumns());
  }
}
