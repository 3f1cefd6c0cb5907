package io.mfstream.train;

import io.mfstream.data.Rating;
import io.mfstream.model.MfNetwork;
import java.util.Arrays;
import java.util.List;

/**
 * The prequential quality of a model beside its RMSE: the RMSE split by segment, and ranking
 * metrics, both measured on each rating before the model learns it (docs/METRICS.md, "Quality by
 * segment" and "Ranking quality", says the same for users).
 *
 * <p><b>Segments.</b> Each scored rating falls in one of four cells: its user cold or
 * established, its item cold or established. A user (item) is cold while the model has
 * <em>learned</em> fewer than {@link QualitySettings#coldUserRatings} of its ratings: a rating
 * scored but still in the open batch does not count yet, and an id the model has no row for has
 * learned none. The meters report the two splits (users, items), each of which adds up to every
 * rating scored. The counts are per row of the model's vocabulary; rows the model had before
 * counting began (a warm start from a snapshot, or a store of an earlier build) have an unknown
 * history and count as established.
 *
 * <p><b>Ranking.</b> A rating at least {@link QualitySettings#positiveRating} high, of a user in
 * the sample ({@link #sampled}), is ranked before it is learned: the model scores every item it
 * has a row for, the items the model has already learned from this user are left out, and the
 * rating's item gets rank 1 + the number of remaining items that score at least as high as it
 * (ties count against it). Hit rate at {@link #K} is the share of ranked ratings with rank at most
 * K; NDCG at K averages 1 / log2(rank + 1) over them (0 beyond K: there is one relevant item, so
 * the ideal DCG is 1). An item the model has no row for cannot be recommended: it counts as a
 * miss. The users are sampled, not the ratings, because leaving out a user's learned items needs
 * them: the meters keep, for each sampled user, the item rows learned (4 bytes a rating), and
 * nothing for the others. Each ranking costs one prediction per known item, so it is done on the
 * sample only.
 *
 * <p>Everything here is state: the streaming trainer persists it with the model
 * ({@code ModelStateFormat}), so a restart gives the same figures as a run that never stopped.
 * Not thread-safe.
 */
public final class QualityMeters {
  /** The cut-off of the ranking metrics. */
  public static final int K = 10;
  /** Cell bit: the user was cold. */
  public static final int USER_COLD = 1;
  /** Cell bit: the item was cold. */
  public static final int ITEM_COLD = 2;
  /** Mixed into the user id's hash, so that the sample is not the first users by hash alone. */
  private static final long SAMPLE_SALT = 0x6d66_7374_7265_616dL; // "mfstream"

  private final QualitySettings settings;
  private final RmseMeter[] cells = {new RmseMeter(), new RmseMeter(), new RmseMeter(),
      new RmseMeter()};
  private int[] userCounts = new int[64];
  private int[] itemCounts = new int[64];
  private int trackedUsersFrom;
  private int trackedItemsFrom;
  private long ranked;
  private long hits;
  private double ndcgSum;
  /** Item rows learned, per sampled user row at or after {@link #trackedUsersFrom}. */
  private int[][] learned = new int[64][];
  private int[] learnedCount = new int[64];
  private final Ranker ranker = new Ranker();

  /**
   * Meters of a model that has {@code users} and {@code items} rows already (0 for a fresh one):
   * those rows' histories are unknown (see the class comment).
   */
  public QualityMeters(QualitySettings settings, int users, int items) {
    this.settings = settings;
    this.trackedUsersFrom = users;
    this.trackedItemsFrom = items;
  }

  public QualitySettings settings() {
    return settings;
  }

  // ---------------------------------------------------------------------------------------------
  // Measuring

