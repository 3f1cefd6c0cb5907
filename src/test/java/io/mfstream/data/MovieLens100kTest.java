package io.mfstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reads the real MovieLens 100K files from the shared data folder (system property
 * {@code mfstream.shared.data}, default {@code ../shared/data}); skipped when they are absent, as
 * in a fresh clone, because the licence forbids shipping them.
 */
@UnitTest
class MovieLens100kTest {

  private final Path ml100k =
      Path.of(System.getProperty("mfstream.shared.data", "../shared/data"), "ml-100k");

  @BeforeEach
  void requireData() {
    assumeTrue(
        Files.isRegularFile(ml100k.resolve("u.data")),
        () -> "MovieLens 100K is not at " + ml100k.toAbsolutePath()
            + " (set -Dmfstream.shared.data); skipping the real-data test");
  }

  @Test
  void shouldRead100000RatingsOf943UsersAnd1682ItemsFromUData() throws IOException {
    Path file = ml100k.resolve("u.data");
    assertEquals(RatingFormat.ML_100K, RatingFormat.detect(file));
    Set<String> users = new HashSet<>();
    Set<String> items = new HashSet<>();
    ReadSummary summary =
        RatingReader.strict(RatingFormat.ML_100K)
            .withRange(1f, 5f)
            .forEach(
                file,
                r -> {
                  users.add(r.user());
                  items.add(r.item());
                });
    assertEquals(100_000, summary.accepted());
    assertEquals(943, users.size());
    assertEquals(1682, items.size());
  }

  @Test
  void shouldReadU1BaseAndU1TestStrictly() throws IOException {
    RatingReader reader = RatingReader.strict(RatingFormat.ML_100K);
    assertEquals(80_000, reader.read(ml100k.resolve("u1.base")).ratings().size());
    assertEquals(20_000, reader.read(ml100k.resolve("u1.test")).ratings().size());
  }

  @Test
  void shouldFindSharedCopyCompleteForTheDownloader() throws IOException {
    assertTrue(MovieLensDownloader.isComplete(DatasetSource.ML_100K, ml100k));
  }
}
