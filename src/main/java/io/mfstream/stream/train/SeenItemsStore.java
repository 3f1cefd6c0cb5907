package io.mfstream.stream.train;

import io.mfstream.stream.serde.SeenItemsCodec;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The items each user has rated, for recommendations to leave out: kept by the trainer task of
 * model 0, which sees every valid rating once and in order, in the state store {@link #STORE}
 * (chunked records of {@link SeenItemsCodec}). Its changelog is what the serving replicas read,
 * like the model's. Separate from the model's store, so that resetting model 0 keeps it.
 *
 * <p>A rating costs one read and one write of its user's last chunk; with the store cached, a
 * chunk reaches RocksDB and the changelog at most once per commit.
 */
public final class SeenItemsStore {
  /** The state store of the trainer tasks that holds the seen items (model 0's task only). */
  public static final String STORE = "seen-items";

  private final KeyValueStore<Bytes, byte[]> store;
  /** Each user's last chunk, as found in the store the first time the user is seen. */
  private final Map<String, Integer> lastChunk = new HashMap<>();

  public SeenItemsStore(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  /** Records that {@code user} rated {@code item}. */
  public void add(String user, String item) {
    Integer known = lastChunk.get(user);
    int chunk = known != null ? known : findLast(user);
    byte[] current = store.get(Bytes.wrap(SeenItemsCodec.key(user, chunk)));
    if (current != null && SeenItemsCodec.count(current) == SeenItemsCodec.CHUNK) {
      chunk++;
      current = null;
    }
    store.put(Bytes.wrap(SeenItemsCodec.key(user, chunk)), SeenItemsCodec.append(current, item));
    lastChunk.put(user, chunk);
  }

  /** The index of the user's last chunk in the store (0 when there is none). */
  private int findLast(String user) {
    int c = 0;
    while (store.get(Bytes.wrap(SeenItemsCodec.key(user, c + 1))) != null) {
      c++;
    }
    return c;
  }
}
