package io.mfstream.model.kernel;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link Kernels} for the CPU backend: operands are staged from ND4J's memory into heap
 * {@code float[]} scratch with bulk copies (memcpy), computed on with plain loops the JIT
 * vectorises, and copied back. No per-op dispatch cost, so a batch of 64 costs what its arithmetic
 * costs. Matrix products go straight to OpenBLAS, the library ND4J's CPU backend uses. DOUBLE
 * arrays (used only by gradient checks) go to {@link Nd4jKernels}.
 *
 * <p>The loops that matter index every array with one index (staging puts the operands of an
 * element at the same position in each scratch array): only then does C2 vectorise them (see
 * {@code momentum()}).
 *
 * <p>Measured on this project's 2-core machines (64K-float multiply-add pass): element access
 * through a direct FloatBuffer 95-165 us, through Unsafe 46-62 us, on heap arrays 14-18 us; a bulk
 * copy costs a fraction of the heap pass. Hence staging.
 *
 * <p>Not thread-safe (the scratch arrays are per instance): one per network. Callers keep the
 * arrays referenced: a FloatBuffer view does not keep ND4J's memory alive.
 */
public final class HostKernels implements Kernels {
  static {
    // OpenBLAS on one thread. A network's two sides already run on two cores (MfNetwork), and
    // OpenBLAS's own worker threads, which spin while they wait, fought those: products beside a
    // busy second thread took 4-12x longer (docs/BENCHMARKS.md). One thread also makes a
    // product's bits independent of the machine's core count: OpenBLAS splits a product by its
    // number of threads, and the split changes the rounding.
    Nd4j.factory().blas().setMaxThreads(1);
  }

  private final Nd4jKernels ops = new Nd4jKernels();
  private float[] s0 = new float[0];
  private float[] s1 = new float[0];
  private float[] s2 = new float[0];
  private float[] row0 = new float[0];
  private float[] seg = new float[0];
  private float[] rowT = new float[0];

  // FloatBuffer views by (address, length): asNioFloat() costs ~350 ns (a JNI call), a lookup
  // a few. Open addressing, emptied when half full: a step uses some twenty arrays, and a
  // direct-mapped cache of them kept evicting colliding pairs (5% of a biased-MF step at batch
  // 64). A stale entry is harmless: it is used only for an array at that same address and
  // length, whose memory it then views.
  private static final int CACHE_BITS = 8;
  private static final int CACHE = 1 << CACHE_BITS;
  private final long[] cacheAddress = new long[CACHE];
  private final long[] cacheLength = new long[CACHE];
  private final FloatBuffer[] cacheBuffer = new FloatBuffer[CACHE];
  private int cached;

  private final boolean interleave;
  private final boolean otherThreads;

  /** Host kernels that keep row state beside row values (the default layout). */
  public HostKernels() {
    this(true);
  }

  /**
   * Host kernels; {@code interleave} false keeps optimiser state in arrays of its own, as on the
   * ND4J path (for benchmarks that compare the two layouts).
   */
  public HostKernels(boolean interleave) {
    this(interleave, true);
  }

  /**
   * Host kernels; {@code otherThreads} false keeps a network's two sides on its trainer's thread
   * ({@link #forAnotherThread} answers null), for benchmarks that compare the two.
   */
  public HostKernels(boolean interleave, boolean otherThreads) {
    this.interleave = interleave;
    this.otherThreads = otherThreads;
  }

  @Override
  public String name() {
    return (interleave ? "host-loops" : "host-loops separate-state")
        + (otherThreads ? "" : " one-thread");
  }

  @Override
  public Kernels forAnotherThread() {
    return otherThreads ? new HostKernels(interleave, true) : null;
  }

  private FloatBuffer buf(INDArray a) {
    requireFloat(a);
    if (a.offset() != 0 || !denseRowMajor(a)) {
      throw new IllegalArgumentException("host kernels take contiguous c-order arrays at offset 0");
    }
    return nio(a.data());
  }