  /** The cell of a rating about to be scored: {@link #USER_COLD} and {@link #ITEM_COLD} bits. */
  public int cellOf(MfNetwork net, Rating r) {
    int u = net.users().find(r.user());
    int i = net.items().find(r.item());
    int cell = 0;
    if (u < 0 || u >= trackedUsersFrom && count(userCounts, u) < settings.coldUserRatings()) {
      cell |= USER_COLD;
    }
    if (i < 0 || i >= trackedItemsFrom && count(itemCounts, i) < settings.coldItemRatings()) {
      cell |= ITEM_COLD;
    }
    return cell;
  }

  /** Adds a scored rating's error to its cell. */
  public void scored(int cell, double error) {
    cells[cell].add(error);
  }

  /**
   * Ranks the rating's item for its user with the model as it is, if the rating is a positive one
   * of a sampled user; call it before the model learns the rating. Returns the rank, or 0 when
   * the rating is not ranked ({@link Integer#MAX_VALUE} for an item the model does not know).
   */
  public int rank(MfNetwork net, Rating r) {
    if (settings.rankingSample() == 0 || r.rating() < settings.positiveRating()
        || !sampled(r.user(), settings.rankingSample())) {
      return 0;
    }
    int u = net.users().find(r.user());
    if (u >= 0 && u < trackedUsersFrom) {
      return 0; // learned items unknown: an honest rank cannot be computed
    }
    int[] exclude = u >= 0 && u < learned.length ? learned[u] : null;
    int excludeCount = exclude == null ? 0 : learnedCount[u];
    int rank = ranker.rank(net, u, net.items().find(r.item()), exclude, excludeCount);
    ranked++;
    if (rank <= K) {
      hits++;
      ndcgSum += ndcg(rank);
    }
    return rank;
  }

  /** After a step on {@code ratings[from, from+n)}: every rating's user and item learned one. */
  public void learned(MfNetwork net, List<Rating> ratings, int from, int n) {
    boolean ranking = settings.rankingSample() > 0;
    for (int b = from; b < from + n; b++) {
      Rating r = ratings.get(b);
      int u = net.users().find(r.user());
      int i = net.items().find(r.item());
      userCounts = increment(userCounts, u);
      itemCounts = increment(itemCounts, i);
      if (ranking && u >= trackedUsersFrom && sampled(r.user(), settings.rankingSample())) {
        appendLearned(u, i);
      }
    }
  }

  private static int count(int[] counts, int row) {
    return row < counts.length ? counts[row] : 0;
  }

  private static int[] increment(int[] counts, int row) {
    int[] c = row < counts.length ? counts : Arrays.copyOf(counts,
        Math.max(row + 1, 2 * counts.length));
    c[row]++;
    return c;
  }

  private void appendLearned(int user, int item) {
    if (user >= learned.length) {
      int size = Math.max(user + 1, 2 * learned.length);
      learned = Arrays.copyOf(learned, size);
      learnedCount = Arrays.copyOf(learnedCount, size);
    }
    int[] list = learned[user];
    int n = learnedCount[user];
    if (list == null) {
      list = new int[8];
    } else if (n == list.length) {
      list = Arrays.copyOf(list, 2 * n);
    }
    list[n] = item;
    learned[user] = list;
    learnedCount[user] = n + 1;
  }

  /** The NDCG at {@link #K} of one relevant item at {@code rank} (1-based). */
  public static double ndcg(int rank) {
    return rank <= K ? 1.0 / (Math.log(rank + 1.0) / Math.log(2.0)) : 0.0;
  }

  /**
   * Whether a user is in a ranking sample of {@code fraction}: a 64-bit FNV-1a hash of the id's
   * UTF-16 code units, mixed with a fixed salt by SplitMix64's finaliser, taken as a fraction of
   * 2^64, is below {@code fraction}. The same in every run, on every machine and for every model;
   * a user in the sample of a fraction is in the sample of every larger one.
   */
  public static boolean sampled(String user, double fraction) {
    if (fraction >= 1) {
      return true;
    }
    long h = 0xcbf29ce484222325L;
    for (int c = 0; c < user.length(); c++) {
      h ^= user.charAt(c);
      h *= 0x100000001b3L;
    }
    h ^= SAMPLE_SALT;
    h = (h ^ (h >>> 30)) * 0xbf58476d1ce4e5b9L;
    h = (h ^ (h >>> 27)) * 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return (h >>> 11) * 0x1.0p-53 < fraction;
  }

