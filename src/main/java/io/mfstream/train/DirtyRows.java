package io.mfstream.train;

import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The rows of each side that steps changed since the last checkpoint, each once, in the order
 * first changed: what a checkpoint must write. A step changes the rows its batch touched, the
 * same rows in each of a side's tables (embedding and bias), and a new id's row is always among
 * them.
 */
public final class DirtyRows {
  private final Side users = new Side();
  private final Side items = new Side();
  private boolean dense;

  /** Records the rows the step just taken changed, and its dense layers. */
  public void addStep(MfNetwork net) {
    users.add(net.userTables());
    items.add(net.itemTables());
    dense |= !net.denseParams().isEmpty();
  }

  /** Calls {@code row} for each changed user row, in the order first changed. */
  public void forEachUser(IntConsumer row) {
    users.forEach(row);
  }

  /** Calls {@code row} for each changed item row, in the order first changed. */
  public void forEachItem(IntConsumer row) {
    items.forEach(row);
  }

  /** Whether a step changed the dense layers. */
  public boolean dense() {
    return dense;
  }

  /** Forgets every change: a checkpoint wrote them. */
  public void clear() {
    users.clear();
    items.clear();
    dense = false;
  }

  /** One side's changed rows: a list, and a bit per row to keep it free of repeats. */
  private static final class Side {
    private int[] rows = new int[64];
    private int count;
    private long[] marked = new long[16];

    void add(List<ParamTable> tables) {
      ParamTable first = tables.get(0);
      int[] touched = first.gradRows();
      for (int j = 0; j < first.gradCount(); j++) {
        int r = touched[j];
        int word = r >>> 6;
        if (word >= marked.length) {
          marked = Arrays.copyOf(marked, Math.max(word + 1, 2 * marked.length));
        }
        long bit = 1L << r;
        if ((marked[word] & bit) == 0) {
          marked[word] |= bit;
          if (count == rows.length) {
            rows = Arrays.copyOf(rows, 2 * count);
          }
          rows[count++] = r;
        }
      }
    }

    void forEach(IntConsumer row) {
      for (int j = 0; j < count; j++) {
        row.accept(rows[j]);
      }
    }

    void clear() {
      for (int j = 0; j < count; j++) {
        marked[rows[j] >>> 6] = 0;
      }
      count = 0;
    }
  }
}
