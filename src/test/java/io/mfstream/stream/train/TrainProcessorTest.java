package io.mfstream.stream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.TestRatings;
import java.io.File;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer processor on its own: what it forwards for each rating, and a failing model. */
class TrainProcessorTest {
  private static final int BATCH = 4;

  @TempDir File dir;

  private MockProcessorContext<String, Object> context() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "train-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    MockProcessorContext<String, Object> c = new MockProcessorContext<>(p, new TaskId(1, 0), dir);
    c.addStateStore(StreamTestSupport.memoryStore(TrainProcessor.STORE));
    c.setCurrentSystemTimeMs(1_000);
    c.setCurrentStreamTimeMs(1_000);
    return c;
  }

  private static ModelSpec spec(String name, double learningRate) {
    return new ModelSpec(name, ModelConfig.defaults(ModelType.BIASED_MF).withFactors(4)
        .withInitScale(0.1), OptimizerConfig.streaming().withLearningRate(learningRate), BATCH,
        20);
  }

  /** A trainer of one model, RMSE reported every {@code reportEvery} ratings, initialised. */
  private static TrainProcessor started(ModelSpec spec, int reportEvery, StatusBoard board,
      MockProcessorContext<String, Object> c) {
    TrainProcessor t = new TrainProcessor(List.of(spec), reportEvery, 0, board,
        PipelineMetrics.NONE, new SnapshotRequests());
    t.init(c);
    return t;
  }

  private static Record<byte[], RatingEvent> record(Rating r, long ts) {
    return new Record<>(null, RatingEvent.from(r), ts);
  }

  @Test
  void aStepShouldPublishEachTouchedRowOnceTheHeaderAndSeenPairsAndReportRmseEveryN() {
    MockProcessorContext<String, Object> c = context();
    StatusBoard board = new StatusBoard();
    TrainProcessor t = started(spec("m", 0.05), 2, board, c);
    List<Rating> batch = List.of(new Rating("u1", "i1", 4, 1), new Rating("u2", "i1", 3, 2),
        new Rating("u1", "i2", 5, 3), new Rating("u3", "i3", 2, 4));
    for (int n = 0; n < BATCH - 1; n++) {
      t.process(record(batch.get(n), n));
    }
    assertTrue(keys(c, TrainProcessor.UPDATES_CHILD).stream().allMatch(k -> k.startsWith("s/")),
        "nothing but seen pairs before the step: " + keys(c, TrainProcessor.UPDATES_CHILD));
    c.resetForwards();
    t.process(record(batch.get(BATCH - 1), BATCH));

    List<String> updates = keys(c, TrainProcessor.UPDATES_CHILD);
    assertEquals(new TreeSet<>(List.of("u/m/u1", "u/m/u2", "u/m/u3", "i/m/i1", "i/m/i2",
        "i/m/i3", "m/m", "s/2:u3/i3")), new TreeSet<>(updates), "each once: " + updates);
    assertEquals(updates.size(), new TreeSet<>(updates).size(), updates.toString());
    ModelUpdates.Header h = ModelUpdates.Header.decode((byte[]) value(c, "m/m"));
    assertEquals(1, h.version());
    assertEquals(BATCH, h.trained());
    assertFalse(h.isDegraded());
    List<CapturedForward<? extends String, ?>> rmse = forwards(c, TrainProcessor.RMSE_CHILD);
    assertEquals(1, rmse.size(), "a report every 2 ratings: the 4th");
    assertEquals(4, ((RmseReport) rmse.get(0).record().value()).count());
    assertEquals(1, board.get("m").version());
  }

  @Test
  void aDivergingModelShouldPublishItsHeaderFlaggedOnceAndThenOnlySeenPairs() {
    MockProcessorContext<String, Object> c = context();
    StatusBoard board = new StatusBoard();
    TrainProcessor t = started(spec("wild", 1e12), 1, board, c);
    List<Rating> data = TestRatings.random(50 * BATCH, 4, 4, 3);
    int n = 0;
    while (n < data.size() && !board.get("wild").isDegraded()) {
      t.process(record(data.get(n), n));
      n++;
    }
    assertTrue(board.get("wild").isDegraded(), "did not diverge in " + n + " ratings");
    assertEquals(n - 1, board.get("wild").scored(),
        "it runs on as the store holds it: the failing rating is not counted");
    Object header = value(c, "m/wild");
    assertNotNull(header);
    ModelUpdates.Header h = ModelUpdates.Header.decode((byte[]) header);
    assertTrue(h.isDegraded() && (h.degraded().contains("DivergedException")
        || h.degraded().contains("diverged")), h.toString());
    long version = board.get("wild").version();

    c.resetForwards();
    for (int m = n; m < n + 3 * BATCH; m++) {
      t.process(record(data.get(m), m));
    }
    List<String> after = keys(c, TrainProcessor.UPDATES_CHILD);
    assertEquals(3 * BATCH, after.size());
    assertTrue(after.stream().allMatch(k -> k.startsWith("s/")), after.toString());
    assertTrue(forwards(c, TrainProcessor.RMSE_CHILD).isEmpty(), "a stopped model reports no RMSE");
    assertEquals(version, board.get("wild").version(), "it learns no more");
  }

  private static List<CapturedForward<? extends String, ?>> forwards(
      MockProcessorContext<String, Object> c, String child) {
    return c.forwarded(child);
  }

  private static List<String> keys(MockProcessorContext<String, Object> c, String child) {
    return forwards(c, child).stream().map(f -> (String) f.record().key()).toList();
  }

  private static Object value(MockProcessorContext<String, Object> c, String key) {
    Object last = null;
    for (CapturedForward<? extends String, ?> f : c.forwarded(TrainProcessor.UPDATES_CHILD)) {
      if (f.record().key().equals(key)) {
        last = f.record().value();
      }
    }
    return last;
  }
}
