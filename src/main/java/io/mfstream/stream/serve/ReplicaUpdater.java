package io.mfstream.stream.serve;

import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A global processor that keeps an instance's {@link Replicas} equal to a trainer store's
 * changelog: every record, in order, at start-up (Kafka Streams reprocesses a global store's
 * topic through its processor when it restores, and an in-memory store restores from the
 * beginning at every start) and as it arrives. {@link #models} reads the {@code model-state}
 * changelog, whose partition i is model i's store; {@link #seenItems} the {@code seen-items}
 * changelog, whose partition i is the validation task of {@code ratings} partition i. Its store
 * stays empty: the replicas are the state.
 *
 * <p>A record this build cannot read is skipped with a warning (the first ten, then every
 * thousandth): it must not stop the instance's serving.
 */
public final class ReplicaUpdater implements Processor<byte[], byte[], Void, Void> {
  /** The global store Kafka Streams requires beside the models' processor; never written. */
  public static final String MODELS_STORE = "model-replica";
  /** The global store beside the seen items' processor; never written. */
  public static final String SEEN_STORE = "seen-items-replica";

  private static final Logger LOG = LoggerFactory.getLogger(ReplicaUpdater.class);

  private final Replicas replicas;
  private final boolean seen;
  private ProcessorContext<Void, Void> context;
  private long skipped;

  private ReplicaUpdater(Replicas replicas, boolean seen) {
    this.replicas = replicas;
    this.seen = seen;
  }

  /** The processor of the {@code model-state} changelog. */
  public static ReplicaUpdater models(Replicas replicas) {
    return new ReplicaUpdater(replicas, false);
  }

  /** The processor of the {@code seen-items} changelog. */
  public static ReplicaUpdater seenItems(Replicas replicas) {
    return new ReplicaUpdater(replicas, true);
  }

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    if (record.key() == null) {
      return;
    }
    try {
      int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
      if (seen) {
        replicas.applySeen(partition, record.key(), record.value());
      } else {
        replicas.apply(partition, record.key(), record.value());
      }
    } catch (RuntimeException e) {
      // Whatever a record holds, applying it must not stop the instance's serving: the decoders
      // refuse what they cannot read before anything changes (IllegalArgumentException), and
      // anything else that escapes is skipped likewise.
      skipped++;
      if (skipped <= 10 || skipped % 1000 == 0) {
        LOG.warn("{}: skipped a record ({} skipped so far): {}",
            seen ? "seen items" : "model state", skipped, e.getMessage());
      }
    }
  }
}
