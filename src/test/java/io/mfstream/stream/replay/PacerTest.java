package io.mfstream.stream.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

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
  void shouldNotWaitWhenUnthrottled() throws InterruptedException {
    Pacer pacer = new Pacer(0, System.nanoTime() + 3_600_000_000_000L);
    pacer.awaitTurn(1_000_000);
  }

  @Test
  void shouldRefuseANegativeOrNonFiniteRate() {
    assertThrows(IllegalArgumentException.class, () -> new Pacer(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new Pacer(Double.NaN, 0));
    assertThrows(IllegalArgumentException.class, () -> new Pacer(Double.POSITIVE_INFINITY, 0));
  }
}
