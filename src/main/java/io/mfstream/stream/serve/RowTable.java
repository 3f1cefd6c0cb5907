package io.mfstream.stream.serve;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One side of a served model (its users or its items) in memory, column by column: for each of
 * a row's floats, one array holding that float of every row, at the trainer's own row numbers;
 * and a map from id to row.
 *
 * <p>Columns, not rows, because the one hot loop over a table is the top-N scan, and in columns
 * it is a sum of whole columns scaled by the user's vector ({@code acc[r] += u[f] * column_f[r]}),
 * a loop C2 turns into vector instructions without changing a single rounding: each item's sum
 * still runs over f in order, as the dot product of a prediction does. Over rows it is one dot
 * product per item, whose running sum C2 leaves scalar (docs/BENCHMARKS.md measures both).
 *
 * <p>One writer (the replica's update thread), any number of readers. A row is written before it
 * is published (its id mapped, the scan's end raised), so a reader that finds a row sees its
 * values; a row updated while a reader scores it may mix its old and new values, as an answer may
 * mix rows of neighbouring versions.
 */
final class RowTable {
  /** What readers read, replaced whole when the table grows or changes width. */
  record Data(float[][] columns, String[] ids) {
    int capacity() {
      return ids.length;
    }

    /** Floats per row. */
    int width() {
      return columns.length;
    }
  }

  /** The most floats a side holds (rows times width): the largest Java array, less a margin. */
  static final long MAX_FLOATS = Integer.MAX_VALUE - 64;

  private final ConcurrentHashMap<String, Integer> rows = new ConcurrentHashMap<>();
  private volatile Data data = new Data(new float[0][], new String[0]);
  /** One past the highest row held (the scan's end); rows below it may be empty. */
  private volatile int size;

  /** The row of {@code id}, or -1. */
  int row(String id) {
    Integer r = rows.get(id);
    return r == null ? -1 : r;
  }

  /** Rows held. */
  int count() {
    return rows.size();
  }

  /** The scan's end: read {@code size()} before {@code data()}. */
  int size() {
    return size;
  }

  Data data() {
    return data;
  }

  /**
   * Sets row {@code row} to {@code id} and its values; writer only. A row of another width starts
   * the table afresh (a model reset with another configuration: the old rows' tombstones come or
   * came in the same stream).
   */
  void put(int row, String id, float[] values) {
    if (row < 0 || values.length == 0 || (long) (row + 1) * values.length > MAX_FLOATS) {
      throw new IllegalArgumentException("row " + row + " of width " + values.length
          + ": beyond what a replica holds");
    }
    Data d = data;
    if (values.length != d.width()) {
      rows.clear();
      size = 0;
      d = new Data(new float[values.length][Math.max(16, row + 1)],
          new String[Math.max(16, row + 1)]);
      data = d;
    }
    if (row >= d.capacity()) {
      int cap = (int) Math.min(Math.max(row + 1L, d.capacity() * 2L),
          MAX_FLOATS / d.width());
      float[][] grown = new float[d.width()][];
      for (int c = 0; c < grown.length; c++) {
        grown[c] = Arrays.copyOf(d.columns()[c], cap);
      }
      d = new Data(grown, Arrays.copyOf(d.ids(), cap));
      data = d;
    }
    float[][] columns = d.columns();
    for (int c = 0; c < values.length; c++) {
      columns[c][row] = values[c];
    }
    String old = d.ids()[row];
    if (!id.equals(old)) {
      if (old != null) {
        rows.remove(old, row);
      }
      d.ids()[row] = id;
      rows.put(id, row);
    }
    if (row >= size) {
      size = row + 1;
    }
  }

  /** Empties row {@code row}, if held; writer only. */
  void remove(int row) {
    Data d = data;
    if (row < 0 || row >= d.capacity() || d.ids()[row] == null) {
      return;
    }
    rows.remove(d.ids()[row], row);
    d.ids()[row] = null;
    for (float[] column : d.columns()) {
      column[row] = 0f;
    }
  }

  /** A copy of the row of {@code id}, or null. */
  float[] copy(String id) {
    Integer r = rows.get(id);
    if (r == null) {
      return null;
    }
    Data d = data;
    if (r >= d.capacity() || !id.equals(d.ids()[r])) {
      return null; // the table was started afresh under us, or the row is being reused
    }
    float[] out = new float[d.width()];
    for (int c = 0; c < out.length; c++) {
      out[c] = d.columns()[c][r];
    }
    return out;
  }
}
