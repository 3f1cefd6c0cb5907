package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The segment meters and the ranking metrics, against figures worked out by hand. */
@UnitTest
class QualityMetersTest {

  private static Trainer trainer(int batch) {
    return new Trainer(ModelConfig.defaults(ModelType.BIASED_MF).withFactors(4)
        .withInitScale(0.1), OptimizerConfig.lazySgd(), batch);
  }

  @Test
  void aUserShouldBeColdUntilTheModelHasLearnedThresholdManyOfItsRatings() {
    QualitySettings settings = new QualitySettings(2, 3, 4f, 0);
    Trainer t = trainer(1);
    QualityMeters q = new QualityMeters(settings, 0, 0);
    MfNetwork net = t.network();
    Rating r = new Rating("u", "i", 3f, 0);
    // unknown user and item: both cold
    assertEquals(QualityMeters.USER_COLD | QualityMeters.ITEM_COLD, q.cellOf(net, r));
    for (int learned = 1; learned <= 3; learned++) {
      t.trainBatch(List.of(r));
      q.learned(net, List.of(r), 0, 1);
      int cell = q.cellOf(net, r);
      assertEquals(learned < 2, (cell & QualityMeters.USER_COLD) != 0, "user after " + learned);
      assertEquals(learned < 3, (cell & QualityMeters.ITEM_COLD) != 0, "item after " + learned);
    }
    assertEquals(3, q.learnedCount(false, 0));
    assertEquals(3, q.learnedCount(true, 0));
  }

  @Test
  void rowsOfUnknownHistoryShouldCountAsEstablished() {
    Trainer t = trainer(1);
    t.trainBatch(List.of(new Rating("old", "i", 3f, 0)));
    QualityMeters q = new QualityMeters(QualitySettings.DEFAULTS, 1, 1);
    assertEquals(0, q.cellOf(t.network(), new Rating("old", "i", 3f, 0)));
    assertEquals(QualityMeters.USER_COLD, q.cellOf(t.network(), new Rating("new", "i", 3f, 0)));
  }

  @Test
  void theSplitsShouldEachAddUpToEveryRatingScored() {
    QualityMeters q = new QualityMeters(QualitySettings.DEFAULTS, 0, 0);
    q.scored(QualityMeters.USER_COLD | QualityMeters.ITEM_COLD, 2);   // 4
    q.scored(QualityMeters.USER_COLD, 1);                              // 1
    q.scored(QualityMeters.ITEM_COLD, 3);                              // 9
    q.scored(0, 0.5);                                                  // 0.25
    q.scored(0, 0.5);                                                  // 0.25
    QualityMeters.Figures f = q.figures();
    assertEquals(2, f.scored(false, true));
    assertEquals(Math.sqrt(5 / 2.0), f.rmse(false, true), 1e-15);
    assertEquals(3, f.scored(false, false));
    assertEquals(Math.sqrt(9.5 / 3), f.rmse(false, false), 1e-15);
    assertEquals(2, f.scored(true, true));
    assertEquals(Math.sqrt(13 / 2.0), f.rmse(true, true), 1e-15);
    assertEquals(Math.sqrt(1.5 / 3), f.rmse(true, false), 1e-15);
    assertTrue(Double.isNaN(new QualityMeters(QualitySettings.DEFAULTS, 0, 0).figures()
        .rmse(true, true)));
  }