  /**
   * A FloatBuffer over the whole memory under an array's data buffer, starting at its first
   * element: ND4J's views (column blocks, leading rows) share their base array's address, and
   * {@code asNioFloat()} of any of them covers the base. Cached by (address, length of the base).
   */
  private FloatBuffer nio(org.nd4j.linalg.api.buffer.DataBuffer data) {
    long address = data.address();
    long length = data.underlyingLength();
    // Fibonacci hashing: allocations share their low bits (alignment), so mix every bit in.
    int slot = (int) ((address * 0x9E3779B97F4A7C15L) >>> (64 - CACHE_BITS));
    for (FloatBuffer b; (b = cacheBuffer[slot]) != null; slot = (slot + 1) & (CACHE - 1)) {
      if (cacheAddress[slot] == address && cacheLength[slot] == length) {
        return b;
      }
    }
    if (cached == CACHE / 2) {
      java.util.Arrays.fill(cacheBuffer, null);
      cached = 0;
      return nio(data);
    }
    FloatBuffer b = data.asNioFloat();
    cacheBuffer[slot] = b;
    cacheAddress[slot] = address;
    cacheLength[slot] = length;
    cached++;
    return b;
  }

  /**
   * A table's memory: its whole backing buffer, where row r starts at
   * {@code first(t) + r * stride(t)}. Tables may be row-strided column views of an interleaved
   * backing array (see {@link #interleavesRowState}); within a row, elements are contiguous.
   */
  private FloatBuffer table(INDArray t) {
    requireFloat(t);
    if (t.rank() != 2 || (t.columns() > 1 && t.stride(1) != 1) || t.stride(0) < t.columns()) {
      throw new IllegalArgumentException("host kernels take tables as [rows, width] arrays whose"
          + " rows are contiguous; got shape " + java.util.Arrays.toString(t.shape())
          + " strides " + java.util.Arrays.toString(t.stride()));
    }
    return nio(t.data());
  }

  private static void requireFloat(INDArray a) {
    if (a.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException("host kernels take FLOAT arrays, got " + a.dataType());
    }
  }

  /** Where a table's row 0 starts in its backing buffer. */
  private static int first(INDArray t) {
    return (int) t.offset();
  }

  /** The distance between a table's rows in its backing buffer. */
  private static int stride(INDArray t) {
    return t.rows() == 1 ? (int) t.columns() : (int) t.stride(0);
  }

  @Override
  public boolean interleavesRowState(DataType dataType) {
    return interleave && dataType == DataType.FLOAT;
  }

  /** Strides are exactly those of a dense c-order array of this shape. */
  private static boolean denseRowMajor(INDArray a) {
    long expected = 1;
    for (int d = a.rank() - 1; d >= 0; d--) {
      if (a.size(d) > 1 && a.stride(d) != expected) {
        return false;
      }
      expected *= a.size(d);
    }
    return true;
  }

  private static int width(INDArray a) {
    return a.rank() == 1 ? 1 : (int) a.columns();
  }

  private static float[] grow(float[] a, int len) {
    return a.length >= len ? a : new float[Math.max(len, a.length * 2)];
  }

  /** Copies the first len floats of an array into heap scratch. */
  private float[] load(INDArray a, int len, float[] scratch) {
    buf(a).get(0, scratch, 0, len);
    return scratch;
  }

  private void store(float[] src, int len, INDArray a) {
    buf(a).put(0, src, 0, len);
  }

  /**
   * Every cell of a whole-array operand of the dense rules: a contiguous array, or the used rows
   * of an interleaved table (a row-strided view).
   */
  private float[] loadAll(INDArray a, int len, float[] scratch) {
    if (a.offset() == 0 && denseRowMajor(a)) {
      return load(a, len, scratch);
    }
    transferBlock(a, 0, (int) a.rows(), scratch, true);
    return scratch;
  }

  private void storeAll(float[] src, int len, INDArray a) {
    if (a.offset() == 0 && denseRowMajor(a)) {
      store(src, len, a);
      return;
    }
    transferBlock(a, 0, (int) a.rows(), src, false);
  }

  private static void checkRows(int[] rows, int n, INDArray table) {
    long limit = table.rows();
    for (int b = 0; b < n; b++) {
      if (rows[b] < 0 || rows[b] >= limit) {
        throw new IndexOutOfBoundsException("row " + rows[b] + " of a table of " + limit);
      }
    }
  }

