package io.mfstream.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The wait helper: how long it tries, what it returns, and what its failures say. */
@UnitTest
@Timeout(60)
class AwaitTest {

  @Test
  void shouldReturnOnceTheConditionHoldsTryingAtOnceFirst() {
    AtomicInteger tries = new AtomicInteger();
    Await.until(Duration.ofSeconds(30), "three tries", () -> tries.incrementAndGet() == 3);
    assertEquals(3, tries.get());
    Await.until(Duration.ofMillis(1), "nothing", () -> true);
  }

  @Test
  void shouldReturnTheFirstResultThatIsNotNull() {
    AtomicInteger tries = new AtomicInteger();
    String r = Await.result(Duration.ofSeconds(30), () -> "a result",
        () -> tries.incrementAndGet() < 2 ? null : "found after " + tries.get());
    assertEquals("found after 2", r);
  }

  @Test
  void shouldFailNamingWhatItAwaitedAndForHowLong() {
    AtomicInteger tries = new AtomicInteger();
    long start = System.nanoTime();
    AssertionError e = assertThrows(AssertionError.class, () -> Await.until(
        Duration.ofMillis(300), () -> "the impossible, after " + tries.get() + " tries",
        () -> tries.incrementAndGet() < 0));
    assertTrue(System.nanoTime() - start >= 300_000_000L);
    assertEquals("timed out after 300 ms waiting for the impossible, after " + tries.get()
        + " tries", e.getMessage());
    assertTrue(tries.get() >= 2, "tried " + tries.get() + " times");
    assertEquals("timed out after 1 s waiting for x", assertThrows(AssertionError.class,
        () -> Await.until(Duration.ofSeconds(1), "x", () -> false)).getMessage());
  }

  @Test
  void shouldLetWhatTheConditionThrowsThrough() {
    IOException io = new IOException("unreadable");
    assertEquals(io, assertThrows(IOException.class, () -> Await.until(Duration.ofSeconds(30),
        "a file", () -> {
          throw io;
        })));
    assertEquals("the process ended", assertThrows(AssertionError.class,
        () -> Await.until(Duration.ofSeconds(30), "a line", () -> {
          throw new AssertionError("the process ended");
        })).getMessage());
  }

  @Test
  void shouldStopWaitingWhenInterruptedAndKeepTheFlag() {
    Thread.currentThread().interrupt();
    try {
      AssertionError e = assertThrows(AssertionError.class,
          () -> Await.until(Duration.ofSeconds(30), "Godot", () -> false));
      assertEquals("interrupted while waiting for Godot", e.getMessage());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void shouldRefuseATimeoutThatIsNotPositive() {
    assertThrows(IllegalArgumentException.class,
        () -> Await.until(Duration.ZERO, "x", () -> true));
  }
}
