package io.mfstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.testing.BrokerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** bench-serve on a real in-process broker: every request offered is answered and timed. */
@BrokerTest
@Timeout(300)
class ServingBenchmarkTest {

  @Test
  void eachPhaseShouldAnswerWhatItSentAndTimeItWhileTrainingRuns() throws Exception {
    List<Rating> data = SyntheticRatings.builder().users(60).items(50).rank(3).ratings(2800)
        .sigma(0.3).seed(5).build().ratings().stream()
        .filter(r -> r.rating() >= 0.5f && r.rating() <= 5f).limit(2000).toList();
    StringWriter text = new StringWriter();
    List<ServingBenchmark.Phase> phases = ServingBenchmark.run(data,
        Map.of("models", "biased-mf", "model.biased-mf.factors", "8", "batch.size", "8"), 500,
        List.of(ServingBenchmark.Kind.PREDICTION, ServingBenchmark.Kind.BATCH,
            ServingBenchmark.Kind.RECOMMENDATION),
        List.of(50.0), 2, 5, List.of(ServingBenchmark.Via.TOPICS, ServingBenchmark.Via.HTTP), 2,
        10, new PrintWriter(text, true));
    // The topics take no batches: two phases there, three over HTTP.
    assertEquals(List.of("TOPICS PREDICTION", "TOPICS RECOMMENDATION", "HTTP PREDICTION",
        "HTTP BATCH", "HTTP RECOMMENDATION"), phases.stream().map(p -> p.via() + " " + p.kind())
        .toList(), text.toString());
    for (ServingBenchmark.Phase p : phases) {
      assertEquals(100, p.sent(), 2, text.toString());
      assertEquals(0, p.unanswered(), text.toString());
      assertTrue(p.answered() > 0 && p.answered() <= p.sent(), text.toString());
      assertTrue(p.latencyMillis()[0] > 0 && p.latencyMillis()[0] <= p.latencyMillis()[1]
          && p.latencyMillis()[1] <= p.latencyMillis()[2], text.toString());
      assertTrue(p.learned() > 0, "training ran during the phase: " + text);
    }
    assertTrue(text.toString().contains("recommendation"), text.toString());
    ServingBenchmark.Phase batch = phases.get(3);
    assertEquals(10 * batch.answered(), batch.pairsPerSecond() * batch.seconds(), 1e-6);
  }

  @Test
  void percentilesShouldBeNearestRank() {
    long[] v = {5, 1, 4, 2, 3, 10, 9, 8, 7, 6};
    assertEquals(5, ServingBenchmark.percentile(v, 0.5));
    assertEquals(10, ServingBenchmark.percentile(v, 0.99));
    assertEquals(1, ServingBenchmark.percentile(v, 0.01));
    assertTrue(Double.isNaN(ServingBenchmark.percentile(new long[0], 0.5)));
  }
}
