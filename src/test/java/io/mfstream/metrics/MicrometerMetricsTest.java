package io.mfstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.PipelineMetrics.RequestKind;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.validate.Reason;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@UnitTest
@Timeout(60)
class MicrometerMetricsTest {

  private static final double EPS = 1e-9;

  private StatusBoard board;
  private RejectionCounts rejections;
  private MicrometerMetrics metrics;

  @BeforeEach
  void create() {
    board = new StatusBoard();
    rejections = new RejectionCounts();
    metrics = new MicrometerMetrics(board, rejections);
  }

  @AfterEach
  void close() {
    metrics.close();
  }

  private static ModelStatus status(String model, String type, long version, long trained,
      long scored, int pending, int users, int items, double rolling, double overall,
      long coldStarts) {
    return new ModelStatus(model, type, version, trained, scored, pending, users, items, 1000,
        rolling, overall, coldStarts, 1_700_000_000_000L);
  }

  private PrometheusText scrape() {
    return PrometheusText.parse(metrics.scrape());
  }

  private static Map<String, String> model(String name) {
    return Map.of("model", name);
  }

  @Test
  void shouldReadEveryModelsStateFromTheBoard() {
    board.publish(status("biased-mf", "biased-mf", 120, 1920, 1925, 5, 943, 1650, 0.9512,
        1.0234, 310));
    board.publish(status("mlp", "mlp", 7, 112, 120, 8, 80, 200, 1.1, 1.2, 40));

    PrometheusText scrape = scrape();

    Map<String, String> biased = model("biased-mf");
    assertEquals(1925, scrape.value("mfstream_ratings_scored_total", biased), EPS);
    assertEquals(1920, scrape.value("mfstream_ratings_trained_total", biased), EPS);
    assertEquals(310, scrape.value("mfstream_cold_starts_total", biased), EPS);
    assertEquals(0.9512, scrape.value("mfstream_rmse_rolling", biased), EPS);
    assertEquals(1.0234, scrape.value("mfstream_rmse_overall", biased), EPS);
    assertEquals(1000, scrape.value("mfstream_rmse_window_ratings", biased), EPS);
    assertEquals(120, scrape.value("mfstream_model_version", biased), EPS);
    assertEquals(943, scrape.value("mfstream_model_vocabulary_ids",
        Map.of("model", "biased-mf", "side", "user")), EPS);
    assertEquals(1650, scrape.value("mfstream_model_vocabulary_ids",
        Map.of("model", "biased-mf", "side", "item")), EPS);
    assertEquals(5, scrape.value("mfstream_model_pending_ratings", biased), EPS);
    assertEquals(7, scrape.value("mfstream_model_version", model("mlp")), EPS);
    assertEquals(1.1, scrape.value("mfstream_rmse_rolling", model("mlp")), EPS);

    assertEquals("counter", scrape.type("mfstream_ratings_scored_total"));
    assertEquals("counter", scrape.type("mfstream_ratings_trained_total"));
    assertEquals("counter", scrape.type("mfstream_cold_starts_total"));
    assertEquals("gauge", scrape.type("mfstream_rmse_rolling"));
    assertEquals("gauge", scrape.type("mfstream_model_version"));
  }

