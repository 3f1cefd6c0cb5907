package io.mfstream.stream.replay;

import java.util.concurrent.locks.LockSupport;

/**
 * Lets the k-th event go at {@code start + k / ratePerSecond}: each deadline is computed from the
 * start, never from the previous event, so late events (a slow send, a long park) do not push
 * the later ones back and the error does not accumulate. A rate of 0 means no pacing.
 */
final class Pacer {

  private static final double NANOS_PER_SECOND = 1e9;

  private final double nanosPerEvent;
  private final long startNanos;

  /**
   * @param ratePerSecond events per second, finite and at least 0 (0 = as fast as possible)
   * @param startNanos the start, on the {@link System#nanoTime()} clock
   */
  Pacer(double ratePerSecond, long startNanos) {
    checkRate(ratePerSecond);
    this.nanosPerEvent = ratePerSecond == 0 ? 0 : NANOS_PER_SECOND / ratePerSecond;
    this.startNanos = startNanos;
  }

  /** Returns {@code ratePerSecond} if it is finite and at least 0; throws otherwise. */
  static double checkRate(double ratePerSecond) {
    if (!(ratePerSecond >= 0) || !Double.isFinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "ratings per second must be finite and >= 0 (0 = unthrottled): " + ratePerSecond);
    }
    return ratePerSecond;
  }

  /** When event {@code k} (0-based) may go, on the {@link System#nanoTime()} clock. */
  long deadline(long k) {
    return startNanos + (long) (k * nanosPerEvent);
  }

  /** Parks the calling thread until event {@code k} may go. */
  void awaitTurn(long k) throws InterruptedException {
    if (nanosPerEvent == 0) {
      return;
    }
    long deadline = deadline(k);
    long remaining;
    while ((remaining = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(remaining);
      if (Thread.interrupted()) {
        throw new InterruptedException("interrupted while pacing the replay");
      }
    }
  }
}
