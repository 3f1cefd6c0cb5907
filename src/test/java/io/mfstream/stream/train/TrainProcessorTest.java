package io.mfstream.stream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.mfstream.testing.UnitTest;
import io.mfstream.train.ModelStateFormat;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.TestRatings;
import java.io.File;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The trainer processor on its own: what it writes and forwards for each rating, and a failing model. */
@UnitTest
class TrainProcessorTest {
  private static final int BATCH = 4;
  private static final long CHECKPOINT_MS = 70;

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
        .withInitScale(0.1), OptimizerConfig.lazySgd().withLearningRate(learningRate), BATCH,
        20);
  }

  /** A trainer of one model, RMSE reported every {@code reportEvery} ratings, initialised. */
  private static TrainProcessor started(ModelSpec spec, int reportEvery, StatusBoard board,
      MockProcessorContext<String, Object> c) {
    TrainProcessor t = new TrainProcessor(List.of(spec), reportEvery, 0, CHECKPOINT_MS, board,
        PipelineMetrics.NONE, new SnapshotRequests());
    t.init(c);
    return t;
  }

  private static Record<byte[], RatingEvent> record(Rating r, long ts) {
    return new Record<>(null, RatingEvent.from(r), ts);
  }

  @Test
  void ratingsShouldBeLoggedAndACheckpointShouldWriteEachChangedRowOnceAndReportRmseEveryN() {
    MockProcessorContext<String, Object> c = context();
    StatusBoard board = new StatusBoard();
    TrainProcessor t = started(spec("m", 0.05), 2, board, c);
    List<Rating> batch = List.of(new Rating("u1", "i1", 4, 1), new Rating("u2", "i1", 3, 2),
        new Rating("u1", "i2", 5, 3), new Rating("u3", "i3", 2, 4));
    for (int n = 0; n < BATCH - 1; n++) {
      t.process(record(batch.get(n), n));
    }
    assertEquals(0, rows(c), "no row before the step");
    assertEquals(BATCH - 1, logged(c), "each rating logged");
    t.process(record(batch.get(BATCH - 1), BATCH));
    assertEquals(0, rows(c), "a step writes nothing but its rating's log entry");
    assertEquals(BATCH, logged(c));

    checkpoint(c);
    assertEquals(6, rows(c), "u1, u2, u3, i1, i2, i3");
    assertEquals(0, keysOf(c, ModelStateFormat.PENDING), "nothing pending at the checkpoint");
    ModelStateFormat.Counters counters = ModelStateFormat.Counters.decode(
        store(c).get(Bytes.wrap(ModelStateFormat.key(ModelStateFormat.COUNTERS))));
    assertEquals(1, counters.version());
    assertEquals(BATCH, counters.trained());
    assertEquals(3, counters.users());
    List<CapturedForward<? extends String, ?>> rmse = forwards(c, TrainProcessor.RMSE_CHILD);
    assertEquals(2, rmse.size(), "a report every 2 ratings: the 2nd and the 4th");
    assertEquals(4, ((RmseReport) rmse.get(1).record().value()).count());
    assertEquals(1, board.get("m").version());
  }

  @Test
  void aDivergingModelShouldBeFlaggedInItsStoreAndWriteNothingMore() {
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
    byte[] why = store(c).get(Bytes.wrap(ModelStateFormat.key(ModelStateFormat.DEGRADED)));
    assertNotNull(why, "the replicas read the flag from the store's changelog");
    String reason = new String(why, java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(reason.contains("DivergedException") || reason.contains("diverged"), reason);
    assertTrue(rows(c) > 0, "its last good parameters checkpointed, for the replicas");
    long version = board.get("wild").version();
    java.util.Map<Bytes, byte[]> before = StreamTestSupport.contents(store(c));

    c.resetForwards();
    for (int m = n; m < n + 3 * BATCH; m++) {
      t.process(record(data.get(m), m));
    }
    assertEquals(before.keySet(), StreamTestSupport.contents(store(c)).keySet(),
        "a stopped model writes nothing");
    assertTrue(forwards(c, TrainProcessor.RMSE_CHILD).isEmpty(), "a stopped model reports no RMSE");
    assertEquals(version, board.get("wild").version(), "it learns no more");
  }

  /** Fires the checkpoint timer, as the stream thread does every CHECKPOINT_MS. */
  private static void checkpoint(MockProcessorContext<String, Object> c) {
    c.scheduledPunctuators().stream()
        .filter(p -> p.getInterval().equals(java.time.Duration.ofMillis(CHECKPOINT_MS)))
        .findFirst().orElseThrow().getPunctuator().punctuate(2_000);
  }

  @SuppressWarnings("unchecked")
  private static KeyValueStore<Bytes, byte[]> store(MockProcessorContext<String, Object> c) {
    return (KeyValueStore<Bytes, byte[]>) (Object) c.getStateStore(TrainProcessor.STORE);
  }

  private static long keysOf(MockProcessorContext<String, Object> c, byte kind) {
    return StreamTestSupport.contents(store(c)).keySet().stream()
        .filter(k -> k.get()[0] == kind).count();
  }

  /** Entries in the log's first record. */
  private static int logged(MockProcessorContext<String, Object> c) {
    return ModelStateFormat.decodeLog(store(c).get(
        Bytes.wrap(ModelStateFormat.key(ModelStateFormat.LOG, 0)))).size();
  }

  private static long rows(MockProcessorContext<String, Object> c) {
    return keysOf(c, ModelStateFormat.ROW);
  }

  private static List<CapturedForward<? extends String, ?>> forwards(
      MockProcessorContext<String, Object> c, String child) {
    return c.forwarded(child);
  }
}
