package io.mfstream.stream.serve;

import io.mfstream.stream.serde.SeenItemsCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The items each user has rated, so that recommendations leave them out, as the chunks of the
 * {@code seen-items} store's changelog ({@link SeenItemsCodec}) hold them: item ids interned once
 * to numbers, and per user an array of item numbers where chunk c fills positions
 * {@code c * CHUNK} on (4 bytes a pair, plus the ids once; -1 marks an empty position). One
 * writer, any number of readers, as {@link RowTable}.
 */
final class SeenItems {
  private static final int CHUNK = SeenItemsCodec.CHUNK;

  /** One user's items: the first {@code count} positions of {@code items}. */
  private static final class User {
    volatile int[] items = new int[0];
    volatile int count;
  }

  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
  private volatile String[] ids = new String[64];
  private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
  private long pairs;

  /** Sets chunk {@code chunk} of {@code user}'s items, or empties it (null); writer only. */
  void put(String user, int chunk, List<String> items) {
    if (chunk < 0 || items != null && items.size() > CHUNK) {
      throw new IllegalArgumentException("chunk " + chunk + " of " + (items == null ? 0
          : items.size()) + " items");
    }
    User u = items == null ? users.get(user) : users.computeIfAbsent(user, k -> new User());
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

  /** The items {@code user} has rated, in the order rated (an item rated twice, twice). */
  List<String> of(String user) {
    User u = users.get(user);
    if (u == null) {
      return List.of();
    }
    int n = u.count;
    int[] a = u.items;
    String[] names = ids;
    n = Math.min(n, a.length);
    List<String> out = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      if (a[j] >= 0) {
        out.add(names[a[j]]);
      }
    }
    return out;
  }

  /** Pairs held (writer's count; an item rated twice counts twice). */
  long pairs() {
    return pairs;
  }
}
