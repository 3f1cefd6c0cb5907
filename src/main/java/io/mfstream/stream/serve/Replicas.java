package io.mfstream.stream.serve;

import io.mfstream.stream.train.ModelUpdates;
import io.mfstream.stream.train.ModelUpdates.Header;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an instance serves from: an in-memory {@link ModelReplica} of every configured model and
 * the items each user has rated, kept equal to {@code model-updates} by {@link #apply}, which the
 * replica's update thread calls for every record, in order (the global processor
 * {@link ReplicaUpdater}, restoring from the beginning at every start). Any number of threads
 * read it at once: the serving processors, and whatever else answers requests.
 *
 * <p>One copy of each model: the rows live here only, not also in a store.
 */
public final class Replicas {
  private final Map<String, ModelReplica> models = new LinkedHashMap<>();
  /** The same replicas in the configured order, for every request to iterate without a copy. */
  private final List<ModelReplica> inOrder;
  private final SeenItems seen = new SeenItems();

  /** Replicas of these models, in this order; records of other models are ignored. */
  public Replicas(List<String> modelNames) {
    for (String m : modelNames) {
      models.put(m, new ModelReplica(m));
    }
    inOrder = List.copyOf(models.values());
  }

  /** Every model's replica, in the configured order (unmodifiable). */
  public List<ModelReplica> models() {
    return inOrder;
  }

  /** The replica of {@code model}, or null when it is not configured. */
  public ModelReplica get(String model) {
    return models.get(model);
  }

  /** The items {@code user} has rated, as far as this instance has read. */
  public List<String> seen(String user) {
    return seen.of(user);
  }

  /** Seen pairs held. */
  public long seenPairs() {
    return seen.pairs();
  }

  /**
   * Applies one record of {@code model-updates} (key layout in {@link ModelUpdates}); a null
   * value is a tombstone. Writer only: one thread calls it, in the topic's order.
   *
   * @throws IllegalArgumentException for a key or value this build cannot read; nothing changes
   */
  public void apply(String key, byte[] value) {
    if (key.length() < 2 || key.charAt(1) != '/') {
      throw new IllegalArgumentException("model-updates key '" + key + "' has no kind");
    }
    char kind = key.charAt(0);
    String rest = key.substring(2);
    if (kind == 's') {
      applySeen(key, rest, value);
      return;
    }
    int slash = rest.indexOf('/');
    String model = kind == 'm' ? rest : slash < 0 ? null : rest.substring(0, slash);
    if (model == null) {
      throw new IllegalArgumentException("model-updates key '" + key + "' has no model");
    }
    ModelReplica r = models.get(model);
    if (r == null) {
      return; // a model this instance does not serve (no longer configured)
    }
    String id = kind == 'm' ? null : rest.substring(slash + 1);
    switch (kind) {
      case 'm' -> r.setHeader(value == null ? null : Header.decode(value));
      case 'u' -> putOrRemove(r.userRows(), id, value);
      case 'i' -> putOrRemove(r.itemRows(), id, value);
      case 'd' -> r.setDense(id, value == null ? null : ModelUpdates.floats(value));
      default -> throw new IllegalArgumentException("model-updates key '" + key
          + "' of unknown kind '" + kind + "'");
    }
  }

  private static void putOrRemove(RowTable table, String id, byte[] value) {
    if (value == null) {
      table.remove(id);
    } else {
      table.put(id, ModelUpdates.floats(value));
    }
  }

  /** {@code s/LEN:USER/ITEM}. */
  private void applySeen(String key, String rest, byte[] value) {
    int colon = rest.indexOf(':');
    int len;
    try {
      len = colon < 1 ? -1 : Integer.parseInt(rest.substring(0, colon));
    } catch (NumberFormatException e) {
      len = -1;
    }
    int userEnd = colon + 1 + len;
    if (len < 0 || userEnd >= rest.length() || rest.charAt(userEnd) != '/') {
      throw new IllegalArgumentException("model-updates seen-pair key '" + key
          + "' is not s/LEN:USER/ITEM");
    }
    String user = rest.substring(colon + 1, userEnd);
    String item = rest.substring(userEnd + 1);
    if (value == null) {
      seen.remove(user, item);
    } else {
      seen.add(user, item);
    }
  }
}
