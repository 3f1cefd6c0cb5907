package io.mfstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.model.kernel.Kernels;
import io.mfstream.testing.UnitTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Scoring many pairs at once (a ranking scores every item for a user) runs in chunks larger than
 * a small batch; each pair's answer is the one it gets scored alone, and the fallbacks stay put.
 */
@UnitTest
class ScoreChunkTest {

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void manyPairsAtOnceShouldScoreAsEachAlone(ModelType type) {
    ModelConfig cfg = ModelConfig.defaults(type).withFactors(8).withHidden(6).withInitScale(0.3);
    MfNetwork net = new MfNetwork(cfg, Kernels.forCurrentBackendOnOneThread(), 1);
    int items = MfNetwork.MIN_SCORE_CHUNK * 2 + 37;
    String[] ids = new String[items];
    int[] rows = new int[items];
    for (int i = 0; i < items; i++) {
      ids[i] = "i" + i;
    }
    net.itemRows(ids, items, rows, true);
    int[] user = new int[1];
    net.userRows(new String[] {"u"}, 1, user, true);
    net.restoreMean(3.5 * 10, 10);
    int[] users = new int[items];
    java.util.Arrays.fill(users, user[0]);
    users[5] = -1; // an unknown user: the fallback
    rows[7] = -1; // an unknown item
    float[] together = new float[items];
    boolean[] cold = new boolean[items];
    net.predict(users, rows, items, together, cold);
    float[] one = new float[1];
    boolean[] oneCold = new boolean[1];
    float[] alone = new float[items];
    for (int i = 0; i < items; i++) {
      net.predict(new int[] {users[i]}, new int[] {rows[i]}, 1, one, oneCold);
      alone[i] = one[0];
      assertEquals(oneCold[0], cold[i], "cold start of pair " + i);
    }
    if (type.isMlp()) {
      // The MLP's layers are one matrix product per chunk: BLAS may sum in another order.
      assertArrayEquals(alone, together, 1e-6f);
    } else {
      assertArrayEquals(alone, together);
    }
  }
}
