package io.mfstream.model.kernel;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The row-level operations of a training step: gathers from and updates to rows of growable
 * embedding tables, the dot-product head, and the element-wise pieces around the dense layers.
 *
 * <p>Why an interface: measured on the 2-core CPU machines, every ND4J op costs 5-100 us whatever
 * its size, and a mini-batch of 64 ratings of plain MF is about 40 us of arithmetic. So on the CPU
 * backend ({@link HostKernels}) these operations are loops over the arrays' own host memory, while
 * on a device backend ({@link Nd4jKernels}) they are ND4J ops ({@code gather},
 * {@code unsorted_segment_sum}, {@code scatter_upd}, element-wise), which never touch device memory
 * from the host. Matrix products always go through ND4J (BLAS or cuBLAS). Both implementations are
 * tested against each other on the CPU.
 *
 * <p>Conventions: every array is contiguous, c-order and starts at offset 0 (a base
 * array or a leading-rows view of one), with rows of the given width, except the tables (the
 * {@code table}, {@code w}, {@code v}, {@code m}, {@code s} arguments of row operations), which
 * may be row-strided column views when {@link #interleavesRowState} says so;
 * batch matrices have a fixed capacity and {@code n} says how many leading rows are in use; vectors
 * are 1-D. Row index arrays are host {@code int[]}: they come from the vocabulary, which is host
 * data on every backend.
 */
public interface Kernels {

  /** Host loops on the CPU backend; ND4J ops on any other. */
  static Kernels forCurrentBackend() {
    return Nd4j.getEnvironment().isCPU() ? new HostKernels() : new Nd4jKernels();
  }

  /**
   * Like {@link #forCurrentBackend()}, for a network that keeps both of its sides on its trainer's
   * thread ({@link #forAnotherThread} null): where the cores are already busy with other trainers
   * and I/O, as in the streaming pipeline.
   */
  static Kernels forCurrentBackendOnOneThread() {
    return Nd4j.getEnvironment().isCPU() ? new HostKernels(true, false) : new Nd4jKernels();
  }

  /** Which implementation this is, for logs and benchmark reports. */
  String name();

  /**
   * Kernels of the same kind for work on another thread at the same time (a network's other
   * side): the same backend and layout, with scratch of their own. Null when these kernels are to
   * stay on one thread, as on a device backend, where the device is the parallelism.
   */
  default Kernels forAnotherThread() {
    return null;
  }

  /**
   * Whether embedding tables of this type should keep each row's optimiser state beside its
   * values in one array, so that tables reach these kernels as row-strided column views (row r
   * of a view at {@code offset + r * stride(0)}). The host kernels want it: a row update then
   * touches one memory page instead of two or three. ND4J ops take separate contiguous arrays.
   */
  default boolean interleavesRowState(DataType dataType) {
    return false;
  }

  /** {@code out[b] = table[rows[b]]} for b in [0, n). */
  void gather(INDArray table, int[] rows, int n, INDArray out);

  /** {@code out[b] = <a[b], c[b]>} for b in [0, n). */
  void rowDot(INDArray a, INDArray c, int n, INDArray out);

  /**
   * Segment sum: {@code dst[s] = sum of src[b] over b with slots[b] == s}, for s in [0, u); rows of
   * dst past u are left alone. Used to add up the gradients of a row that occurs several times in a
   * batch. Every slot in [0, u) occurs among the first n (as the batch de-duplication makes them),
   * in any order.
   */
  void segmentSum(INDArray src, int[] slots, int n, INDArray dst, int u);

  /**
   * Scaled segment sum: {@code dst[s] = sum of coef[b] * src[b] over b with slots[b] == s}, for s
   * in [0, u). The backward pass of the dot product straight into per-row gradients.
   */
  void scaledSegmentSum(INDArray src, INDArray coef, int[] slots, int n, INDArray dst, int u);

  /** {@code table[rows[r]] = values[r*width .. (r+1)*width)} for r in [0, n). */
  void writeRows(INDArray table, int[] rows, int n, double[] values);

  /** {@code table[rows[r]] = src[r]} for r in [0, u); the rows must be distinct. */
  void scatter(INDArray src, int[] rows, int u, INDArray table);

  /** Copies the first {@code count} cells (row-major) of an array to the host. */
  void download(INDArray src, int count, double[] out);

  /**
   * The MLP's input layer: {@code act[b] = max(0, table[rows[b]])} for b in [0, n). The rows
   * before the ReLU are not kept: ReLU's backward needs only where they were positive, which is
   * where {@code act} is.
   */
  void gatherRelu(INDArray table, int[] rows, int n, INDArray act);

  /**
   * The FC layer's bias and dropout: {@code x[b] = (x[b] + bias) * mask[b]} for b in [0, n), the
   * mask optional (null: no dropout).
   */
  void addBiasAndMask(INDArray x, INDArray bias, INDArray mask, int n);

  /**
   * The dot product's backward into one side's representation: {@code dst[b] = coef[b] * src[b]
   * * mask[b]} (mask optional), and, if {@code columnSums} is not null, the sum of the first n
   * rows of dst into it (the FC bias gradient).
   */
  void dotBackward(INDArray src, INDArray coef, INDArray mask, int n, INDArray dst,
      INDArray columnSums);

  /**
   * ReLU's backward straight into per-row gradients: {@code dst[s] = sum over b with
   * slots[b] == s of grad[b] * (act[b] > 0)}, for s in [0, u), where {@code act} is the ReLU's
   * output ({@code act > 0} exactly where its input was).
   */
  void reluBackwardSegmentSum(INDArray grad, INDArray act, int[] slots, int n, INDArray dst, int u);

  /** Copies host values into an array, row-major, filling its first {@code values.length} cells. */
  void upload(double[] values, INDArray dst);

  /**
   * {@code c[0..n) = op(a) * op(b)} where the first n rows of a batch matrix take part. With
   * {@code transA}, the product is {@code a[0..n)^T * b[0..n)} (the weight gradient), and c is a
   * full dense matrix.
   */
  void matmul(INDArray a, boolean transA, INDArray b, boolean transB, int n, INDArray c);

  /**
   * SGD with momentum and weight decay on some rows (MXNet's rule):
   * {@code v = mu*v - lr*(g + wd*w); w += v}, row {@code rows[r]} of w and v taking gradient
   * {@code g[r]}, for r in [0, u).
   */
  void momentumRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, double lr, double mu,
      double wd);

  /**
   * The momentum rule on every one of the first {@code total} rows (dense embedding updates): row
   * {@code rows[r]} takes gradient {@code g[r]} for r in [0, u), every other row a zero gradient.
   * The same results as writing the gradients into a zeroed full-size array and calling
   * {@link #momentumDense}, without that array.
   */
  void momentumAllRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, int total,
      double lr, double mu, double wd);

  /** The same rule on every cell of dense arrays of equal shape. */
  void momentumDense(INDArray w, INDArray v, INDArray g, double lr, double mu, double wd);

  /**
   * Adam on some rows, with L2 weight decay added to the gradient ({@code g' = g + wd*w}):
   * {@code m = b1*m + (1-b1)*g'; s = b2*s + (1-b2)*g'^2; w -= lrT * m / (sqrt(s) + eps)}, where
   * {@code lrT = lr * sqrt(1-b2^t) / (1-b1^t)} is the bias-corrected rate of step t.
   */
  void adamRows(INDArray w, INDArray m, INDArray s, int[] rows, int u, INDArray g, double lrT,
      double b1, double b2, double eps, double wd);

  /** The Adam rule on every cell of dense arrays of equal shape. */
  void adamDense(INDArray w, INDArray m, INDArray s, INDArray g, double lrT, double b1, double b2,
      double eps, double wd);

  /**
   * AdaGrad on some rows, with L2 weight decay added to the gradient ({@code g' = g + wd*w}):
   * {@code s += g'^2; w -= lr * g' / (sqrt(s) + eps)}, row {@code rows[r]} of w and s taking
   * gradient {@code g[r]}, for r in [0, u).
   */
  void adagradRows(INDArray w, INDArray s, int[] rows, int u, INDArray g, double lr, double eps,
      double wd);

  /** The AdaGrad rule on every cell of dense arrays of equal shape. */
  void adagradDense(INDArray w, INDArray s, INDArray g, double lr, double eps, double wd);
}
