package io.mfstream.bench;

import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.Vocabulary;
import io.mfstream.train.Trainer;

/**
 * A trainer's memory, computed from its tables (read on the trainer's thread, through {@code
 * SnapshotRequests.inspect}).
 *
 * @param model the model's name
 * @param users user ids learned (rows of the user tables)
 * @param items item ids learned
 * @param trained ratings learned from
 * @param modelBytes the model itself: every table's used rows times its width times the element
 *     size times (1 + optimiser state slots), plus every dense layer likewise; what a snapshot
 *     holds, less its ids
 * @param valueBytes the parameters alone (the model without its optimiser state)
 * @param allocatedBytes what the tables and layers occupy in ND4J's (off-heap) memory: each
 *     table's allocated capacity (which doubles as rows arrive) times its width times the
 *     element size times (1 + slots), its batch-gradient rows, and each dense layer with its
 *     gradient and state
 * @param vocabularyBytes the two vocabularies' heap, estimated from their entries and ids
 *     ({@link #vocabularyBytes(Vocabulary)})
 */
public record TrainerMemory(String model, int users, int items, long trained, long modelBytes,
    long valueBytes, long allocatedBytes, long vocabularyBytes) {

  /** Reads {@code trainer}'s figures; call on its own thread. */
  public static TrainerMemory of(String model, Trainer trainer) {
    MfNetwork net = trainer.network();
    int size = net.config().dataType().width();
    long modelBytes = 0;
    long valueBytes = 0;
    long allocated = 0;
    for (ParamTable t : net.tables()) {
      long perRow = (long) t.width() * size;
      modelBytes += t.rows() * perRow * (1 + t.stateSlots());
      valueBytes += t.rows() * perRow;
      allocated += t.capacity() * perRow * (1 + t.stateSlots()) + t.grad().length() * size;
    }
    for (DenseParam d : net.denseParams()) {
      long bytes = d.value().length() * size;
      modelBytes += bytes * (1 + d.stateSlots());
      valueBytes += bytes;
      allocated += bytes * (2 + d.stateSlots()); // value, gradient, state
    }
    return new TrainerMemory(model, net.users().size(), net.items().size(), trainer.trained(),
        modelBytes, valueBytes, allocated,
        vocabularyBytes(net.users()) + vocabularyBytes(net.items()));
  }

  /**
   * An estimate of a {@link Vocabulary}'s heap (a {@code HashMap<String, Integer>} and an
   * {@code ArrayList<String>} sharing the id strings), on a 64-bit JVM with compressed oops: per
   * id a map node (32 bytes), a boxed row (16), its string ({@link #stringBytes}) and a list
   * slot (4), plus the map's table (4 bytes a bucket, a power of two at most 3/4 full).
   */
  static long vocabularyBytes(Vocabulary v) {
    long bytes = 0;
    for (String id : v.ids()) {
      bytes += stringBytes(id.length());
    }
    return bytes + mapBytes(v.size()) + 4L * v.size();
  }

  /**
   * The estimated heap of a hash map's entries and table, keys and values aside but for boxed
   * int values: a node (32 bytes) and an {@code Integer} (16) per entry, 4 bytes per bucket.
   */
  static long mapBytes(long entries) {
    long buckets = 16;
    while (buckets * 3 / 4 < entries) {
      buckets *= 2;
    }
    return entries * (32 + 16) + arrayBytes(buckets, 4);
  }

  /** A Latin-1 string of {@code length} characters: the object (24) and its byte array. */
  static long stringBytes(long length) {
    return 24 + arrayBytes(length, 1);
  }

  /** A Java array of {@code n} elements of {@code size} bytes, its header and padding. */
  static long arrayBytes(long n, int size) {
    return (16 + n * size + 7) & ~7L;
  }
}
