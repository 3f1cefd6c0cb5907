package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.HostKernels;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.model.kernel.Nd4jKernels;
import io.mfstream.testing.UnitTest;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Two SGD steps of plain MF (k=2) computed by hand in double precision, in both embedding modes:
 * lazy touches only the batch's rows; dense also decays every other row and carries its momentum.
 */
@UnitTest
class OptimizerTest {
  private static final double LR = 0.05;
  private static final double MU = 0.9;
  private static final double WD = 1e-4;

  @ParameterizedTest
  @ValueSource(strings = {"host-lazy", "host-dense", "ops-lazy", "ops-dense"})
  void sgdShouldMatchHandComputedSteps(String variant) {
    boolean dense = variant.endsWith("dense");
    Kernels kernels = variant.startsWith("host") ? new HostKernels() : new Nd4jKernels();
    OptimizerConfig opt = OptimizerConfig.tutorial().withEmbeddings(
        dense ? OptimizerConfig.EmbeddingUpdates.DENSE : OptimizerConfig.EmbeddingUpdates.LAZY);
    ModelConfig cfg = ModelConfig.defaults(ModelType.PLAIN_MF).withFactors(2).withInitScale(0.5)
        .withDataType(kernels instanceof HostKernels ? DataType.FLOAT : DataType.DOUBLE);
    Trainer t = new Trainer(cfg, opt, 2, kernels);
    // Step 1 creates users a, b and items x, y; step 2 touches only a and x.
    List<Rating> step1 = List.of(new Rating("a", "x", 4f), new Rating("b", "y", 2f));
    List<Rating> step2 = List.of(new Rating("a", "x", 5f));

    // Expected, by hand. Initial values are captured after the rows exist.
    t.network().userRows(new String[] {"a", "b"}, 2, new int[2], true);
    t.network().itemRows(new String[] {"x", "y"}, 2, new int[2], true);
    ParamTable users = t.network().tables().get(0);
    ParamTable items = t.network().tables().get(1);
    double[][] u = {row(users, 0), row(users, 1)};
    double[][] v = {row(items, 0), row(items, 1)};
    double[][] mu = new double[2][2];
    double[][] mv = new double[2][2];

    // Step 1: batch of 2, both rows of each table touched once.
    double e0 = dot(u[0], v[0]) - 4;
    double e1 = dot(u[1], v[1]) - 2;
    double[][] gu = {scale(v[0], e0 / 2), scale(v[1], e1 / 2)};
    double[][] gv = {scale(u[0], e0 / 2), scale(u[1], e1 / 2)};
    for (int r = 0; r < 2; r++) {
      sgd(u[r], mu[r], gu[r]);
      sgd(v[r], mv[r], gv[r]);
    }
    // Step 2: batch of 1 touching a and x; b and y get a zero gradient (dense) or nothing (lazy).
    double e = dot(u[0], v[0]) - 5;
    double[] gu0 = scale(v[0], e);
    double[] gv0 = scale(u[0], e);
    sgd(u[0], mu[0], gu0);
    sgd(v[0], mv[0], gv0);
    if (dense) {
      sgd(u[1], mu[1], new double[2]);
      sgd(v[1], mv[1], new double[2]);
    }

    t.trainBatch(step1);
    t.trainBatch(step2);
    assertEquals(2, t.version());
    assertEquals(3, t.trained());
    double tol = cfg.dataType() == DataType.FLOAT ? 1e-6 : 1e-12;
    assertArrayEquals(u[0], row(users, 0), tol, "user a");
    assertArrayEquals(u[1], row(users, 1), tol, "user b");
    assertArrayEquals(v[0], row(items, 0), tol, "item x");
    assertArrayEquals(v[1], row(items, 1), tol, "item y");
  }

  @ParameterizedTest
  @ValueSource(strings = {"host", "ops"})
  void adamShouldMatchHandComputedStepsWithBiasCorrection(String variant) {
    Kernels kernels = variant.equals("host") ? new HostKernels() : new Nd4jKernels();
    double lr = 0.01;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-8;
    OptimizerConfig opt = OptimizerConfig.adam().withLearningRate(lr);
    ModelConfig cfg = ModelConfig.defaults(ModelType.PLAIN_MF).withFactors(2).withInitScale(0.5)
        .withDataType(kernels instanceof HostKernels ? DataType.FLOAT : DataType.DOUBLE);
    Trainer t = new Trainer(cfg, opt, 1, kernels);
    t.network().userRows(new String[] {"a"}, 1, new int[1], true);
    t.network().itemRows(new String[] {"x"}, 1, new int[1], true);
    ParamTable users = t.network().tables().get(0);
    ParamTable items = t.network().tables().get(1);
    double[] u = row(users, 0);
    double[] v = row(items, 0);
    double[][] m = new double[2][2];
    double[][] s = new double[2][2];
    float[] labels = {4f, 2f};
    for (int step = 1; step <= 2; step++) {
      double e = dot(u, v) - labels[step - 1];
      double[] gu = scale(v, e);
      double[] gv = scale(u, e);
      double lrT = lr * Math.sqrt(1 - Math.pow(b2, step)) / (1 - Math.pow(b1, step));
      adam(u, m[0], s[0], gu, lrT, b1, b2, eps);
      adam(v, m[1], s[1], gv, lrT, b1, b2, eps);
      t.trainBatch(List.of(new Rating("a", "x", labels[step - 1])));
    }
    double tol = cfg.dataType() == DataType.FLOAT ? 1e-6 : 1e-12;
    assertArrayEquals(u, row(users, 0), tol, "user a");
    assertArrayEquals(v, row(items, 0), tol, "item x");
  }

