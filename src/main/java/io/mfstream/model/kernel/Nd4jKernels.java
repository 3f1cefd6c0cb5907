package io.mfstream.model.kernel;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link Kernels} as ND4J ops only: correct on every backend, the CUDA one included, because no
 * host code ever reads or writes array memory. Row indexes go to the device as small INT32 arrays.
 * Also the reference the host kernels are tested against, and the path for DOUBLE arrays (gradient
 * checks).
 */
public final class Nd4jKernels implements Kernels {

  @Override
  public String name() {
    return "nd4j-ops";
  }

  static INDArray head(INDArray a, int n) {
    if (a.rank() == 1) {
      return n == a.length() ? a : a.get(NDArrayIndex.interval(0, n));
    }
    return n == a.rows() ? a : a.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
  }

  static INDArray index(int[] rows, int n) {
    return Nd4j.createFromArray(n == rows.length ? rows : Arrays.copyOf(rows, n));
  }

  /**
   * Runs a custom op. Views go in as dense copies, and a view as output is written through a
   * fresh array assigned to it afterwards, so no op depends on how libnd4j handles strided or
   * offset arguments; in-place ops (output = first input, a whole table) run directly.
   */
  private static void exec(String op, INDArray[] in, INDArray out, int... iArgs) {
    INDArray[] inputs = new INDArray[in.length];
    for (int i = 0; i < in.length; i++) {
      inputs[i] = in[i].isView() && in[i] != out ? in[i].dup('c') : in[i];
    }
    // In-place ops (scatter into a table) write their first input; a whole array is written
    // directly; only a view as output goes through a fresh array.
    boolean direct = out == in[0] || !out.isView();
    INDArray target = direct ? out : Nd4j.create(out.dataType(), out.shape());
    Nd4j.exec(DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(target)
        .addIntegerArguments(iArgs).build());
    if (!direct) {
      out.assign(target);
    }
  }

  private static INDArray gatherRows(INDArray table, INDArray idx, int n) {
    INDArray out = Nd4j.create(table.dataType(), n, table.columns());
    exec("gather", new INDArray[] {table, idx}, out, 0);
    return out;
  }

  private static void scatterRows(INDArray table, INDArray idx, INDArray updates) {
    exec("scatter_upd", new INDArray[] {table, idx, updates}, table);
  }

  @Override
  public void gather(INDArray table, int[] rows, int n, INDArray out) {
    if (n == 0) {
      return;
    }
    exec("gather", new INDArray[] {table, index(rows, n)}, head(out, n), 0);
  }

  @Override
  public void rowDot(INDArray a, INDArray c, int n, INDArray out) {
    if (n == 0) {
      return;
    }
    INDArray prod = head(a, n).mul(head(c, n));
    prod.sum(head(out, n), 1);
  }

  @Override
  public void segmentSum(INDArray src, int[] slots, int n, INDArray dst, int u) {
    if (u == 0) {
      return;
    }
    if (n == 1) {
      // libnd4j 1.0.0-M2.1's unsorted_segment_sum keeps only the first element of a [1, w] input
      // (KernelsAgreementTest pins this); one row's segment sum is that row.
      head(dst, 1).assign(head(src, 1));
      return;
    }
    exec("unsorted_segment_sum", new INDArray[] {head(src, n), index(slots, n)}, head(dst, u), u);
  }

  @Override
  public void scaledSegmentSum(INDArray src, INDArray coef, int[] slots, int n, INDArray dst,
      int u) {
    if (u == 0) {
      return;
    }
    INDArray scaled = Nd4j.create(src.dataType(), n, src.columns());
    Nd4j.exec(new BroadcastMulOp(head(src, n), head(coef, n), scaled, 0));
    segmentSum(scaled, slots, n, dst, u);
  }

  @Override
  public void writeRows(INDArray table, int[] rows, int n, double[] values) {
    if (n == 0) {
      return;
    }
    int w = (int) table.columns();
    INDArray updates = Nd4j.create(Arrays.copyOf(values, n * w), new long[] {n, w}, 'c')
        .castTo(table.dataType());
    scatterRows(table, index(rows, n), updates);
  }

  @Override
  public void scatter(INDArray src, int[] rows, int u, INDArray table) {
    if (u == 0) {
      return;
    }
    scatterRows(table, index(rows, u), head(src, u));
  }

  @Override
  public void download(INDArray src, int count, double[] out) {
    INDArray flat = src.reshape(src.length()).get(NDArrayIndex.interval(0, count));
    double[] v = flat.toDoubleVector();
    System.arraycopy(v, 0, out, 0, count);
  }

  @Override
  public void gatherRelu(INDArray table, int[] rows, int n, INDArray act) {
    gather(table, rows, n, act);
    Transforms.relu(head(act, n), false);
  }

  @Override
  public void addBiasAndMask(INDArray x, INDArray bias, INDArray mask, int n) {
    INDArray h = head(x, n);
    h.addiRowVector(bias);
    if (mask != null) {
      h.muli(head(mask, n));
    }
  }

