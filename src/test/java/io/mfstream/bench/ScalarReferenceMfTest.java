package io.mfstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.kernel.HostKernels;
import io.mfstream.testing.UnitTest;
import io.mfstream.train.Optimizer;
import io.mfstream.train.OptimizerConfig;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The benchmark's yardstick does the same maths as plain MF with the streaming optimiser: from the
 * same initial tables, the same batches give the same parameters (up to float summation order in
 * the dot products).
 */
@UnitTest
class ScalarReferenceMfTest {

  @Test
  void referenceShouldTrainToTheSameParametersAsPlainMf() {
    int users = 40;
    int items = 30;
    int k = 8;
    int batch = 16;
    MfNetwork net = new MfNetwork(ModelConfig.defaults(ModelType.PLAIN_MF).withFactors(k)
        .withInitScale(0.3), new HostKernels(), batch);
    Optimizer opt = new Optimizer(OptimizerConfig.lazySgd());
    opt.attach(net);
    int[] rows = new int[Math.max(users, items)];
    String[] ids = new String[rows.length];
    for (int i = 0; i < users; i++) {
      ids[i] = "u" + i;
    }
    net.userRows(ids, users, rows, true);
    for (int i = 0; i < items; i++) {
      ids[i] = "i" + i;
    }
    net.itemRows(ids, items, rows, true);

    ScalarReferenceMf ref = new ScalarReferenceMf(users, items, k, batch, 0.05, 0.9, 1e-4, 1);
    ref.setTables(table(net, 0, users), table(net, 1, items));

    SplittableRandom rnd = new SplittableRandom(9);
    int[] u = new int[batch];
    int[] i = new int[batch];
    float[] y = new float[batch];
    for (int step = 1; step <= 30; step++) {
      for (int b = 0; b < batch; b++) {
        u[b] = rnd.nextInt(users);
        i[b] = rnd.nextInt(items);
        y[b] = 1 + rnd.nextInt(5);
      }
      double sseNet = net.forwardBackward(u, i, y, batch, step);
      opt.apply(net);
      double sseRef = ref.step(u, i, y, batch);
      assertEquals(sseRef, sseNet, 1e-4 * Math.max(1, sseRef), "step " + step);
    }
    assertClose(ref.userTable(), table(net, 0, users));
    assertClose(ref.itemTable(), table(net, 1, items));
  }

  private static float[] table(MfNetwork net, int index, int rows) {
    return net.tables().get(index).valueRows(0, rows).dup().data().asFloat();
  }

  private static void assertClose(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int j = 0; j < expected.length; j++) {
      assertEquals(expected[j], actual[j], 1e-5f, "cell " + j);
    }
  }
}