  @Test
  void theRankShouldCountTheUnlearnedItemsScoringAtLeastAsHighAndLeaveTheLearnedOnesOut() {
    Trainer t = trainer(4);
    List<Rating> history = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      history.add(new Rating("u" + i % 5, "i" + i % 12, 1 + i % 5, i));
    }
    for (int from = 0; from < history.size(); from += 4) {
      t.trainBatch(history, from, Math.min(4, history.size() - from));
    }
    MfNetwork net = t.network();
    int items = net.items().size();
    int u = net.users().find("u1");
    float[] scores = new float[items];
    List<Rating> pairs = new ArrayList<>();
    for (int i = 0; i < items; i++) {
      pairs.add(new Rating("u1", net.items().idAt(i), 0, 0));
    }
    t.predict(pairs, 0, items, scores, null);
    int target = 5;
    int[] exclude = {0, 2, target};
    int ahead = 0;
    for (int j = 0; j < items; j++) {
      if (j != target && j != 0 && j != 2 && scores[j] >= scores[target]) {
        ahead++;
      }
    }
    QualityMeters.Ranker ranker = new QualityMeters.Ranker();
    assertEquals(ahead + 1, ranker.rank(net, u, target, exclude, 3));
    int all = 0;
    for (int j = 0; j < items; j++) {
      if (j != target && scores[j] >= scores[target]) {
        all++;
      }
    }
    assertEquals(all + 1, ranker.rank(net, u, target, exclude, 0));
    assertEquals(Integer.MAX_VALUE, ranker.rank(net, u, -1, exclude, 3), "an unknown item");
    // the buffers are reused, and clean
    assertEquals(ahead + 1, ranker.rank(net, u, target, exclude, 3));
  }

  @Test
  void theMetersShouldRankOnlyPositiveRatingsOfSampledUsersAndCountHitsAndNdcg() {
    Trainer t = trainer(2);
    QualityMeters q = new QualityMeters(new QualitySettings(5, 5, 4f, 1.0), 0, 0);
    // Two items only: whatever the scores, a known item ranks 1 or 2 among them.
    List<Rating> first = List.of(new Rating("u", "a", 5f, 0), new Rating("v", "b", 5f, 1));
    t.trainBatch(first);
    q.learned(t.network(), first, 0, 2);
    assertEquals(0, q.rank(t.network(), new Rating("u", "b", 3f, 2)), "not positive");
    int rank = q.rank(t.network(), new Rating("u", "b", 4f, 3));
    assertEquals(1, rank, "item a, learned by u, is left out");
    assertEquals(Integer.MAX_VALUE, q.rank(t.network(), new Rating("u", "zzz", 5f, 4)));
    assertEquals(2, q.ranked());
    assertEquals(1, q.hits());
    assertEquals(1.0, q.ndcgSum(), 0);
    assertEquals(0.5, q.figures().hitRate());
    assertEquals(0.5, q.figures().ndcg());
    assertEquals(1 / (Math.log(3) / Math.log(2)), QualityMeters.ndcg(2), 1e-15);
    assertEquals(0, QualityMeters.ndcg(11));
    assertEquals(1 / (Math.log(11) / Math.log(2)), QualityMeters.ndcg(10), 1e-15);
  }

  @Test
  void heldOutRankingShouldRankEachPositiveTestRatingLeavingTheUsersTrainingItemsOut() {
    Trainer t = trainer(4);
    List<Rating> train = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      train.add(new Rating("u" + i % 6, "i" + (i * 7) % 15, 1 + i % 5, i));
    }
    t.trainBatch(train, 0, 4);
    for (int from = 4; from < train.size(); from += 4) {
      t.trainBatch(train, from, 4);
    }
    List<Rating> test = List.of(new Rating("u1", "i3", 5, 0), new Rating("u2", "i4", 2, 0),
        new Rating("u3", "unknown", 4, 0), new Rating("u4", "i9", 4, 0));
    HeldOutRanking.Result r = HeldOutRanking.run(t, train, test, 4f, 1.0);
    assertEquals(3, r.positives());
    QualityMeters.Ranker ranker = new QualityMeters.Ranker();
    MfNetwork net = t.network();
    long hits = 0;
    double ndcg = 0;
    for (Rating p : List.of(test.get(0), test.get(3))) {
      int[] seen = train.stream().filter(x -> x.user().equals(p.user()))
          .mapToInt(x -> net.items().find(x.item())).toArray();
      int rank = ranker.rank(net, net.users().find(p.user()), net.items().find(p.item()), seen,
          seen.length);
      if (rank <= QualityMeters.K) {
        hits++;
        ndcg += QualityMeters.ndcg(rank);
      }
    }
    assertEquals(hits, r.hits());
    assertEquals(ndcg, r.ndcgSum(), 1e-12);
    assertTrue(hits > 0, "15 items, 10 ranks: the test should have hits");
    assertEquals(0, HeldOutRanking.run(t, train, test, 4f, 0).positives());
  }

  @Test
  void theSampleShouldDependOnTheUserIdAloneAndGrowWithTheFraction() {
    int inTenth = 0;
    for (int u = 0; u < 10_000; u++) {
      String id = Integer.toString(u);
      boolean tenth = QualityMeters.sampled(id, 0.1);
      assertEquals(tenth, QualityMeters.sampled(id, 0.1));
      if (tenth) {
        inTenth++;
        assertTrue(QualityMeters.sampled(id, 0.5), "a larger sample keeps " + id);
      }
      assertFalse(QualityMeters.sampled(id, 0));
      assertTrue(QualityMeters.sampled(id, 1));
    }
    assertTrue(inTenth > 900 && inTenth < 1100, inTenth + " of 10,000 in a sample of 0.1");
    // Pinned: the sample must not change between builds (stored learned items depend on it).
    List<String> sampled = new ArrayList<>();
    for (int u = 1; u <= 60; u++) {
      if (QualityMeters.sampled(Integer.toString(u), 0.1)) {
        sampled.add(Integer.toString(u));
      }
    }
    assertEquals(List.of("6", "23", "25", "34", "50", "51", "60"), sampled);
  }

  @Test
  void badSettingsShouldBeRefusedSayingWhy() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new QualitySettings(0, 5, 4f, 0.1));
    assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new QualitySettings(5, 5, 4f, 1.5));
    assertTrue(e.getMessage().contains("from 0 to 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new QualitySettings(5, 5, Float.NaN, 0.1));
  }
}
