package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.HostKernels;
import io.mfstream.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a trainer carries over to another optimiser (a warm start under other settings). */
@UnitTest
class TrainerTest {
  @Test
  void aFreshOptimizerShouldKeepTheModelAndStartItsOwnStateAtZero() {
    ModelConfig cfg = ModelConfig.defaults(ModelType.MLP).withFactors(4).withHidden(3)
        .withInitScale(0.3);
    Trainer sgd = new Trainer(cfg, OptimizerConfig.lazySgd(), 8, new HostKernels());
    List<Rating> ratings = TestRatings.random(200, 20, 30, 7);
    for (int from = 0; from < ratings.size(); from += 8) {
      sgd.trainBatch(ratings, from, 8);
    }

    Trainer adam = sgd.withFreshOptimizer(OptimizerConfig.adam(), 16, new HostKernels());

    assertEquals(OptimizerConfig.adam(), adam.optimizer().config());
    assertEquals(16, adam.batchSize());
    assertEquals(0, adam.version(), "a new optimiser counts its own steps");
    assertEquals(sgd.trained(), adam.trained());
    assertEquals(sgd.network().globalMean(), adam.network().globalMean());
    assertEquals(sgd.network().users().ids(), adam.network().users().ids());
    assertEquals(sgd.network().items().ids(), adam.network().items().ids());
    for (int t = 0; t < sgd.network().tables().size(); t++) {
      ParamTable a = sgd.network().tables().get(t);
      ParamTable b = adam.network().tables().get(t);
      assertEquals(a.rows(), b.rows());
      assertArrayEquals(a.valueRows(0, a.rows()).dup().data().asFloat(),
          b.valueRows(0, b.rows()).dup().data().asFloat(), a.name());
      for (int s = 0; s < b.stateSlots(); s++) {
        assertArrayEquals(new float[a.rows() * a.width()],
            b.stateRows(s, 0, b.rows()).dup().data().asFloat(), a.name() + " state " + s);
      }
    }
    for (int d = 0; d < sgd.network().denseParams().size(); d++) {
      DenseParam a = sgd.network().denseParams().get(d);
      DenseParam b = adam.network().denseParams().get(d);
      assertArrayEquals(a.value().dup().data().asFloat(), b.value().dup().data().asFloat());
    }
    float[] before = new float[8];
    float[] after = new float[8];
    sgd.predict(ratings, 0, 8, before, new boolean[8]);
    adam.predict(ratings, 0, 8, after, new boolean[8]);
    assertArrayEquals(before, after, "the same model answers alike");
  }
}
