package io.mfstream.stream.status;

import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the pipeline's events for a status line and passes every event on to another
 * {@link PipelineMetrics}. Thread-safe.
 */
public final class Tally implements PipelineMetrics {
  private final PipelineMetrics next;
  private final LongAdder received = new LongAdder();
  private final LongAdder answered = new LongAdder();

  public Tally(PipelineMetrics next) {
    this.next = Objects.requireNonNull(next, "next");
  }

  /** Records read from {@code ratings} so far. */
  public long received() {
    return received.sum();
  }

  /** Requests answered so far, both kinds. */
  public long answered() {
    return answered.sum();
  }

  @Override
  public void ratingReceived() {
    received.increment();
    next.ratingReceived();
  }

  @Override
  public void stepTaken(String model, int batchSize, long nanos) {
    next.stepTaken(model, batchSize, nanos);
  }

  @Override
  public void ratingLearned(String model, long delayMillis) {
    next.ratingLearned(model, delayMillis);
  }

  @Override
  public void requestAnswered(RequestKind kind, long latencyMillis) {
    answered.increment();
    next.requestAnswered(kind, latencyMillis);
  }
}
