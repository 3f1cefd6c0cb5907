package io.mfstream.stream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.ModelType;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.PipelineMetrics.RequestKind;
import io.mfstream.testing.UnitTest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving processors on their own: what they forward for a request, from replicas fed with
 * known rows (the numbers of {@code PredictionApiTest}).
 */
@UnitTest
class AnswerProcessorsTest {
  @TempDir File dir;

  private <V> MockProcessorContext<String, V> context() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "serve-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    return new MockProcessorContext<>(p, new TaskId(2, 0), dir);
  }

  /**
   * Biased MF "bmf" (k 2, version 12, 192 ratings, mean 3.5) that knows u1 and i1, i2, i3, and
   * plain MF "pmf" (k 2, version 3, 48 ratings) that knows u1 and i1; u1 has rated i1.
   */
  private static Replicas replicas(String... names) {
    Replicas r = new Replicas(List.of(names));
    feed(r, List.of(names).indexOf("bmf"), List.of(names).indexOf("pmf"));
    return r;
  }

  private static Replicas replicas() {
    return replicas("bmf", "pmf");
  }

  private static void feed(Replicas r, int bmf, int pmf) {
    StateRecords.model(r, bmf, ModelType.BIASED_MF, 2, 0, 12, 192, 3.5, List.of("u1"),
        List.of(new float[] {1, 0, 0.25f}), List.of("i1", "i2", "i3"),
        List.of(new float[] {1, 0, 0}, new float[] {0.5f, 0, 0}, new float[] {0, 0, 1}));
    StateRecords.model(r, pmf, ModelType.PLAIN_MF, 2, 0, 3, 48, 3.5, List.of("u1"),
        List.of(new float[] {2, 1}), List.of("i1"), List.of(new float[] {1, 1}));
    StateRecords.seen(r, "u1", "i1");
  }

  /** The serving events the processors report; anything else is a mistake. */
  private static final class RecordingMetrics implements PipelineMetrics {
    final List<RequestKind> kinds = new ArrayList<>();
    final List<Long> latencies = new ArrayList<>();

    @Override
    public void ratingReceived() {
      throw new AssertionError("a serving processor reported a rating");
    }

    @Override
    public void stepTaken(String model, int batchSize, long nanos) {
      throw new AssertionError("a serving processor reported a step");
    }

    @Override
    public void ratingLearned(String model, long delayMillis) {
      throw new AssertionError("a serving processor reported a learned rating");
    }

    @Override
    public void requestAnswered(RequestKind kind, long latencyMillis) {
      kinds.add(kind);
      latencies.add(latencyMillis);
    }
  }

  /** Runs one request through a fresh prediction processor; returns what it forwarded. */
  private List<CapturedForward<? extends String, ? extends Prediction>> predict(Replicas r,
      PipelineMetrics metrics, Record<String, PredictionRequest> request) {
    MockProcessorContext<String, Prediction> c = context();
    AnswerPredictions p = new AnswerPredictions(r, metrics);
    p.init(c);
    p.process(request);
    return c.forwarded();
  }

  private List<CapturedForward<? extends String, ? extends Recommendation>> recommend(
      Replicas r, PipelineMetrics metrics, Record<String, RecommendationRequest> request) {
    MockProcessorContext<String, Recommendation> c = context();
    AnswerRecommendations p = new AnswerRecommendations(r, metrics);
    p.init(c);
    p.process(request);
    return c.forwarded();
  }

  private static <V> List<V> values(List<? extends CapturedForward<?, ? extends V>> forwards) {
    return forwards.stream().<V>map(f -> f.record().value()).toList();
  }

  private static List<String> models(List<Recommendation> answers) {
    return answers.stream().map(Recommendation::model).toList();
  }

  @Test
  void shouldAnswerAPredictionOncePerModelKeyedByTheRequestIdWithEachModelsFreshness() {
    RecordingMetrics metrics = new RecordingMetrics();
    long before = System.currentTimeMillis();
    long sent = before - 250;
    List<CapturedForward<? extends String, ? extends Prediction>> out = predict(replicas(),
        metrics, new Record<>("key-u1", new PredictionRequest("r-1", "u1", "i1"), sent));
    long after = System.currentTimeMillis();

    assertEquals(2, out.size(), "one answer per model: " + out);
    for (CapturedForward<? extends String, ? extends Prediction> f : out) {
      assertEquals("r-1", f.record().key(), "keyed by the request id, not the request's key");
      assertEquals(sent, f.record().timestamp(), "the request's timestamp");
      assertTrue(f.childName().isEmpty(), "to every child");
      long at = f.record().value().answeredAt();
      assertTrue(before <= at && at <= after, "answered at " + at);
    }
    Prediction bmf = out.get(0).record().value();
    Prediction pmf = out.get(1).record().value();
    assertEquals(new Prediction("r-1", "u1", "i1", 3.5f + 0.25f + 0 + 1, "bmf", 12, 192, false,
        bmf.answeredAt(), false), bmf, "mean + biases + dot, in the configured order");
    assertEquals(new Prediction("r-1", "u1", "i1", 2 * 1 + 1 * 1, "pmf", 3, 48, false,
        pmf.answeredAt(), false), pmf);

    assertEquals(List.of(RequestKind.PREDICTION), metrics.kinds, "once per request");
    long latency = metrics.latencies.get(0);
    assertTrue(latency >= 250 && latency <= after - before + 250, "latency " + latency);
  }

  @Test
  void shouldAnswerAPredictionOnlyFromTheModelsThatHavePublishedAHeader() {
    Replicas r = replicas("bmf", "half", "pmf", "silent");
    // "half" has its configuration but not yet its counters; "silent" nothing at all.
    r.apply(1, StateRecords.configKey(), StateRecords.config(ModelType.PLAIN_MF, 2, 0));
    r.apply(1, StateRecords.userKey(0), StateRecords.row("u1", 1, 1));
    List<Prediction> out = values(predict(r, PipelineMetrics.NONE,
        new Record<>(null, new PredictionRequest("r-2", "u1", "i1"), 1L)));
    assertEquals(List.of("bmf", "pmf"), out.stream().map(Prediction::model).toList());
  }

  @Test
  void shouldForwardNothingAndCountNoAnswerWhenNoModelHasPublished() {
    Replicas r = new Replicas(List.of("bmf", "pmf"));
    r.apply(0, StateRecords.configKey(), StateRecords.config(ModelType.BIASED_MF, 2, 0));
    RecordingMetrics metrics = new RecordingMetrics();
    assertTrue(predict(r, metrics,
        new Record<>("k", new PredictionRequest("r-3", "u1", "i1"), 1L)).isEmpty());
    assertTrue(recommend(r, metrics,
        new Record<>("k", new RecommendationRequest("r-4", "u1", 5), 1L)).isEmpty());
    assertTrue(metrics.kinds.isEmpty(), "unanswered, so not counted as answered: "
        + metrics.kinds);
  }

  @Test
  void shouldIgnoreARequestRecordWithoutAValue() {
    RecordingMetrics metrics = new RecordingMetrics();
    assertTrue(predict(replicas(), metrics, new Record<>("r-5", null, 1L)).isEmpty());
    assertTrue(recommend(replicas(), metrics, new Record<>("r-6", null, 1L)).isEmpty());
    assertTrue(metrics.kinds.isEmpty(), "a tombstone is not a request: " + metrics.kinds);
  }

  @Test
  void shouldAnswerTheFallbackMarkedColdStartForAnUnknownUserOrItem() {
    List<Prediction> stranger = values(predict(replicas(), PipelineMetrics.NONE,
        new Record<>("k", new PredictionRequest("r-7", "stranger", "i3"), 1L)));
    assertEquals(2, stranger.size());
    assertEquals(3.5f + 1, stranger.get(0).rating(), "bmf: the mean plus i3's bias");
    assertTrue(stranger.get(0).coldStart());
    assertEquals(3.5f, stranger.get(1).rating(), "pmf: the mean");
    assertTrue(stranger.get(1).coldStart());

    List<Prediction> newItem = values(predict(replicas(), PipelineMetrics.NONE,
        new Record<>("k", new PredictionRequest("r-8", "u1", "i2"), 1L)));
    assertEquals(3.5f + 0.25f + 0.5f, newItem.get(0).rating(), "bmf knows i2");
    assertFalse(newItem.get(0).coldStart());
    assertEquals(3.5f, newItem.get(1).rating(), "pmf does not: the mean");
    assertTrue(newItem.get(1).coldStart());
    assertEquals("stranger", stranger.get(0).user(), "the ids as asked");
    assertEquals("i2", newItem.get(1).item());
  }

  @Test
  void shouldStampEachAnswerWithTheModelsVersionAndDegradedFlagAsTheReplicaHoldsThem() {
    Replicas r = replicas();
    r.apply(0, StateRecords.degradedKey(), "the loss is NaN".getBytes(StandardCharsets.UTF_8));
    r.apply(1, StateRecords.countersKey(), StateRecords.counters(4, 64, 3.5, 1, 1));
    List<Prediction> p = values(predict(r, PipelineMetrics.NONE,
        new Record<>("k", new PredictionRequest("r-9", "u1", "i1"), 1L)));
    List<Recommendation> rec = values(recommend(r, PipelineMetrics.NONE,
        new Record<>("k", new RecommendationRequest("r-10", "u1", 3), 1L)));
    assertTrue(p.get(0).degraded(), "bmf stopped learning");
    assertTrue(rec.get(0).degraded());
    assertEquals(12, p.get(0).modelVersion(), "a degraded model's version stays put");
    assertEquals(192, rec.get(0).ratingsLearned());
    assertEquals(3.5f + 0.25f + 1, p.get(0).rating(), "its last good parameters still answer");
    assertFalse(p.get(1).degraded(), "pmf learns on");
    assertFalse(rec.get(1).degraded());
    assertEquals(4, p.get(1).modelVersion(), "pmf's newest counters");
    assertEquals(64, p.get(1).ratingsLearned());
    assertEquals(4, rec.get(1).modelVersion());
    assertEquals(64, rec.get(1).ratingsLearned());

    r.apply(0, StateRecords.degradedKey(), null); // a reset deletes the flag
    assertFalse(values(predict(r, PipelineMetrics.NONE,
        new Record<>("k", new PredictionRequest("r-11", "u1", "i1"), 1L))).get(0).degraded());
  }

  @Test
  void shouldRecommendTheUnratedItemsBestFirstOncePerModelKeyedByTheRequestId() {
    RecordingMetrics metrics = new RecordingMetrics();
    long before = System.currentTimeMillis();
    long sent = before - 40;
    List<CapturedForward<? extends String, ? extends Recommendation>> out = recommend(
        replicas(), metrics, new Record<>("key-u1", new RecommendationRequest("r-12", "u1", 2),
            sent));
    long after = System.currentTimeMillis();

    assertEquals(2, out.size(), "one answer per model: " + out);
    for (CapturedForward<? extends String, ? extends Recommendation> f : out) {
      assertEquals("r-12", f.record().key());
      assertEquals(sent, f.record().timestamp());
      assertTrue(f.childName().isEmpty());
      long at = f.record().value().answeredAt();
      assertTrue(before <= at && at <= after, "answered at " + at);
    }
    Recommendation bmf = out.get(0).record().value();
    Recommendation pmf = out.get(1).record().value();
    assertEquals(new Recommendation("r-12", "u1",
        List.of(new ScoredItem("i3", 3.5f + 0.25f + 1), new ScoredItem("i2", 3.5f + 0.25f + 0.5f)),
        "bmf", 12, 192, false, bmf.answeredAt(), false), bmf, "i1 is rated: left out");
    assertEquals(new Recommendation("r-12", "u1", List.of(), "pmf", 3, 48, false,
        pmf.answeredAt(), false), pmf, "pmf's only item is rated: an empty answer, still sent");

    assertEquals(List.of(RequestKind.RECOMMENDATION), metrics.kinds, "once per request");
    long latency = metrics.latencies.get(0);
    assertTrue(latency >= 40 && latency <= after - before + 40, "latency " + latency);
  }

  @Test
  void shouldRecommendByItemBiasForAnUnknownUserInBiasedMfAndNothingInPlainMf() {
    List<Recommendation> out = values(recommend(replicas(), PipelineMetrics.NONE,
        new Record<>("k", new RecommendationRequest("r-13", "stranger", 3), 1L)));
    assertEquals(List.of("bmf", "pmf"), models(out));
    assertEquals(List.of(new ScoredItem("i3", 3.5f + 1), new ScoredItem("i1", 3.5f),
        new ScoredItem("i2", 3.5f)), out.get(0).items(),
        "mean + bias; the tie to the smaller id; u1's rating of i1 is not the stranger's");
    assertTrue(out.get(0).coldStart());
    assertEquals(List.of(), out.get(1).items(), "plain MF has no user-free signal");
    assertTrue(out.get(1).coldStart());
    assertEquals("stranger", out.get(1).user());
  }

  @Test
  void shouldRecommendAtMostNItemsAndFewerWhenFewerAreUnrated() {
    List<Recommendation> one = values(recommend(replicas(), PipelineMetrics.NONE,
        new Record<>("k", new RecommendationRequest("r-14", "u1", 1), 1L)));
    assertEquals(List.of(new ScoredItem("i3", 4.75f)), one.get(0).items());

    List<Recommendation> all = values(recommend(replicas(), PipelineMetrics.NONE,
        new Record<>("k", new RecommendationRequest("r-15", "u1", RecommendationRequest.MAX_N),
            1L)));
    assertEquals(List.of("i3", "i2"), all.get(0).items().stream().map(ScoredItem::item).toList(),
        "every unrated item the model knows, not n");
    assertEquals(List.of(), all.get(1).items());
    assertFalse(all.get(0).coldStart());

    // The request itself is the only guard on n: the processor passes it on as it is.
    assertThrows(IllegalArgumentException.class,
        () -> new RecommendationRequest("r-16", "u1", 0));
    assertThrows(IllegalArgumentException.class,
        () -> new RecommendationRequest("r-17", "u1", RecommendationRequest.MAX_N + 1));
    assertThrows(IllegalArgumentException.class,
        () -> new RecommendationRequest("r-18", "u1", -1));
  }

  @Test
  void shouldAnswerFromTheReplicasAsTheyAreAtEachRequest() {
    Replicas r = replicas("bmf", "pmf");
    MockProcessorContext<String, Prediction> c = context();
    AnswerPredictions p = new AnswerPredictions(r, PipelineMetrics.NONE);
    p.init(c);
    p.process(new Record<>("k", new PredictionRequest("r-19", "u1", "i1"), 1L));
    // bmf's next checkpoint: new counters and a new row for u1.
    r.apply(0, StateRecords.countersKey(), StateRecords.counters(13, 208, 3.5, 1, 3));
    r.apply(0, StateRecords.userKey(0), StateRecords.row("u1", 2, 0, 0.25f));
    p.process(new Record<>("k", new PredictionRequest("r-20", "u1", "i1"), 2L));

    List<Prediction> out = values(c.forwarded());
    assertEquals(4, out.size());
    assertEquals(List.of("r-19", "r-19", "r-20", "r-20"),
        out.stream().map(Prediction::requestId).toList());
    assertEquals(12, out.get(0).modelVersion());
    assertEquals(3.5f + 0.25f + 1, out.get(0).rating());
    assertEquals(13, out.get(2).modelVersion());
    assertEquals(208, out.get(2).ratingsLearned());
    assertEquals(3.5f + 0.25f + 2, out.get(2).rating());
    Prediction pmf = out.get(3);
    assertEquals(new Prediction("r-20", "u1", "i1", 3, "pmf", 3, 48, false, pmf.answeredAt()),
        pmf, "pmf unchanged");
  }
}