  @Test
  void shouldReadTheQualityBySegmentAndTheRankingFromTheBoard() {
    // 30 ratings scored: 10 with a cold user (squared error 40), 20 established (20); 12 with a
    // cold item (48), 18 established (12); 8 ranked, 2 hits, NDCG summed 1.5.
    ModelStatus.Quality q = new ModelStatus.Quality(10, 40, 20, 20, 12, 48, 18, 12, 8, 2, 1.5);
    ModelStatus s = status("biased-mf", "biased-mf", 1, 16, 30, 14, 3, 4, 1.0, 1.0, 6);
    board.publish(new ModelStatus(s.model(), s.type(), s.version(), s.trained(), s.scored(),
        s.pending(), s.users(), s.items(), s.window(), s.rollingRmse(), s.overallRmse(),
        s.coldStarts(), s.updatedAt(), null, q));
    PrometheusText scrape = scrape();

    Map<String, String> coldUsers = Map.of("model", "biased-mf", "side", "user", "segment",
        "cold");
    Map<String, String> establishedItems = Map.of("model", "biased-mf", "side", "item",
        "segment", "established");
    assertEquals(10, scrape.value("mfstream_segment_ratings_scored_total", coldUsers), EPS);
    assertEquals(40, scrape.value("mfstream_segment_squared_error_total", coldUsers), EPS);
    assertEquals(2.0, scrape.value("mfstream_segment_rmse", coldUsers), EPS);
    assertEquals(18, scrape.value("mfstream_segment_ratings_scored_total", establishedItems),
        EPS);
    assertEquals(Math.sqrt(12.0 / 18), scrape.value("mfstream_segment_rmse", establishedItems),
        EPS);
    assertEquals(2.0, scrape.value("mfstream_segment_rmse", Map.of("model", "biased-mf", "side",
        "item", "segment", "cold")), EPS);
    assertEquals(1.0, scrape.value("mfstream_segment_rmse", Map.of("model", "biased-mf", "side",
        "user", "segment", "established")), EPS);
    Map<String, String> biased = model("biased-mf");
    assertEquals(8, scrape.value("mfstream_ranking_evaluated_total", biased), EPS);
    assertEquals(2, scrape.value("mfstream_ranking_hits_total", biased), EPS);
    assertEquals(1.5, scrape.value("mfstream_ranking_ndcg_gain_total", biased), EPS);
    assertEquals(0.25, scrape.value("mfstream_ranking_hit_rate", biased), EPS);
    assertEquals(1.5 / 8, scrape.value("mfstream_ranking_ndcg", biased), EPS);
    assertEquals("counter", scrape.type("mfstream_segment_ratings_scored_total"));
    assertEquals("counter", scrape.type("mfstream_ranking_hits_total"));
    assertEquals("gauge", scrape.type("mfstream_segment_rmse"));
    assertEquals("gauge", scrape.type("mfstream_ranking_hit_rate"));

    board.publish(status("mlp", "mlp", 0, 0, 0, 0, 0, 0, Double.NaN, Double.NaN, 0));
    PrometheusText before = scrape();
    assertTrue(Double.isNaN(before.value("mfstream_segment_rmse", Map.of("model", "mlp", "side",
        "user", "segment", "cold"))), "an empty segment's RMSE must be NaN");
    assertTrue(Double.isNaN(before.value("mfstream_ranking_hit_rate", model("mlp"))));
    assertEquals(0, before.value("mfstream_ranking_evaluated_total", model("mlp")), EPS);
  }

  @Test
  void shouldFollowTheBoardAsStatusesAreReplaced() {
    board.publish(status("mlp", "mlp", 1, 16, 20, 4, 10, 10, 1.3, 1.3, 20));
    assertEquals(1.3, scrape().value("mfstream_rmse_rolling", model("mlp")), EPS);
    board.publish(status("mlp", "mlp", 2, 32, 40, 8, 20, 15, 1.2, 1.25, 30));
    PrometheusText scrape = scrape();
    assertEquals(1.2, scrape.value("mfstream_rmse_rolling", model("mlp")), EPS);
    assertEquals(40, scrape.value("mfstream_ratings_scored_total", model("mlp")), EPS);
    assertEquals(2, scrape.value("mfstream_model_version", model("mlp")), EPS);
  }

  @Test
  void shouldListADeclaredModelBeforeItReportsWithZerosAndNaNRmse() {
    board.declare("dropout-mlp");
    PrometheusText scrape = scrape();
    Map<String, String> labels = model("dropout-mlp");
    assertEquals(0, scrape.value("mfstream_ratings_scored_total", labels), EPS);
    assertEquals(0, scrape.value("mfstream_ratings_trained_total", labels), EPS);
    assertEquals(0, scrape.value("mfstream_model_version", labels), EPS);
    assertTrue(Double.isNaN(scrape.value("mfstream_rmse_rolling", labels)));
    assertTrue(Double.isNaN(scrape.value("mfstream_rmse_overall", labels)));
    assertEquals(0, scrape.value("mfstream_sgd_step_seconds_count", labels), EPS);
  }

