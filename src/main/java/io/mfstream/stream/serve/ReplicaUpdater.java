package io.mfstream.stream.serve;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global replica store equal to the latest value of every key of
 * {@code model-updates}; a tombstone deletes the key.
 */
public final class ReplicaUpdater implements Processor<String, byte[], Void, Void> {
  /** The global store every serving task scores from. */
  public static final String STORE = "model-replica";

  private KeyValueStore<String, byte[]> store;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    store = context.getStateStore(STORE);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    if (record.value() == null) {
      store.delete(record.key());
    } else {
      store.put(record.key(), record.value());
    }
  }
}
