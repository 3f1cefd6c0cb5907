package io.mfstream.model.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.testing.UnitTest;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every kernel, host loops against ND4J ops, on one row, some rows and all rows of a batch
 * capacity: the leading-rows views the ND4J path uses are where it can go wrong.
 */
@UnitTest
class KernelsAgreementTest {
  private static final int CAP = 6;
  private static final int W = 5;
  private static final int[] ROWS = {4, 1, 7, 1, 0, 9};
  private static final int[] SLOTS = {0, 1, 2, 1, 3, 4};

  private static INDArray rand(long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
  }

  private void agree(String what, int n, long[] outShape, BiConsumer<Kernels, INDArray> op) {
    INDArray hostOut = rand(99, outShape);
    INDArray opsOut = hostOut.dup();
    op.accept(new HostKernels(), hostOut);
    op.accept(new Nd4jKernels(), opsOut);
    assertArrayEquals(hostOut.dup().data().asFloat(), opsOut.dup().data().asFloat(), 1e-6f,
        what + " n=" + n);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 3, CAP})
  void hostAndNd4jKernelsShouldAgree(int n) {
    INDArray table = rand(1, 10, W);
    INDArray a = rand(2, CAP, W);
    INDArray c = rand(3, CAP, W);
    INDArray coef = rand(4, CAP);
    INDArray bias = rand(5, W);
    INDArray col = rand(6, CAP, 1);
    int u = 0;
    for (int b = 0; b < n; b++) {
      u = Math.max(u, SLOTS[b] + 1);
    }
    final int uniq = u;
    agree("gather", n, new long[] {CAP, W}, (k, out) -> k.gather(table, ROWS, n, out));
    agree("rowDot", n, new long[] {CAP}, (k, out) -> k.rowDot(a, c, n, out));
    agree("scaledSegmentSum", n, new long[] {CAP, W},
        (k, out) -> k.scaledSegmentSum(a, coef, SLOTS, n, out, uniq));
    agree("segmentSum", n, new long[] {CAP, W}, (k, out) -> k.segmentSum(a, SLOTS, n, out, uniq));
    agree("segmentSum width 1", n, new long[] {CAP, 1},
        (k, out) -> k.segmentSum(col, SLOTS, n, out, uniq));
    agree("gatherRelu", n, new long[] {CAP, W}, (k, out) -> k.gatherRelu(table, ROWS, n, out));
    agree("addBiasAndMask", n, new long[] {CAP, W}, (k, out) -> {
      out.assign(a);
      k.addBiasAndMask(out, bias, null, n);
    });
    agree("addBiasAndMask with mask", n, new long[] {CAP, W}, (k, out) -> {
      out.assign(a);
      k.addBiasAndMask(out, bias, c, n);
    });
    agree("dotBackward", n, new long[] {CAP, W}, (k, out) -> k.dotBackward(a, coef, null, n, out,
        null));
    agree("dotBackward with mask", n, new long[] {CAP, W}, (k, out) -> k.dotBackward(a, coef, c, n,
        out, Nd4j.create(DataType.FLOAT, W)));
    agree("dotBackward column sums", n, new long[] {W}, (k, out) -> k.dotBackward(a, coef, c, n,
        Nd4j.create(DataType.FLOAT, CAP, W), out));
    agree("reluBackwardSegmentSum", n, new long[] {CAP, W},
        (k, out) -> k.reluBackwardSegmentSum(c, a, SLOTS, n, out, uniq));
    if (n == CAP) {
      // Slots out of first-appearance order (the host kernels assign a slot's first row).
      int[] shuffled = {3, 1, 3, 0, 2, 1};
      agree("scaledSegmentSum, slots in any order", n, new long[] {CAP, W},
          (k, out) -> k.scaledSegmentSum(a, coef, shuffled, n, out, 4));
      agree("reluBackwardSegmentSum, slots in any order", n, new long[] {CAP, W},
          (k, out) -> k.reluBackwardSegmentSum(c, a, shuffled, n, out, 4));
    }
    agree("matmul", n, new long[] {CAP, W}, (k, out) -> k.matmul(a, false, rand(7, W, W), false,
        n, out));
    agree("matmul transA", n, new long[] {W, W}, (k, out) -> k.matmul(a, true, c, false, n, out));
    agree("matmul transB", n, new long[] {CAP, W}, (k, out) -> k.matmul(a, false, rand(8, W, W),
        true, n, out));
    agree("scatter", n, new long[] {10, W}, (k, out) -> k.scatter(a, new int[] {3, 8, 0, 5, 6, 2},
        n, out));
    agree("writeRows", n, new long[] {10, W}, (k, out) -> k.writeRows(out, ROWS, 1,
        new double[] {1, 2, 3, 4, 5}));
    agree("momentumRows", n, new long[] {10, W}, (k, w) -> {
      INDArray v = rand(9, 10, W);
      k.momentumRows(w, v, new int[] {3, 8, 0, 5, 6, 2}, n, a, 0.05, 0.9, 1e-2);
    });
    agree("momentumAllRows", n, new long[] {10, W}, (k, w) -> {
      INDArray v = rand(9, 10, W);
      k.momentumAllRows(w, v, new int[] {3, 8, 0, 5, 6, 2}, n, a, 9, 0.05, 0.9, 1e-2);
    });
    agree("adamRows", n, new long[] {10, W}, (k, w) -> {
      INDArray m = rand(10, 10, W);
      INDArray s = rand(11, 10, W).muli(0).addi(0.3);
      k.adamRows(w, m, s, new int[] {3, 8, 0, 5, 6, 2}, n, a, 0.01, 0.9, 0.999, 1e-8, 1e-2);
    });
    agree("adagradRows", n, new long[] {10, W}, (k, w) -> {
      INDArray s = rand(11, 10, W).muli(0).addi(0.3);
      k.adagradRows(w, s, new int[] {3, 8, 0, 5, 6, 2}, n, a, 0.05, 1e-8, 1e-2);
    });
    agree("adagradDense", n, new long[] {CAP, W}, (k, w) -> {
      w.assign(c);
      INDArray s = rand(12, CAP, W).muli(0).addi(0.2);
      k.adagradDense(w, s, a, 0.05, 1e-8, 1e-2);
    });
    agree("download+upload", n, new long[] {CAP, 1}, (k, out) -> {
      double[] host = new double[CAP];
      k.download(col, CAP, host);
      k.upload(host, out);
    });
  }

  /**
   * Tables whose rows carry their optimiser state beside them (the host layout): the host kernels
   * on column views of one interleaved array must do what ND4J ops do on separate arrays, for
   * embedding rows and for width-1 bias columns, and leave every other cell alone.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, W})
  void hostKernelsOnInterleavedTablesShouldMatchNd4jOnSeparateArrays(int width) {
    int[] rows = {3, 8, 0, 5, 6, 2};
    INDArray g = rand(2, CAP, width);
    int n = CAP;
    interleaved("gather", width, 0, (k, t) -> {
      INDArray out = Nd4j.create(DataType.FLOAT, CAP, width);
      k.gather(t[0], ROWS, n, out);
      return out;
    });
    interleaved("gatherRelu", width, 0, (k, t) -> {
      INDArray act = Nd4j.create(DataType.FLOAT, CAP, width);
      k.gatherRelu(t[0], ROWS, n, act);
      return act;
    });
    interleaved("scatter", width, 1, (k, t) -> {
      k.scatter(g, rows, n, t[0]);
      return null;
    });
    interleaved("writeRows", width, 1, (k, t) -> {
      double[] values = new double[2 * width];
      for (int i = 0; i < values.length; i++) {
        values[i] = i + 1;
      }
      k.writeRows(t[0], new int[] {7, 1}, 2, values);
      return null;
    });
    interleaved("momentumRows", width, 1, (k, t) -> {
      k.momentumRows(t[0], t[1], rows, n, g, 0.05, 0.9, 1e-2);
      return null;
    });
    interleaved("momentumAllRows", width, 1, (k, t) -> {
      k.momentumAllRows(t[0], t[1], rows, n, g, 9, 0.05, 0.9, 1e-2);
      return null;
    });
    interleaved("adagradRows", width, 1, (k, t) -> {
      t[1].assign(t[1].mul(t[1]).addi(0.1));
      k.adagradRows(t[0], t[1], rows, n, g, 0.05, 1e-8, 1e-2);
      return null;
    });
    interleaved("adamRows", width, 2, (k, t) -> {
      t[2].assign(t[2].mul(t[2]).addi(0.1));
      k.adamRows(t[0], t[1], t[2], rows, n, g, 0.01, 0.9, 0.999, 1e-8, 1e-2);
      return null;
    });
  }

  private interface TableOp {
    /** Runs on tables {@code t} (values, then state slots); returns an output to compare, or null. */
    INDArray run(Kernels k, INDArray[] t);
  }

  /** The values and state slots of an interleaved backing array, as column views. */
  private static INDArray[] columnBlocks(INDArray backing, int width, int slots) {
    INDArray[] views = new INDArray[1 + slots];
    for (int s = 0; s <= slots; s++) {
      views[s] = backing.get(NDArrayIndex.all(), NDArrayIndex.interval((long) s * width,
          (long) (s + 1) * width));
    }
    return views;
  }

  /** Separate contiguous copies (the ND4J-ops layout). */
  private static INDArray[] copies(INDArray[] views) {
    INDArray[] out = new INDArray[views.length];
    for (int s = 0; s < views.length; s++) {
      out[s] = views[s].dup('c');
    }
    return out;
  }

  private void interleaved(String what, int width, int slots, TableOp op) {
    INDArray backing = rand(21, 10, (long) width * (1 + slots));
    INDArray untouched = backing.dup();
    INDArray[] views = columnBlocks(backing, width, slots);
    INDArray[] separate = copies(views);
    INDArray hostOut = op.run(new HostKernels(), views);
    INDArray opsOut = op.run(new Nd4jKernels(), separate);
    for (int s = 0; s <= slots; s++) {
      assertArrayEquals(separate[s].dup().data().asFloat(), views[s].dup().data().asFloat(), 1e-6f,
          what + " width " + width + " slot " + s);
    }
    if (hostOut != null) {
      assertArrayEquals(opsOut.dup().data().asFloat(), hostOut.dup().data().asFloat(), 1e-6f,
          what + " width " + width + " output");
      assertArrayEquals(untouched.data().asFloat(), backing.dup().data().asFloat(), 0f,
          what + " width " + width + " must not write its table");
    }
  }

  /**
   * Row updates over many chunks of rows (the host kernels stage 64 rows of 64 at a time): every
   * touched row, in every chunk, must get its own gradient and state, on the interleaved layout.
   */
  @Test
  void rowUpdatesOverSeveralChunksShouldMatchNd4j() {
    int width = 64;
    int tableRows = 400;
    int u = 150;
    int[] rows = new int[u];
    for (int r = 0; r < u; r++) {
      rows[r] = (r * 7 + 3) % tableRows;
    }
    INDArray g = rand(31, u, width);
    for (int slots = 1; slots <= 2; slots++) {
      INDArray backing = rand(32, tableRows, (long) width * (1 + slots));
      if (slots == 2) {
        // Adam's second moment must be positive.
        backing.get(NDArrayIndex.all(), NDArrayIndex.interval((long) 2 * width, 3L * width))
            .assign(0.2);
      }
      INDArray[] views = columnBlocks(backing, width, slots);
      INDArray[] separate = copies(views);
      for (Kernels k : new Kernels[] {new HostKernels(), new Nd4jKernels()}) {
        INDArray[] t = k instanceof HostKernels ? views : separate;
        if (slots == 1) {
          k.momentumRows(t[0], t[1], rows, u, g, 0.05, 0.9, 1e-2);
        } else {
          k.adamRows(t[0], t[1], t[2], rows, u, g, 0.01, 0.9, 0.999, 1e-8, 1e-2);
        }
      }
      for (int s = 0; s <= slots; s++) {
        assertArrayEquals(separate[s].dup().data().asFloat(), views[s].dup().data().asFloat(),
            1e-6f, (slots == 1 ? "momentumRows" : "adamRows") + " slot " + s);
      }
    }
  }

  /**
   * The host segment sums copy a slot's first row and add only repeats to it; the result must be
   * bit for bit that of adding every row, in batch order, into a zeroed row (so a lone -0 comes
   * out +0), whatever the order of the slots.
   */
  @Test
  void hostSegmentSumsShouldEqualAddingIntoZeroedRowsBitForBit() {
    int n = 6;
    float[] src = {-0f, 1.5f, 0.1f, -0f, 0.2f, 0.3f};
    float[] coef = {1f, -0f, 0.7f, 2f, 3f, 0.5f};
    int[][] slotPatterns = {{0, 1, 2, 3, 4, 5}, {0, 1, 0, 2, 1, 0}, {2, 0, 1, 0, 2, 1}};
    for (int[] slots : slotPatterns) {
      int u = 0;
      for (int slot : slots) {
        u = Math.max(u, slot + 1);
      }
      float[] plain = new float[u];
      float[] scaled = new float[u];
      for (int b = 0; b < n; b++) {
        plain[slots[b]] += src[b];
        scaled[slots[b]] += coef[b] * src[b];
      }
      INDArray srcArray = Nd4j.createFromArray(src).reshape(n, 1);
      INDArray coefArray = Nd4j.createFromArray(coef);
      INDArray out = Nd4j.create(DataType.FLOAT, n, 1);
      HostKernels k = new HostKernels();
      k.segmentSum(srcArray, slots, n, out, u);
      assertBits(plain, out, "segmentSum " + java.util.Arrays.toString(slots));
      k.scaledSegmentSum(srcArray, coefArray, slots, n, out, u);
      assertBits(scaled, out, "scaledSegmentSum " + java.util.Arrays.toString(slots));
    }
  }

  private static void assertBits(float[] expected, INDArray out, String what) {
    for (int s = 0; s < expected.length; s++) {
      assertEquals(Float.floatToRawIntBits(expected[s]), Float.floatToRawIntBits(out.getFloat(s, 0)),
          what + " slot " + s + ": " + expected[s] + " vs " + out.getFloat(s, 0));
    }
  }
}
