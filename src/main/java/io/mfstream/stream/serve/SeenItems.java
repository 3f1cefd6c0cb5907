package io.mfstream.stream.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The items each user has rated, so that recommendations leave them out: item ids interned once
 * to numbers, and per user a growing array of item numbers (4 bytes a pair, plus the ids once).
 * One writer, any number of readers, as {@link RowTable}.
 */
final class SeenItems {
  /** One user's items: the first {@code count} numbers of {@code items}. */
  private static final class User {
    volatile int[] items = new int[4];
    volatile int count;
  }

  private final ConcurrentHashMap<String, Integer> numbers = new ConcurrentHashMap<>();
  private volatile String[] ids = new String[64];
  private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
  private long pairs;

  /** Records that {@code user} rated {@code item}; writer only. */
  void add(String user, String item) {
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
    User u = users.computeIfAbsent(user, k -> new User());
    int n = u.count;
    int[] a = u.items;
    for (int j = 0; j < n; j++) {
      if (a[j] == no) {
        return; // rated again
      }
    }
    if (n == a.length) {
      a = Arrays.copyOf(a, Math.max(4, n * 2));
      u.items = a;
    }
    a[n] = no;
    u.count = n + 1;
    pairs++;
  }

  /** Forgets that {@code user} rated {@code item}; writer only. */
  void remove(String user, String item) {
    Integer no = numbers.get(item);
    User u = users.get(user);
    if (no == null || u == null) {
      return;
    }
    int n = u.count;
    int[] a = u.items;
    for (int j = 0; j < n; j++) {
      if (a[j] == no) {
        int[] b = new int[n - 1]; // exactly: a reader clamps the count to the array
        System.arraycopy(a, 0, b, 0, j);
        System.arraycopy(a, j + 1, b, j, n - j - 1);
        u.items = b;
        u.count = n - 1;
        pairs--;
        return;
      }
    }
  }

  /** The items {@code user} has rated, in the order first seen. */
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
      out.add(names[a[j]]);
    }
    return out;
  }

  /** Pairs recorded (writer's count). */
  long pairs() {
    return pairs;
  }
}
