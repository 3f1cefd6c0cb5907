package io.mfstream.stream;

import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/** Helpers shared by the streaming tests. */
public final class StreamTestSupport {
  private StreamTestSupport() {}

  /** An initialised in-memory key-value store, as a trainer task would have (without logging). */
  public static KeyValueStore<Bytes, byte[]> memoryStore(String name) {
    KeyValueStore<Bytes, byte[]> store = Stores.keyValueStoreBuilder(
        Stores.inMemoryKeyValueStore(name), Serdes.Bytes(), Serdes.ByteArray())
        .withLoggingDisabled().build();
    MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
    store.init(context.getStateStoreContext(), store);
    return store;
  }

  /**
   * The trainer's snapshot bytes: parameters, optimiser state, vocabulary and counters. Two
   * trainers with equal snapshots are bit-identical.
   */
  public static byte[] snapshot(Trainer trainer) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ModelSnapshot.save(trainer, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Every key and value of a store, in key order. */
  public static Map<Bytes, byte[]> contents(KeyValueStore<Bytes, byte[]> store) {
    Map<Bytes, byte[]> out = new TreeMap<>();
    try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        out.put(kv.key, kv.value.clone());
      }
    }
    return out;
  }
}
