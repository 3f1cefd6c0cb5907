package io.mfstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class SyntheticRatingsTest {

  private static SyntheticRatings small(long seed) {
    return SyntheticRatings.builder().users(50).items(40).ratings(600).seed(seed).build();
  }

  @Test
  void shouldGiveEqualRatingsForEqualSeeds() {
    assertEquals(small(7).ratings(), small(7).ratings());
    assertNotEquals(small(7).ratings(), small(8).ratings());
  }

  @Test
  void shouldUseDefaultsOf1000Users1000ItemsRank4And100kRatings() {
    SyntheticRatings data = SyntheticRatings.withDefaults();
    assertEquals(1000, data.users());
    assertEquals(1000, data.items());
    assertEquals(4, data.rank());
    assertEquals(100_000, data.ratings().size());
    assertEquals(0.5, data.sigma());
    assertEquals(3.5, data.mean());
  }

  @Test
  void shouldNeverRepeatAUserItemPair() {
    List<Rating> ratings = SyntheticRatings.builder().users(10).items(10).ratings(100).build().ratings();
    Set<String> pairs = new HashSet<>();
    for (Rating r : ratings) {
      assertTrue(pairs.add(r.user() + "/" + r.item()), "repeated " + r);
    }
  }

  @Test
  void shouldStampRatingsWithIncreasingTimestampsAndGeneratorIds() {
    List<Rating> ratings = small(1).ratings();
    for (int k = 1; k < ratings.size(); k++) {
      assertTrue(ratings.get(k).timestamp() > ratings.get(k - 1).timestamp());
    }
    for (Rating r : ratings) {
      assertTrue(r.user().matches("u\\d+") && r.item().matches("i\\d+"), r.toString());
    }
  }

  @Test
  void shouldHaveNoiselessPredictionRmseCloseToSigma() {
    SyntheticRatings data = SyntheticRatings.builder().sigma(0.5).seed(3).build();
    double sumSq = 0;
    for (Rating r : data.ratings()) {
      double err = r.rating() - data.noiseless(r.user(), r.item());
      sumSq += err * err;
    }
    double rmse = Math.sqrt(sumSq / data.ratings().size());
    // 100k draws: the RMSE's relative standard error is about 1/sqrt(2n) = 0.2%.
    assertEquals(0.5, rmse, 0.5 * 0.02);
  }

  @Test
  void shouldNotClipOrRoundRatings() {
    SyntheticRatings data = SyntheticRatings.builder().sigma(2).seed(5).build();
    double min = Double.MAX_VALUE;
    double max = -Double.MAX_VALUE;
    Set<Float> distinct = new HashSet<>();
    for (Rating r : data.ratings()) {
      min = Math.min(min, r.rating());
      max = Math.max(max, r.rating());
      distinct.add(r.rating());
    }
    assertTrue(min < 1 && max > 5, "range " + min + ".." + max);
    assertTrue(distinct.size() > 90_000);
  }

  @Test
  void shouldGiveNoiselessRatingsWhenSigmaIsZero() {
    SyntheticRatings data = SyntheticRatings.builder().users(20).items(20).ratings(100).sigma(0).build();
    for (Rating r : data.ratings()) {
      assertEquals(data.noiseless(r.user(), r.item()), r.rating(), 1e-5);
    }
  }

  @Test
  void shouldRejectIdsItDidNotMake() {
    SyntheticRatings data = small(1);
    assertThrows(IllegalArgumentException.class, () -> data.noiseless("u50", "i0"));
    assertThrows(IllegalArgumentException.class, () -> data.noiseless("x1", "i0"));
    assertThrows(IllegalArgumentException.class, () -> data.noiseless("u1", "i"));
  }

  @Test
  void shouldRejectMoreRatingsThanPairs() {
    assertThrows(
        IllegalArgumentException.class,
        () -> SyntheticRatings.builder().users(3).items(3).ratings(10).build());
  }
}
