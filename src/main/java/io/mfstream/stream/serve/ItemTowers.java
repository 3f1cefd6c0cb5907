package io.mfstream.stream.serve;

import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The MLPs' item tower, FC(ReLU(v)), for every item row of a replica, in columns as
 * {@link RowTable} keeps rows: what a top-N scan of an MLP would otherwise compute for every
 * item of every request (k times hidden multiplications each), computed once and kept.
 *
 * <p>It follows the replica lazily: the first recommendation after the item layer changed (a new
 * weight or bias array arrived, or the item table grew or started afresh) rebuilds it whole; one
 * after item rows changed recomputes those rows only. The writer marks rows with {@link
 * #rowChanged}; a request refreshes under a lock, and a request that finds another one
 * rebuilding scans the previous towers rather than wait (an answer may combine neighbouring
 * versions, as {@link ModelReplica} says). Each tower is computed in the order of {@link
 * ModelReplica}'s {@code representation}, so a recommendation scores an item exactly as a
 * prediction does.
 */
final class ItemTowers {
  /** Rows per block of a rebuild: a block of every tower column stays in the core's cache. */
  private static final int BLOCK = 1024;

  /**
   * Towers computed from one item table and one item layer.
   *
   * @param columns {@code columns[j][r]}: output j of row r's tower
   * @param rows the item table they were computed from
   * @param weight the item layer's [k, hidden] weight they were computed with
   * @param bias its bias
   */
  record Towers(float[][] columns, RowTable.Data rows, float[] weight, float[] bias) {}

  private final ReentrantLock refresh = new ReentrantLock();
  private final BitSet changed = new BitSet();
  private volatile Towers current;

  /** Bytes of the towers held (their float columns), 0 before the first recommendation. */
  long bytes() {
    Towers t = current;
    if (t == null) {
      return 0;
    }
    long bytes = ModelReplica.arrayBytes(t.columns().length, 4);
    for (float[] c : t.columns()) {
      bytes += ModelReplica.arrayBytes(c.length, Float.BYTES);
    }
    return bytes;
  }

  /** The writer changed or removed item row {@code row}. */
  void rowChanged(int row) {
    synchronized (changed) {
      changed.set(row);
    }
  }

  /**
   * The towers of {@code rows} under the item layer ({@code weight}, {@code bias}), refreshed
   * if this thread can, or the last ones if another thread is refreshing them.
   */
  Towers towers(RowTable.Data rows, float[] weight, float[] bias, int k, int hidden) {
    Towers t = current;
    if (t != null && fits(t, rows, weight, bias) && !anyChanged()) {
      return t;
    }
    if (!refresh.tryLock()) {
      if (t != null && t.columns().length == hidden) {
        return t; // another thread is refreshing them
      }
      refresh.lock();
    }
    try {
      t = current;
      BitSet rowsChanged = takeChanged(); // before reading rows: later writes mark them again
      if (t == null || !fits(t, rows, weight, bias)) {
        t = new Towers(rebuild(rows, weight, bias, k, hidden), rows, weight, bias);
        current = t;
      } else {
        float[] row = new float[k];
        float[] out = new float[hidden];
        for (int r = rowsChanged.nextSetBit(0); r >= 0 && r < rows.capacity();
            r = rowsChanged.nextSetBit(r + 1)) {
          for (int c = 0; c < k; c++) {
            row[c] = rows.columns()[c][r];
          }
          tower(row, weight, bias, out);
          for (int j = 0; j < hidden; j++) {
            t.columns()[j][r] = out[j];
          }
        }
      }
      return t;
    } finally {
      refresh.unlock();
    }
  }

  private static boolean fits(Towers t, RowTable.Data rows, float[] weight, float[] bias) {
    return t.rows() == rows && t.weight() == weight && t.bias() == bias;
  }

  private boolean anyChanged() {
    synchronized (changed) {
      return !changed.isEmpty();
    }
  }

  private BitSet takeChanged() {
    synchronized (changed) {
      BitSet taken = (BitSet) changed.clone();
      changed.clear();
      return taken;
    }
  }

  /**
   * One row's tower, FC(ReLU(v)) of its first {@code k} floats (k = weight / out), into {@code
   * out}: the bias, then + ReLU(v_c) * W[c, j] for c in order, zeros too. Predictions compute
   * every MLP tower with it, so they agree with the towers kept here to the last bit.
   */
  static void tower(float[] row, float[] weight, float[] bias, float[] out) {
    int hidden = out.length;
    int k = weight.length / hidden;
    System.arraycopy(bias, 0, out, 0, hidden);
    for (int c = 0; c < k; c++) {
      float a = Math.max(0f, row[c]);
      int base = c * hidden;
      for (int j = 0; j < hidden; j++) {
        out[j] += a * weight[base + j];
      }
    }
  }

  /**
   * Every row's tower, block by block, in the same order of operations as {@link #tower}: each
   * output column starts at its bias and gains ReLU(column c) times one weight, c in order.
   */
  private static float[][] rebuild(RowTable.Data rows, float[] weight, float[] bias, int k,
      int hidden) {
    int n = rows.capacity();
    float[][] out = new float[hidden][n];
    float[] relu = new float[n];
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      for (int j = 0; j < hidden; j++) {
        Arrays.fill(out[j], from, to, bias[j]);
      }
      for (int c = 0; c < k; c++) {
        float[] v = rows.columns()[c];
        for (int r = from; r < to; r++) {
          relu[r] = Math.max(0f, v[r]);
        }
        int base = c * hidden;
        for (int j = 0; j < hidden; j++) {
          ModelReplica.addScaled(out[j], relu, weight[base + j], from, to);
        }
      }
    }
    return out;
  }
}
