package io.mfstream.stream.serve;

import io.mfstream.stream.serde.SeenItemsCodec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an instance serves from: an in-memory {@link ModelReplica} of every configured model and
 * the items each user has rated, kept equal to the trainers' state stores by reading their
 * changelogs: {@link #apply} for every record of the {@code model-state} changelog (partition i
 * is model i's store) and {@link #applySeen} for every record of the {@code seen-items}
 * changelog (partition i: the validation task of {@code ratings} partition i), in order, which
 * the replica's update thread does (the global processors of
 * {@link ReplicaUpdater}, reading from the beginning at every start). Any number of threads read
 * it at once: the serving processors, and whatever else answers requests.
 *
 * <p>One copy of each model: the rows live here only, not also in a store.
 */
public final class Replicas {
  private final Map<String, ModelReplica> models = new LinkedHashMap<>();
  /** The same replicas in the configured order (model i is partition i), unmodifiable. */
  private final List<ModelReplica> inOrder;
  private final SeenItems seen = new SeenItems();

  /** Replicas of these models, in this order; records of other partitions are ignored. */
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

  /**
   * What the seen set holds on the heap, counted from its arrays ({@code bench-memory}).
   *
   * @param users users with items (entries of the user map)
   * @param items distinct items (entries of the item-number map)
   * @param pairs pairs held
   * @param arrayBytes every user's segment arrays and item-number arrays, and the
   *     number-to-item array, with headers
   * @param idChars characters of every user and item id held, for estimating the id strings
   */
  public record SeenFootprint(long users, long items, long pairs, long arrayBytes,
      long idChars) {}

  /** What the seen set holds on the heap now (read while written, it may mix two moments). */
  public SeenFootprint seenFootprint() {
    return seen.footprint();
  }

  /** Seen pairs held. */
  public long seenPairs() {
    return seen.pairs();
  }

  /**
   * Applies one record of model {@code model}'s state store (the changelog's partition number);
   * a null value is a tombstone. Writer only: one thread calls it, in the changelog's order.
   *
   * @throws IllegalArgumentException for a key or value this build cannot read; nothing changes
   */
  public void apply(int model, byte[] key, byte[] value) {
    if (model >= 0 && model < inOrder.size()) {
      inOrder.get(model).apply(key, value);
    }
    // else: a partition with no model configured (more partitions than models)
  }

  /**
   * Applies one record of the {@code seen-items} store of validation task {@code partition} (the
   * changelog's partition; {@link SeenItemsCodec}); a null value is a tombstone. Writer only, as
   * {@link #apply}.
   *
   * @throws IllegalArgumentException for a key or value this build cannot read; nothing changes
   */
  public void applySeen(int partition, byte[] key, byte[] value) {
    SeenItemsCodec.Key k = SeenItemsCodec.decodeKey(key);
    seen.put(k.user(), partition, k.chunk(), value == null ? null : SeenItemsCodec.items(value));
  }
}
