package io.mfstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@UnitTest
@Timeout(60)
class LanesTest {

  @Test
  void shouldRunBothHalvesAndSeeTheirWrites() {
    int[] there = new int[1000];
    int[] here = new int[1000];
    for (int round = 0; round < 200; round++) {
      int value = round;
      Lanes.both(() -> java.util.Arrays.fill(there, value), () -> java.util.Arrays.fill(here, value));
      assertEquals(round, there[999]);
      assertEquals(round, here[0]);
    }
  }

  @Test
  void shouldRunTheOtherHalfOnALaneWhenTheMachineHasOne() {
    AtomicReference<String> thread = new AtomicReference<>();
    Lanes.both(() -> thread.set(Thread.currentThread().getName()), () -> { });
    if (Lanes.available()) {
      assertTrue(thread.get().startsWith("mfstream-lane-"), thread.get());
    } else {
      assertEquals(Thread.currentThread().getName(), thread.get());
    }
  }

  @Test
  void aFailureOnTheLaneShouldBeThrownToTheCallerAfterBothFinish() {
    AtomicInteger hereDone = new AtomicInteger();
    IndexOutOfBoundsException thrown = new IndexOutOfBoundsException("row 9 of a table of 4");
    IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
        () -> Lanes.both(() -> {
          throw thrown;
        }, hereDone::incrementAndGet));
    assertSame(thrown, e);
    assertEquals(1, hereDone.get());
    // The lane is free again afterwards.
    AtomicInteger ran = new AtomicInteger();
    Lanes.both(ran::incrementAndGet, ran::incrementAndGet);
    assertEquals(2, ran.get());
  }

  @Test
  void whenBothHalvesFailTheCallersFailureWinsAndTheLanesIsSuppressed() {
    IllegalStateException mine = new IllegalStateException("here");
    IllegalArgumentException lanes = new IllegalArgumentException("there");
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> Lanes.both(() -> {
          throw lanes;
        }, () -> {
          throw mine;
        }));
    assertSame(mine, e);
    assertEquals(List.of(lanes), List.of(e.getSuppressed()));
  }

  @Test
  void manyCallersAtOnceShouldAllGetTheirWorkDoneLanesOrNot() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Long>> results = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        results.add(pool.submit(() -> {
          long sum = 0;
          for (int i = 0; i < 500; i++) {
            long[] halves = new long[2];
            int k = i;
            Lanes.both(() -> halves[0] = k, () -> halves[1] = 2L * k);
            sum += halves[0] + halves[1];
          }
          return sum;
        }));
      }
      for (Future<Long> f : results) {
        assertEquals(3L * 499 * 500 / 2, f.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
