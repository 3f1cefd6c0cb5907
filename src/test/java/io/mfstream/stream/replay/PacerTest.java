package io.mfstream.stream.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@UnitTest
class PacerTest {

  @Test
  void shouldPlaceEveryDeadlineFromTheStartSoErrorsDoNotAccumulate() {
    Pacer pacer = new Pacer(3, 1_000);
    assertEquals(1_000, pacer.deadline(0));
    assertEquals(1_000 + 333_333_333, pacer.deadline(1));
    // k/r from the start, not k times a rounded interval (which would be 999_999_999 here).
    assertEquals(1_000 + 1_000_000_000, pacer.deadline(3));
    assertEquals(1_000 + 1_000_000_000_000L, pacer.deadline(3_000));
  }

  @Test
  @Timeout(30) // a pacer that waited would park for an hour: fail instead of hanging
  void shouldNotWaitWhenUnthrottled() throws InterruptedException {
    long start = System.nanoTime() + 3_600_000_000_000L; // an hour ahead
    Pacer pacer = new Pacer(0, start);
    assertEquals(start, pacer.deadline(1_000_000)); // rate 0: no spacing between events
    long before = System.nanoTime();
    for (long k = 0; k < 1_000_000; k++) {
      pacer.awaitTurn(k);
    }
    long millis = (System.nanoTime() - before) / 1_000_000;
    assertTrue(millis < 5_000, "a million unthrottled turns took " + millis + " ms");
  }

  @Test
  void shouldRefuseANegativeOrNonFiniteRate() {
    assertThrows(IllegalArgumentException.class, () -> new Pacer(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Pacer(Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> new Pacer(Double.POSITIVE_INFINITY, 0));
  }
}
