package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.testing.UnitTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@UnitTest
class OnlineLearnerTest {
  private static ModelConfig config(ModelType type) {
    return ModelConfig.defaults(type).withFactors(6).withHidden(5).withInitScale(0.1);
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void ratingByRatingShouldComputeExactlyWhatThePrequentialPassComputes(ModelType type) {
    List<Rating> data = TestRatings.random(16 * 20 + 5, 25, 20, 11);
    Trainer offline = new Trainer(config(type), OptimizerConfig.lazySgd(), 16);
    Prequential.Result expected = Prequential.run(offline, data, 100, 0, null);

    OnlineLearner online = new OnlineLearner(
        new Trainer(config(type), OptimizerConfig.lazySgd(), 16), 100);
    for (Rating r : data) {
      online.observe(r);
    }
    online.flush();
    assertEquals(expected.count(), online.scored());
    assertEquals(expected.rmse(), online.rmse(), 1e-12);
    assertEquals(expected.rollingRmse(), online.rollingRmse(), 1e-12);
    assertEquals(expected.coldStarts(), online.coldStarts());
    assertEquals(offline.version(), online.trainer().version());
    assertArrayEquals(parameters(offline), parameters(online.trainer()));
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void theQualityMetersShouldMeasureExactlyWhatThePrequentialPassMeasures(ModelType type) {
    // Ranking every user's ratings of 3 and up, cold below 3 (users) and 4 (items) ratings.
    QualitySettings quality = new QualitySettings(3, 4, 3f, 1.0);
    List<Rating> data = TestRatings.random(16 * 20 + 5, 25, 20, 11);
    Trainer offline = new Trainer(config(type), OptimizerConfig.lazySgd(), 16);
    Prequential.Result expected = Prequential.run(offline, data, 100, 0, null, quality);
    OnlineLearner online = new OnlineLearner(
        new Trainer(config(type), OptimizerConfig.lazySgd(), 16), 100, quality);
    for (Rating r : data) {
      online.observe(r);
    }
    QualityMeters.Figures f = expected.quality();
    assertEquals(f, online.quality().figures());
    assertEquals(data.stream().filter(r -> r.rating() >= 3).count(), f.ranked());
    for (boolean item : new boolean[] {false, true}) {
      assertEquals(data.size(), f.scored(item, true) + f.scored(item, false));
      assertTrue(f.scored(item, true) > 0 && f.scored(item, false) > 0, "both segments used");
    }
    assertTrue(f.hits() > 0 && f.hits() < f.ranked(), f.toString());
  }

  @Test
  void shouldTrainWhenABatchFillsAndNotBefore() {
    OnlineLearner online = new OnlineLearner(
        new Trainer(config(ModelType.BIASED_MF), OptimizerConfig.lazySgd(), 3), 10);
    List<Rating> data = TestRatings.random(7, 4, 4, 3);
    List<Boolean> steps = new ArrayList<>();
    for (Rating r : data) {
      steps.add(online.observe(r).stepTaken());
    }
    assertEquals(List.of(false, false, true, false, false, true, false), steps);
    assertEquals(2, online.trainer().version());
    assertEquals(List.of(data.get(6)), online.pending());
    assertTrue(online.flush());
    assertFalse(online.flush());
    assertEquals(3, online.trainer().version());
  }

  @Test
  void firstSightOfAnIdShouldBeAColdStartAnswer() {
    OnlineLearner online = new OnlineLearner(
        new Trainer(config(ModelType.BIASED_MF), OptimizerConfig.lazySgd(), 1), 10);
    assertTrue(online.observe(new Rating("u1", "i1", 4f)).coldStart());
    assertFalse(online.observe(new Rating("u1", "i1", 4f)).coldStart());
    assertTrue(online.observe(new Rating("u2", "i1", 3f)).coldStart());
    assertEquals(2, online.coldStarts());
  }

  @Test
  void aRestartFromSnapshotAndPendingRatingsShouldContinueBitIdentically() throws Exception {
    List<Rating> data = TestRatings.random(8 * 9, 15, 12, 5);
    OnlineLearner straight = new OnlineLearner(
        new Trainer(config(ModelType.MLP), OptimizerConfig.lazySgd(), 8), 50);
    for (Rating r : data) {
      straight.observe(r);
    }

    OnlineLearner first = new OnlineLearner(
        new Trainer(config(ModelType.MLP), OptimizerConfig.lazySgd(), 8), 50);
    int cut = 8 * 4 + 3; // mid-batch: three ratings scored but not learned from
    for (Rating r : data.subList(0, cut)) {
      first.observe(r);
    }
    ByteArrayOutputStream saved = new ByteArrayOutputStream();
    ModelSnapshot.save(first.trainer(), saved);
    List<Rating> pending = List.copyOf(first.pending());
    assertEquals(3, pending.size());

    OnlineLearner resumed = new OnlineLearner(
        ModelSnapshot.load(new ByteArrayInputStream(saved.toByteArray()), 8), 50);
    resumed.restorePending(pending);
    for (Rating r : data.subList(cut, data.size())) {
      resumed.observe(r);
    }
    assertEquals(straight.trainer().version(), resumed.trainer().version());
    assertArrayEquals(parameters(straight.trainer()), parameters(resumed.trainer()));
  }

  @Test
  void restoringAFullBatchOfPendingRatingsShouldBeRefused() {
    OnlineLearner online = new OnlineLearner(
        new Trainer(config(ModelType.PLAIN_MF), OptimizerConfig.lazySgd(), 2), 10);
    assertThrows(IllegalArgumentException.class,
        () -> online.restorePending(TestRatings.random(2, 2, 2, 1)));
  }

  private static float[] parameters(Trainer t) {
    List<Float> all = new ArrayList<>();
    for (ParamTable p : t.network().tables()) {
      if (p.rows() == 0) {
        continue;
      }
      for (float f : p.valueRows(0, p.rows()).dup()
          .data().asFloat()) {
        all.add(f);
      }
    }
    for (var d : t.network().denseParams()) {
      for (float f : d.value().dup().data().asFloat()) {
        all.add(f);
      }
    }
    float[] out = new float[all.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = all.get(i);
    }
    return out;
  }
}