  @Test
  void shouldRegisterModelsThatAppearAfterTheFirstScrape() {
    assertTrue(scrape().named("mfstream_model_version").isEmpty());
    board.publish(status("plain-mf", "plain-mf", 3, 48, 50, 2, 5, 6, 1.0, 1.1, 1));
    metrics.stepTaken("from-an-event", 16, 1_000_000);
    PrometheusText scrape = scrape();
    assertEquals(3, scrape.value("mfstream_model_version", model("plain-mf")), EPS);
    assertEquals(0, scrape.value("mfstream_model_version", model("from-an-event")), EPS);
    assertEquals(1, scrape.value("mfstream_sgd_step_seconds_count", model("from-an-event")), EPS);
  }

  @Test
  void shouldCountReceivedRatings() {
    assertEquals(0, scrape().value("mfstream_ratings_received_total", Map.of()), EPS);
    for (int i = 0; i < 7; i++) {
      metrics.ratingReceived();
    }
    PrometheusText scrape = scrape();
    assertEquals(7, scrape.value("mfstream_ratings_received_total", Map.of()), EPS);
    assertEquals("counter", scrape.type("mfstream_ratings_received_total"));
  }

  @Test
  void shouldShowEveryRejectionReasonFromTheStartAndCountEach() {
    PrometheusText before = scrape();
    for (Reason reason : Reason.values()) {
      assertEquals(0, before.value("mfstream_ratings_rejected_total",
          Map.of("reason", reason.name().toLowerCase())), EPS, reason.name());
    }
    assertEquals(Reason.values().length, before.named("mfstream_ratings_rejected_total").size());

    rejections.increment(Reason.OUT_OF_RANGE);
    rejections.increment(Reason.OUT_OF_RANGE);
    rejections.increment(Reason.NOT_JSON);
    rejections.increment(Reason.BAD_TIMESTAMP);
    PrometheusText after = scrape();
    assertEquals(2, after.value("mfstream_ratings_rejected_total",
        Map.of("reason", "out_of_range")), EPS);
    assertEquals(1, after.value("mfstream_ratings_rejected_total", Map.of("reason", "not_json")),
        EPS);
    assertEquals(1, after.value("mfstream_ratings_rejected_total",
        Map.of("reason", "bad_timestamp")), EPS);
    assertEquals(0, after.value("mfstream_ratings_rejected_total", Map.of("reason", "no_value")),
        EPS);
    assertEquals("counter", after.type("mfstream_ratings_rejected_total"));
    assertEquals("out_of_range", MicrometerMetrics.reasonLabel(Reason.OUT_OF_RANGE));
  }

