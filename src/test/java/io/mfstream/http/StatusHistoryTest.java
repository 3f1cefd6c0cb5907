package io.mfstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.status.ModelStatus;
import io.mfstream.testing.UnitTest;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

@UnitTest
class StatusHistoryTest {

  private static ModelStatus status(String model, long version, double rmse) {
    return new ModelStatus(model, model, version, version * 16, version * 16, 0, 1, 1, 1000, rmse,
        rmse, 0, 0L);
  }

  private static List<Long> versions(List<StatusHistory.Sample> samples) {
    return samples.stream().map(StatusHistory.Sample::version).toList();
  }

  @Test
  void shouldKeepTheLastCapacitySamplesOfEachModelOldestFirst() {
    StatusHistory history = new StatusHistory(3);
    for (long v = 1; v <= 7; v++) {
      history.record(List.of(status("a", v, 1.0 / v), status("b", 100 + v, 0.5)), 1000 * v);
      assertEquals(Math.min(v, 3), history.samples("a").size());
    }
    assertEquals(List.of(5L, 6L, 7L), versions(history.samples("a")));
    assertEquals(List.of(105L, 106L, 107L), versions(history.samples("b")));
    StatusHistory.Sample last = history.samples("a").get(2);
    assertEquals(new StatusHistory.Sample(7000, 7, 112, 1.0 / 7), last);
    assertEquals(List.of("a", "b"), history.models());
    assertEquals(3, history.capacity());
  }

  @Test
  void shouldReturnOnlySamplesAfterATime() {
    StatusHistory history = new StatusHistory(10);
    LongStream.rangeClosed(1, 5).forEach(v -> history.record(List.of(status("a", v, 1)), v * 10));
    assertEquals(List.of(3L, 4L, 5L), versions(history.samplesAfter("a", 20)));
    assertEquals(List.of(), history.samplesAfter("a", 50));
    assertEquals(List.of(), history.samples("never-seen"));
  }

  @Test
  void shouldStartAModelsHistoryWhenItFirstAppears() {
    StatusHistory history = new StatusHistory(10);
    history.record(List.of(status("a", 1, 1)), 10);
    history.record(List.of(status("a", 2, 1), status("late", 1, Double.NaN)), 20);
    assertEquals(1, history.samples("late").size());
    assertTrue(Double.isNaN(history.samples("late").get(0).rollingRmse()));
    assertEquals(2, history.samples("a").size());
  }

  @Test
  void shouldRefuseACapacityBelowOne() {
    assertThrows(IllegalArgumentException.class, () -> new StatusHistory(0));
  }
}
