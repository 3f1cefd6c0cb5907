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
      return new Score((float) fallback(h, u, i), true);
    }
    int dim = dimension(h);
    float[] ur = representation(h, u, 0, layers, 0, new float[dim]);
    float[] ir = representation(h, i, 0, layers, 2, new float[dim]);
    float s = (float) score(h, dot(ur, ir, 0, dim), bias(h, u, 0), bias(h, i, 0));
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
   * <p>One pass over the item table in memory order, keeping the n best in a bounded heap.
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
    double ub = u == null ? 0 : bias(h, u, 0);
    int end = items.size();
    RowTable.Data d = items.data();
    end = Math.min(end, d.capacity());
    int w = d.width();
    if (w != width(h)) {
      return new Recommended(List.of(), u == null);
    }
    BitSet skip = new BitSet(end);
    for (String id : exclude) {
      int r = items.row(id);
      if (r >= 0) {
        skip.set(r);
      }
    }
    float[] values = d.values();
    String[] ids = d.ids();
    TopN best = new TopN(n);
    boolean mlp = h.type().isMlp();
    float[] tower = mlp ? new float[dim] : null;
    for (int r = 0; r < end; r++) {
      String id = ids[r];
      if (id == null || skip.get(r)) {
        continue;
      }
      int at = r * w;
      double s;
      if (ur == null) {
        s = h.mean() + bias(h, values, at);
      } else if (mlp) {
        s = score(h, dot(ur, representation(h, values, at, layers, 2, tower), 0, dim), ub, 0);
      } else {
        s = score(h, dot(ur, values, at, dim), ub, bias(h, values, at)); // the row in place
      }
      float f = (float) s;
      if (!Float.isFinite(f)) {
        continue; // overflowing parameters (a diverged model): no score to rank by
      }
      best.offer(id, f);
    }
    return new Recommended(best.bestFirst(), u == null);
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

  private static double fallback(Header h, float[] u, float[] i) {
    double p = h.mean();
    if (h.type() == ModelType.BIASED_MF) {
      p += (u == null ? 0 : bias(h, u, 0)) + (i == null ? 0 : bias(h, i, 0));
    }
    return p;
  }

  /** The bias of the row that starts at {@code values[at]}: 0 but in biased MF. */
  private static double bias(Header h, float[] values, int at) {
    return h.type() == ModelType.BIASED_MF ? values[at + h.factors()] : 0;
  }

  /** The prediction from the dot product of the two sides' vectors and their biases. */
  private static double score(Header h, float dot, double ub, double ib) {
    return h.type() == ModelType.BIASED_MF ? h.mean() + ub + ib + dot : dot;
  }

  /** The length of the vectors in the dot product: k (MF) or the hidden width (MLP). */
  private static int dimension(Header h) {
    return h.type().isMlp() ? h.hidden() : h.factors();
  }

  /**
   * {@code u . v[from, from + n)} in float, in one loop indexed by one index, which C2 vectorises
   * in part (the products): measured faster than eight running sums (docs/BENCHMARKS.md). The
   * top-N scan does this for every item; predictions and recommendations both score with it, so
   * they agree.
   */
  static float dot(float[] u, float[] v, int from, int n) {
    float s = 0;
    for (int j = 0; j < n; j++) {
      s += u[j] * v[from + j];
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
      if (a == 0f) {
        continue;
      }
      int base = c * hidden;
      for (int j = 0; j < hidden; j++) {
        out[j] += a * w[base + j];
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