  // ---------------------------------------------------------------------------------------------
  // Reading

  /** The figures as of now. */
  public Figures figures() {
    long[] count = new long[4];
    double[] sse = new double[4];
    for (int c = 0; c < 4; c++) {
      count[c] = cells[c].count();
      sse[c] = cells[c].sumSquared();
    }
    return new Figures(count, sse, ranked, hits, ndcgSum);
  }

  /**
   * The quality figures of a model at one moment.
   *
   * @param count ratings scored per cell (index: {@link #USER_COLD} | {@link #ITEM_COLD} bits)
   * @param sse their summed squared errors, per cell
   * @param ranked positive ratings ranked
   * @param hits how many of them ranked within {@link #K}
   * @param ndcgSum the sum of their NDCG at K
   */
  public record Figures(long[] count, double[] sse, long ranked, long hits, double ndcgSum) {
    public Figures {
      count = count.clone();
      sse = sse.clone();
    }

    /** Ratings scored whose user ({@code item} false) or item was cold, or established. */
    public long scored(boolean item, boolean cold) {
      long n = 0;
      for (int c = 0; c < 4; c++) {
        if (in(c, item, cold)) {
          n += count[c];
        }
      }
      return n;
    }

    /** Their summed squared error. */
    public double squaredError(boolean item, boolean cold) {
      double s = 0;
      for (int c = 0; c < 4; c++) {
        if (in(c, item, cold)) {
          s += sse[c];
        }
      }
      return s;
    }

    /** Their RMSE, NaN when there were none. */
    public double rmse(boolean item, boolean cold) {
      long n = scored(item, cold);
      return n == 0 ? Double.NaN : Math.sqrt(squaredError(item, cold) / n);
    }

    /** Hit rate at K, NaN before the first ranking. */
    public double hitRate() {
      return ranked == 0 ? Double.NaN : (double) hits / ranked;
    }

    /** NDCG at K, NaN before the first ranking. */
    public double ndcg() {
      return ranked == 0 ? Double.NaN : ndcgSum / ranked;
    }

    private static boolean in(int cell, boolean item, boolean cold) {
      int bit = item ? ITEM_COLD : USER_COLD;
      return ((cell & bit) != 0) == cold;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Figures f && Arrays.equals(count, f.count) && Arrays.equals(sse, f.sse)
          && ranked == f.ranked && hits == f.hits
          && Double.doubleToLongBits(ndcgSum) == Double.doubleToLongBits(f.ndcgSum);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(count) * 31 + Arrays.hashCode(sse) + Long.hashCode(ranked);
    }