  @Test
  void shouldRecordStepsAsHistogramsInSecondsAndRatings() {
    metrics.stepTaken("biased-mf", 16, 3_000_000);      // 3 ms
    metrics.stepTaken("biased-mf", 16, 40_000_000);     // 40 ms
    metrics.stepTaken("biased-mf", 5, 700_000);         // 0.7 ms
    PrometheusText scrape = scrape();
    Map<String, String> biased = model("biased-mf");

    assertEquals("histogram", scrape.type("mfstream_sgd_step_seconds"));
    assertEquals(3, scrape.value("mfstream_sgd_step_seconds_count", biased), EPS);
    assertEquals(0.0437, scrape.value("mfstream_sgd_step_seconds_sum", biased), 1e-9);
    assertBucket(scrape, "mfstream_sgd_step_seconds", "biased-mf", "5.0E-4", 0);
    assertBucket(scrape, "mfstream_sgd_step_seconds", "biased-mf", "0.001", 1);
    assertBucket(scrape, "mfstream_sgd_step_seconds", "biased-mf", "0.005", 2);
    assertBucket(scrape, "mfstream_sgd_step_seconds", "biased-mf", "0.05", 3);
    assertBucket(scrape, "mfstream_sgd_step_seconds", "biased-mf", "+Inf", 3);
    assertCumulative(scrape, "mfstream_sgd_step_seconds_bucket", biased,
        MicrometerMetrics.STEP_BUCKETS.length + 1);

    assertEquals("histogram", scrape.type("mfstream_sgd_batch_size_ratings"));
    assertEquals(3, scrape.value("mfstream_sgd_batch_size_ratings_count", biased), EPS);
    assertEquals(37, scrape.value("mfstream_sgd_batch_size_ratings_sum", biased), EPS);
    assertEquals(16, scrape.value("mfstream_sgd_batch_size_ratings_max", biased), EPS);
    assertBucket(scrape, "mfstream_sgd_batch_size_ratings", "biased-mf", "4.0", 0);
    assertBucket(scrape, "mfstream_sgd_batch_size_ratings", "biased-mf", "8.0", 1);
    assertBucket(scrape, "mfstream_sgd_batch_size_ratings", "biased-mf", "16.0", 3);
    assertCumulative(scrape, "mfstream_sgd_batch_size_ratings_bucket", biased,
        MicrometerMetrics.BATCH_SIZE_BUCKETS.length + 1);
  }

  @Test
  void shouldRecordTheLearningDelayInSeconds() {
    metrics.ratingLearned("mlp", 30);
    metrics.ratingLearned("mlp", 2_000);
    metrics.ratingLearned("mlp", 400_000);   // beyond the last bucket
    PrometheusText scrape = scrape();
    Map<String, String> mlp = model("mlp");
    assertEquals("histogram", scrape.type("mfstream_learning_delay_seconds"));
    assertEquals(3, scrape.value("mfstream_learning_delay_seconds_count", mlp), EPS);
    assertEquals(402.03, scrape.value("mfstream_learning_delay_seconds_sum", mlp), 1e-9);
    assertBucket(scrape, "mfstream_learning_delay_seconds", "mlp", "0.05", 1);
    assertBucket(scrape, "mfstream_learning_delay_seconds", "mlp", "2.5", 2);
    assertBucket(scrape, "mfstream_learning_delay_seconds", "mlp", "300.0", 2);
    assertBucket(scrape, "mfstream_learning_delay_seconds", "mlp", "+Inf", 3);
    assertCumulative(scrape, "mfstream_learning_delay_seconds_bucket", mlp,
        MicrometerMetrics.LEARNING_DELAY_BUCKETS.length + 1);
  }

  @Test
  void shouldRecordRequestLatencyPerKind() {
    metrics.requestAnswered(RequestKind.PREDICTION, 3);
    metrics.requestAnswered(RequestKind.PREDICTION, 120);
    metrics.requestAnswered(RequestKind.RECOMMENDATION, 40);
    PrometheusText scrape = scrape();
    assertEquals("histogram", scrape.type("mfstream_request_latency_seconds"));
    Map<String, String> prediction = Map.of("kind", "prediction");
    Map<String, String> recommendation = Map.of("kind", "recommendation");
    assertEquals(2, scrape.value("mfstream_request_latency_seconds_count", prediction), EPS);
    assertEquals(0.123, scrape.value("mfstream_request_latency_seconds_sum", prediction), 1e-9);
    assertEquals(1, scrape.value("mfstream_request_latency_seconds_count", recommendation), EPS);
    assertEquals(1, scrape.value("mfstream_request_latency_seconds_bucket",
        Map.of("kind", "prediction", "le", "0.005")), EPS);
    assertEquals(2, scrape.value("mfstream_request_latency_seconds_bucket",
        Map.of("kind", "prediction", "le", "0.25")), EPS);
    assertEquals(0, scrape.value("mfstream_request_latency_seconds_bucket",
        Map.of("kind", "recommendation", "le", "0.025")), EPS);
    assertEquals(1, scrape.value("mfstream_request_latency_seconds_bucket",
        Map.of("kind", "recommendation", "le", "0.05")), EPS);
    assertCumulative(scrape, "mfstream_request_latency_seconds_bucket", prediction,
        MicrometerMetrics.REQUEST_LATENCY_BUCKETS.length + 1);
  }

