package io.mfstream.model.kernel;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link Kernels} for the CPU backend: plain loops over the float memory ND4J allocated, reached as
 * a direct {@link FloatBuffer}. No per-op dispatch cost, so a batch of 64 costs what its arithmetic
 * costs. Matrix products still go to ND4J (OpenBLAS). DOUBLE arrays (used only by gradient checks)
 * go to {@link Nd4jKernels}.
 *
 * <p>Callers must keep the arrays referenced (they are fields of the model): a FloatBuffer view
 * does not keep ND4J's memory alive.
 */
public final class HostKernels implements Kernels {
  private final Nd4jKernels ops = new Nd4jKernels();

  @Override
  public String name() {
    return "host-loops";
  }

  private static FloatBuffer buf(INDArray a) {
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("host kernels take FLOAT arrays, got " + a.dataType());
    }
    if (a.offset() != 0 || a.ordering() != 'c' || a.elementWiseStride() != 1) {
      throw new IllegalArgumentException("host kernels take contiguous c-order arrays at offset 0");
    }
    return a.data().asNioFloat();
  }

  private static int width(INDArray a) {
    return a.rank() == 1 ? 1 : (int) a.columns();
  }

  @Override
  public void gather(INDArray table, int[] rows, int n, INDArray out) {
    if (Nd4jKernels.isDouble(table)) {
      ops.gather(table, rows, n, out);
      return;
    }
    FloatBuffer t = buf(table);
    FloatBuffer o = buf(out);
    int w = width(table);
    for (int b = 0; b < n; b++) {
      o.put(b * w, t, rows[b] * w, w);
    }
  }

  @Override
  public void rowDot(INDArray a, INDArray c, int n, INDArray out) {
    if (Nd4jKernels.isDouble(a)) {
      ops.rowDot(a, c, n, out);
      return;
    }
    FloatBuffer fa = buf(a);
    FloatBuffer fc = buf(c);
    FloatBuffer o = buf(out);
    int w = width(a);
    for (int b = 0; b < n; b++) {
      o.put(b, dot(fa, fc, b * w, w));
    }
  }

  /** A dot product with four independent accumulators, so the adds pipeline. */
  static float dot(FloatBuffer x, FloatBuffer y, int off, int w) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int j = 0;
    for (; j + 3 < w; j += 4) {
      s0 += x.get(off + j) * y.get(off + j);
      s1 += x.get(off + j + 1) * y.get(off + j + 1);
      s2 += x.get(off + j + 2) * y.get(off + j + 2);
      s3 += x.get(off + j + 3) * y.get(off + j + 3);
    }
    for (; j < w; j++) {
      s0 += x.get(off + j) * y.get(off + j);
    }
    return (s0 + s1) + (s2 + s3);
  }

  @Override
  public void scaleRows(INDArray src, INDArray coef, int n, INDArray dst) {
    if (Nd4jKernels.isDouble(src)) {
      ops.scaleRows(src, coef, n, dst);
      return;
    }
    FloatBuffer s = buf(src);
    FloatBuffer k = buf(coef);
    FloatBuffer d = buf(dst);
    int w = width(src);
    for (int b = 0; b < n; b++) {
      float f = k.get(b);
      int off = b * w;
      for (int j = 0; j < w; j++) {
        d.put(off + j, f * s.get(off + j));
      }
    }
  }

  @Override
  public void segmentSum(INDArray src, int[] slots, int n, INDArray dst, int u) {
    if (Nd4jKernels.isDouble(src)) {
      ops.segmentSum(src, slots, n, dst, u);
      return;
    }
    FloatBuffer s = buf(src);
    FloatBuffer d = buf(dst);
    int w = width(src);
    for (int i = 0; i < u * w; i++) {
      d.put(i, 0f);
    }
    for (int b = 0; b < n; b++) {
      int so = b * w;
      int dof = slots[b] * w;
      for (int j = 0; j < w; j++) {
        d.put(dof + j, d.get(dof + j) + s.get(so + j));
      }
    }
  }

  @Override
  public void writeRows(INDArray table, int[] rows, int n, double[] values) {
    if (Nd4jKernels.isDouble(table)) {
      ops.writeRows(table, rows, n, values);
      return;
    }
    FloatBuffer t = buf(table);
    int w = width(table);
    for (int r = 0; r < n; r++) {
      int to = rows[r] * w;
      for (int j = 0; j < w; j++) {
        t.put(to + j, (float) values[r * w + j]);
      }
    }
  }

  @Override
  public void scatter(INDArray src, int[] rows, int u, INDArray table) {
    if (Nd4jKernels.isDouble(src)) {
      ops.scatter(src, rows, u, table);
      return;
    }
    FloatBuffer s = buf(src);
    FloatBuffer t = buf(table);
    int w = width(table);
    for (int r = 0; r < u; r++) {
      t.put(rows[r] * w, s, r * w, w);
    }
  }

  @Override
  public void download(INDArray src, int count, double[] out) {
    if (Nd4jKernels.isDouble(src)) {
      ops.download(src, count, out);
      return;
    }
    FloatBuffer s = buf(src);
    for (int i = 0; i < count; i++) {
      out[i] = s.get(i);
    }
  }

  @Override
  public void relu(INDArray src, int n, INDArray dst) {
    if (Nd4jKernels.isDouble(src)) {
      ops.relu(src, n, dst);
      return;
    }
    FloatBuffer s = buf(src);
    FloatBuffer d = buf(dst);
    int len = n * width(src);
    for (int i = 0; i < len; i++) {
      float x = s.get(i);
      d.put(i, x > 0 ? x : 0f);
    }
  }

  @Override
  public void reluBackward(INDArray grad, INDArray pre, int n, INDArray dst) {
    if (Nd4jKernels.isDouble(grad)) {
      ops.reluBackward(grad, pre, n, dst);
      return;
    }
    FloatBuffer g = buf(grad);
    FloatBuffer p = buf(pre);
    FloatBuffer d = buf(dst);
    int len = n * width(grad);
    for (int i = 0; i < len; i++) {
      d.put(i, p.get(i) > 0 ? g.get(i) : 0f);
    }
  }

  @Override
  public void addRowVector(INDArray x, INDArray bias, int n) {
    if (Nd4jKernels.isDouble(x)) {
      ops.addRowVector(x, bias, n);
      return;
    }
    FloatBuffer f = buf(x);
    FloatBuffer bb = buf(bias);
    int w = width(x);
    for (int b = 0; b < n; b++) {
      int off = b * w;
      for (int j = 0; j < w; j++) {
        f.put(off + j, f.get(off + j) + bb.get(j));
      }
    }
  }

  @Override
  public void columnSums(INDArray x, int n, INDArray out) {
    if (Nd4jKernels.isDouble(x)) {
      ops.columnSums(x, n, out);
      return;
    }
    FloatBuffer f = buf(x);
    FloatBuffer o = buf(out);
    int w = width(x);
    for (int j = 0; j < w; j++) {
      o.put(j, 0f);
    }
    for (int b = 0; b < n; b++) {
      int off = b * w;
      for (int j = 0; j < w; j++) {
        o.put(j, o.get(j) + f.get(off + j));
      }
    }
  }

  @Override
  public void multiply(INDArray x, INDArray mask, int n) {
    if (Nd4jKernels.isDouble(x)) {
      ops.multiply(x, mask, n);
      return;
    }
    FloatBuffer f = buf(x);
    FloatBuffer m = buf(mask);
    int len = n * width(x);
    for (int i = 0; i < len; i++) {
      f.put(i, f.get(i) * m.get(i));
    }
  }

  @Override
  public void upload(double[] values, INDArray dst) {
    if (Nd4jKernels.isDouble(dst)) {
      ops.upload(values, dst);
      return;
    }
    FloatBuffer d = buf(dst);
    for (int i = 0; i < values.length; i++) {
      d.put(i, (float) values[i]);
    }
  }

  @Override
  public void matmul(INDArray a, boolean transA, INDArray b, boolean transB, int n, INDArray c) {
    ops.matmul(a, transA, b, transB, n, c);
  }

  @Override
  public void momentumRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, double lr,
      double mu, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.momentumRows(w, v, rows, u, g, lr, mu, wd);
      return;
    }
    FloatBuffer fw = buf(w);
    FloatBuffer fv = buf(v);
    FloatBuffer fg = buf(g);
    int width = width(w);
    for (int r = 0; r < u; r++) {
      momentum(fw, fv, fg, rows[r] * width, r * width, width, (float) lr, (float) mu,
          (float) (lr * wd));
    }
  }

  @Override
  public void momentumDense(INDArray w, INDArray v, INDArray g, double lr, double mu, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.momentumDense(w, v, g, lr, mu, wd);
      return;
    }
    momentum(buf(w), buf(v), buf(g), 0, 0, (int) w.length(), (float) lr, (float) mu,
        (float) (lr * wd));
  }

  /** The same sequence of float operations as {@link Nd4jKernels#momentumDense}. */
  private static void momentum(FloatBuffer w, FloatBuffer v, FloatBuffer g, int wo, int go,
      int len, float lr, float mu, float lrWd) {
    for (int j = 0; j < len; j++) {
      float wj = w.get(wo + j);
      float vj = v.get(wo + j) * mu - g.get(go + j) * lr;
      if (lrWd != 0f) {
        vj -= wj * lrWd;
      }
      v.put(wo + j, vj);
      w.put(wo + j, wj + vj);
    }
  }

  @Override
  public void adamRows(INDArray w, INDArray m, INDArray s, int[] rows, int u, INDArray g,
      double lrT, double b1, double b2, double eps, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.adamRows(w, m, s, rows, u, g, lrT, b1, b2, eps, wd);
      return;
    }
    FloatBuffer fw = buf(w);
    FloatBuffer fm = buf(m);
    FloatBuffer fs = buf(s);
    FloatBuffer fg = buf(g);
    int width = width(w);
    for (int r = 0; r < u; r++) {
      adam(fw, fm, fs, fg, rows[r] * width, r * width, width, lrT, b1, b2, eps, wd);
    }
  }

  @Override
  public void adamDense(INDArray w, INDArray m, INDArray s, INDArray g, double lrT, double b1,
      double b2, double eps, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.adamDense(w, m, s, g, lrT, b1, b2, eps, wd);
      return;
    }
    adam(buf(w), buf(m), buf(s), buf(g), 0, 0, (int) w.length(), lrT, b1, b2, eps, wd);
  }

  private static void adam(FloatBuffer w, FloatBuffer m, FloatBuffer s, FloatBuffer g, int wo,
      int go, int len, double lrT, double b1, double b2, double eps, double wd) {
    float fb1 = (float) b1;
    float fb2 = (float) b2;
    float c1 = (float) (1 - b1);
    float c2 = (float) (1 - b2);
    float fwd = (float) wd;
    float feps = (float) eps;
    float flr = (float) lrT;
    for (int j = 0; j < len; j++) {
      float wj = w.get(wo + j);
      float gj = g.get(go + j);
      if (fwd != 0f) {
        gj += wj * fwd;
      }
      float mj = m.get(wo + j) * fb1 + gj * c1;
      float sj = s.get(wo + j) * fb2 + (gj * gj) * c2;
      m.put(wo + j, mj);
      s.put(wo + j, sj);
      w.put(wo + j, wj - (mj / ((float) Math.sqrt(sj) + feps)) * flr);
    }
  }
}
