package io.mfstream.stream.serve;

import io.mfstream.stream.messages.ScoredItem;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The n best items so far, worst at the root of a binary heap; an item beats another with a
 * higher score, or an equal score and a smaller id.
 */
final class TopN {
  private final int n;
  private final String[] rows;
  private final float[] scores;
  private int size;

  TopN(int n) {
    this.n = n;
    this.rows = new String[n];
    this.scores = new float[n];
  }

  /** True when item a (score sa) ranks below item b (score sb). */
  private static boolean worse(float sa, String a, float sb, String b) {
    return sa < sb || sa == sb && a.compareTo(b) > 0;
  }

  /** The score an item must reach to be offered: the worst kept, once n are kept. */
  float floor() {
    return size < n ? Float.NEGATIVE_INFINITY : n == 0 ? Float.POSITIVE_INFINITY : scores[0];
  }

  void offer(String row, float score) {
    if (size < n) {
      rows[size] = row;
      scores[size] = score;
      up(size++);
    } else if (worse(scores[0], rows[0], score, row)) {
      rows[0] = row;
      scores[0] = score;
      down(0);
    }
  }

  private void up(int i) {
    while (i > 0) {
      int p = (i - 1) / 2;
      if (!worse(scores[i], rows[i], scores[p], rows[p])) {
        return;
      }
      swap(i, p);
      i = p;
    }
  }

  private void down(int i) {
    while (true) {
      int l = 2 * i + 1;
      int r = l + 1;
      int m = i;
      if (l < size && worse(scores[l], rows[l], scores[m], rows[m])) {
        m = l;
      }
      if (r < size && worse(scores[r], rows[r], scores[m], rows[m])) {
        m = r;
      }
      if (m == i) {
        return;
      }
      swap(i, m);
      i = m;
    }
  }

  private void swap(int a, int b) {
    String row = rows[a];
    rows[a] = rows[b];
    rows[b] = row;
    float s = scores[a];
    scores[a] = scores[b];
    scores[b] = s;
  }

  List<ScoredItem> bestFirst() {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> worse(scores[a], rows[a], scores[b], rows[b]) ? 1
        : worse(scores[b], rows[b], scores[a], rows[a]) ? -1 : 0);
    List<ScoredItem> out = new ArrayList<>(size);
    for (int i : order) {
      out.add(new ScoredItem(rows[i], scores[i]));
    }
    return out;
  }
}