  @Test
  void shouldExposeEveryNamedMetricAtOnce() {
    board.declare("mlp");
    board.publish(status("biased-mf", "biased-mf", 1, 16, 18, 2, 3, 4, 1.0, 1.0, 1));
    metrics.ratingReceived();
    metrics.stepTaken("biased-mf", 16, 2_000_000);
    metrics.ratingLearned("biased-mf", 15);
    metrics.requestAnswered(RequestKind.RECOMMENDATION, 9);
    Set<String> names = scrape().names();
    for (String name : List.of(
        "mfstream_ratings_received_total", "mfstream_ratings_rejected_total",
        "mfstream_ratings_scored_total", "mfstream_ratings_trained_total",
        "mfstream_cold_starts_total", "mfstream_rmse_rolling", "mfstream_rmse_overall",
        "mfstream_rmse_window_ratings", "mfstream_model_version",
        "mfstream_model_vocabulary_ids", "mfstream_model_pending_ratings",
        "mfstream_sgd_step_seconds_bucket", "mfstream_sgd_step_seconds_count",
        "mfstream_sgd_step_seconds_sum", "mfstream_sgd_batch_size_ratings_count",
        "mfstream_sgd_batch_size_ratings_sum", "mfstream_learning_delay_seconds_bucket",
        "mfstream_request_latency_seconds_bucket",
        "mfstream_segment_ratings_scored_total", "mfstream_segment_squared_error_total",
        "mfstream_segment_rmse", "mfstream_ranking_evaluated_total",
        "mfstream_ranking_hits_total", "mfstream_ranking_ndcg_gain_total",
        "mfstream_ranking_hit_rate", "mfstream_ranking_ndcg",
        // JVM and process binders
        "jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total",
        "jvm_threads_live_threads", "jvm_classes_loaded_classes", "process_cpu_usage",
        "system_cpu_count", "process_uptime_seconds", "process_start_time_seconds",
        "process_files_open_files")) {
      assertTrue(names.contains(name), "the scrape lacks " + name + "; it has " + names);
    }
  }

  @Test
  void shouldLabelOnlyByModelReasonKindAndSide() {
    board.declare("mlp");
    board.publish(status("biased-mf", "biased-mf", 1, 16, 18, 2, 3, 4, 1.0, 1.0, 1));
    metrics.stepTaken("biased-mf", 16, 2_000_000);
    metrics.ratingLearned("mlp", 15);
    metrics.requestAnswered(RequestKind.PREDICTION, 9);
    rejections.increment(Reason.BLANK_ID);
    PrometheusText scrape = scrape();

    Set<String> models = Set.of("biased-mf", "mlp");
    Set<String> reasons = new TreeSet<>();
    for (Reason reason : Reason.values()) {
      reasons.add(reason.name().toLowerCase());
    }
    Map<String, Function<String, Boolean>> allowed = Map.of(
        "model", models::contains,
        "reason", reasons::contains,
        "kind", Set.of("prediction", "recommendation")::contains,
        "side", Set.of("user", "item")::contains,
        "segment", Set.of("cold", "established")::contains,
        "le", value -> value.equals("+Inf") || Double.isFinite(Double.parseDouble(value)));
    List<PrometheusText.Sample> ours = scrape.samples().stream()
        .filter(s -> s.name().startsWith("mfstream_")).toList();
    assertTrue(ours.size() > 100, "too few samples to mean anything: " + ours.size());
    for (PrometheusText.Sample sample : ours) {
      sample.labels().forEach((key, value) -> {
        assertTrue(allowed.containsKey(key), "unexpected label " + key + " on " + sample);
        assertTrue(allowed.get(key).apply(value), "unexpected value of " + key + ": " + sample);
      });
    }
    for (PrometheusText.Sample sample : scrape.samples()) {
      assertFalse(sample.labels().containsKey("application"), "a common tag: " + sample);
    }
  }