  @Override
  public void gather(INDArray table, int[] rows, int n, INDArray out) {
    if (Nd4jKernels.isDouble(table)) {
      ops.gather(table, rows, n, out);
      return;
    }
    checkRows(rows, n, table);
    checkCapacity(out, n);
    FloatBuffer t = table(table);
    FloatBuffer o = buf(out);
    int w = width(table);
    int t0 = first(table);
    int ts = stride(table);
    if (w < NARROW) {
      for (int b = 0; b < n; b++) {
        for (int j = 0; j < w; j++) {
          o.put(b * w + j, t.get(t0 + rows[b] * ts + j));
        }
      }
      return;
    }
    for (int b = 0; b < n; b++) {
      o.put(b * w, t, t0 + rows[b] * ts, w);
    }
  }

  /**
   * Rows narrower than this (bias columns) are moved element by element: a bulk copy is a native
   * call, which costs more than a few bounds-checked loads.
   */
  private static final int NARROW = 8;

  private static void checkSameShape(INDArray a, INDArray b) {
    if (a.rows() != b.rows() || a.columns() != b.columns()) {
      throw new IllegalArgumentException("parameter and state shapes differ");
    }
  }

  private static void checkCapacity(INDArray batch, int n) {
    if (n > batch.rows()) {
      throw new IndexOutOfBoundsException(n + " rows into an array of " + batch.rows());
    }
  }

  @Override
  public void scatter(INDArray src, int[] rows, int u, INDArray table) {
    if (Nd4jKernels.isDouble(src)) {
      ops.scatter(src, rows, u, table);
      return;
    }
    checkRows(rows, u, table);
    checkCapacity(src, u);
    FloatBuffer s = buf(src);
    FloatBuffer t = table(table);
    int w = width(table);
    int t0 = first(table);
    int ts = stride(table);
    for (int r = 0; r < u; r++) {
      t.put(t0 + rows[r] * ts, s, r * w, w);
    }
  }

  @Override
  public void rowDot(INDArray a, INDArray c, int n, INDArray out) {
    if (Nd4jKernels.isDouble(a)) {
      ops.rowDot(a, c, n, out);
      return;
    }
    int w = width(a);
    int len = n * w;
    float[] x = load(a, len, s0 = grow(s0, len));
    float[] y = load(c, len, s1 = grow(s1, len));
    float[] d = s2 = grow(s2, n);
    // The products in one vectorised pass, then each row's sum.
    for (int i = 0; i < len; i++) {
      x[i] *= y[i];
    }
    for (int b = 0; b < n; b++) {
      d[b] = sum(x, b * w, w);
    }
    store(d, n, out);
  }

  /** A sum with four independent accumulators, so the adds pipeline. */
  private static float sum(float[] x, int off, int w) {
    float a0 = 0;
    float a1 = 0;
    float a2 = 0;
    float a3 = 0;
    int j = off;
    int end = off + w;
    for (; j + 3 < end; j += 4) {
      a0 += x[j];
      a1 += x[j + 1];
      a2 += x[j + 2];
      a3 += x[j + 3];
    }
    for (; j < end; j++) {
      a0 += x[j];
    }
    return (a0 + a1) + (a2 + a3);
  }

  @Override
  public void segmentSum(INDArray src, int[] slots, int n, INDArray dst, int u) {
    if (Nd4jKernels.isDouble(src)) {
      ops.segmentSum(src, slots, n, dst, u);
      return;
    }
    int w = width(src);
    int len = n * w;
    float[] s = load(src, len, s0 = grow(s0, len));
    for (int i = 0; i < len; i++) {
      s[i] = 0f + s[i];
    }
    storeSegments(s, slots, n, w, dst, u);
  }

