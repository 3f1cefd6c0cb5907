package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.HostKernels;
import io.mfstream.model.kernel.Nd4jKernels;
import io.mfstream.testing.UnitTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The CPU host kernels and the pure-ND4J kernels (the CUDA path) train to the same parameters, for
 * every network, optimiser and embedding update mode: the device path is correct by construction
 * because it is tested here against the path the CPU uses.
 */
@UnitTest
class KernelEquivalenceTest {

  static Stream<Arguments> cases() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (ModelType t : ModelType.values()) {
      b.add(Arguments.of(t, OptimizerConfig.lazySgd()));
      b.add(Arguments.of(t, OptimizerConfig.tutorial()));
      b.add(Arguments.of(t, OptimizerConfig.adam().withLearningRate(0.01)));
      b.add(Arguments.of(t, OptimizerConfig.adam().withLearningRate(0.01)
          .withEmbeddings(OptimizerConfig.EmbeddingUpdates.DENSE)));
      b.add(Arguments.of(t, OptimizerConfig.adagrad().withWeightDecay(0.05)
          .withBiasLearningRate(0.3).withBiasWeightDecay(0.05)));
      b.add(Arguments.of(t, OptimizerConfig.adagrad()
          .withEmbeddings(OptimizerConfig.EmbeddingUpdates.DENSE)));
    }
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("cases")
  void hostAndNd4jKernelsShouldTrainToTheSameParameters(ModelType type, OptimizerConfig opt) {
    ModelConfig cfg = ModelConfig.defaults(type).withFactors(8).withHidden(6).withInitScale(0.3);
    Trainer host = new Trainer(cfg, opt, 16, new HostKernels());
    Trainer ops = new Trainer(cfg, opt, 16, new Nd4jKernels());
    List<Rating> data = TestRatings.random(16 * 12, 20, 15, 5);
    for (int from = 0; from < data.size(); from += 16) {
      host.trainBatch(data, from, 16);
      ops.trainBatch(data, from, 16);
    }
    List<ParamTable> ht = host.network().tables();
    List<ParamTable> ot = ops.network().tables();
    for (int i = 0; i < ht.size(); i++) {
      assertEquals(ht.get(i).rows(), ot.get(i).rows());
      ParamTable h = ht.get(i);
      ParamTable o = ot.get(i);
      assertClose(h.valueRows(0, h.rows()), o.valueRows(0, o.rows()), h.name());
      for (int s = 0; s < h.stateSlots(); s++) {
        assertClose(h.stateRows(s, 0, h.rows()), o.stateRows(s, 0, o.rows()),
            h.name() + "/state" + s);
      }
    }
    List<DenseParam> hd = host.network().denseParams();
    List<DenseParam> od = ops.network().denseParams();
    for (int i = 0; i < hd.size(); i++) {
      assertClose(hd.get(i).value(), od.get(i).value(), hd.get(i).name());
    }
    float[] hp = new float[data.size()];
    float[] op = new float[data.size()];
    host.predict(data, 0, data.size(), hp, null);
    ops.predict(data, 0, data.size(), op, null);
    for (int i = 0; i < hp.length; i++) {
      assertEquals(hp[i], op[i], 1e-4 * Math.max(1, Math.abs(hp[i])), "prediction " + i);
    }
  }

  private static void assertClose(INDArray a, INDArray b, String what) {
    double[] x = a.dup().data().asDouble();
    double[] y = b.dup().data().asDouble();
    assertEquals(x.length, y.length, what);
    double worst = 0;
    for (int i = 0; i < x.length; i++) {
      worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1e-3, Math.abs(y[i])));
    }
    assertTrue(worst < 1e-3, what + ": worst relative difference " + worst);
  }
}