    @Override
    public String toString() {
      return "Figures[count=" + Arrays.toString(count) + ", sse=" + Arrays.toString(sse)
          + ", ranked=" + ranked + ", hits=" + hits + ", ndcgSum=" + ndcgSum + "]";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State (what a store persists and restores)

  /** User rows below this have an unknown history. */
  public int trackedUsersFrom() {
    return trackedUsersFrom;
  }

  /** Item rows below this have an unknown history. */
  public int trackedItemsFrom() {
    return trackedItemsFrom;
  }

  /** The meter of one cell. */
  public RmseMeter cell(int cell) {
    return cells[cell];
  }

  public long ranked() {
    return ranked;
  }

  public long hits() {
    return hits;
  }

  public double ndcgSum() {
    return ndcgSum;
  }

  /** Ratings learned of a user row ({@code item} false) or an item row. */
  public int learnedCount(boolean item, int row) {
    return count(item ? itemCounts : userCounts, row);
  }

  /** How many item rows are kept for a user row (0 for a user not sampled). */
  public int learnedItems(int user) {
    return user < learnedCount.length ? learnedCount[user] : 0;
  }

  /** The j-th item row kept for a user row. */
  public int learnedItem(int user, int j) {
    if (j < 0 || j >= learnedItems(user)) {
      throw new IndexOutOfBoundsException("item " + j + " of " + learnedItems(user));
    }
    return learned[user][j];
  }

  /** Restores the tracking bounds, the cells and the ranking sums. */
  public void restore(int usersFrom, int itemsFrom, long[] count, double[] sse, long rankedCount,
      long hitCount, double ndcg) {
    if (usersFrom < 0 || itemsFrom < 0 || count.length != 4 || sse.length != 4) {
      throw new IllegalArgumentException("bad quality state");
    }
    trackedUsersFrom = usersFrom;
    trackedItemsFrom = itemsFrom;
    for (int c = 0; c < 4; c++) {
      cells[c].restore(sse[c], count[c]);
    }
    ranked = rankedCount;
    hits = hitCount;
    ndcgSum = ndcg;
  }

  /** Restores the ratings learned of {@code values.length} rows of a side from {@code from}. */
  public void restoreCounts(boolean item, int from, int[] values) {
    int[] c = item ? itemCounts : userCounts;
    if (from + values.length > c.length) {
      c = Arrays.copyOf(c, Math.max(from + values.length, 2 * c.length));
    }
    System.arraycopy(values, 0, c, from, values.length);
    if (item) {
      itemCounts = c;
    } else {
      userCounts = c;
    }
  }

  /** Appends item rows to a user's kept list (restoring it, in order). */
  public void restoreLearned(int user, int[] items) {
    for (int i : items) {
      appendLearned(user, i);
    }
  }

  /**
   * Makes every row below the given ones of unknown history from now on: what a store does when
   * it has no record of these meters, or one kept under other sampling.
   */
  public void untrack(int usersFrom, int itemsFrom) {
    trackedUsersFrom = Math.max(trackedUsersFrom, usersFrom);
    trackedItemsFrom = Math.max(trackedItemsFrom, itemsFrom);
    for (int u = 0; u < Math.min(learned.length, trackedUsersFrom); u++) {
      learned[u] = null;
      learnedCount[u] = 0;
    }
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Ranks one item among every item the network knows for one user, with the network's own
   * predictions (in chunks of its batch capacity, as scoring does). Reuses its buffers.
   */
  public static final class Ranker {
    private int[] userRows = new int[0];
    private int[] itemRows = new int[0];
    private float[] scores = new float[0];
    private boolean[] excluded = new boolean[0];

    /**
     * The rank (1-based) of item row {@code target} for user row {@code user} (-1 for a user the
     * network does not know: its fallback answers) among the network's items, the first
     * {@code excludeCount} rows of {@code exclude} left out (the target itself never is), ties
     * counted against the target; {@link Integer#MAX_VALUE} when the target is unknown (-1).
     */
    public int rank(MfNetwork net, int user, int target, int[] exclude, int excludeCount) {
      if (target < 0) {
        return Integer.MAX_VALUE;
      }
      int n = net.items().size();
      if (n > itemRows.length) {
        int size = Math.max(n, 2 * itemRows.length);
        itemRows = new int[size];
        for (int j = 0; j < size; j++) {
          itemRows[j] = j;
        }
        userRows = new int[size];
        scores = new float[size];
        excluded = new boolean[size];
      }
      Arrays.fill(userRows, 0, n, user);
      net.predict(userRows, itemRows, n, scores, null);
      for (int j = 0; j < excludeCount; j++) {
        excluded[exclude[j]] = true;
      }
      float t = scores[target];
      int ahead = 0;
      for (int j = 0; j < n; j++) {
        if (j != target && !excluded[j] && scores[j] >= t) {
          ahead++;
        }
      }
      for (int j = 0; j < excludeCount; j++) {
        excluded[exclude[j]] = false;
      }
      return ahead + 1;
    }
  }
}
