package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.testing.UnitTest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

@UnitTest
class EpochTrainerTest {
  private static final ModelConfig CFG = ModelConfig.defaults(ModelType.BIASED_MF).withFactors(4)
      .withInitScale(0.1);

  @Test
  void shouldDropTheLastPartialBatchLikeTheTutorial() {
    List<Rating> data = TestRatings.random(10, 5, 5, 1);
    Trainer t = new Trainer(CFG, OptimizerConfig.lazySgd(), 3);
    List<EpochTrainer.EpochResult> r = EpochTrainer.run(t, data, data,
        EpochTrainer.Options.tutorial(2, 7), null, null);
    assertEquals(2, r.size());
    assertEquals(3, r.get(0).steps());
    assertEquals(6, t.version());
    assertEquals(18, t.trained());
  }

  @Test
  void shouldKeepTheLastPartialBatchWhenAsked() {
    List<Rating> data = TestRatings.random(10, 5, 5, 1);
    Trainer t = new Trainer(CFG, OptimizerConfig.lazySgd(), 3);
    EpochTrainer.run(t, data, data, new EpochTrainer.Options(2, 7, true, false), null, null);
    assertEquals(8, t.version());
    assertEquals(20, t.trained());
  }

  @Test
  void firstEpochShouldRunInFileOrderAndLaterOnesShuffled() {
    List<Rating> data = TestRatings.random(12, 6, 6, 2);
    Trainer byHand = new Trainer(CFG, OptimizerConfig.lazySgd(), 4);
    for (int from = 0; from < 12; from += 4) {
      byHand.trainBatch(data, from, 4);
    }
    Trainer oneEpoch = new Trainer(CFG, OptimizerConfig.lazySgd(), 4);
    EpochTrainer.run(oneEpoch, data, List.of(), EpochTrainer.Options.tutorial(1, 3), null, null);
    assertArrayEquals(userRows(byHand), userRows(oneEpoch), "epoch 1 is the file order");

    Trainer shuffledFirst = new Trainer(CFG, OptimizerConfig.lazySgd(), 4);
    EpochTrainer.run(shuffledFirst, data, List.of(), new EpochTrainer.Options(1, 3, false, true),
        null, null);
    assertFalse(Arrays.equals(userRows(byHand), userRows(shuffledFirst)),
        "a shuffled first epoch learns in another order");
  }

  @Test
  void shouldReportTestRmseAfterEveryEpoch() {
    List<Rating> data = TestRatings.random(40, 5, 5, 3);
    Trainer t = new Trainer(CFG, OptimizerConfig.adam().withLearningRate(0.05), 8);
    List<EpochTrainer.EpochResult> r = EpochTrainer.run(t, data, data,
        EpochTrainer.Options.tutorial(5, 1), null, null);
    assertTrue(r.get(4).testRmse() < r.get(0).testRmse(), "learning lowers the RMSE: " + r);
  }

  private static float[] userRows(Trainer t) {
    var table = t.network().tables().get(0);
    return table.valueRows(0, table.rows()).dup().data().asFloat();
  }
}