  /**
   * The segment sum of ready per-rating rows: {@code dst[s] = sum of t[b] over b with slots[b] ==
   * s}, in order of b, each term already in the form {@code 0f + x} (so that a lone -0 sums to +0,
   * as into a zeroed row). When slots appear in order of first appearance (as the batch
   * de-duplication makes them), a first row is copied and only repeats are added; rows with no
   * repeats at all go out as they are.
   */
  private void storeSegments(float[] t, int[] slots, int n, int w, INDArray dst, int u) {
    boolean identity = u == n;
    for (int b = 0; identity && b < n; b++) {
      identity = slots[b] == b;
    }
    if (identity) {
      store(t, n * w, dst);
      return;
    }
    float[] d = seg = grow(seg, u * w);
    int next = 0;
    for (int b = 0; b < n; b++) {
      int slot = slots[b];
      if (slot == next) {
        if (w < NARROW) {
          for (int j = 0; j < w; j++) {
            d[slot * w + j] = t[b * w + j];
          }
        } else {
          System.arraycopy(t, b * w, d, slot * w, w);
        }
        next++;
      } else if (slot < next) {
        addRow(d, slot * w, t, b * w, w);
      } else {
        // A slot seen before a smaller one's first appearance: sum the general way.
        java.util.Arrays.fill(d, 0, u * w, 0f);
        for (int c = 0; c < n; c++) {
          addRow(d, slots[c] * w, t, c * w, w);
        }
        break;
      }
    }
    store(d, u * w, dst);
  }

  /** {@code d[dof..dof+w) += t[to..to+w)}; scalar (two offsets), so kept to repeated rows. */
  private static void addRow(float[] d, int dof, float[] t, int to, int w) {
    for (int j = 0; j < w; j++) {
      d[dof + j] += t[to + j];
    }
  }

  @Override
  public void scaledSegmentSum(INDArray src, INDArray coef, int[] slots, int n, INDArray dst,
      int u) {
    if (Nd4jKernels.isDouble(src)) {
      ops.scaledSegmentSum(src, coef, slots, n, dst, u);
      return;
    }
    int w = width(src);
    float[] s = load(src, n * w, s0 = grow(s0, n * w));
    float[] k = load(coef, n, s2 = grow(s2, n));
    for (int b = 0; b < n; b++) {
      float f = k[b];
      for (int j = b * w; j < (b + 1) * w; j++) {
        s[j] = 0f + f * s[j];
      }
    }
    storeSegments(s, slots, n, w, dst, u);
  }

