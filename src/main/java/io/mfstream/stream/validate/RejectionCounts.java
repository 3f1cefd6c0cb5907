package io.mfstream.stream.validate;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * How many records were rejected, per {@link Reason}. Thread-safe: every stream thread's
 * {@link ValidateRatings} may share one. Metrics read it rather than own it:
 * {@code MicrometerMetrics} exposes each reason's count as {@code mfstream.ratings.rejected} when
 * scraped, and the {@code run} command's status line shows the {@link #total}.
 */
public final class RejectionCounts {
  private static final Reason[] REASONS = Reason.values();

  private final AtomicLongArray counts = new AtomicLongArray(REASONS.length);

  /** Counts one rejection for {@code reason}. */
  public void increment(Reason reason) {
    counts.incrementAndGet(reason.ordinal());
  }

  /** Rejections for {@code reason} so far. */
  public long get(Reason reason) {
    return counts.get(reason.ordinal());
  }

  /** Rejections for all reasons so far. */
  public long total() {
    long total = 0;
    for (int i = 0; i < REASONS.length; i++) {
      total += counts.get(i);
    }
    return total;
  }

  /** A copy of every reason's count, zeros included, in declaration order. */
  public Map<Reason, Long> snapshot() {
    EnumMap<Reason, Long> copy = new EnumMap<>(Reason.class);
    for (Reason reason : REASONS) {
      copy.put(reason, counts.get(reason.ordinal()));
    }
    return Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    return "RejectionCounts" + snapshot();
  }
}
