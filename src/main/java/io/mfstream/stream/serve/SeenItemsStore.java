package io.mfstream.stream.serve;

import io.mfstream.stream.serde.SeenItemsCodec;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The items each user has rated, for recommendations to leave out, in the state store
 * {@link #STORE} (chunked records of {@link SeenItemsCodec}) of the validation task, which sees
 * every valid rating once and in order ({@link RecordSeenItems}). Its changelog is what the
 * serving replicas read, beside the models'. Apart from the models' stores, so that it does not
 * depend on any model learning, and costs no trainer's thread.
 *
 * <p>A rating costs one write, of its user's last chunk, which is also kept in memory (read from
 * the store the first time the user is seen by this task); with the store cached, a chunk reaches
 * RocksDB and the changelog at most once per commit.
 */
public final class SeenItemsStore {
  /** The state store of the validation tasks that holds the seen items. */
  public static final String STORE = "seen-items";

  private final KeyValueStore<Bytes, byte[]> store;
  /** Each user's last chunk: its number and its value, as the store holds it. */
  private final Map<String, Last> last = new HashMap<>();

  private static final class Last {
    int chunk;
    byte[] value;
  }

  public SeenItemsStore(KeyValueStore<Bytes, byte[]> store) {
    this.store = store;
  }

  /** Records that {@code user} rated {@code item}. */
  public void add(String user, String item) {
    Last l = last.get(user);
    if (l == null) {
      l = new Last();
      l.chunk = findLast(user);
      l.value = store.get(Bytes.wrap(SeenItemsCodec.key(user, l.chunk)));
      last.put(user, l);
    }
    if (l.value != null && SeenItemsCodec.count(l.value) == SeenItemsCodec.CHUNK) {
      l.chunk++;
      l.value = null;
    }
    l.value = SeenItemsCodec.append(l.value, item);
    store.put(Bytes.wrap(SeenItemsCodec.key(user, l.chunk)), l.value);
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
