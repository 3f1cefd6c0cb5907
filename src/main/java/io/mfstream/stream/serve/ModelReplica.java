package io.mfstream.stream.serve;

import io.mfstream.model.ModelType;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.train.ModelStateFormat;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

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
    float[] ur = representation(h, u, 0, layers, 0, new float[dim]);
    float[] ir = representation(h, i, 0, layers, 2, new float[dim]);
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
   * <p>One pass over the item table in blocks of rows: each block's dot products are the user's
   * vector times the table's columns ({@link #addScaled}), then its items are offered to a
   * bounded heap. The MLPs scan their cached item towers ({@link ItemTowers}) the same way.
   */
  public Recommended recommend(Header h, String user, int n, Collection<String> exclude) {
    float[] u = users.copy(user);
    if (u != null && u.length != width(h)) {
      u = null;
    }
    float[][] layers = layers(h);
    if (u == null && h.type() != ModelType.BIASED_MF || h.type().isMlp() && layers == null) {
      return new Recommended(List.of(), true);
    }
    int dim = dimension(h);
    float[] ur = u == null ? null : representation(h, u, 0, layers, 0, new float[dim]);
    float offset = offset(h, u == null ? 0f : bias(h, u));
    RowTable.Data d = items.data();
    if (d.width() != width(h)) {
      return new Recommended(List.of(), u == null);
    }
    float[][] vectors = d.columns(); // the item side of the dot product
    float[] biases = h.type() == ModelType.BIASED_MF ? d.columns()[h.factors()] : null;
    if (h.type().isMlp()) {
      ItemTowers.Towers t = towers.towers(d, layers[2], layers[3], h.factors(), h.hidden());
      if (t.columns().length != dim) {
        return new Recommended(List.of(), false);
      }
      d = t.rows();
      vectors = t.columns();
    }
    int end = Math.min(items.size(), Math.min(d.capacity(), vectors[0].length));
    BitSet skip = new BitSet(end);
    for (String id : exclude) {
      int r = items.row(id);
      if (r >= 0) {
        skip.set(r);
      }
    }
    String[] ids = d.ids();
    float[] ratings = scratch(end);
    TopN best = new TopN(n);
    for (int from = 0; from < end; from += BLOCK) {
      int to = Math.min(end, from + BLOCK);
      if (biases != null) {
        System.arraycopy(biases, from, ratings, from, to - from);
      } else {
        Arrays.fill(ratings, from, to, 0f);
      }
      if (ur != null) {
        for (int f = 0; f < dim; f++) {
          addScaled(ratings, vectors[f], ur[f], from, to);
        }
      }
      float floor = best.floor();
      for (int r = from; r < to; r++) {
        float s = ratings[r] + offset;
        // Overflowing parameters (a diverged model) leave no score to rank by.
        if (s >= floor && Float.isFinite(s) && ids[r] != null && !skip.get(r)) {
          best.offer(ids[r], s);
          floor = best.floor();
        }
      }
    }
    return new Recommended(best.bestFirst(), u == null);
  }

  /** Rows per block of the top-N scan: a block of dot products stays in the core's L1 cache. */
  private static final int BLOCK = 1024;

  /** Each request thread's dot products, kept between requests. */
  private static final ThreadLocal<float[]> DOTS = ThreadLocal.withInitial(() -> new float[0]);

  private static float[] scratch(int n) {
    float[] a = DOTS.get();
    if (a.length < n) {
      a = new float[Math.max(n, a.length * 2)];
      DOTS.set(a);
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
   * The n best items so far, worst at the root of a binary heap; an item beats another with a
   * higher score, or an equal score and a smaller id.
   */
  private static final class TopN {
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
   * The vector that enters the dot product for the row at {@code values[from]}, into {@code out}:
   * the embedding (MF), or FC(ReLU(embedding)) (MLP), with {@code layers[at]} the [k, hidden]
   * weight and {@code layers[at + 1]} the bias.
   */
  private static float[] representation(Header h, float[] values, int from, float[][] layers,
      int at, float[] out) {
    int k = h.factors();
    if (!h.type().isMlp()) {
      System.arraycopy(values, from, out, 0, k);
      return out;
    }
    int hidden = h.hidden();
    float[] w = layers[at];
    System.arraycopy(layers[at + 1], 0, out, 0, hidden);
    for (int c = 0; c < k; c++) {
      float a = Math.max(0f, values[from + c]);
      int base = c * hidden;
      for (int j = 0; j < hidden; j++) {
        out[j] += a * w[base + j]; // zeros too: the order of ItemTowers, to the last bit
      }
    }
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
