package io.mfstream.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.stream.train.ModelStore;
import io.mfstream.stream.train.TrainProcessor;
import io.mfstream.stream.validate.Reason;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.stream.validate.ValidatorConfig;
import io.mfstream.testing.TopologyTest;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.TestRatings;
import io.mfstream.train.Trainer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole topology in {@code TopologyTestDriver} (one partition per topic, so one model):
 * validation and dead letters, prequential scoring equal to the offline learner, batching, RMSE
 * reports, the trainer store's changelog feeding the serving replica, predictions for known and
 * unknown ids, recommendations that skip rated items. One behaviour a test, each for every
 * network, on the same stream ({@link #stream}).
 */
@TopologyTest
class PipelineTopologyTest {
  /** What producers write to {@code ratings}: RatingEvent JSON. */
  private static final org.apache.kafka.common.serialization.Serializer<RatingEvent> RATING_JSON =
      io.mfstream.stream.serde.JsonSerde.of(RatingEvent.class).serializer();

  private static final int BATCH = 4;
  private static final int WINDOW = 20;
  private static final int REPORT_EVERY = 5;

  @TempDir Path stateDir;

  private static ModelSpec spec(ModelType type) {
    ModelConfig model = ModelConfig.defaults(type).withFactors(8).withHidden(6).withInitScale(0.1);
    return new ModelSpec(type.id(), model, OptimizerConfig.lazySgd(), BATCH, WINDOW);
  }

  private TopologyTestDriver driver(PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "pipeline-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    return new TopologyTestDriver(PipelineTopology.build("pipeline-test", settings, board, metrics,
        counts), p);
  }

  @org.junit.jupiter.api.Test
  void answeringShouldBeAnApplicationOfItsOwnBesideTraining() {
    org.apache.kafka.streams.TopologyDescription core = PipelineTopology.core(
        new PipelineSettings(List.of(spec(ModelType.BIASED_MF)), REPORT_EVERY, 0,
            ValidatorConfig.defaults()), new StatusBoard(), PipelineMetrics.NONE,
        new RejectionCounts(), new io.mfstream.stream.train.SnapshotRequests()).describe();
    org.apache.kafka.streams.TopologyDescription serving = PipelineTopology.serving("app",
        new io.mfstream.stream.serve.Replicas(List.of("biased-mf")), PipelineMetrics.NONE)
        .describe();
    assertTrue(core.toString().contains(PipelineTopology.TRAIN), core.toString());
    assertFalse(core.toString().contains(PipelineTopology.PREDICT), core.toString());
    assertTrue(core.globalStores().isEmpty(), "the core application holds no replica");
    assertTrue(serving.toString().contains(PipelineTopology.PREDICT)
        && serving.toString().contains(PipelineTopology.RECOMMEND), serving.toString());
    assertFalse(serving.toString().contains(PipelineTopology.TRAIN + " "), serving.toString());
    assertEquals(2, serving.globalStores().size(), "the replicas' global processors");
    assertTrue(serving.toString().contains("app-model-state-changelog")
        && serving.toString().contains("app-seen-items-changelog"),
        "they read the core application's store changelogs: " + serving);
  }

  @org.junit.jupiter.api.Test
  void malformedRequestsShouldBeSkippedWithoutStoppingThePipeline() throws Exception {
    ModelSpec spec = spec(ModelType.PLAIN_MF);
    PipelineSettings settings = new PipelineSettings(List.of(spec), REPORT_EVERY, 0,
        ValidatorConfig.defaults());
    // The application's own Kafka Streams settings (its deserialization exception handler).
    Properties p = io.mfstream.app.AppConfig.load(null, java.util.Map.of(),
        java.util.Map.of("state.dir", stateDir.toString())).streamsProperties("unused:9092");
    try (TopologyTestDriver d = new TopologyTestDriver(PipelineTopology.build(
        p.getProperty(StreamsConfig.APPLICATION_ID_CONFIG), settings, new StatusBoard(),
        PipelineMetrics.NONE, new RejectionCounts()), p)) {
      TestInputTopic<byte[], byte[]> ratings = d.createInputTopic(Topics.RATINGS.name(),
          new ByteArraySerializer(), new ByteArraySerializer());
      for (Rating r : TestRatings.random(BATCH, 2, 2, 3)) {
        ratings.pipeInput(null, RATING_JSON
            .serialize("ratings", RatingEvent.from(r)));
      }
      TestInputTopic<byte[], byte[]> raw = d.createInputTopic(Topics.PREDICTION_REQUESTS.name(),
          new ByteArraySerializer(), new ByteArraySerializer());
      raw.pipeInput(null, "{not json".getBytes(StandardCharsets.UTF_8));
      raw.pipeInput(null, "{\"request_id\": \"r\", \"user\": \"u0\"}"
          .getBytes(StandardCharsets.UTF_8)); // no item
      TestInputTopic<byte[], byte[]> rawRecs = d.createInputTopic(
          Topics.RECOMMENDATION_REQUESTS.name(), new ByteArraySerializer(),
          new ByteArraySerializer());
      rawRecs.pipeInput(null, "[]".getBytes(StandardCharsets.UTF_8));
      TestInputTopic<String, PredictionRequest> asks = d.createInputTopic(
          Topics.PREDICTION_REQUESTS.name(), new StringSerializer(),
          Topics.PREDICTION_REQUESTS.valueSerde().serializer());
      asks.pipeInput("x", new PredictionRequest("good", "u0", "i0"));
      TestOutputTopic<String, Prediction> answers = d.createOutputTopic(
          Topics.PREDICTIONS.name(), Topics.PREDICTIONS.keySerde().deserializer(),
          Topics.PREDICTIONS.valueSerde().deserializer());
      List<Prediction> got = answers.readValuesToList();
      assertEquals(List.of("good"), got.stream().map(Prediction::requestId).toList());
      double dropped = d.metrics().entrySet().stream()
          .filter(e -> e.getKey().name().equals("dropped-records-total"))
          .mapToDouble(e -> ((Number) e.getValue().metricValue()).doubleValue()).sum();
      assertEquals(3.0, dropped, "malformed requests are counted as dropped records");
    }
  }

  @org.junit.jupiter.api.Test
  void aWarmStartedModelShouldBeServedBeforeItsFirstRating() throws Exception {
    ModelSpec base = spec(ModelType.BIASED_MF);
    Trainer offline = new Trainer(base.model(), base.optimizer(), BATCH);
    List<Rating> history = TestRatings.random(BATCH * 6, 5, 6, 12);
    for (int at = 0; at < history.size(); at += BATCH) {
      offline.trainBatch(history, at, BATCH);
    }
    Path file = stateDir.resolve("warm.mfsnap");
    io.mfstream.train.ModelSnapshot.save(offline, file);
    ModelSpec warm = new ModelSpec(base.name(), base.model(), base.optimizer(), BATCH, WINDOW,
        file);
    PipelineSettings settings = new PipelineSettings(List.of(warm), REPORT_EVERY, 0,
        ValidatorConfig.defaults());
    try (TopologyTestDriver d = driver(settings, new StatusBoard(), PipelineMetrics.NONE,
        new RejectionCounts())) {
      d.advanceWallClockTime(java.time.Duration.ofMillis(50));
      TestInputTopic<String, PredictionRequest> asks = d.createInputTopic(
          Topics.PREDICTION_REQUESTS.name(), new StringSerializer(),
          Topics.PREDICTION_REQUESTS.valueSerde().serializer());
      TestOutputTopic<String, Prediction> answers = d.createOutputTopic(
          Topics.PREDICTIONS.name(), Topics.PREDICTIONS.keySerde().deserializer(),
          Topics.PREDICTIONS.valueSerde().deserializer());
      Rating known = history.get(0);
      asks.pipeInput("x", new PredictionRequest("w1", known.user(), known.item()));
      Prediction p = answers.readValue();
      float[] expected = new float[1];
      offline.predict(List.of(known), 0, 1, expected, null);
      assertEquals(offline.version(), p.modelVersion());
      assertEquals(offline.trained(), p.ratingsLearned());
      assertFalse(p.coldStart());
      assertEquals(expected[0], p.rating(), 1e-5);
      // ...and the warm model is in the store.
      Trainer stored = ModelStore.open(d.getKeyValueStore(TrainProcessor.STORE), warm,
          Kernels.forCurrentBackend()).learner().trainer();
      org.junit.jupiter.api.Assertions.assertArrayEquals(StreamTestSupport.snapshot(offline),
          StreamTestSupport.snapshot(stored));
    }
  }

  @org.junit.jupiter.api.Test
  void aPartialBatchShouldBeLearnedFromOnceTheLingerTimePassed() {
    ModelSpec spec = spec(ModelType.BIASED_MF);
    PipelineSettings settings = new PipelineSettings(List.of(spec), REPORT_EVERY, 1000,
        ValidatorConfig.defaults());
    StatusBoard board = new StatusBoard();
    List<Rating> data = TestRatings.random(BATCH - 1, 3, 3, 8);
    try (TopologyTestDriver d = driver(settings, board, PipelineMetrics.NONE,
        new RejectionCounts())) {
      TestInputTopic<byte[], byte[]> ratings = d.createInputTopic(Topics.RATINGS.name(),
          new ByteArraySerializer(), new ByteArraySerializer());
      for (Rating r : data) {
        ratings.pipeInput(null, RATING_JSON
            .serialize("ratings", RatingEvent.from(r)));
      }
      assertEquals(0, board.get(spec.name()).version());
      assertEquals(BATCH - 1, board.get(spec.name()).pending());
      d.advanceWallClockTime(java.time.Duration.ofMillis(400));
      assertEquals(0, board.get(spec.name()).version(), "flushed before the linger time");
      d.advanceWallClockTime(java.time.Duration.ofMillis(1200));
      assertEquals(1, board.get(spec.name()).version(), "not flushed after the linger time");
      assertEquals(0, board.get(spec.name()).pending());
      assertEquals(BATCH - 1, board.get(spec.name()).trained());
      // ...and durably: the store holds the flushed model with nothing pending.
      ModelStore stored = ModelStore.open(d.getKeyValueStore(TrainProcessor.STORE), spec,
          Kernels.forCurrentBackend());
      assertTrue(stored.learner().pending().isEmpty());
      assertEquals(1, stored.learner().trainer().version());
    }
  }

  /**
   * {@link #BATCH} * 10 + 2 random ratings of six users and nine items, with an out-of-range and a
   * non-JSON record among them, streamed through the whole topology for one model of {@code
   * type}, beside an offline learner fed the valid ones; the driver is the caller's to close.
   */
  private record Streamed(TopologyTestDriver driver, ModelSpec spec, PipelineSettings settings,
      StatusBoard board, RejectionCounts counts, AtomicInteger received, AtomicInteger steps,
      List<Rating> data, OnlineLearner offline, List<RmseReport> expectedReports)
      implements AutoCloseable {
    @Override
    public void close() {
      driver.close();
    }

    String knownUser() {
      return data.get(0).user();
    }

    String knownItem() {
      return data.get(0).item();
    }
  }

  private Streamed stream(ModelType type) {
    ModelSpec spec = spec(type);
    PipelineSettings settings = new PipelineSettings(List.of(spec), REPORT_EVERY, 0,
        ValidatorConfig.defaults());
    StatusBoard board = new StatusBoard();
    RejectionCounts counts = new RejectionCounts();
    AtomicInteger received = new AtomicInteger();
    AtomicInteger steps = new AtomicInteger();
    PipelineMetrics metrics = new PipelineMetrics() {
      @Override
      public void ratingReceived() {
        received.incrementAndGet();
      }

      @Override
      public void stepTaken(String model, int batchSize, long nanos) {
        assertEquals(BATCH, batchSize);
        steps.incrementAndGet();
      }

      @Override
      public void ratingLearned(String model, long delayMillis) {}

      @Override
      public void requestAnswered(RequestKind kind, long latencyMillis) {}
    };
    List<Rating> data = TestRatings.random(BATCH * 10 + 2, 6, 9, 5);
    TopologyTestDriver d = driver(settings, board, metrics, counts);
    TestInputTopic<byte[], byte[]> ratings = d.createInputTopic(Topics.RATINGS.name(),
        new ByteArraySerializer(), new ByteArraySerializer());
    OnlineLearner offline = new OnlineLearner(
        new Trainer(spec.model(), spec.optimizer(), BATCH), WINDOW);
    List<RmseReport> expectedReports = new ArrayList<>();
    for (int n = 0; n < data.size(); n++) {
      Rating r = data.get(n);
      if (n == 7) {
        ratings.pipeInput("k".getBytes(StandardCharsets.UTF_8),
            "{\"user\":\"u1\",\"item\":\"i1\",\"rating\":9}".getBytes(StandardCharsets.UTF_8));
        ratings.pipeInput(null, "not json".getBytes(StandardCharsets.UTF_8));
      }
      ratings.pipeInput(r.user().getBytes(StandardCharsets.UTF_8),
          RATING_JSON.serialize("ratings", RatingEvent.from(r)));
      offline.observe(r);
      if (offline.scored() % REPORT_EVERY == 0) {
        expectedReports.add(new RmseReport(spec.name(), offline.rollingMeter().count(),
            offline.rollingRmse(), offline.scored(), offline.trainer().version(), 0));
      }
    }
    // The replicas read checkpoints: let the trainer's checkpoint timer fire.
    d.advanceWallClockTime(java.time.Duration.ofMillis(settings.checkpointMs()));
    return new Streamed(d, spec, settings, board, counts, received, steps, data, offline,
        expectedReports);
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void badInputShouldReachTheDeadLetterTopicWithItsReasonAndBeCounted(ModelType type) {
    try (Streamed s = stream(type)) {
      TestOutputTopic<byte[], byte[]> dlq = s.driver().createOutputTopic(
          Topics.RATINGS_DLQ.name(), Topics.RATINGS_DLQ.keySerde().deserializer(),
          Topics.RATINGS_DLQ.valueSerde().deserializer());
      List<org.apache.kafka.streams.test.TestRecord<byte[], byte[]>> dead =
          dlq.readRecordsToList();
      assertEquals(2, dead.size());
      assertEquals("not json", new String(dead.get(1).value(), StandardCharsets.UTF_8));
      assertEquals(2, s.counts().total());
      assertEquals(1, s.counts().get(Reason.OUT_OF_RANGE), s.counts().toString());
      assertEquals(s.data().size() + 2, s.received().get());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void rmseReportsShouldBeTheOfflineLearnersAtTheSameRatings(ModelType type) {
    try (Streamed s = stream(type)) {
      TestOutputTopic<String, RmseReport> rmse = s.driver().createOutputTopic(
          Topics.RMSE.name(), Topics.RMSE.keySerde().deserializer(),
          Topics.RMSE.valueSerde().deserializer());
      List<RmseReport> reports = rmse.readValuesToList();
      assertEquals(s.expectedReports().size(), reports.size());
      for (int i = 0; i < reports.size(); i++) {
        RmseReport e = s.expectedReports().get(i);
        RmseReport a = reports.get(i);
        assertEquals(e.count(), a.count());
        assertEquals(e.window(), a.window());
        assertEquals(e.rmse(), a.rmse(), 0.0, "report " + i);
        assertEquals(e.modelVersion(), a.modelVersion());
      }
      assertEquals(s.data().size() / BATCH, s.steps().get());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void theStoreShouldHoldExactlyTheOfflineLearnersModel(ModelType type) {
    try (Streamed s = stream(type)) {
      KeyValueStore<Bytes, byte[]> store = s.driver().getKeyValueStore(TrainProcessor.STORE);
      Trainer stored = ModelStore.open(store, s.spec(), Kernels.forCurrentBackend()).learner()
          .trainer();
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          StreamTestSupport.snapshot(s.offline().trainer()), StreamTestSupport.snapshot(stored));
      ModelStatus status = s.board().get(s.spec().name());
      assertEquals(s.offline().trainer().version(), status.version());
      assertEquals(s.offline().scored(), status.scored());
      assertEquals(BATCH * (s.data().size() / BATCH), status.trained());
      assertEquals(s.data().size() % BATCH, status.pending());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void predictionsShouldBeTheTrainersNumbersStampedWithItsVersion(ModelType type) {
    try (Streamed s = stream(type)) {
      TestInputTopic<String, PredictionRequest> asks = s.driver().createInputTopic(
          Topics.PREDICTION_REQUESTS.name(), new StringSerializer(),
          Topics.PREDICTION_REQUESTS.valueSerde().serializer());
      TestOutputTopic<String, Prediction> answers = s.driver().createOutputTopic(
          Topics.PREDICTIONS.name(), Topics.PREDICTIONS.keySerde().deserializer(),
          Topics.PREDICTIONS.valueSerde().deserializer());
      Trainer t = s.offline().trainer();
      asks.pipeInput("x", new PredictionRequest("r1", s.knownUser(), s.knownItem()));
      asks.pipeInput("x", new PredictionRequest("r2", "stranger", s.knownItem()));
      List<Prediction> got = answers.readValuesToList();
      assertEquals(2, got.size());
      float[] expected = new float[2];
      boolean[] cold = new boolean[2];
      t.predict(List.of(new Rating(s.knownUser(), s.knownItem(), 1),
          new Rating("stranger", s.knownItem(), 1)), 0, 2, expected, cold);
      assertEquals("r1", got.get(0).requestId());
      assertEquals(expected[0], got.get(0).rating(), 1e-5 * Math.max(1, Math.abs(expected[0])));
      assertFalse(got.get(0).coldStart());
      assertEquals(t.version(), got.get(0).modelVersion());
      assertEquals(t.trained(), got.get(0).ratingsLearned());
      assertEquals(s.spec().name(), got.get(0).model());
      assertTrue(got.get(1).coldStart());
      assertEquals(expected[1], got.get(1).rating(), 1e-6);
    }
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void recommendationsShouldBeTheBestUnratedItemsScoredLikePredictions(ModelType type) {
    try (Streamed s = stream(type)) {
      TestInputTopic<String, RecommendationRequest> recAsks = s.driver().createInputTopic(
          Topics.RECOMMENDATION_REQUESTS.name(), new StringSerializer(),
          Topics.RECOMMENDATION_REQUESTS.valueSerde().serializer());
      TestOutputTopic<String, Recommendation> recs = s.driver().createOutputTopic(
          Topics.RECOMMENDATIONS.name(), Topics.RECOMMENDATIONS.keySerde().deserializer(),
          Topics.RECOMMENDATIONS.valueSerde().deserializer());
      recAsks.pipeInput("x", new RecommendationRequest("q1", s.knownUser(), 3));
      Recommendation rec = recs.readValue();
      Trainer t = s.offline().trainer();
      Set<String> rated = new HashSet<>();
      Set<String> learnedItems = new HashSet<>();
      for (Rating r : s.data()) {
        if (r.user().equals(s.knownUser())) {
          rated.add(r.item());
        }
      }
      for (int i = 0; i < t.network().items().size(); i++) {
        learnedItems.add(t.network().items().idAt(i));
      }
      learnedItems.removeAll(rated);
      List<ScoredItem> best = new ArrayList<>();
      for (String item : learnedItems) {
        float[] p = new float[1];
        t.predict(List.of(new Rating(s.knownUser(), item, 1)), 0, 1, p, null);
        best.add(new ScoredItem(item, p[0]));
      }
      best.sort((a, b) -> Float.compare(b.rating(), a.rating()));
      assertEquals(Math.min(3, best.size()), rec.items().size());
      for (int i = 0; i < rec.items().size(); i++) {
        assertFalse(rated.contains(rec.items().get(i).item()), "recommended a rated item");
        assertEquals(best.get(i).rating(), rec.items().get(i).rating(), 1e-5);
      }
      assertFalse(rec.coldStart());
      assertEquals(t.version(), rec.modelVersion());
    }
  }
}