  @Test
  void shouldServeTheTextFormatItsContentTypeNames() {
    String text = metrics.scrape();
    assertTrue(text.contains("# TYPE mfstream_ratings_received_total counter"), text);
    assertFalse(text.contains("# EOF"), "OpenMetrics, not the 0.0.4 text format");
    assertEquals("text/plain; version=0.0.4; charset=utf-8", MicrometerMetrics.CONTENT_TYPE);
  }

  @Test
  void shouldCountEveryEventWhileThreadsRaceToRegisterNewModels() throws Exception {
    int threads = 4;
    int perThread = 5_000;
    List<String> names = List.of("m0", "m1", "m2", "m3", "m4", "m5");
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try {
      for (int t = 0; t < threads; t++) {
        futures.add(pool.submit(() -> {
          go.await();
          for (int i = 0; i < perThread; i++) {
            String name = names.get(i % names.size());
            metrics.stepTaken(name, 1, 1_000);
            metrics.ratingLearned(name, 1);
            metrics.ratingReceived();
            if (i % 500 == 0) {
              board.declare("declared-" + (i / 500));
            }
          }
          return null;
        }));
      }
      futures.add(pool.submit(() -> {
        go.await();
        for (int i = 0; i < 50; i++) {
          PrometheusText.parse(metrics.scrape());
        }
        return null;
      }));
      go.countDown();
      for (Future<?> future : futures) {
        future.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    PrometheusText scrape = scrape();
    assertEquals((double) threads * perThread,
        scrape.value("mfstream_ratings_received_total", Map.of()), EPS);
    Map<String, Double> steps = names.stream().collect(Collectors.toMap(n -> n,
        n -> scrape.value("mfstream_sgd_step_seconds_count", model(n))));
    for (String name : names) {
      int expected = 0;
      for (int i = 0; i < perThread; i++) {
        expected += names.get(i % names.size()).equals(name) ? threads : 0;
      }
      assertEquals(expected, steps.get(name), EPS, name);
      assertEquals(expected, scrape.value("mfstream_learning_delay_seconds_count", model(name)),
          EPS, name);
    }
    for (int i = 0; i < perThread / 500; i++) {
      assertTrue(scrape.find("mfstream_model_version", model("declared-" + i)).isPresent());
    }
  }

  private static void assertBucket(PrometheusText scrape, String family, String model, String le,
      double expected) {
    assertEquals(expected, scrape.value(family + "_bucket", Map.of("model", model, "le", le)),
        EPS, family + " le=" + le);
  }

  /** The family's buckets for {@code labels}: {@code count} of them, cumulative, +Inf = count. */
  private static void assertCumulative(PrometheusText scrape, String bucketName,
      Map<String, String> labels, int count) {
    List<PrometheusText.Sample> buckets = scrape.named(bucketName).stream()
        .filter(s -> s.labels().entrySet().containsAll(labels.entrySet()))
        .toList();
    assertEquals(count, buckets.size(), "buckets of " + bucketName + labels);
    double previousLe = Double.NEGATIVE_INFINITY;
    double previous = 0;
    for (PrometheusText.Sample bucket : buckets) {
      String le = bucket.labels().get("le");
      double bound = le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
      assertTrue(bound > previousLe, "buckets out of order: " + buckets);
      assertTrue(bucket.value() >= previous, "not cumulative: " + buckets);
      previousLe = bound;
      previous = bucket.value();
    }
    String countName = bucketName.replace("_bucket", "_count");
    assertEquals(scrape.value(countName, labels), previous, EPS, "+Inf is not the count");
  }
}
