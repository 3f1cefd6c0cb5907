package io.mfstream.stream.serve;

import io.mfstream.stream.serde.SeenItemsCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The items each user has rated, so that recommendations leave them out, as the chunks of the
 * {@code seen-items} store's changelog ({@link SeenItemsCodec}) hold them: item ids interned once
 * to numbers, and per user and changelog partition an array of item numbers where chunk c fills
 * positions {@code c * CHUNK} on (4 bytes a pair, plus the ids once; -1 marks an empty position).
 * A partition is a validation task's (one per partition of {@code ratings}, usually one), and
 * each keeps its own chunks of a user. One writer, any number of readers, as {@link RowTable}.
 */
final class SeenItems {
  private static final int CHUNK = SeenItemsCodec.CHUNK;

  /** One user's items from one partition: the first {@code count} positions of {@code items}. */
  private static final class Segment {
    volatile int[] items = new int[0];
    volatile int count;
  }

  /** One user's items: a segment per partition that holds any. */
  private static final class User {
    volatile Segment[] segments = new Segment[0];

    Segment segment(int partition, boolean create) {
      Segment[] s = segments;
      if (partition < s.length && s[partition] != null || !create) {
        return partition < s.length ? s[partition] : null;
      }
      Segment[] grown = java.util.Arrays.copyOf(s, Math.max(s.length, partition + 1));
      grown[partition] = new Segment();
      segments = grown;
      return grown[partition];
    }
  }

  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
  private volatile String[] ids = new String[64];
  private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
  private long pairs;

  /**
   * Sets chunk {@code chunk} of {@code user}'s items from {@code partition}, or empties it
   * (null); writer only.
   */
  void put(String user, int partition, int chunk, List<String> items) {
    if (chunk < 0 || partition < 0 || items != null && items.size() > CHUNK) {
      throw new IllegalArgumentException("chunk " + chunk + " of partition " + partition
          + " with " + (items == null ? 0 : items.size()) + " items");
    }
    User owner = items == null ? users.get(user) : users.computeIfAbsent(user, k -> new User());
    Segment u = owner == null ? null : owner.segment(partition, items != null);
    if (u == null) {
      return;
    }
    int from = chunk * CHUNK;
    int[] a = u.items;
    if (items == null && from >= a.length) {
      return;
    }
    if (from + CHUNK > a.length) {
      int[] b = Arrays.copyOf(a, Math.max(from + CHUNK, 2 * a.length));
      Arrays.fill(b, a.length, b.length, -1);
      a = b;
    }
    for (int j = 0; j < CHUNK; j++) {
      if (a[from + j] >= 0) {
        pairs--;
      }
      int no = items == null || j >= items.size() ? -1 : number(items.get(j));
      a[from + j] = no;
      if (no >= 0) {
        pairs++;
      }
    }
    u.items = a;
    if (items != null && from + items.size() > u.count) {
      u.count = from + items.size();
    }
  }

  private int number(String item) {
    Integer no = numbers.get(item);
    if (no == null) {
      no = numbers.size();
      String[] a = ids;
      if (no == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[no] = item;
      ids = a;
      numbers.put(item, no);
    }
    return no;
  }

  /**
   * The items {@code user} has rated, in the order rated within a partition (an item rated
   * twice, twice).
   */
  List<String> of(String user) {
    User owner = users.get(user);
    if (owner == null) {
      return List.of();
    }
    String[] names = ids;
    List<String> out = new ArrayList<>();
    for (Segment u : owner.segments) {
      if (u == null) {
        continue;
      }
      int n = u.count;
      int[] a = u.items;
      n = Math.min(n, a.length);
      for (int j = 0; j < n; j++) {
        if (a[j] >= 0) {
          out.add(names[a[j]]);
        }
      }
    }
    return out;
  }

  /** What the seen set holds on the heap, counted from its arrays ({@code bench-memory}). */
  Replicas.SeenFootprint footprint() {
    String[] names = ids;
    long bytes = ModelReplica.arrayBytes(names.length, 4);
    long chars = 0;
    for (String n : names) {
      chars += n == null ? 0 : n.length();
    }
    long count = 0;
    for (java.util.Map.Entry<String, User> e : users.entrySet()) {
      count++;
      chars += e.getKey().length();
      Segment[] segments = e.getValue().segments;
      bytes += ModelReplica.arrayBytes(segments.length, 4);
      for (Segment s : segments) {
        bytes += s == null ? 0 : ModelReplica.arrayBytes(s.items.length, Integer.BYTES);
      }
    }
    return new Replicas.SeenFootprint(count, numbers.size(), pairs, bytes, chars);
  }

  /** Pairs held (writer's count; an item rated twice counts twice). */
  long pairs() {
    return pairs;
  }
}
