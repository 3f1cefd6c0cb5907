package io.mfstream.model;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An open vocabulary: maps string ids to dense row indexes in arrival order. A new id gets the next
 * row; nothing is declared up front (unlike the tutorial's {@code max_id}). Not thread-safe: one
 * trainer owns it.
 */
public final class Vocabulary {
  private final Map<String, Integer> index = new HashMap<>();
  private final List<String> ids = new ArrayList<>();

  /** The row of an id, or -1 if it has none. */
  public int find(String id) {
    Integer r = index.get(id);
    return r == null ? -1 : r;
  }

  /** The row of an id, adding it (as the next row) if new. */
  public int getOrAdd(String id) {
    Integer r = index.get(id);
    if (r != null) {
      return r;
    }
    int row = ids.size();
    index.put(id, row);
    ids.add(id);
    return row;
  }

  /** The id at a row. */
  public String idAt(int row) {
    return ids.get(row);
  }

  public int size() {
    return ids.size();
  }

  /** The ids in row order (a read-only view). */
  public List<String> ids() {
    return java.util.Collections.unmodifiableList(ids);
  }
}
