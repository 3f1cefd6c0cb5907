package io.mfstream.stream.serve;

import io.mfstream.stream.messages.RatingEvent;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * Records every valid rating's (user, item) pair in the {@link SeenItemsStore}: a child of the
 * validation step, so in its task and transaction, on its thread. Forwards nothing.
 */
public final class RecordSeenItems implements Processor<byte[], RatingEvent, Void, Void> {
  private SeenItemsStore seen;

  @Override
  public void init(ProcessorContext<Void, Void> context) {
    seen = new SeenItemsStore(context.getStateStore(SeenItemsStore.STORE));
  }

  @Override
  public void process(Record<byte[], RatingEvent> record) {
    RatingEvent e = record.value();
    seen.add(e.user(), e.item());
  }
}
