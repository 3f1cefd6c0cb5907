package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.SyntheticRatings;
import io.mfstream.data.TrainTestSplit;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * On ratings from a planted rank-3 model with Gaussian noise of sigma 0.5 (unclipped, so the best
 * possible test RMSE is sigma), every network learns to within 10% of the noise floor.
 */
@UnitTest
class SyntheticConvergenceTest {
  private static final double SIGMA = 0.5;
  private static TrainTestSplit data;

  @BeforeAll
  static void plant() {
    SyntheticRatings s = SyntheticRatings.builder().users(400).items(400).ratings(80_000).rank(3)
        .sigma(SIGMA).seed(42).build();
    data = s.split(0.2, 42);
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void shouldLearnToWithinTenPercentOfTheNoiseFloor(ModelType type) {
    ModelConfig mc;
    OptimizerConfig oc;
    int epochs;
    if (type == ModelType.DROPOUT_MLP) {
      // Dropout's mask noise in a dot product regularises hard: a light rate and a wider layer.
      mc = ModelConfig.defaults(type).withFactors(32).withHidden(128).withInitScale(0.3)
          .withDropout(0.1);
      oc = OptimizerConfig.adam().withLearningRate(0.005);
      epochs = 40;
    } else if (type == ModelType.MLP) {
      mc = ModelConfig.defaults(type).withFactors(16).withHidden(32).withInitScale(0.3);
      oc = OptimizerConfig.adam().withLearningRate(0.005);
      epochs = 40;
    } else {
      mc = ModelConfig.defaults(type).withFactors(8).withInitScale(0.1);
      oc = OptimizerConfig.adam().withLearningRate(0.01);
      epochs = 10;
    }
    Trainer trainer = new Trainer(mc, oc, 128);
    List<EpochTrainer.EpochResult> results = EpochTrainer.run(trainer, data.train(), data.test(),
        new EpochTrainer.Options(epochs, 42, false, true), null, null);
    double rmse = results.get(results.size() - 1).testRmse();
    assertTrue(rmse <= 1.1 * SIGMA, type + ": test RMSE " + rmse + " vs noise sigma " + SIGMA);
  }
}
