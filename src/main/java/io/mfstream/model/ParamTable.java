package io.mfstream.model;

import io.mfstream.model.kernel.Kernels;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A growable, row-addressed parameter: one row per vocabulary entry (an embedding table, or a bias
 * column of width 1), together with the optimiser's state arrays of the same shape and the
 * gradient of the current batch for the rows it touched.
 *
 * <p>Capacity doubles when rows run out; new rows get their values from {@link RowInit} (biases
 * start at zero), state rows start at zero.
 *
 * <p>Layout: when the kernels ask for it ({@link Kernels#interleavesRowState}, the CPU backend),
 * a row's values and its optimiser state sit side by side in one backing array
 * {@code [capacity, width * (1 + slots)]}, and {@link #values()} and {@link #state(int)} are
 * column views of it. An update then reads and writes one stretch of memory per row, on one
 * memory page, instead of one per array: on tables far larger than the caches most of an update's
 * time is the cache and TLB misses of those rows (docs/BENCHMARKS.md). Otherwise each is its own
 * contiguous array.
 */
public final class ParamTable {
  private final String name;
  private final int width;
  private final boolean bias;
  private final DataType dataType;
  private final boolean interleaved;
  /** The values and state side by side, when interleaved; else null. */
  private INDArray backing;
  /** {@link #backingView()}'s buffer and the backing array it views. */
  private FloatBuffer backingView;
  private INDArray backingViewOf;
  private INDArray values;
  private INDArray[] state = new INDArray[0];
  private int rows;

  /** Unique rows touched by the current batch and their summed gradient ({@code grad[r]}). */
  final int[] gradRows;
  int gradCount;
  final INDArray grad;

  ParamTable(String name, int width, boolean bias, DataType dataType, int initialCapacity,
      int batchCapacity, Kernels kernels) {
    this.name = name;
    this.width = width;
    this.bias = bias;
    this.dataType = dataType;
    this.interleaved = kernels.interleavesRowState(dataType);
    this.values = Nd4j.create(dataType, Math.max(16, initialCapacity), width);
    this.backing = interleaved ? values : null;
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

  /**
   * The full-capacity array; rows at and past {@link #rows()} are unused. May be a column view of
   * the interleaved backing array: take row ranges with {@link #valueRows}, not by indexing this
   * view (ND4J 1.0.0-M2.1 returns an empty array for a row interval starting past row 0 of a
   * column view).
   */
  public INDArray values() {
    return values;
  }

  /** Optimiser state slot {@code i}, same shape as {@link #values()} and the same caveat. */
  public INDArray state(int i) {
    return state[i];
  }

  /** Rows {@code [from, to)} of the values, as a view one level deep (writes go to the table). */
  public INDArray valueRows(long from, long to) {
    return block(0, from, to);
  }

  /** Rows {@code [from, to)} of state slot {@code i}, as a view (writes go to the table). */
  public INDArray stateRows(int i, long from, long to) {
    if (i < 0 || i >= state.length) {
      throw new IndexOutOfBoundsException("state slot " + i + " of " + state.length);
    }
    return block(1 + i, from, to);
  }

  private INDArray block(int slot, long from, long to) {
    if (from < 0 || to > capacity() || from > to) {
      throw new IndexOutOfBoundsException("rows " + from + ".." + to + " of " + capacity());
    }
    if (interleaved && backing != values) {
      return backing.get(NDArrayIndex.interval(from, to), slotColumns(slot));
    }
    INDArray whole = slot == 0 ? values : state[slot - 1];
    return whole.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }

  public int stateSlots() {
    return state.length;
  }

  public DataType dataType() {
    return dataType;
  }

  /**
   * Appends row {@code row}'s values and then each state slot's row ({@code width} elements each)
   * to {@code out}, as float32, or float64 for a DOUBLE table: the layout a stored row keeps.
   * With row state interleaved (the CPU backend) that is one contiguous stretch of memory, copied
   * at once.
   */
  public void writeRow(int row, ByteBuffer out) {
    checkRow(row);
    int n = width * (1 + state.length);
    if (interleaved && dataType == DataType.FLOAT) {
      int at = out.position();
      out.asFloatBuffer().put(backingView().slice(row * n, n));
      out.position(at + n * Float.BYTES);
      return;
    }
    for (int slot = 0; slot <= state.length; slot++) {
      INDArray a = slot == 0 ? values : state[slot - 1];
      DataBuffer data = a.data(); // a view's buffer already starts at the view's offset
      long base = (long) row * a.stride(0);
      for (int j = 0; j < width; j++) {
        if (dataType == DataType.DOUBLE) {
          out.putDouble(data.getDouble(base + j));
        } else {
          out.putFloat(data.getFloat(base + j));
        }
      }
    }
  }

  /** Sets row {@code row}'s values and state from what {@link #writeRow} wrote. */
  public void readRow(int row, ByteBuffer in) {
    checkRow(row);
    int n = width * (1 + state.length);
    if (interleaved && dataType == DataType.FLOAT) {
      int at = in.position();
      backingView().slice(row * n, n).put(in.asFloatBuffer().limit(n));
      in.position(at + n * Float.BYTES);
      return;
    }
    for (int slot = 0; slot <= state.length; slot++) {
      INDArray a = slot == 0 ? values : state[slot - 1];
      DataBuffer data = a.data();
      long base = (long) row * a.stride(0);
      for (int j = 0; j < width; j++) {
        if (dataType == DataType.DOUBLE) {
          data.put(base + j, in.getDouble());
        } else {
          data.put(base + j, in.getFloat());
        }
      }
    }
  }

  private void checkRow(int row) {
    if (row < 0 || row >= rows) {
      throw new IndexOutOfBoundsException("row " + row + " of " + name + " (" + rows + " rows)");
    }
  }

  /** The interleaved backing array's memory as a FloatBuffer, rows of width * (1 + slots). */
  private FloatBuffer backingView() {
    if (backingView == null || backingViewOf != backing) {
      backingView = backing.data().asNioFloat(); // a JNI call: kept until the table grows
      backingViewOf = backing;
    }
    return backingView;
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
    if (interleaved) {
      INDArray fresh = Nd4j.create(dataType, capacity(), (long) width * (1 + slots));
      if (rows > 0) {
        fresh.get(NDArrayIndex.interval(0, rows), slotColumns(0)).assign(valueRows(0, rows));
      }
      setBacking(fresh, slots);
      return;
    }
    state = new INDArray[slots];
    for (int i = 0; i < slots; i++) {
      state[i] = Nd4j.create(dataType, capacity(), width);
    }
  }

  /** The columns of block {@code slot} (0: values, 1 + i: state i) in an interleaved array. */
  private INDArrayIndex slotColumns(int slot) {
    return NDArrayIndex.interval((long) slot * width, (long) (slot + 1) * width);
  }

  /** Column block {@code slot} of an interleaved backing array, all rows. */
  private INDArray column(INDArray b, int slot) {
    return b.get(NDArrayIndex.all(), slotColumns(slot));
  }

  private void setBacking(INDArray b, int slots) {
    backing = b;
    values = slots == 0 ? b : column(b, 0);
    state = new INDArray[slots];
    for (int i = 0; i < slots; i++) {
      state[i] = column(b, 1 + i);
    }
  }

  /** Copies the first n rows between two base (not view) arrays of equal width. */
  private static void copyRows(INDArray from, INDArray to, int n) {
    if (n > 0) {
      to.get(NDArrayIndex.interval(0, n), NDArrayIndex.all())
          .assign(from.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()));
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
    if (interleaved) {
      INDArray fresh = Nd4j.create(dataType, newCap, backing.columns());
      copyRows(backing, fresh, rows);
      setBacking(fresh, state.length);
      return;
    }
    values = grown(values, newCap);
    for (int i = 0; i < state.length; i++) {
      state[i] = grown(state[i], newCap);
    }
  }

  private INDArray grown(INDArray old, int newCap) {
    INDArray fresh = Nd4j.create(dataType, newCap, width);
    copyRows(old, fresh, rows);
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
      valueRows(0, n).assign(newValues);
      for (int i = 0; i < state.length && i < newState.length; i++) {
        stateRows(i, 0, n).assign(newState[i]);
      }
    }
  }
}
