package io.mfstream.stream.serve;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The global processor that keeps an instance's {@link Replicas} equal to {@code model-updates}:
 * every record, in order, at start-up (Kafka Streams reprocesses a global store's topic through
 * its processor when it restores, and an in-memory store restores from the beginning at every
 * start) and as it arrives. Its store, {@link #STORE}, stays empty: the replicas are the state.
 *
 * <p>A record this build cannot read is skipped with a warning (the first ten, then every
 * thousandth): it must not stop the instance's serving.
 */
public final class ReplicaUpdater implements Processor<String, byte[], Void, Void> {
  /** The global store Kafka Streams requires beside the processor; never written. */
  public static final String STORE = "model-replica";

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaUpdater.class);

  private final Replicas replicas;
  private long skipped;

  public ReplicaUpdater(Replicas replicas) {
    this.replicas = replicas;
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {}

  @Override
  public void process(Record<String, byte[]> record) {
    if (record.key() == null) {
      return;
    }
    try {
      replicas.apply(record.key(), record.value());
    } catch (IllegalArgumentException | java.nio.BufferUnderflowException e) {
      skipped++;
      if (skipped <= 10 || skipped % 1000 == 0) {
        LOG.warn("model-updates: skipped record '{}' ({} skipped so far): {}", record.key(),
            skipped, e.getMessage());
      }
    }
  }
}