  @Override
  public void writeRows(INDArray table, int[] rows, int n, double[] values) {
    if (Nd4jKernels.isDouble(table)) {
      ops.writeRows(table, rows, n, values);
      return;
    }
    checkRows(rows, n, table);
    FloatBuffer t = table(table);
    int w = width(table);
    int t0 = first(table);
    int ts = stride(table);
    float[] r = row0 = grow(row0, w);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < w; j++) {
        r[j] = (float) values[i * w + j];
      }
      t.put(t0 + rows[i] * ts, r, 0, w);
    }
  }

  @Override
  public void download(INDArray src, int count, double[] out) {
    if (Nd4jKernels.isDouble(src)) {
      ops.download(src, count, out);
      return;
    }
    float[] s = load(src, count, s0 = grow(s0, count));
    for (int i = 0; i < count; i++) {
      out[i] = s[i];
    }
  }

  @Override
  public void upload(double[] values, INDArray dst) {
    if (Nd4jKernels.isDouble(dst)) {
      ops.upload(values, dst);
      return;
    }
    float[] d = s0 = grow(s0, values.length);
    for (int i = 0; i < values.length; i++) {
      d[i] = (float) values[i];
    }
    store(d, values.length, dst);
  }

  @Override
  public void gatherRelu(INDArray table, int[] rows, int n, INDArray act) {
    if (Nd4jKernels.isDouble(table)) {
      ops.gatherRelu(table, rows, n, act);
      return;
    }
    checkRows(rows, n, table);
    FloatBuffer t = table(table);
    int w = width(table);
    int t0 = first(table);
    int ts = stride(table);
    int len = n * w;
    float[] e = s0 = grow(s0, len);
    float[] a = s1 = grow(s1, len);
    for (int b = 0; b < n; b++) {
      t.get(t0 + rows[b] * ts, e, b * w, w);
    }
    for (int i = 0; i < len; i++) {
      a[i] = Math.max(e[i], 0f);
    }
    store(a, len, act);
  }

  @Override
  public void addBiasAndMask(INDArray x, INDArray bias, INDArray mask, int n) {
    if (Nd4jKernels.isDouble(x)) {
      ops.addBiasAndMask(x, bias, mask, n);
      return;
    }
    int w = width(x);
    int len = n * w;
    float[] f = load(x, len, s0 = grow(s0, len));
    // The bias repeated on every row, so that the loops below take one index (see momentum()).
    float[] bb = load(bias, w, row0 = grow(row0, len));
    for (int filled = w; filled < len; filled *= 2) {
      System.arraycopy(bb, 0, bb, filled, Math.min(filled, len - filled));
    }
    if (mask == null) {
      for (int i = 0; i < len; i++) {
        f[i] += bb[i];
      }
    } else {
      float[] m = load(mask, len, s1 = grow(s1, len));
      for (int i = 0; i < len; i++) {
        f[i] = (f[i] + bb[i]) * m[i];
      }
    }
    store(f, len, x);
  }

  @Override
  public void dotBackward(INDArray src, INDArray coef, INDArray mask, int n, INDArray dst,
      INDArray columnSums) {
    if (Nd4jKernels.isDouble(src)) {
      ops.dotBackward(src, coef, mask, n, dst, columnSums);
      return;
    }
    int w = width(src);
    int len = n * w;
    float[] s = load(src, len, s0 = grow(s0, len));
    float[] k = load(coef, n, s2 = grow(s2, n));
    for (int b = 0; b < n; b++) {
      float f = k[b];
      int off = b * w;
      for (int j = off; j < off + w; j++) {
        s[j] *= f;
      }
    }
    if (mask != null) {
      float[] m = load(mask, len, s1 = grow(s1, len));
      for (int i = 0; i < len; i++) {
        s[i] *= m[i];
      }
    }
    if (columnSums != null) {
      // Row after row, in order; each row is first copied to the start of a scratch row, so
      // that the add takes one index and vectorises (see momentum()).
      float[] o = row0 = grow(row0, w);
      java.util.Arrays.fill(o, 0, w, 0f);
      float[] t = rowT = grow(rowT, w);
      for (int b = 0; b < n; b++) {
        System.arraycopy(s, b * w, t, 0, w);
        for (int j = 0; j < w; j++) {
          o[j] += t[j];
        }
      }
      store(o, w, columnSums);
    }
    store(s, len, dst);
  }

  @Override
  public void reluBackwardSegmentSum(INDArray grad, INDArray act, int[] slots, int n,
      INDArray dst, int u) {
    if (Nd4jKernels.isDouble(grad)) {
      ops.reluBackwardSegmentSum(grad, act, slots, n, dst, u);
      return;
    }
    int w = width(grad);
    int len = n * w;
    float[] g = load(grad, len, s0 = grow(s0, len));
    float[] a = load(act, len, s1 = grow(s1, len));
    for (int i = 0; i < len; i++) {
      g[i] = 0f + g[i] * reluGate(a[i]);
    }
    storeSegments(g, slots, n, w, dst, u);
  }

  /**
   * 1 when {@code a > 0}, else 0, in arithmetic the JIT vectorises (a comparison, a branch or bit
   * operations on the float's bits would keep the loop scalar): the smallest positive float times
   * 2^252 is 2^103, so every positive float scales to at least 1 and is clamped to 1; zero and
   * negatives clamp to 0. A NaN stays NaN, as in ND4J's {@code grad * gt(act, 0)}, where
   * {@code inf * 0} is NaN too; both happen only once training has diverged.
   */
  static float reluGate(float a) {
    return Math.min(Math.max(a * 0x1p126f * 0x1p126f, 0f), 1f);
  }

  /**
   * Straight to OpenBLAS's {@code cblas_sgemm} on ND4J's memory: measured here at 160 us for a
   * 1024x64x64 product, against 180-420 us through {@code Nd4j.gemm} (its matmul op's checks and
   * dispatch).
   */
  @Override
  public void matmul(INDArray a, boolean transA, INDArray b, boolean transB, int n, INDArray c) {
    if (Nd4jKernels.isDouble(a)) {
      ops.matmul(a, transA, b, transB, n, c);
      return;
    }
    int ka = (int) a.columns();
    int bRows = (int) b.rows();
    int bCols = (int) b.columns();
    if (transA) {
      // c[ka, bCols] = a[0..n)^T * b[0..n)
      if (transB || c.rows() != ka || c.columns() != bCols) {
        throw new IllegalArgumentException("matmul transA: shapes do not match");
      }
      openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasTrans,
          openblas_nolapack.CblasNoTrans, ka, bCols, n, 1f, buf(a), ka, buf(b), bCols, 0f, buf(c),
          bCols);
      return;
    }
    int outCols = transB ? bRows : bCols;
    int inner = transB ? bCols : bRows;
    if (inner != ka || c.columns() != outCols || c.rows() < n) {
      throw new IllegalArgumentException("matmul: shapes do not match");
    }
    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans,
        transB ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans, n, outCols, ka, 1f,
        buf(a), ka, buf(b), bCols, 0f, buf(c), outCols);
  }

  @Override
  public void momentumRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, double lr,
      double mu, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.momentumRows(w, v, rows, u, g, lr, mu, wd);
      return;
    }
    float flr = (float) lr;
    float fmu = (float) mu;
    float lrWd = (float) (lr * wd);
    updateRows(w, v, rows, u, g, (hw, hv, hg, from, to) -> momentum(hw, hv, hg, from, to, flr,
        fmu, lrWd));
  }

  /** An update rule of one state slot over cells {@code [from, to)} of w, its state and g. */
  @FunctionalInterface
  private interface OneSlotRule {
    void apply(float[] w, float[] state, float[] g, int from, int to);
  }

  /**
   * A one-slot rule on rows {@code rows[0..u)} of w and its state, row {@code rows[r]} taking
   * gradient {@code g[r]}.
   */
  private void updateRows(INDArray w, INDArray state, int[] rows, int u, INDArray g,
      OneSlotRule rule) {
    checkRows(rows, u, w);
    checkSameShape(w, state);
    int width = width(w);
    int len = u * width;
    float[] gg = load(g, len, s0 = grow(s0, len));
    // Row r of the update is staged at r * width in every scratch array, the gradient's own
    // position, so the rule runs with one index over all three (see momentum()).
    float[] hw = s1 = grow(s1, len);
    float[] hs = s2 = grow(s2, len);
    // In chunks of rows, three passes: every row in, the update over one contiguous block, every
    // row out. The copies in do not depend on each other, so their cache misses overlap; a chunk
    // stays small enough for the core's own caches.
    int chunk = Math.max(1, UPDATE_CHUNK / width);
    for (int start = 0; start < u; start += chunk) {
      int n = Math.min(u - start, chunk);
      transferRows(w, rows, start, n, hw, true);
      transferRows(state, rows, start, n, hs, true);
      rule.apply(hw, hs, gg, start * width, (start + n) * width);
      transferRows(w, rows, start, n, hw, false);
      transferRows(state, rows, start, n, hs, false);
    }
  }

  /** A one-slot rule on every cell of dense arrays of equal shape. */
  private void updateDense(INDArray w, INDArray state, INDArray g, OneSlotRule rule) {
    int len = (int) w.length();
    float[] hw = loadAll(w, len, s0 = grow(s0, len));
    float[] hs = loadAll(state, len, s1 = grow(s1, len));
    float[] hg = loadAll(g, len, s2 = grow(s2, len));
    rule.apply(hw, hs, hg, 0, len);
    storeAll(hw, len, w);
    storeAll(hs, len, state);
  }

  /** Floats per staged chunk of a row update: 64 rows of 64, 16 KB per array. */
  private static final int UPDATE_CHUNK = 4096;

  /**
   * Copies table rows {@code rows[start..start+n)} into {@code heap}, row {@code rows[i]} at
   * {@code i * width} ({@code load}), or back from it.
   */
  private void transferRows(INDArray t, int[] rows, int start, int n, float[] heap,
      boolean load) {
    FloatBuffer f = table(t);
    int width = width(t);
    int t0 = first(t);
    int ts = stride(t);
    for (int i = start; i < start + n; i++) {
      int off = t0 + rows[i] * ts;
      int h = i * width;
      if (width < NARROW) {
        for (int j = 0; j < width; j++) {
          if (load) {
            heap[h + j] = f.get(off + j);
          } else {
            f.put(off + j, heap[h + j]);
          }
        }
      } else if (load) {
        f.get(off, heap, h, width);
      } else {
        f.put(off, heap, h, width);
      }
    }
  }

  /** Copies {@code n} consecutive table rows from row {@code from} into {@code heap}, or back. */
  private void transferBlock(INDArray t, int from, int n, float[] heap, boolean load) {
    FloatBuffer f = table(t);
    int width = width(t);
    int ts = stride(t);
    int off = first(t) + from * ts;
    boolean contiguous = ts == width;
    int pieces = contiguous ? 1 : n;
    int len = contiguous ? n * width : width;
    for (int r = 0; r < pieces; r++) {
      if (load) {
        f.get(off + r * ts, heap, r * width, len);
      } else {
        f.put(off + r * ts, heap, r * width, len);
      }
    }
  }

  @Override
  public void momentumAllRows(INDArray w, INDArray v, int[] rows, int u, INDArray g, int total,
      double lr, double mu, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.momentumAllRows(w, v, rows, u, g, total, lr, mu, wd);
      return;
    }
    checkRows(rows, u, w);
    checkSameShape(w, v);
    if (total > w.rows()) {
      throw new IndexOutOfBoundsException(total + " rows of a table of " + w.rows());
    }
    int width = width(w);
    if (slotOfRow.length < total) {
      slotOfRow = new int[Math.max(total, slotOfRow.length * 2)];
    }
    java.util.Arrays.fill(slotOfRow, 0, total, -1);
    for (int r = 0; r < u; r++) {
      slotOfRow[rows[r]] = r;
    }
    float[] gg = load(g, u * width, s2 = grow(s2, u * width));
    int chunkRows = Math.max(1, CHUNK / width);
    float flr = (float) lr;
    float fmu = (float) mu;
    float lrWd = (float) (lr * wd);
    for (int start = 0; start < total; start += chunkRows) {
      int n = Math.min(chunkRows, total - start);
      int len = n * width;
      float[] hw = s0 = grow(s0, len);
      float[] hv = s1 = grow(s1, len);
      float[] hg = row0 = grow(row0, len);
      transferBlock(w, start, n, hw, true);
      transferBlock(v, start, n, hv, true);
      for (int i = 0; i < n; i++) {
        int slot = slotOfRow[start + i];
        if (slot < 0) {
          java.util.Arrays.fill(hg, i * width, (i + 1) * width, 0f);
        } else {
          System.arraycopy(gg, slot * width, hg, i * width, width);
        }
      }
      momentum(hw, hv, hg, 0, len, flr, fmu, lrWd);
      transferBlock(w, start, n, hw, false);
      transferBlock(v, start, n, hv, false);
    }
  }

  /** Floats per staged chunk when sweeping a whole table. */
  private static final int CHUNK = 1 << 16;
  private int[] slotOfRow = new int[0];

  @Override
  public void momentumDense(INDArray w, INDArray v, INDArray g, double lr, double mu, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.momentumDense(w, v, g, lr, mu, wd);
      return;
    }
    float flr = (float) lr;
    float fmu = (float) mu;
    float lrWd = (float) (lr * wd);
    updateDense(w, v, g, (hw, hv, hg, from, to) -> momentum(hw, hv, hg, from, to, flr, fmu,
        lrWd));
  }

  /**
   * The momentum rule on cells {@code [from, to)} of w, v and g: the same sequence of float
   * operations as {@link Nd4jKernels#momentumDense}.
   *
   * <p>One index for every array, on purpose, here and in every loop of this class that should be
   * fast: C2 (JDK 17) vectorises a loop only when it can rule out that a store to one array
   * overlaps a load from another in a later iteration, and with a different offset per array it
   * cannot (they might be one array), so such a loop stays scalar, 4-5x slower (measured here:
   * 0.13-0.49 ns against 0.58-2.33 ns per element; docs/BENCHMARKS.md).
   */
  private static void momentum(float[] w, float[] v, float[] g, int from, int to, float lr,
      float mu, float lrWd) {
    for (int j = from; j < to; j++) {
      float wj = w[j];
      float vj = v[j] * mu - g[j] * lr;
      vj -= wj * lrWd;
      v[j] = vj;
      w[j] = wj + vj;
    }
  }

  @Override
  public void adamRows(INDArray w, INDArray m, INDArray s, int[] rows, int u, INDArray g,
      double lrT, double b1, double b2, double eps, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.adamRows(w, m, s, rows, u, g, lrT, b1, b2, eps, wd);
      return;
    }
    checkRows(rows, u, w);
    checkSameShape(w, m);
    checkSameShape(w, s);
    int width = width(w);
    int len = u * width;
    float[] gg = load(g, len, s0 = grow(s0, len));
    int chunk = Math.max(1, UPDATE_CHUNK / width);
    float[] hw = s1 = grow(s1, len);
    float[] hm = s2 = grow(s2, len);
    float[] hs = row0 = grow(row0, len);
    for (int start = 0; start < u; start += chunk) {
      int n = Math.min(u - start, chunk);
      transferRows(w, rows, start, n, hw, true);
      transferRows(m, rows, start, n, hm, true);
      transferRows(s, rows, start, n, hs, true);
      adam(hw, hm, hs, gg, start * width, (start + n) * width, lrT, b1, b2, eps, wd);
      transferRows(w, rows, start, n, hw, false);
      transferRows(m, rows, start, n, hm, false);
      transferRows(s, rows, start, n, hs, false);
    }
  }

  @Override
  public void adamDense(INDArray w, INDArray m, INDArray s, INDArray g, double lrT, double b1,
      double b2, double eps, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.adamDense(w, m, s, g, lrT, b1, b2, eps, wd);
      return;
    }
    int len = (int) w.length();
    float[] hw = loadAll(w, len, s0 = grow(s0, len));
    float[] hm = loadAll(m, len, s1 = grow(s1, len));
    float[] hs = loadAll(s, len, s2 = grow(s2, len));
    float[] hg = loadAll(g, len, row0 = grow(row0, len));
    adam(hw, hm, hs, hg, 0, len, lrT, b1, b2, eps, wd);
    storeAll(hw, len, w);
    storeAll(hm, len, m);
    storeAll(hs, len, s);
  }

  /** The Adam rule on cells {@code [from, to)} of every array (one index: see momentum()). */
  private static void adam(float[] w, float[] m, float[] s, float[] g, int from, int to,
      double lrT, double b1, double b2, double eps, double wd) {
    float fb1 = (float) b1;
    float fb2 = (float) b2;
    float c1 = (float) (1 - b1);
    float c2 = (float) (1 - b2);
    float fwd = (float) wd;
    float feps = (float) eps;
    float flr = (float) lrT;
    for (int j = from; j < to; j++) {
      float wj = w[j];
      float gj = g[j] + wj * fwd;
      float mj = m[j] * fb1 + gj * c1;
      float sj = s[j] * fb2 + (gj * gj) * c2;
      m[j] = mj;
      s[j] = sj;
      w[j] = wj - (mj / ((float) Math.sqrt(sj) + feps)) * flr;
    }
  }

  @Override
  public void adagradRows(INDArray w, INDArray s, int[] rows, int u, INDArray g, double lr,
      double eps, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.adagradRows(w, s, rows, u, g, lr, eps, wd);
      return;
    }
    updateRows(w, s, rows, u, g, (hw, hs, hg, from, to) -> adagrad(hw, hs, hg, from, to, lr, eps,
        wd));
  }

  @Override
  public void adagradDense(INDArray w, INDArray s, INDArray g, double lr, double eps, double wd) {
    if (Nd4jKernels.isDouble(w)) {
      ops.adagradDense(w, s, g, lr, eps, wd);
      return;
    }
    updateDense(w, s, g, (hw, hs, hg, from, to) -> adagrad(hw, hs, hg, from, to, lr, eps, wd));
  }

  /**
   * The AdaGrad rule on cells {@code [from, to)} of every array (one index: see momentum()): the
   * same sequence of float operations as {@link Nd4jKernels#adagradDense}.
   */
  private static void adagrad(float[] w, float[] s, float[] g, int from, int to, double lr,
      double eps, double wd) {
    float fwd = (float) wd;
    float feps = (float) eps;
    float flr = (float) lr;
    for (int j = from; j < to; j++) {
      float wj = w[j];
      float gj = g[j] + wj * fwd;
      float sj = s[j] + gj * gj;
      s[j] = sj;
      w[j] = wj - (gj / ((float) Math.sqrt(sj) + feps)) * flr;
    }
  }
}
