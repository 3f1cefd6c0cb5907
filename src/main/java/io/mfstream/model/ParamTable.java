package io.mfstream.model;

import io.mfstream.model.kernel.Kernels;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A growable, row-addressed parameter: one row per vocabulary entry (an embedding table, or a bias
 * column of width 1), together with the optimiser's state arrays of the same shape and the
 * gradient of the current batch for the rows it touched.
 *
 * <p>Capacity doubles when rows run out; new rows get their values from {@link RowInit} (biases
 * start at zero), state rows start at zero.
 */
public final class ParamTable {
  private final String name;
  private final int width;
  private final boolean bias;
  private final DataType dataType;
  private INDArray values;
  private INDArray[] state = new INDArray[0];
  private int rows;

  /** Unique rows touched by the current batch and their summed gradient ({@code grad[r]}). */
  final int[] gradRows;
  int gradCount;
  final INDArray grad;

  ParamTable(String name, int width, boolean bias, DataType dataType, int initialCapacity,
      int batchCapacity) {
    this.name = name;
    this.width = width;
    this.bias = bias;
    this.dataType = dataType;
    this.values = Nd4j.create(dataType, Math.max(16, initialCapacity), width);
    this.gradRows = new int[batchCapacity];
    this.grad = Nd4j.create(dataType, batchCapacity, width);
  }

  public String name() {
    return name;
  }

  public int width() {
    return width;
  }

  /** Biases get no weight decay (MXNet's rule for parameters named *_bias) and start at zero. */
  public boolean isBias() {
    return bias;
  }

  public int rows() {
    return rows;
  }

  public int capacity() {
    return (int) values.rows();
  }

  /** The full-capacity array; rows at and past {@link #rows()} are unused. */
  public INDArray values() {
    return values;
  }

  /** Optimiser state slot {@code i}, same shape as {@link #values()}. */
  public INDArray state(int i) {
    return state[i];
  }

  public int stateSlots() {
    return state.length;
  }

  /** The rows touched by the current batch's gradient. */
  public int[] gradRows() {
    return gradRows;
  }

  public int gradCount() {
    return gradCount;
  }

  /** Row r holds the summed gradient of row {@code gradRows()[r]}, for r < gradCount(). */
  public INDArray grad() {
    return grad;
  }

  /** Replaces the optimiser state with {@code slots} zeroed arrays. */
  public void allocateState(int slots) {
    state = new INDArray[slots];
    for (int i = 0; i < slots; i++) {
      state[i] = Nd4j.create(dataType, capacity(), width);
    }
  }

  /** Appends rows for new ids (in order), initialised from (seed, table name, id). */
  void append(List<String> ids, int firstRow, long seed, double initScale, Kernels kernels,
      int[] scratchRows, double[] scratchValues) {
    int add = ids.size();
    if (add == 0) {
      return;
    }
    if (firstRow != rows) {
      throw new IllegalStateException(name + ": appending at row " + firstRow + " but has " + rows);
    }
    ensureCapacity(rows + add);
    int chunk = scratchRows.length;
    for (int start = 0; start < add; start += chunk) {
      int n = Math.min(chunk, add - start);
      for (int r = 0; r < n; r++) {
        scratchRows[r] = rows + start + r;
        if (bias) {
          java.util.Arrays.fill(scratchValues, r * width, (r + 1) * width, 0.0);
        } else {
          RowInit.fill(seed, name, ids.get(start + r), initScale, scratchValues, r * width, width);
        }
      }
      if (!bias) {
        kernels.writeRows(values, scratchRows, n, scratchValues);
      }
    }
    rows += add;
  }

  private void ensureCapacity(int needed) {
    int cap = capacity();
    if (needed <= cap) {
      return;
    }
    int newCap = Math.max(needed, cap * 2);
    values = grown(values, newCap);
    for (int i = 0; i < state.length; i++) {
      state[i] = grown(state[i], newCap);
    }
  }

  private INDArray grown(INDArray old, int newCap) {
    INDArray fresh = Nd4j.create(dataType, newCap, width);
    if (rows > 0) {
      fresh.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all())
          .assign(old.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all()));
    }
    return fresh;
  }

  /** Restores rows from a snapshot: values and state of exactly {@code n} rows. */
  public void restore(int n, INDArray newValues, INDArray[] newState) {
    if (n != rows) {
      throw new IllegalStateException(name + ": restoring " + n + " rows into a table of " + rows
          + "; restore the vocabulary first");
    }
    rows = 0;
    ensureCapacity(n);
    rows = n;
    if (n > 0) {
      values.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(newValues);
      for (int i = 0; i < state.length && i < newState.length; i++) {
        state[i].get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).assign(newState[i]);
      }
    }
  }
}
