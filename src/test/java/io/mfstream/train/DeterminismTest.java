package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.testing.UnitTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@UnitTest
class DeterminismTest {

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void sameSeedAndInputShouldGiveBitIdenticalParameters(ModelType type) {
    List<Rating> data = TestRatings.random(32 * 10, 30, 25, 9);
    float[] a = train(type, data, 42);
    float[] b = train(type, data, 42);
    assertArrayEquals(a, b);
    float[] c = train(type, data, 43);
    assertFalse(Arrays.equals(a, c), "a different seed should give different parameters");
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void initialRowsShouldNotDependOnTheOrderIdsArriveIn(ModelType type) {
    ModelConfig cfg = ModelConfig.defaults(type).withFactors(6).withHidden(4);
    Trainer first = new Trainer(cfg, OptimizerConfig.lazySgd(), 4);
    Trainer second = new Trainer(cfg, OptimizerConfig.lazySgd(), 4);
    String[] ids = {"alice", "bob", "carol", "dave"};
    String[] reversed = {"dave", "carol", "bob", "alice"};
    int[] rows = new int[4];
    first.network().userRows(ids, 4, rows, true);
    second.network().userRows(reversed, 4, rows, true);
    ParamTable t1 = first.network().tables().get(0);
    ParamTable t2 = second.network().tables().get(0);
    for (int i = 0; i < 4; i++) {
      int r1 = first.network().users().find(ids[i]);
      int r2 = second.network().users().find(ids[i]);
      assertArrayEquals(t1.values().getRow(r1).toFloatVector(),
          t2.values().getRow(r2).toFloatVector(), ids[i]);
    }
  }

  private static float[] train(ModelType type, List<Rating> data, long seed) {
    ModelConfig cfg = ModelConfig.defaults(type).withFactors(8).withHidden(6).withSeed(seed)
        .withInitScale(0.2);
    Trainer t = new Trainer(cfg, OptimizerConfig.lazySgd(), 32);
    for (int from = 0; from < data.size(); from += 32) {
      t.trainBatch(data, from, 32);
    }
    List<Float> all = new ArrayList<>();
    for (ParamTable p : t.network().tables()) {
      for (float f : p.valueRows(0, p.rows()).dup()
          .data().asFloat()) {
        all.add(f);
      }
    }
    for (DenseParam p : t.network().denseParams()) {
      for (float f : p.value().dup().data().asFloat()) {
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