  /**
   * Two AdaGrad steps of biased MF (k=2) by hand: the embeddings take the rate and weight decay,
   * the user and item biases their own rate and decay, and each row's squared-gradient sum grows
   * only when the row is learned from.
   */
  @ParameterizedTest
  @ValueSource(strings = {"host", "ops"})
  void adagradShouldMatchHandComputedStepsWithItsOwnBiasRateAndDecay(String variant) {
    Kernels kernels = variant.equals("host") ? new HostKernels() : new Nd4jKernels();
    double lr = 0.05;
    double wd = 0.05;
    double biasLr = 0.3;
    double biasWd = 0.02;
    double eps = 1e-8;
    OptimizerConfig opt = OptimizerConfig.adagrad().withLearningRate(lr).withWeightDecay(wd)
        .withBiasLearningRate(biasLr).withBiasWeightDecay(biasWd);
    ModelConfig cfg = ModelConfig.defaults(ModelType.BIASED_MF).withFactors(2).withInitScale(0.5)
        .withDataType(kernels instanceof HostKernels ? DataType.FLOAT : DataType.DOUBLE);
    Trainer t = new Trainer(cfg, opt, 1, kernels);
    t.network().userRows(new String[] {"a", "b"}, 2, new int[2], true);
    t.network().itemRows(new String[] {"x"}, 1, new int[1], true);
    ParamTable users = t.network().userTables().get(0);
    ParamTable userBias = t.network().userTables().get(1);
    ParamTable items = t.network().itemTables().get(0);
    ParamTable itemBias = t.network().itemTables().get(1);
    double[][] u = {row(users, 0), row(users, 1)};
    double[] v = row(items, 0);
    double[] bu = {0, 0};
    double[] bi = {0};
    double[][] su = new double[2][2];
    double[] sv = new double[2];
    double[] sbu = new double[2];
    double[] sbi = new double[1];
    String[] user = {"a", "b"};
    float[] labels = {4f, 2f};
    double mean = 0;
    for (int step = 0; step < 2; step++) {
      int r = step;
      double e = mean + bu[r] + bi[0] + dot(u[r], v) - labels[step];
      double[] gu = scale(v, e);
      double[] gv = scale(u[r], e);
      adagrad(u[r], su[r], gu, lr, wd, eps);
      adagrad(v, sv, gv, lr, wd, eps);
      bu[r] = adagrad1(bu[r], sbu, r, e, biasLr, biasWd, eps);
      bi[0] = adagrad1(bi[0], sbi, 0, e, biasLr, biasWd, eps);
      t.trainBatch(List.of(new Rating(user[step], "x", labels[step])));
      mean = labels[0];
    }
    double tol = cfg.dataType() == DataType.FLOAT ? 1e-6 : 1e-12;
    assertArrayEquals(u[0], row(users, 0), tol, "user a");
    assertArrayEquals(u[1], row(users, 1), tol, "user b");
    assertArrayEquals(v, row(items, 0), tol, "item x");
    assertArrayEquals(bu, new double[] {row(userBias, 0)[0], row(userBias, 1)[0]}, tol, "biases");
    assertArrayEquals(bi, row(itemBias, 0), tol, "item bias");
  }

  private static void adagrad(double[] w, double[] s, double[] g, double lr, double wd,
      double eps) {
    for (int j = 0; j < w.length; j++) {
      double gj = g[j] + wd * w[j];
      s[j] += gj * gj;
      w[j] -= lr * gj / (Math.sqrt(s[j]) + eps);
    }
  }

  private static double adagrad1(double w, double[] s, int at, double g, double lr, double wd,
      double eps) {
    double gj = g + wd * w;
    s[at] += gj * gj;
    return w - lr * gj / (Math.sqrt(s[at]) + eps);
  }

  @org.junit.jupiter.api.Test
  void divergenceShouldStopTrainingAndKeepTheLastFiniteParameters() {
    ModelConfig cfg = ModelConfig.defaults(ModelType.PLAIN_MF).withFactors(4).withInitScale(1);
    Trainer t = new Trainer(cfg, OptimizerConfig.lazySgd().withLearningRate(50), 1);
    List<Rating> one = List.of(new Rating("a", "x", 5f));
    DivergedException e = org.junit.jupiter.api.Assertions.assertThrows(DivergedException.class,
        () -> {
          for (int i = 0; i < 1000; i++) {
            t.trainBatch(one);
          }
        });
    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("Lower the learning rate"));
    assertEquals(e.step() - 1, t.version(), "the diverged step is not applied");
    for (float f : t.network().tables().get(0).values().getRow(0).toFloatVector()) {
      org.junit.jupiter.api.Assertions.assertTrue(Float.isFinite(f), "parameters stay finite");
    }
  }

  private static void adam(double[] w, double[] m, double[] s, double[] g, double lrT, double b1,
      double b2, double eps) {
    for (int j = 0; j < w.length; j++) {
      double gj = g[j] + WD * w[j];
      m[j] = b1 * m[j] + (1 - b1) * gj;
      s[j] = b2 * s[j] + (1 - b2) * gj * gj;
      w[j] -= lrT * m[j] / (Math.sqrt(s[j]) + eps);
    }
  }

  private static void sgd(double[] w, double[] m, double[] g) {
    for (int j = 0; j < w.length; j++) {
      m[j] = MU * m[j] - LR * (g[j] + WD * w[j]);
      w[j] += m[j];
    }
  }

  private static double[] row(ParamTable t, int r) {
    return t.values().getRow(r).toDoubleVector();
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static double[] scale(double[] a, double f) {
    double[] o = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      o[i] = a[i] * f;
    }
    return o;
  }
}
