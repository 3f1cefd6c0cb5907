package io.mfstream.stream.serve;

import io.mfstream.model.ModelType;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.stream.train.ModelUpdates;
import io.mfstream.stream.train.ModelUpdates.Header;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A read replica of one model, scored straight from the global store that mirrors
 * {@code model-updates}: the same arithmetic as the trainer's network at inference (no dropout),
 * on float32 rows, in plain Java. A replica holds no parameters of its own except the decoded
 * dense layers of the latest version it saw, so it is always as fresh as the store.
 *
 * <p>Rows and header travel in different records (and partitions) of {@code model-updates}, so
 * an answer may combine rows from neighbouring versions; the version an answer reports is the
 * header's.
 */
public final class ModelReplica {
  private final String model;
  private float[][] dense;
  private long denseVersion = -1;

  /** A score: the predicted rating, and whether it is a fallback for an unknown id. */
  public record Score(float rating, boolean coldStart) {}

  /** Recommended items, best first, and whether they are a fallback for an unknown user. */
  public record Recommended(List<ScoredItem> items, boolean coldStart) {}

  public ModelReplica(String model) {
    this.model = model;
  }

  public String model() {
    return model;
  }

  /** The model's header, or null before its trainer published anything. */
  public Header header(ReadOnlyKeyValueStore<String, byte[]> store) {
    byte[] h = store.get(ModelUpdates.headerKey(model));
    return h == null ? null : Header.decode(h);
  }

  /**
   * The predicted rating of (user, item). An unknown side gets the fallback: the mean, plus the
   * known side's bias in biased MF.
   */
  public Score predict(ReadOnlyKeyValueStore<String, byte[]> store, Header h, String user,
      String item) {
    float[] u = row(store, ModelUpdates.userKey(model, user));
    float[] i = row(store, ModelUpdates.itemKey(model, item));
    if (u == null || i == null) {
      return new Score((float) fallback(h, u, i), true);
    }
    float[][] layers = layers(store, h);
    float s = (float) score(h, representation(h, u, layers, 0),
        representation(h, i, layers, 2), bias(h, u), bias(h, i));
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
   */
  public Recommended recommend(ReadOnlyKeyValueStore<String, byte[]> store, Header h,
      String user, int n, Set<String> exclude) {
    float[] u = row(store, ModelUpdates.userKey(model, user));
    if (u == null && h.type() != ModelType.BIASED_MF) {
      return new Recommended(List.of(), true);
    }
    float[][] layers = layers(store, h);
    double[] ur = u == null ? null : representation(h, u, layers, 0);
    double ub = u == null ? 0 : bias(h, u);
    Comparator<ScoredItem> worstFirst = Comparator.comparingDouble(ScoredItem::rating)
        .thenComparing(ScoredItem::item, Comparator.reverseOrder());
    PriorityQueue<ScoredItem> best = new PriorityQueue<>(worstFirst);
    String prefix = ModelUpdates.itemPrefix(model);
    try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, new StringSerializer())) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        String item = kv.key.substring(prefix.length());
        if (exclude.contains(item)) {
          continue;
        }
        float[] i = ModelUpdates.floats(kv.value);
        double s = ur == null ? h.mean() + bias(h, i)
            : score(h, ur, representation(h, i, layers, 2), ub, bias(h, i));
        if (!Double.isFinite((float) s)) {
          continue; // overflowing parameters (a diverged model): no score to rank by
        }
        ScoredItem candidate = new ScoredItem(item, (float) s);
        if (best.size() < n) {
          best.add(candidate);
        } else if (worstFirst.compare(candidate, best.peek()) > 0) {
          best.poll();
          best.add(candidate);
        }
      }
    }
    List<ScoredItem> out = new ArrayList<>(best);
    out.sort(worstFirst.reversed());
    return new Recommended(out, u == null);
  }

  /** The items a user has rated, from the seen pairs in the store. */
  public static Set<String> seen(ReadOnlyKeyValueStore<String, byte[]> store, String user) {
    Set<String> items = new HashSet<>();
    String prefix = ModelUpdates.seenPrefix(user);
    try (KeyValueIterator<String, byte[]> it = store.prefixScan(prefix, new StringSerializer())) {
      while (it.hasNext()) {
        items.add(it.next().key.substring(prefix.length()));
      }
    }
    return items;
  }

  private static float[] row(ReadOnlyKeyValueStore<String, byte[]> store, String key) {
    byte[] v = store.get(key);
    return v == null ? null : ModelUpdates.floats(v);
  }

  private static double fallback(Header h, float[] u, float[] i) {
    double p = h.mean();
    if (h.type() == ModelType.BIASED_MF) {
      p += (u == null ? 0 : bias(h, u)) + (i == null ? 0 : bias(h, i));
    }
    return p;
  }

  private static double bias(Header h, float[] row) {
    return h.type() == ModelType.BIASED_MF ? row[h.factors()] : 0;
  }

  private static double score(Header h, double[] u, double[] i, double ub, double ib) {
    double dot = 0;
    for (int j = 0; j < u.length; j++) {
      dot += u[j] * i[j];
    }
    return h.type() == ModelType.BIASED_MF ? h.mean() + ub + ib + dot : dot;
  }

  /**
   * The vector that enters the dot product: the embedding (MF), or FC(ReLU(embedding)) (MLP),
   * with {@code layers[at]} the [k, hidden] weight and {@code layers[at + 1]} the bias.
   */
  private static double[] representation(Header h, float[] row, float[][] layers, int at) {
    int k = h.factors();
    if (!h.type().isMlp()) {
      double[] r = new double[k];
      for (int j = 0; j < k; j++) {
        r[j] = row[j];
      }
      return r;
    }
    int hidden = h.hidden();
    float[] w = layers[at];
    float[] b = layers[at + 1];
    double[] out = new double[hidden];
    for (int j = 0; j < hidden; j++) {
      out[j] = b[j];
    }
    for (int c = 0; c < k; c++) {
      float a = Math.max(0f, row[c]);
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

  /** user weight, user bias, item weight, item bias (MLP), decoded once per version. */
  private float[][] layers(ReadOnlyKeyValueStore<String, byte[]> store, Header h) {
    if (!h.type().isMlp()) {
      return null;
    }
    if (dense != null && denseVersion == h.version()) {
      return dense;
    }
    String[] names = {"user-fc-weight", "user-fc-bias", "item-fc-weight", "item-fc-bias"};
    float[][] d = new float[4][];
    for (int p = 0; p < 4; p++) {
      byte[] v = store.get(ModelUpdates.denseKey(model, names[p]));
      if (v == null) {
        throw new IllegalStateException("model " + model + " has a header but no " + names[p]);
      }
      d[p] = ModelUpdates.floats(v);
    }
    int k = h.factors();
    int hidden = h.hidden();
    if (d[0].length != k * hidden || d[1].length != hidden || d[2].length != k * hidden
        || d[3].length != hidden) {
      throw new IllegalStateException("model " + model + ": dense layers do not match k=" + k
          + ", hidden=" + hidden);
    }
    dense = d;
    denseVersion = h.version();
    return d;
  }
}