  @Override
  public void dotBackward(INDArray src, INDArray coef, INDArray mask, int n, INDArray dst,
      INDArray columnSums) {
    INDArray d = head(dst, n);
    Nd4j.exec(new BroadcastMulOp(head(src, n), head(coef, n), d, 0));
    if (mask != null) {
      d.muli(head(mask, n));
    }
    if (columnSums != null) {
      d.sum(columnSums, 0);
    }
  }

  @Override
  public void reluBackwardSegmentSum(INDArray grad, INDArray act, int[] slots, int n,
      INDArray dst, int u) {
    INDArray keep = head(act, n).gt(0).castTo(grad.dataType());
    segmentSum(head(grad, n).mul(keep), slots, n, dst, u);
  }

  @Override
  public void upload(double[] values, INDArray dst) {
    INDArray src = Nd4j.createFromArray(values).castTo(dst.dataType());
    INDArray flat = dst.reshape(dst.length());
    flat.get(NDArrayIndex.interval(0, values.length)).assign(src);
  }

  @Override
  public void matmul(INDArray a, boolean transA, INDArray b, boolean transB, int n, INDArray c) {
    if (transA) {
      Nd4j.gemm(head(a, n), head(b, n), c, true, transB, 1.0, 0.0);
    } else {
      Nd4j.gemm(head(a, n), b, head(c, n), false, transB, 1.0, 0.0);
    }
  }

  @Override
  public void momentumRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, double lr,
      double mu, double wd) {
    updateRows(rows, u, g, (t, grad) -> momentumDense(t[0], t[1], grad, lr, mu, wd), w, v);
  }

  /** A dense rule on the gathered rows of a table and its state arrays. */
  @FunctionalInterface
  private interface GatheredRule {
    void apply(INDArray[] gathered, INDArray grad);
  }

  /**
   * Gathers rows {@code rows[0..u)} of every table (the values, then the state slots), applies the
   * dense rule with the batch's gradient, and scatters them back.
   */
  private void updateRows(int[] rows, int u, INDArray g, GatheredRule rule, INDArray... tables) {
    if (u == 0) {
      return;
    }
    INDArray idx = index(rows, u);
    INDArray[] gathered = new INDArray[tables.length];
    for (int t = 0; t < tables.length; t++) {
      gathered[t] = gatherRows(tables[t], idx, u);
    }
    rule.apply(gathered, head(g, u));
    for (int t = 0; t < tables.length; t++) {
      scatterRows(tables[t], idx, gathered[t]);
    }
  }

  @Override
  public void momentumAllRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, int total,
      double lr, double mu, double wd) {
    if (total == 0) {
      return;
    }
    INDArray full = Nd4j.create(w.dataType(), w.rows(), w.columns());
    scatter(g, rows, u, full);
    momentumDense(head(w, total), head(v, total), head(full, total), lr, mu, wd);
  }

  @Override
  public void momentumDense(INDArray w, INDArray v, INDArray g, double lr, double mu, double wd) {
    // v = mu*v - lr*g - lr*wd*w ; w += v
    v.muli(mu).subi(g.mul(lr));
    if (wd != 0) {
      v.subi(w.mul(lr * wd));
    }
    w.addi(v);
  }

  @Override
  public void adamRows(INDArray w, INDArray m, INDArray s, int[] rows, int u, INDArray g,
      double lrT, double b1, double b2, double eps, double wd) {
    updateRows(rows, u, g, (t, grad) -> adamDense(t[0], t[1], t[2], grad, lrT, b1, b2, eps, wd),
        w, m, s);
  }

  @Override
  public void adamDense(INDArray w, INDArray m, INDArray s, INDArray g, double lrT, double b1,
      double b2, double eps, double wd) {
    INDArray gd = wd != 0 ? g.add(w.mul(wd)) : g.dup();
    m.muli(b1).addi(gd.mul(1 - b1));
    s.muli(b2).addi(gd.muli(gd).muli(1 - b2));
    INDArray denom = Transforms.sqrt(s, true).addi(eps);
    w.subi(m.div(denom).muli(lrT));
  }

  @Override
  public void adagradRows(INDArray w, INDArray s, int[] rows, int u, INDArray g, double lr,
      double eps, double wd) {
    updateRows(rows, u, g, (t, grad) -> adagradDense(t[0], t[1], grad, lr, eps, wd), w, s);
  }

  @Override
  public void adagradDense(INDArray w, INDArray s, INDArray g, double lr, double eps, double wd) {
    INDArray gd = wd != 0 ? g.add(w.mul(wd)) : g.dup();
    s.addi(gd.mul(gd));
    INDArray denom = Transforms.sqrt(s, true).addi(eps);
    w.subi(gd.divi(denom).muli(lr));
  }

  static boolean isDouble(INDArray a) {
    return a.dataType() == DataType.DOUBLE;
  }
}
