package io.mfstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

@UnitTest
class TrainTestSplitTest {

  private final SyntheticRatings data =
      SyntheticRatings.builder().users(200).items(150).ratings(3000).seed(11).build();

  @Test
  void shouldPutEveryTestUserAndItemAlsoInTrain() {
    TrainTestSplit split = data.split(0.2, 99);
    Set<String> trainUsers = new HashSet<>();
    Set<String> trainItems = new HashSet<>();
    for (Rating r : split.train()) {
      trainUsers.add(r.user());
      trainItems.add(r.item());
    }
    for (Rating r : split.test()) {
      assertTrue(trainUsers.contains(r.user()), "user only in test: " + r);
      assertTrue(trainItems.contains(r.item()), "item only in test: " + r);
    }
  }

  @Test
  void shouldPartitionRatingsKeepingInputOrder() {
    TrainTestSplit split = data.split(0.2, 99);
    assertEquals(data.ratings().size(), split.train().size() + split.test().size());
    List<Rating> merged = new ArrayList<>(split.train());
    merged.addAll(split.test());
    merged.sort((a, b) -> Long.compare(a.timestamp(), b.timestamp()));
    assertEquals(data.ratings(), merged);
    assertTrue(isOrdered(split.train()) && isOrdered(split.test()));
  }

  @Test
  void shouldReachTheAskedTestSizeWhenUsersAndItemsHaveEnoughRatings() {
    assertEquals(600, data.split(0.2, 99).test().size());
  }

  @Test
  void shouldGiveEqualSplitsForEqualSeeds() {
    assertEquals(data.split(0.2, 5), data.split(0.2, 5));
    assertTrue(!data.split(0.2, 5).test().equals(data.split(0.2, 6).test()));
  }

  @Test
  void shouldKeepSingleRatingOfAUserInTrain() {
    List<Rating> ratings = List.of(new Rating("a", "x", 1f), new Rating("b", "x", 2f), new Rating("b", "y", 3f));
    TrainTestSplit split = TrainTestSplit.of(ratings, 0.9, 1);
    assertTrue(split.train().contains(ratings.get(0)));
    assertTrue(split.train().contains(ratings.get(2)), "item y has one rating");
  }

  @Test
  void shouldRejectFractionOutsideZeroToOne() {
    assertThrows(IllegalArgumentException.class, () -> data.split(1.0, 1));
    assertThrows(IllegalArgumentException.class, () -> data.split(-0.1, 1));
    assertThrows(IllegalArgumentException.class, () -> data.split(Double.NaN, 1));
  }

  private static boolean isOrdered(List<Rating> ratings) {
    for (int k = 1; k < ratings.size(); k++) {
      if (ratings.get(k).timestamp() <= ratings.get(k - 1).timestamp()) {
        return false;
      }
    }
    return true;
  }
}
