package io.mfstream.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The one way a test waits for something: poll a condition until it holds or a deadline passes,
 * then fail with an {@link AssertionError} that says what was awaited and for how long.
 *
 * <pre>{@code
 * Await.until(Duration.ofSeconds(30), "5 samples of mlp",
 *     () -> server.history().samples("mlp").size() >= 5);
 * String line = Await.result(WAIT, () -> "a line in " + log + ":\n" + tail(log),
 *     () -> firstMatch(log));   // null until there is one
 * }</pre>
 *
 * <p>The condition runs on the test's thread, first at once and then every {@link #POLL} (plus
 * its own running time, e.g. a consumer's {@code poll}), until it holds; the deadline is
 * checked after each try, so a condition that holds in the last moment still counts. What it
 * throws (an {@link AssertionError} for a state that can no longer come right, say a process
 * that exited, or a checked exception) ends the wait at once and reaches the test unchanged.
 * The description may be a {@link Supplier}, called only on timeout, to show the last state.
 * An interrupt (a JUnit {@code @Timeout} expiring) ends the wait with an {@link AssertionError}
 * and the thread's interrupt flag set.
 */
public final class Await {

  /** The pause between two tries of a condition. */
  public static final Duration POLL = Duration.ofMillis(50);

  /** A condition that may throw; for a lambda that throws nothing checked, E is inferred away. */
  @FunctionalInterface
  public interface Condition<E extends Exception> {
    /** Whether what the test waits for has happened. */
    boolean holds() throws E;
  }

  /** A probe that returns a result once there is one, and null before. */
  @FunctionalInterface
  public interface Probe<T, E extends Exception> {
    /** The result, or null while there is none yet. */
    T get() throws E;
  }

  private Await() {
  }

  /**
   * Waits until {@code condition} holds.
   *
   * @param timeout how long to wait at most
   * @param what what is awaited, for the message on timeout ("5 samples of mlp")
   * @param condition tried at once, then every {@link #POLL}
   * @throws AssertionError naming {@code what} and {@code timeout} when the deadline passes
   * @throws E what the condition throws
   */
  public static <E extends Exception> void until(Duration timeout, String what,
      Condition<E> condition) throws E {
    Objects.requireNonNull(what, "what");
    until(timeout, () -> what, condition);
  }

  /**
   * Waits until {@code condition} holds; {@code what} is called only on timeout, so it can
   * describe the last state seen.
   *
   * @throws AssertionError naming what was awaited and {@code timeout} when the deadline passes
   * @throws E what the condition throws
   */
  public static <E extends Exception> void until(Duration timeout, Supplier<String> what,
      Condition<E> condition) throws E {
    Objects.requireNonNull(condition, "condition");
    result(timeout, what, () -> condition.holds() ? Boolean.TRUE : null);
  }

  /**
   * Waits until {@code probe} returns a result (not null), and returns it.
   *
   * @param timeout how long to wait at most
   * @param what what is awaited, called only on timeout (so it can describe the last state)
   * @param probe tried at once, then every {@link #POLL}; null means not yet
   * @throws AssertionError naming what was awaited and {@code timeout} when the deadline passes
   * @throws E what the probe throws
   */
  public static <T, E extends Exception> T result(Duration timeout, Supplier<String> what,
      Probe<T, E> probe) throws E {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(probe, "probe");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive: " + timeout);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T result = probe.get();
      if (result != null) {
        return result;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new AssertionError("timed out after " + describe(timeout) + " waiting for "
            + what.get());
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what.get(), e);
      }
    }
  }

  /** "30 s", "1500 ms": how long, for a message. */
  static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
