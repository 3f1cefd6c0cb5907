package io.mfstream.stream.serve;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One side of a served model (its users or its items) in memory: every row's floats in one
 * contiguous array, row after row, so that a scan over all items reads memory in order, and a
 * map from id to row.
 *
 * <p>One writer (the replica's update thread), any number of readers. A row is written before it
 * is published (its id mapped, the row count raised), so a reader that finds a row sees its
 * values; a row updated while a reader scores it may mix its old and new values, as an answer may
 * mix rows of neighbouring versions. A removed row's slot is reused by the next new id.
 */
final class RowTable {
  /** What readers read, replaced whole when the table grows or changes width. */
  record Data(float[] values, String[] ids, int width) {
    int capacity() {
      return ids.length;
    }
  }

  private final ConcurrentHashMap<String, Integer> rows = new ConcurrentHashMap<>();
  private final ArrayDeque<Integer> free = new ArrayDeque<>();
  private volatile Data data = new Data(new float[0], new String[0], 0);
  /** Rows allocated so far (the scan's end); slots below it may be free. */
  private volatile int size;

  /** The row of {@code id}, or -1. */
  int row(String id) {
    Integer r = rows.get(id);
    return r == null ? -1 : r;
  }

  /** Live rows. */
  int count() {
    return rows.size();
  }

  /** The arrays as of now, and the scan's end: read {@code size()} before {@code data()}. */
  int size() {
    return size;
  }

  Data data() {
    return data;
  }

  /** Sets the row of {@code id}; writer only. A row of another width starts the table afresh. */
  void put(String id, float[] row) {
    Data d = data;
    if (row.length != d.width()) {
      // A reset with another configuration (or the first row): the old rows are of a model
      // that was discarded, and their tombstones come or came in the same stream.
      rows.clear();
      free.clear();
      size = 0;
      d = new Data(new float[16 * row.length], new String[16], row.length);
      data = d;
    }
    Integer at = rows.get(id);
    if (at != null) {
      System.arraycopy(row, 0, d.values(), at * d.width(), row.length);
      return;
    }
    int r;
    if (!free.isEmpty()) {
      r = free.poll();
    } else {
      r = size;
      if (r == d.capacity()) {
        int cap = Math.max(16, d.capacity() * 2);
        d = new Data(Arrays.copyOf(d.values(), cap * d.width()), Arrays.copyOf(d.ids(), cap),
            d.width());
        data = d;
      }
    }
    System.arraycopy(row, 0, d.values(), r * d.width(), row.length);
    d.ids()[r] = id;
    rows.put(id, r);
    if (r == size) {
      size = r + 1;
    }
  }

  /** Removes the row of {@code id}, if any; writer only. */
  void remove(String id) {
    Integer r = rows.remove(id);
    if (r == null) {
      return;
    }
    Data d = data;
    d.ids()[r] = null;
    Arrays.fill(d.values(), r * d.width(), (r + 1) * d.width(), 0f);
    free.add(r);
  }

  /** A copy of the row of {@code id}, or null. */
  float[] copy(String id) {
    Integer r = rows.get(id);
    if (r == null) {
      return null;
    }
    Data d = data;
    if (r >= d.capacity()) {
      return null; // the table was started afresh under us
    }
    return Arrays.copyOfRange(d.values(), r * d.width(), (r + 1) * d.width());
  }
}
