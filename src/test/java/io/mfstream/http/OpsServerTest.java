package io.mfstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.metrics.MicrometerMetrics;
import io.mfstream.metrics.PrometheusText;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.validate.Reason;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.testing.Await;
import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@UnitTest
@Timeout(60)
class OpsServerTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Duration NEVER = Duration.ofHours(1);

  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final StatusBoard board = new StatusBoard();
  private final AtomicReference<Health.State> state = new AtomicReference<>(Health.State.CREATED);
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
  }

  /** A server that samples only once at start (then every hour), with a clock the test sets. */
  private OpsServer start(String metricsText, int historySize) throws IOException {
    OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
        () -> metricsText, state::get, new OpsServer.Options(NEVER, historySize), clock::get);
    toClose.add(server);
    return server;
  }

  private HttpResponse<String> request(OpsServer server, String method, String path)
      throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(10))
        .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(OpsServer server, String path)
      throws IOException, InterruptedException {
    return request(server, "GET", path);
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("(none)");
  }

  private static ModelStatus status(String model, long version, double rolling) {
    // 100 ratings scored with a cold user (squared error 50), 79 established; every item cold;
    // 20 ranked, 5 hits, NDCG summed 2.
    ModelStatus.Quality quality = new ModelStatus.Quality(100, 50, 79, 30, 179, 80, 0, 0, 20, 5,
        2);
    return new ModelStatus(model, model, version, version * 16, version * 16 + 3, 3, 40, 70,
        1000, rolling, Double.NaN, 12, 1_700_000_000_000L, null, quality);
  }

  @Test
  void shouldReportTheBoundPortWhenStartedOnAnyFreeOne() throws Exception {
    OpsServer server = start("", 10);
    assertTrue(server.port() > 0, "port " + server.port());
    assertEquals(URI.create("http://127.0.0.1:" + server.port() + "/"), server.uri());
    assertEquals(200, get(server, "/healthz").statusCode());
  }

  @Test
  void shouldServeTheStatusPageAsSelfContainedHtml() throws Exception {
    OpsServer server = start("", 10);
    for (String path : List.of("/", "/index.html")) {
      HttpResponse<String> response = get(server, path);
      assertEquals(200, response.statusCode(), path);
      assertEquals("text/html; charset=utf-8", contentType(response), path);
      String html = response.body();
      assertTrue(html.startsWith("<!DOCTYPE html>"), path);
      assertTrue(html.contains("api/status"), "the page does not poll the API");
      assertTrue(html.contains("No model has reported yet."), "no empty-state message");
      for (String external : List.of("http://", "https://", "//cdn", "@import", "<link")) {
        assertFalse(html.replace("http://www.w3.org/2000/svg", "").contains(external),
            "the page loads something from outside: " + external);
      }
    }
  }

  @Test
  void shouldServeMetricsAsPrometheusText() throws Exception {
    RejectionCounts rejections = new RejectionCounts();
    rejections.increment(Reason.NOT_JSON);
    board.publish(status("mlp", 4, 1.1));
    MicrometerMetrics metrics = new MicrometerMetrics(board, rejections);
    toClose.add(metrics);
    OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
        metrics::scrape, state::get, new OpsServer.Options(NEVER, 10));
    toClose.add(server);

    HttpResponse<String> response = get(server, "/metrics");
    assertEquals(200, response.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", contentType(response));
    assertEquals(MicrometerMetrics.CONTENT_TYPE, OpsServer.METRICS_CONTENT_TYPE);
    PrometheusText scrape = PrometheusText.parse(response.body());
    assertEquals(1, scrape.value("mfstream_ratings_rejected_total", Map.of("reason", "not_json")));
    assertEquals(4, scrape.value("mfstream_model_version", Map.of("model", "mlp")));
  }

  @Test
  void shouldAnswer404ForUnknownPaths() throws Exception {
    OpsServer server = start("", 10);
    for (String path : List.of("/nope", "/metrics/", "/metrics/x", "/api", "/api/status/x",
        "/healthz/deep", "/status-page.html", "/favicon.ico")) {
      HttpResponse<String> response = get(server, path);
      assertEquals(404, response.statusCode(), path);
      assertEquals("text/plain; charset=utf-8", contentType(response), path);
    }
  }

  @Test
  void shouldAnswer405ForMethodsOtherThanGetAndHead() throws Exception {
    OpsServer server = start("", 10);
    for (String path : List.of("/", "/metrics", "/api/status", "/healthz", "/readyz")) {
      for (String method : List.of("POST", "PUT", "DELETE", "PATCH")) {
        HttpResponse<String> response = request(server, method, path);
        assertEquals(405, response.statusCode(), method + " " + path);
        assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(null),
            method + " " + path);
      }
    }
  }

  @Test
  void shouldAnswerHeadWithHeadersOnly() throws Exception {
    OpsServer server = start("some_metric 1.0\n", 10);
    HttpResponse<String> response = request(server, "HEAD", "/metrics");
    assertEquals(200, response.statusCode());
    assertEquals(OpsServer.METRICS_CONTENT_TYPE, contentType(response));
    assertEquals("", response.body());
    assertEquals(200, request(server, "HEAD", "/").statusCode());
  }

  @Test
  void shouldFollowTheStateForLivenessAndReadiness() throws Exception {
    OpsServer server = start("", 10);
    Map<Health.State, int[]> expected = Map.of(   // {healthz, readyz}
        Health.State.CREATED, new int[] {200, 503},
        Health.State.REBALANCING, new int[] {200, 503},
        Health.State.RUNNING, new int[] {200, 200},
        Health.State.PENDING_SHUTDOWN, new int[] {200, 503},
        Health.State.NOT_RUNNING, new int[] {503, 503},
        Health.State.PENDING_ERROR, new int[] {200, 503},
        Health.State.ERROR, new int[] {503, 503},
        Health.State.UNKNOWN, new int[] {200, 503});
    assertEquals(Health.State.values().length, expected.size());
    // A life: starting, rebalancing, running, a rebalance, running, failing.
    for (Health.State next : List.of(Health.State.CREATED, Health.State.REBALANCING,
        Health.State.RUNNING, Health.State.REBALANCING, Health.State.RUNNING,
        Health.State.PENDING_ERROR, Health.State.ERROR, Health.State.PENDING_SHUTDOWN,
        Health.State.NOT_RUNNING, Health.State.UNKNOWN)) {
      state.set(next);
      HttpResponse<String> health = get(server, "/healthz");
      HttpResponse<String> ready = get(server, "/readyz");
      assertEquals(expected.get(next)[0], health.statusCode(), "/healthz in " + next);
      assertEquals(expected.get(next)[1], ready.statusCode(), "/readyz in " + next);
      assertEquals("application/json; charset=utf-8", contentType(health));
      JsonNode body = MAPPER.readTree(health.body());
      assertEquals(next.name(), body.get("state").asText());
      assertEquals(health.statusCode() == 200 ? "UP" : "DOWN", body.get("status").asText());
      assertEquals(ready.statusCode() == 200 ? "UP" : "DOWN",
          MAPPER.readTree(ready.body()).get("status").asText());
    }
  }

  @Test
  void shouldTreatAMissingOrFailingStateAsUnknown() throws Exception {
    OpsServer nullState = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
        () -> "", () -> null, new OpsServer.Options(NEVER, 10));
    toClose.add(nullState);
    assertEquals(503, get(nullState, "/readyz").statusCode());
    assertEquals("UNKNOWN", MAPPER.readTree(get(nullState, "/healthz").body())
        .get("state").asText());
    OpsServer failing = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
        () -> "", () -> {
          throw new IllegalStateException("boom");
        }, new OpsServer.Options(NEVER, 10));
    toClose.add(failing);
    assertEquals(503, get(failing, "/readyz").statusCode());
    assertEquals(200, get(failing, "/api/status").statusCode());
  }

  @Test
  void shouldMapEveryKafkaStreamsStateByName() {
    for (KafkaStreams.State kafkaState : KafkaStreams.State.values()) {
      Health.State mapped = Health.State.named(kafkaState.name());
      assertEquals(kafkaState.name(), mapped.name(), "a Kafka Streams state the probes miss");
      assertEquals(kafkaState == KafkaStreams.State.RUNNING, mapped.ready(), kafkaState.name());
      assertEquals(kafkaState != KafkaStreams.State.ERROR
          && kafkaState != KafkaStreams.State.NOT_RUNNING, mapped.live(), kafkaState.name());
    }
    assertEquals(Health.State.UNKNOWN, Health.State.named("SOMETHING_NEW"));
    assertEquals(Health.State.UNKNOWN, Health.State.named(null));
  }

  @Test
  void shouldDescribeTheModelsAndTheirHistoryAsJson() throws Exception {
    board.declare("biased-mf");
    board.declare("mlp");
    board.declare("dropout-mlp");
    board.publish(status("biased-mf", 10, 0.98));
    board.publish(status("mlp", 4, Double.NaN));
    state.set(Health.State.RUNNING);
    OpsServer server = start("", 100);    // sampled once at start, at t0
    long t0 = clock.get();
    clock.addAndGet(1000);
    board.publish(status("biased-mf", 11, 0.97));
    server.sample();                      // t0 + 1 s
    clock.addAndGet(500);

    HttpResponse<String> response = get(server, "/api/status");
    assertEquals(200, response.statusCode());
    assertEquals("application/json; charset=utf-8", contentType(response));
    assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(null));
    JsonNode root = MAPPER.readTree(response.body());

    assertEquals(Set.of("time", "sampleIntervalMs", "historySize", "health", "models", "waiting",
        "history"), fieldNames(root));
    assertEquals(t0 + 1500, root.get("time").asLong());
    assertEquals(NEVER.toMillis(), root.get("sampleIntervalMs").asLong());
    assertEquals(100, root.get("historySize").asInt());
    assertEquals("RUNNING", root.get("health").get("state").asText());
    assertTrue(root.get("health").get("live").asBoolean());
    assertTrue(root.get("health").get("ready").asBoolean());

    JsonNode models = root.get("models");
    assertEquals(2, models.size());
    JsonNode biased = models.get(0);
    assertEquals(Set.of("model", "type", "version", "trained", "scored", "pending", "users",
        "items", "window", "rollingRmse", "overallRmse", "coldStarts", "coldStartShare",
        "quality", "updatedAt", "degraded"), fieldNames(biased));
    assertEquals("biased-mf", biased.get("model").asText());
    assertEquals("biased-mf", biased.get("type").asText());
    assertEquals(11, biased.get("version").asLong());
    assertEquals(176, biased.get("trained").asLong());
    assertEquals(179, biased.get("scored").asLong());
    assertEquals(3, biased.get("pending").asInt());
    assertEquals(40, biased.get("users").asInt());
    assertEquals(70, biased.get("items").asInt());
    assertEquals(1000, biased.get("window").asInt());
    assertEquals(0.97, biased.get("rollingRmse").asDouble(), 1e-12);
    assertTrue(biased.get("overallRmse").isNull(), "NaN must be null in JSON");
    assertEquals(12, biased.get("coldStarts").asLong());
    assertEquals(12.0 / 179, biased.get("coldStartShare").asDouble(), 1e-12);
    JsonNode quality = biased.get("quality");
    assertEquals(Set.of("segments", "ranking"), fieldNames(quality));
    JsonNode coldUsers = quality.get("segments").get("users").get("cold");
    assertEquals(100, coldUsers.get("scored").asLong());
    assertEquals(Math.sqrt(0.5), coldUsers.get("rmse").asDouble(), 1e-12);
    JsonNode establishedItems = quality.get("segments").get("items").get("established");
    assertEquals(0, establishedItems.get("scored").asLong());
    assertTrue(establishedItems.get("rmse").isNull(), "an empty segment's RMSE must be null");
    JsonNode ranking = quality.get("ranking");
    assertEquals(10, ranking.get("k").asInt());
    assertEquals(20, ranking.get("ranked").asLong());
    assertEquals(0.25, ranking.get("hitRate").asDouble(), 1e-12);
    assertEquals(0.1, ranking.get("ndcg").asDouble(), 1e-12);
    JsonNode mlp = models.get(1);
    assertEquals("mlp", mlp.get("model").asText());
    assertTrue(mlp.get("rollingRmse").isNull());

    assertEquals(List.of("dropout-mlp"), texts(root.get("waiting")));

    JsonNode history = root.get("history");
    assertEquals(Set.of("biased-mf", "mlp"), fieldNames(history));
    JsonNode biasedHistory = history.get("biased-mf");
    assertEquals(Set.of("time", "version", "trained", "rollingRmse"), fieldNames(biasedHistory));
    assertEquals(List.of(t0, t0 + 1000), longs(biasedHistory.get("time")));
    assertEquals(List.of(10L, 11L), longs(biasedHistory.get("version")));
    assertEquals(List.of(160L, 176L), longs(biasedHistory.get("trained")));
    assertEquals(0.98, biasedHistory.get("rollingRmse").get(0).asDouble(), 1e-12);
    assertEquals(0.97, biasedHistory.get("rollingRmse").get(1).asDouble(), 1e-12);
    JsonNode mlpHistory = history.get("mlp");
    assertEquals(2, mlpHistory.get("rollingRmse").size());
    assertTrue(mlpHistory.get("rollingRmse").get(0).isNull());

    JsonNode since = MAPPER.readTree(get(server, "/api/status?since=" + t0).body());
    assertEquals(List.of(t0 + 1000), longs(since.get("history").get("biased-mf").get("time")));
    JsonNode none = MAPPER.readTree(get(server, "/api/status?since=" + (t0 + 1000)).body());
    assertEquals(List.of(), longs(none.get("history").get("biased-mf").get("time")));
    assertEquals(400, get(server, "/api/status?since=yesterday").statusCode());
  }

  @Test
  void shouldSayWhenNoModelHasReported() throws Exception {
    board.declare("mlp");
    OpsServer server = start("", 10);
    JsonNode root = MAPPER.readTree(get(server, "/api/status").body());
    assertEquals(0, root.get("models").size());
    assertEquals(List.of("mlp"), texts(root.get("waiting")));
    assertEquals(0, root.get("history").size());
    assertEquals("CREATED", root.get("health").get("state").asText());
    assertFalse(root.get("health").get("ready").asBoolean());
  }

  @Test
  void shouldKeepABoundedHistoryPerModel() throws Exception {
    board.publish(status("biased-mf", 0, 1.3));
    OpsServer server = start("", 5);
    for (int i = 1; i <= 20; i++) {
      clock.addAndGet(1000);
      board.publish(status("biased-mf", i, 1.3 - i * 0.01));
      server.sample();
    }
    List<StatusHistory.Sample> samples = server.history().samples("biased-mf");
    assertEquals(5, samples.size());
    assertEquals(List.of(16L, 17L, 18L, 19L, 20L),
        samples.stream().map(StatusHistory.Sample::version).toList());
    JsonNode root = MAPPER.readTree(get(server, "/api/status").body());
    assertEquals(5, root.get("history").get("biased-mf").get("time").size());
  }

  @Test
  void shouldSampleTheBoardOnItsOwn() throws Exception {
    board.publish(status("mlp", 1, 1.2));
    OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board, () -> "",
        state::get, new OpsServer.Options(Duration.ofMillis(20), 50));
    toClose.add(server);
    Await.until(Duration.ofSeconds(10), "the sampler to sample 5 times",
        () -> server.history().samples("mlp").size() >= 5);
    List<StatusHistory.Sample> samples = server.history().samples("mlp");
    for (int i = 1; i < samples.size(); i++) {
      assertTrue(samples.get(i).time() >= samples.get(i - 1).time(), samples.toString());
    }
  }

  @Test
  void shouldStopServingAndItsThreadsWhenClosed() throws Exception {
    Set<String> before = ourThreads();
    OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board, () -> "",
        state::get, new OpsServer.Options(Duration.ofMillis(10), 50));
    assertEquals(200, get(server, "/healthz").statusCode());
    assertFalse(ourThreads().equals(before), "no threads of ours were started?");
    server.close();
    server.close();   // idempotent
    assertThrows(ConnectException.class, () -> get(server, "/healthz"));
    Await.until(Duration.ofSeconds(5),
        () -> "the threads to stop after close: before " + before + ", now " + ourThreads(),
        () -> ourThreads().equals(before));
  }

  @Test
  void shouldRefuseBadOptions() {
    assertThrows(IllegalArgumentException.class,
        () -> new OpsServer.Options(Duration.ZERO, 10));
    assertThrows(IllegalArgumentException.class,
        () -> new OpsServer.Options(Duration.ofSeconds(1), 0));
  }

  private static Set<String> ourThreads() {
    Set<String> names = new TreeSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.isAlive() && (thread.getName().startsWith("mfstream-http")
          || thread.getName().startsWith("mfstream-status-sampler"))) {
        names.add(thread.getName() + "#" + thread.getId());
      }
    }
    return names;
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new TreeSet<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asText()));
    return out;
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> out = new ArrayList<>();
    array.forEach(node -> out.add(node.asLong()));
    return out;
  }
}
