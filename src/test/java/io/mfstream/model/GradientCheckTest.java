package io.mfstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.kernel.Nd4jKernels;
import io.mfstream.testing.UnitTest;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite differences, in double precision, of {@code L = 1/(2n) sum (p - y)^2} against the
 * analytic gradients the backward pass leaves in every parameter, for every network. The batch
 * repeats ids so the segment sums of duplicate rows are checked too.
 */
@UnitTest
class GradientCheckTest {
  private static final double EPS = 1e-6;

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void shouldMatchFiniteDifferencesForEveryParameter(ModelType type) {
    ModelConfig cfg = new ModelConfig(type, 5, 4, 0.3, 0.5, 7L, DataType.DOUBLE);
    MfNetwork net = new MfNetwork(cfg, new Nd4jKernels(), 8);
    String[] users = {"a", "b", "a", "c", "d", "b"};
    String[] items = {"x", "y", "z", "x", "y", "y"};
    float[] labels = {4f, 1f, 3f, 5f, 2f, 3.5f};
    int n = users.length;
    int[] ur = new int[n];
    int[] ir = new int[n];
    net.userRows(users, n, ur, true);
    net.itemRows(items, n, ir, true);
    net.restoreMean(3.0 * 10, 10);
    // Give biases and FC biases non-zero values so their gradients matter.
    SplittableRandom rnd = new SplittableRandom(3);
    for (ParamTable t : net.tables()) {
      if (t.isBias()) {
        for (int r = 0; r < t.rows(); r++) {
          t.values().putScalar(r, 0, rnd.nextDouble() - 0.5);
        }
      }
    }
    for (DenseParam p : net.denseParams()) {
      if (p.isBias()) {
        for (int j = 0; j < p.value().length(); j++) {
          p.value().putScalar(j, rnd.nextDouble() * 0.5);
        }
      }
    }
    long step = 11;
    net.forwardBackward(ur, ir, labels, n, step);

    int checked = 0;
    for (ParamTable t : net.tables()) {
      INDArray grad = t.grad().dup();
      int[] rows = t.gradRows().clone();
      int u = t.gradCount();
      for (int s = 0; s < u; s++) {
        for (int j = 0; j < t.width(); j++) {
          double numeric = numericGradient(net, t.values(), rows[s], j, ur, ir, labels, n, step);
          assertClose(numeric, grad.getDouble(s, j), t.name() + "[" + rows[s] + "," + j + "]");
          checked++;
        }
      }
    }
    for (DenseParam p : net.denseParams()) {
      INDArray grad = p.grad().dup();
      INDArray flatGrad = grad.reshape(grad.length());
      INDArray value = p.value().reshape(p.value().length());
      for (int j = 0; j < value.length(); j++) {
        double numeric = numericGradient(net, value, -1, j, ur, ir, labels, n, step);
        assertClose(numeric, flatGrad.getDouble(j), p.name() + "[" + j + "]");
        checked++;
      }
    }
    assertTrue(checked > 20, "checked " + checked + " gradient cells");
  }

  private static double numericGradient(MfNetwork net, INDArray values, int row, int col,
      int[] ur, int[] ir, float[] labels, int n, long step) {
    double original = row < 0 ? values.getDouble(col) : values.getDouble(row, col);
    put(values, row, col, original + EPS);
    double plus = net.forwardBackward(ur, ir, labels, n, step) / (2.0 * n);
    put(values, row, col, original - EPS);
    double minus = net.forwardBackward(ur, ir, labels, n, step) / (2.0 * n);
    put(values, row, col, original);
    return (plus - minus) / (2 * EPS);
  }

  private static void put(INDArray values, int row, int col, double v) {
    if (row < 0) {
      values.putScalar(col, v);
    } else {
      values.putScalar(row, col, v);
    }
  }

  private static void assertClose(double numeric, double analytic, String what) {
    double tol = 1e-6 + 1e-4 * Math.max(Math.abs(numeric), Math.abs(analytic));
    assertEquals(numeric, analytic, tol, what + ": numeric " + numeric + " analytic " + analytic);
  }
}
