package io.mfstream.stream.serve;

import io.mfstream.model.ModelType;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.train.ModelStateFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A read replica of one model, in memory: its header, its user and item rows (each side one
 * contiguous float32 table, {@link RowTable}) and its dense layers, kept equal to the trainer's
 * state store by {@link #apply}, which reads the store's records ({@link ModelStateFormat}) as its
 * changelog delivers them. It scores with the same arithmetic as the trainer's network at
 * inference (no dropout), in plain Java.
 *
 * <p>Each record of a transaction is applied as it is read, so an answer may combine rows from
 * neighbouring versions; the version an answer reports is the counters' as of the last step
 * read. Once every record committed so far is read, the replica holds exactly the committed
 * parameters.
 */
public final class ModelReplica {
  /** The MLPs' dense parameters, in the trainer's order: user weight and bias, item's. */
  private static final int DENSE = 4;

  private final String model;
  private volatile Header header;
  private final RowTable users = new RowTable();
  private final RowTable items = new RowTable();
  private final ItemTowers towers = new ItemTowers();
  private final Semaphore scanning = new Semaphore(SCANNERS);
  private volatile long longScan = LONG_SCAN;
  private final ConcurrentLinkedQueue<Query> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicReferenceArray<float[]> dense = new AtomicReferenceArray<>(DENSE);
  // Writer side: what the header is made of.
  private ModelStateFormat.Shape shape;
  private ModelStateFormat.Counters counters;
  private String degraded;

  /**
   * What an answer says about the model: its network, version and freshness.
   *
   * @param type the network
   * @param factors embedding width
   * @param hidden MLP hidden width (0 for MF)
   * @param version SGD steps taken
   * @param trained ratings learned from
   * @param mean the running mean of the ratings learned from (the fallback answer)
   * @param users user rows
   * @param items item rows
   * @param degraded why the model stopped learning, or null while it learns: its rows are its
   *     last good parameters
   */
  public record Header(ModelType type, int factors, int hidden, long version, long trained,
      double mean, int users, int items, String degraded) {

    public boolean isDegraded() {
      return degraded != null;
    }
  }

  /** A score: the predicted rating, and whether it is a fallback for an unknown id. */
  public record Score(float rating, boolean coldStart) {}

  /** Recommended items, best first, and whether they are a fallback for an unknown user. */
  public record Recommended(List<ScoredItem> items, boolean coldStart) {}

  ModelReplica(String model) {
    this.model = model;
  }

  public String model() {
    return model;
  }

  /** The model's header, or null before its trainer published anything. */
  public Header header() {
    return header;
  }

  /** Sets the floats of a scan above which requests share scans (tests: small tables). */
  void shareScansAbove(long floats) {
    longScan = floats;
  }

  /** Floats a recommendation reads: item rows times the width of the vectors it scores. */
  public long scanSize() {
    Header h = header;
    return h == null ? 0 : scanSize(h);
  }

  private long scanSize(Header h) {
    return (long) items.size() * dimension(h);
  }

  /**
   * What this replica holds on the heap, counted from its arrays (allocated capacity, not rows
   * used): for {@code bench-memory}. Read while the replica is written, the figures may mix two
   * moments.
   *
   * @param userRows user ids held (entries of the user side's id map)
   * @param itemRows item ids held
   * @param rowBytes the row tables' float columns and their row-to-id arrays, with array headers
   * @param towerBytes the MLP's cached item towers (0 for MF, or before the first recommendation)
   * @param denseBytes the MLP's dense layers
   * @param idChars characters of every id held, for estimating the id strings
   */
  public record Footprint(int userRows, int itemRows, long rowBytes, long towerBytes,
      long denseBytes, long idChars) {}

  /** What this replica holds on the heap now. */
  public Footprint footprint() {
    long denseBytes = 0;
    for (int p = 0; p < DENSE; p++) {
      float[] d = dense.get(p);
      denseBytes += d == null ? 0 : arrayBytes(d.length, Float.BYTES);
    }
    return new Footprint(users.count(), items.count(), tableBytes(users.data()) + tableBytes(
        items.data()), towers.bytes(), denseBytes, idChars(users.data()) + idChars(items.data()));
  }

  private static long tableBytes(RowTable.Data d) {
    long bytes = arrayBytes(d.columns().length, 4) + arrayBytes(d.ids().length, 4);
    for (float[] c : d.columns()) {
      bytes += arrayBytes(c.length, Float.BYTES);
    }
    return bytes;
  }

  private static long idChars(RowTable.Data d) {
    long chars = 0;
    for (String id : d.ids()) {
      chars += id == null ? 0 : id.length();
    }
    return chars;
  }

  /**
   * Bytes of a Java array of {@code n} elements of {@code size} bytes: a 16-byte header
   * (compressed class pointers), the elements (references of 4 bytes with compressed oops),
   * padded to 8.
   */
  static long arrayBytes(long n, int size) {
    return (16 + n * size + 7) & ~7L;
  }

  /** User rows and item rows held. */
  public int users() {
    return users.count();
  }

  public int items() {
    return items.count();
  }

  /**
   * This model's answer to a prediction request, stamped with its header's freshness; null
   * before the model published anything.
   */
  public Prediction predict(String requestId, String user, String item, long now) {
    Header h = header;
    if (h == null) {
      return null;
    }
    Score s = predict(h, user, item);
    return new Prediction(requestId, user, item, s.rating(), model, h.version(), h.trained(),
        s.coldStart(), now, h.isDegraded());
  }

  /**
   * This model's answer to a recommendation request (its n best items the user has not rated);
   * null before the model published anything.
   */
  public Recommendation recommend(String requestId, String user, int n, Collection<String> seen,
      long now) {
    Header h = header;
    if (h == null) {
      return null;
    }
    Recommended best = recommend(h, user, n, seen);
    return new Recommendation(requestId, user, best.items(), model, h.version(), h.trained(),
        best.coldStart(), now, h.isDegraded());
  }

  /**
   * Applies one record of the model's state store ({@link ModelStateFormat}; a null value is a
   * tombstone). Writer only: the replica's update thread, in the changelog's order. The
   * trainer's bookkeeping (pending ratings, the RMSE window, the reset generation) is skipped.
   *
   * @throws IllegalArgumentException for a record this build cannot read; nothing changes
   */
  void apply(byte[] key, byte[] value) {
    switch (ModelStateFormat.kind(key)) {
      case ModelStateFormat.CONFIG -> {
        shape = value == null ? null : ModelStateFormat.decodeShape(value);
        refreshHeader();
      }
      case ModelStateFormat.COUNTERS -> {
        counters = value == null ? null : ModelStateFormat.Counters.decode(value);
        refreshHeader();
      }
      case ModelStateFormat.DEGRADED -> {
        degraded = value == null ? null : new String(value, StandardCharsets.UTF_8);
        refreshHeader();
      }
      case ModelStateFormat.ROW -> {
        RowTable side = ModelStateFormat.rowSide(key) == ModelStateFormat.USERS ? users : items;
        int row = ModelStateFormat.rowIndex(key);
        if (value == null) {
          side.remove(row);
        } else {
          ModelStateFormat.RowValues r = ModelStateFormat.decodeRowValues(value);
          side.put(row, r.id(), r.values());
        }
        if (side == items) {
          towers.rowChanged(row);
        }
      }
      case ModelStateFormat.DENSE -> {
        int index = ModelStateFormat.index(key);
        if (index < 0 || index >= DENSE) {
          throw new IllegalArgumentException("dense parameter " + index + " of " + DENSE);
        }
        dense.set(index, value == null ? null : ModelStateFormat.decodeDenseValues(value));
      }
      default -> { }
    }
  }

  RowTable userRows() {
    return users;
  }

  RowTable itemRows() {
    return items;
  }

  private void refreshHeader() {
    ModelStateFormat.Shape s = shape;
    ModelStateFormat.Counters c = counters;
    header = s == null || c == null ? null : new Header(s.type(), s.factors(),
        s.type().isMlp() ? s.hidden() : 0, c.version(), c.trained(), c.mean(), c.users(),
        c.items(), degraded);
  }

  /**
   * The predicted rating of (user, item). An unknown side gets the fallback: the mean, plus the
   * known side's bias in biased MF.
   *
   * <p>The sums, in float and in this order, are the ones the top-N scan does for every item,
   * so that a prediction and a recommendation score an item alike to the last bit: the item's
   * bias (biased MF; else 0), plus the products of the two sides' vectors in order of the
   * index, plus {@link #offset} (the mean and the user's bias).
   */
  public Score predict(Header h, String user, String item) {
    float[] u = users.copy(user);
    float[] i = items.copy(item);
    if (u != null && u.length != width(h) || i != null && i.length != width(h)) {
      u = null; // rows of another configuration than the header's: a reset in progress
      i = null;
    }
    float[][] layers = layers(h);
    if (u == null || i == null || h.type().isMlp() && layers == null) {
      return new Score(h.type() == ModelType.BIASED_MF
          ? (i == null ? 0f : bias(h, i)) + offset(h, u == null ? 0f : bias(h, u))
          : (float) h.mean(), true);
    }
    int dim = dimension(h);
    float[] ur = representation(h, u, layers, 0, new float[dim]);
    float[] ir = representation(h, i, layers, 2, new float[dim]);
    float s = dot(bias(h, i), ur, ir, dim) + offset(h, bias(h, u));
    if (!Float.isFinite(s)) {
      // Parameters that overflow (a model that diverged; its answers say degraded) never make a
      // non-finite answer: the mean, the one fallback a model without usable rows has.
      return new Score((float) h.mean(), true);
    }
    return new Score(s, false);
  }

  /**
   * The n best items for a user by predicted rating, best first, skipping {@code exclude}; ties
   * go to the smaller item id. An unknown user gets the items by bias in biased MF (a
   * cold-start answer) and nothing in the other networks, which have no user-free signal.
   *
   * <p>Requests made at the same time share passes over the item table (flat combining): a
   * request joins a queue; a thread that holds one of the {@link #SCANNERS} permits answers up to
   * {@link #MAX_SHARED} queued requests in one scan, so that a large table is read from memory
   * once for all of them, and wakes their threads; on leaving, it wakes the thread of the first
   * request still queued to scan next. A request alone is answered on its own thread at once,
   * and so is every request over a table of at most {@link #LONG_SCAN} floats: such a scan
   * costs less than waking a thread.
   */
  public Recommended recommend(Header h, String user, int n, Collection<String> exclude) {
    Query q = new Query(h, user, n, exclude);
    if (scanSize(h) <= longScan) { // short: alone, on this thread
      answer(List.of(q));
      return q.answer;
    }
    waiting.add(q);
    boolean interrupted = false;
    while (!q.done()) {
      if (scanning.tryAcquire()) {
        try {
          while (!q.done() && !waiting.isEmpty()) {
            answerWaiting();
          }
        } finally {
          scanning.release();
          Query next = waiting.peek(); // left for the next scan: its thread takes the permit
          if (next != null) {
            LockSupport.unpark(next.thread);
          }
        }
      }
      if (!q.done()) {
        LockSupport.park(this); // in another thread's scan, or waiting for a permit
        // An interrupt does not end the wait (the answer comes within a scan), but would make
        // every park return at once: keep it aside, and set it again before returning.
        interrupted |= Thread.interrupted();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (q.failure instanceof RuntimeException e) {
      throw e;
    }
    if (q.failure != null) { // an Error in another thread's scan: this request fails with it
      throw new IllegalStateException("the scan that answered this request failed: "
          + q.failure, q.failure);
    }
    return q.answer;
  }

  /**
   * Answers up to {@link #MAX_SHARED} waiting requests in one scan, and wakes their threads. A
   * scan that fails, even with an {@link Error}, fails each of its requests, so that no thread
   * waits for an answer that will not come; the error goes on up this thread too.
   */
  private void answerWaiting() {
    List<Query> batch = new ArrayList<>(MAX_SHARED);
    for (Query w; batch.size() < MAX_SHARED && (w = waiting.poll()) != null; ) {
      batch.add(w);
    }
    try {
      answer(batch);
    } catch (Throwable e) {
      for (Query w : batch) {
        if (w.answer == null) {
          w.failure = e;
        }
      }
      if (e instanceof Error err) {
        throw err;
      }
    } finally {
      for (Query w : batch) {
        if (w.thread != Thread.currentThread()) {
          LockSupport.unpark(w.thread);
        }
      }
    }
  }

  /**
   * Scans at a time: half the cores, at least one, so that a flood of recommendations leaves
   * the other half to learning (scans wait for memory more than they compute, and more of them
   * than cores would only share the same bandwidth).
   */
  static final int SCANNERS = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);

  /**
   * Floats of a scan (item rows times the vectors' width) above which requests share scans: about
   * 4 MB, some 100 microseconds of scanning here (docs/BENCHMARKS.md). MovieLens 100K's 1,682
   * items at k = 64 are 0.1 million; 59,047 items, 3.8 million.
   */
  public static final long LONG_SCAN = 1 << 20;

  /** The most recommendation requests one scan of the item table answers together. */
  public static final int MAX_SHARED = 8;

  /** Rows per block of the top-N scan: a block of dot products stays in the core's L1 cache. */
  private static final int BLOCK = 1024;

  /** A recommendation request waiting for a scan, and then its answer. */
  private static final class Query {
    final Thread thread = Thread.currentThread();
    final Header h;
    final String user;
    final int n;
    /** The items not to recommend, by id: row numbers may change under a reset. */
    final Set<String> skip;
    volatile Recommended answer;
    volatile Throwable failure;
    // Its part of the scan.
    float[] vector;
    float offset;
    TopN best;

    Query(Header h, String user, int n, Collection<String> exclude) {
      this.h = h;
      this.user = user;
      this.n = n;
      this.skip = exclude instanceof Set<String> set ? set : new HashSet<>(exclude);
    }

    boolean done() {
      return answer != null || failure != null;
    }
  }

  /** Answers every request of {@code batch}, those of one network and shape in one scan each. */
  private void answer(List<Query> batch) {
    List<Query> left = new ArrayList<>(batch);
    while (!left.isEmpty()) {
      Header lead = left.get(0).h;
      List<Query> same = new ArrayList<>();
      for (Iterator<Query> it = left.iterator(); it.hasNext(); ) {
        Query q = it.next();
        if (q.h.type() == lead.type() && q.h.factors() == lead.factors()
            && q.h.hidden() == lead.hidden()) {
          same.add(q);
          it.remove();
        }
      }
      scan(lead, same);
    }
  }

  /**
   * One pass over the item table in blocks of rows for requests of the network and shape of
   * {@code h}: each block's dot products are each user's vector times the table's columns
   * ({@link #addScaled}; every column block read once for all the users), then the block's
   * items are offered to each request's bounded heap. The MLPs scan their cached item towers
   * ({@link ItemTowers}) the same way.
   */
  private void scan(Header h, List<Query> queries) {
    float[][] layers = layers(h);
    RowTable.Data d = items.data();
    int dim = dimension(h);
    List<Query> scanned = new ArrayList<>(queries.size());
    for (Query q : queries) {
      float[] u = users.copy(q.user);
      if (u != null && u.length != width(h)) {
        u = null;
      }
      if (u == null && h.type() != ModelType.BIASED_MF || h.type().isMlp() && layers == null) {
        q.answer = new Recommended(List.of(), true);
      } else if (d.width() != width(h)) {
        q.answer = new Recommended(List.of(), u == null);
      } else {
        q.vector = u == null ? null : representation(h, u, layers, 0, new float[dim]);
        q.offset = offset(q.h, u == null ? 0f : bias(h, u));
        q.best = new TopN(q.n);
        scanned.add(q);
      }
    }
    if (scanned.isEmpty()) {
      return;
    }
    float[][] vectors = d.columns(); // the item side of the dot product
    float[] biases = h.type() == ModelType.BIASED_MF ? d.columns()[h.factors()] : null;
    if (h.type().isMlp()) {
      ItemTowers.Towers t = towers.towers(d, layers[2], layers[3], h.factors(), h.hidden());
      d = t.rows();
      vectors = t.columns();
    }
    if (vectors.length < dim) { // towers of another shape, from a refresh under way
      for (Query q : scanned) {
        q.answer = new Recommended(List.of(), false);
      }
      return;
    }
    int end = Math.min(items.size(), Math.min(d.capacity(), vectors[0].length));
    String[] ids = d.ids();
    float[][] ratings = scratch(scanned.size(), end);
    for (int from = 0; from < end; from += BLOCK) {
      int to = Math.min(end, from + BLOCK);
      for (int j = 0; j < scanned.size(); j++) {
        if (biases != null) {
          System.arraycopy(biases, from, ratings[j], from, to - from);
        } else {
          Arrays.fill(ratings[j], from, to, 0f);
        }
      }
      int f = 0;
      for (; f + 4 <= dim; f += 4) { // four columns a pass: a quarter of the passes over dots
        for (int j = 0; j < scanned.size(); j++) {
          float[] v = scanned.get(j).vector;
          if (v != null) {
            addScaled(ratings[j], vectors[f], v[f], vectors[f + 1], v[f + 1], vectors[f + 2],
                v[f + 2], vectors[f + 3], v[f + 3], from, to);
          }
        }
      }
      for (; f < dim; f++) {
        for (int j = 0; j < scanned.size(); j++) {
          float[] v = scanned.get(j).vector;
          if (v != null) {
            addScaled(ratings[j], vectors[f], v[f], from, to);
          }
        }
      }
      for (int j = 0; j < scanned.size(); j++) {
        Query q = scanned.get(j);
        float[] rated = ratings[j];
        float floor = q.best.floor();
        for (int r = from; r < to; r++) {
          float s = rated[r] + q.offset;
          // Overflowing parameters (a diverged model) leave no score to rank by.
          if (s >= floor && Float.isFinite(s) && ids[r] != null && !q.skip.contains(ids[r])) {
            q.best.offer(ids[r], s);
            floor = q.best.floor();
          }
        }
      }
    }
    for (Query q : scanned) {
      q.answer = new Recommended(q.best.bestFirst(), q.vector == null);
    }
  }

  /** Each scanning thread's dot products, one array per request, kept between scans. */
  private static final ThreadLocal<float[][]> RATINGS =
      ThreadLocal.withInitial(() -> new float[MAX_SHARED][0]);

  private static float[][] scratch(int requests, int n) {
    float[][] a = RATINGS.get();
    for (int j = 0; j < requests; j++) {
      if (a[j].length < n) {
        a[j] = new float[Math.max(n, a[j].length * 2)];
      }
    }
    return a;
  }

  /**
   * {@code acc[r] += s * x[r]} for r in [from, to): the one loop of the top-N scan and of the
   * MLP towers' rebuild. Both arrays indexed by the same r, so that C2 can prove them
   * independent and vectorise it (with an offset between them it stays scalar).
   */
  static void addScaled(float[] acc, float[] x, float s, int from, int to) {
    for (int r = from; r < to; r++) {
      acc[r] += s * x[r];
    }
  }

  /**
   * Four {@link #addScaled} in one pass, rounding as the four in a row would: Java adds left to
   * right, so {@code acc + a*x + b*y} is {@code (acc + a*x) + b*y}.
   */
  static void addScaled(float[] acc, float[] x, float a, float[] y, float b, float[] z, float c,
      float[] w, float d, int from, int to) {
    for (int r = from; r < to; r++) {
      acc[r] = acc[r] + a * x[r] + b * y[r] + c * z[r] + d * w[r];
    }
  }

  /** Floats per row: the embedding, then the bias in biased MF. */
  private static int width(Header h) {
    return h.factors() + (h.type() == ModelType.BIASED_MF ? 1 : 0);
  }

  /** The bias of a row: its last float in biased MF, 0 in the other networks. */
  private static float bias(Header h, float[] row) {
    return h.type() == ModelType.BIASED_MF ? row[h.factors()] : 0f;
  }

  /**
   * What a rating adds to the item's bias and the dot product: the mean plus the user's bias
   * in biased MF, summed in double once per answer; nothing in the other networks.
   */
  private static float offset(Header h, float userBias) {
    return h.type() == ModelType.BIASED_MF ? (float) (h.mean() + userBias) : 0f;
  }

  /** The length of the vectors in the dot product: k (MF) or the hidden width (MLP). */
  private static int dimension(Header h) {
    return h.type().isMlp() ? h.hidden() : h.factors();
  }

  /**
   * {@code start + u . v} over the first n floats, in float, summed in order of the index: the
   * order in which the top-N scan sums each item's products too.
   */
  static float dot(float start, float[] u, float[] v, int n) {
    float s = start;
    for (int j = 0; j < n; j++) {
      s += u[j] * v[j];
    }
    return s;
  }

  /**
   * The vector that enters the dot product for a row, into {@code out}: the embedding (MF), or
   * FC(ReLU(embedding)) (MLP; {@link ItemTowers#tower}), with {@code layers[at]} the [k, hidden]
   * weight and {@code layers[at + 1]} the bias.
   */
  private static float[] representation(Header h, float[] row, float[][] layers, int at,
      float[] out) {
    if (!h.type().isMlp()) {
      System.arraycopy(row, 0, out, 0, h.factors());
      return out;
    }
    ItemTowers.tower(row, layers[at], layers[at + 1], out);
    return out;
  }

  /**
   * The MLP's user weight, user bias, item weight and item bias; null for MF, and null while
   * they do not match the header (not all arrived yet, or of another configuration).
   */
  private float[][] layers(Header h) {
    if (!h.type().isMlp()) {
      return null;
    }
    float[][] d = new float[DENSE][];
    for (int p = 0; p < DENSE; p++) {
      d[p] = dense.get(p);
      if (d[p] == null) {
        return null;
      }
    }
    int k = h.factors();
    int hidden = h.hidden();
    if (d[0].length != k * hidden || d[1].length != hidden || d[2].length != k * hidden
        || d[3].length != hidden) {
      return null;
    }
    return d;
  }
}
