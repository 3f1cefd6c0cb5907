package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.app.AppConfig;
import io.mfstream.app.Service;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topics;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard against reality: the whole application ({@link Service}, as {@code run}
 * starts it) on an embedded broker, fed ratings, invalid records and requests, scraped every
 * second by a real Prometheus (the {@code prometheus} binary, a child process of this test).
 * Every query of every panel, its Grafana variables substituted as Grafana would, must return a
 * series with a finite value while the traffic flows; every metric name the dashboard reads must
 * be one Prometheus has scraped. All the panels that fail are reported together.
 *
 * <p>Without the binary the test is skipped, or fails when {@code CI} is {@code true}
 * ({@code .ci/run} installs Debian's {@code prometheus}).
 */
@DeploymentTest
@Timeout(300)
class PrometheusDashboardTest {

  /** The scrape and evaluation interval, also the data source's "min interval" in Grafana. */
  static final Duration SCRAPE = Duration.ofSeconds(1);
  /**
   * The Grafana built-ins for a 1 s scrape: {@code $__interval} at its floor (the scrape
   * interval), and {@code $__rate_interval} = max($__interval + scrape, 4 × scrape) = 4 s.
   */
  static final Map<String, String> GRAFANA_BUILTINS = Map.of(
      "__interval", "1s",
      "__interval_ms", "1000",
      "__rate_interval", "4s");
  static final List<String> MODELS = List.of("biased-mf", "mlp");
  /** How long the panels may take to show data once Prometheus scrapes the application. */
  static final Duration DATA_WAIT = Duration.ofSeconds(60);
  static final Duration START_WAIT = Duration.ofSeconds(120);
  /** Replay pace: enough for every rate to move within a rate interval, light on the CPU. */
  static final double RATINGS_PER_SECOND = 250;
  /** The invalid records sent now and then, by the reason the validator gives them. */
  static final Map<String, String> INVALID_RATINGS = Map.of(
      "not_json", "this is not JSON",
      "out_of_range", "{\"user\":\"u1\",\"item\":\"i1\",\"rating\":9.5}",
      "missing_field", "{\"user\":\"u1\",\"rating\":3}");

  private static final Pattern VARIABLE = Pattern.compile(
      "\\$\\{(\\w+)(?::[^}]*)?}|\\[\\[(\\w+)(?::[^\\]]*)?]]|\\$(\\w+)");
  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\(\\s*(?:(.+?)\\s*,\\s*)?(\\w+)\\s*\\)");
  private static final Pattern TIME_FROM = Pattern.compile("now-(\\d+)([smhd])");

  @TempDir Path dir;

  @Test
  void shouldShowDataInEveryPanelFromTheRunningApplication() throws Exception {
    Path binary = LocalPrometheus.require();
    // Built first, so that a variable the test cannot substitute fails before anything starts.
    List<Check> checks = checks(new ObjectMapper().readTree(DashboardQueries.DASHBOARD.toFile()));
    // Only ratings the validator accepts ([0.5, 5]): the invalid ones are sent on purpose below.
    List<Rating> ratings = SyntheticRatings.builder().users(80).items(60).rank(3).ratings(4400)
        .sigma(0.3).seed(23).build().ratings().stream()
        .filter(r -> r.rating() >= 0.5f && r.rating() <= 5f).limit(4000).toList();
    assertEquals(4000, ratings.size());

    try (EmbeddedKafka kafka = new EmbeddedKafka().start();
        Service service = Service.start(config(kafka.bootstrapServers()))) {
      service.pipeline().awaitRunning(START_WAIT);
      try (Traffic traffic = Traffic.start(kafka.bootstrapServers(), ratings);
          LocalPrometheus prometheus = LocalPrometheus.start(binary, dir.resolve("prometheus"),
              "127.0.0.1:" + service.httpPort(), SCRAPE)) {
        prometheus.awaitTargetsUp(Duration.ofSeconds(30));
        List<String> failures = awaitAll(prometheus, checks, traffic);
        if (!failures.isEmpty()) {
          fail(failures.size() + " of " + checks.size() + " dashboard checks failed against "
              + "Prometheus scraping the running application every " + SCRAPE.toSeconds()
              + " s, within " + DATA_WAIT.toSeconds() + " s of traffic (Grafana variables: "
              + GRAFANA_BUILTINS + ", other variables at their All value):\n"
              + String.join("\n", failures)
              + "\ntraffic: " + traffic.describe()
              + "\nprometheus log (tail):\n" + prometheus.logTail());
        }
      }
    }
  }

  /**
   * The settings of {@code run} against the test's broker, with small, quick models; the
   * environment's {@code MFSTREAM_*} variables are left out.
   */
  private AppConfig config(String bootstrap) throws IOException {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", bootstrap);
    s.put("application.id", "prometheus-dashboard-it");
    s.put("state.dir", dir.resolve("state").toString());
    s.put("topics.create", "true");
    s.put("models", String.join(",", MODELS));
    s.put("model.biased-mf.factors", "8");
    s.put("model.mlp.factors", "8");
    s.put("model.mlp.hidden", "8");
    s.put("model.mlp.init.scale", "0.1");
    s.put("batch.size", "8");
    s.put("rmse.window", "200");
    s.put("rmse.report.every", "100");
    s.put("ranking.sample", "1"); // every user ranked: the ranking panel has values at once
    // 0 turns the server off, so a port found free now.
    s.put("http.port", Integer.toString(freePort()));
    s.put("kafka.commit.interval.ms", "100");
    return AppConfig.load(null, Map.of(), s);
  }

  /**
   * One thing to check in Prometheus: a panel's query, a variable's query, or the metric names.
   *
   * @param title what the failure message calls it
   * @param detail the dashboard's text (the query before substitution), or ""
   * @param probe null when the check holds, else what is wrong
   */
  record Check(String title, String detail, Probe probe) {}

  @FunctionalInterface
  interface Probe {
    String problem(LocalPrometheus prometheus) throws IOException, InterruptedException;
  }

  /**
   * The checks of the dashboard: each template variable's query returns every model; each
   * panel query, substituted, returns a finite value; every metric name it uses is scraped.
   */
  static List<Check> checks(JsonNode dashboard) throws IOException {
    List<Check> checks = new ArrayList<>();
    Map<String, String> values = new LinkedHashMap<>(GRAFANA_BUILTINS);
    values.putAll(rangeVariables(dashboard));
    Set<String> names = new TreeSet<>();
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      String name = variable.path("name").asText();
      String type = variable.path("type").asText();
      switch (type) {
        case "datasource" -> {
          // Selects the data source; it belongs in the panels' datasource, never in an expr.
        }
        case "query" -> {
          String definition = variable.path("definition").asText();
          Matcher query = LABEL_VALUES.matcher(definition);
          if (query.matches() && query.group(1) != null) {
            names.addAll(DashboardQueries.metricNames(query.group(1)));
          }
          checks.add(new Check("variable $" + name, definition,
              p -> variableProblem(p, definition)));
          String all = variable.path("allValue").asText("");
          if (!variable.path("includeAll").asBoolean() || all.isEmpty()) {
            throw new IllegalArgumentException("variable $" + name + ": the test substitutes a "
                + "query variable by its All value, and it has none (includeAll and allValue)");
          }
          values.put(name, all);
        }
        case "custom", "constant", "textbox" -> values.put(name,
            variable.path("current").path("value").asText(variable.path("query").asText()));
        default -> throw new IllegalArgumentException("variable $" + name + " of type " + type
            + ": the test does not know how Grafana substitutes it");
      }
    }
    Map<String, List<String>> panels = DashboardQueries.byPanel(DashboardQueries.DASHBOARD);
    for (Map.Entry<String, List<String>> panel : panels.entrySet()) {
      String[] idTitle = panel.getKey().split(" ", 2);
      for (String expr : panel.getValue()) {
        names.addAll(DashboardQueries.metricNames(expr));
        String title = "panel " + idTitle[0] + " \"" + idTitle[1] + "\"";
        String promql;
        try {
          promql = substitute(expr, values);
        } catch (IllegalArgumentException e) {
          checks.add(new Check(title, expr, p -> e.getMessage()));
          continue;
        }
        checks.add(new Check(title, expr, p -> queryProblem(p, promql)));
      }
    }
    checks.add(new Check("metric names", names.size() + " names used by the dashboard",
        p -> missingNames(p, names)));
    // Not the dashboard's: that the invalid records arrived, since every reason reads 0 anyway.
    checks.add(new Check("the test's invalid ratings", "counted per reason",
        PrometheusDashboardTest::rejectionsProblem));
    return checks;
  }

  /** $__range and friends, from the dashboard's default time range ({@code now-30m}). */
  private static Map<String, String> rangeVariables(JsonNode dashboard) {
    Matcher m = TIME_FROM.matcher(dashboard.path("time").path("from").asText("now-30m"));
    if (!m.matches()) {
      return Map.of();
    }
    long unit = switch (m.group(2)) {
      case "s" -> 1;
      case "m" -> 60;
      case "h" -> 3600;
      default -> 86400;
    };
    long seconds = Long.parseLong(m.group(1)) * unit;
    return Map.of("__range", seconds + "s", "__range_s", Long.toString(seconds),
        "__range_ms", Long.toString(seconds * 1000));
  }

  /**
   * {@code expr} with every {@code $name}, {@code ${name}}, {@code ${name:format}} and {@code
   * [[name]]} replaced by its value.
   *
   * @throws IllegalArgumentException naming a variable that has no value
   */
  static String substitute(String expr, Map<String, String> values) {
    Matcher m = VARIABLE.matcher(expr);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException("the query uses $" + name + ", a variable the "
            + "dashboard does not define (or the test cannot substitute)");
      }
      m.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    m.appendTail(out);
    return out.toString();
  }

  /** Null when the query returns a series (or scalar) with a finite value. */
  static String queryProblem(LocalPrometheus prometheus, String promql)
      throws IOException, InterruptedException {
    JsonNode data;
    try {
      data = prometheus.query(promql);
    } catch (LocalPrometheus.ApiException e) {
      return "as queried: " + promql + "\n      error: " + e.getMessage();
    }
    List<String> values = new ArrayList<>();
    switch (data.path("resultType").asText()) {
      case "vector" -> data.path("result").forEach(s -> values.add(s.path("value").get(1).asText()));
      case "scalar" -> values.add(data.path("result").get(1).asText());
      default -> {
        return "as queried: " + promql + "\n      unexpected result: " + data;
      }
    }
    if (values.isEmpty()) {
      return "as queried: " + promql + "\n      no series";
    }
    for (String v : values) {
      if (Double.isFinite(Double.parseDouble(v))) {
        return null;
      }
    }
    return "as queried: " + promql + "\n      " + values.size() + " series, none with a finite "
        + "value: " + data.path("result");
  }

  /** Null when a {@code label_values(metric, label)} query finds every model. */
  static String variableProblem(LocalPrometheus prometheus, String definition)
      throws IOException, InterruptedException {
    Matcher m = LABEL_VALUES.matcher(definition);
    if (!m.matches()) {
      return "the test only evaluates label_values(...) variable queries";
    }
    List<String> found = prometheus.labelValues(m.group(2), m.group(1));
    Set<String> missing = new TreeSet<>(MODELS);
    missing.removeAll(found);
    return missing.isEmpty() ? null : "finds " + found + ", not the models " + missing;
  }

  /** Null when Prometheus has scraped every name. */
  static String missingNames(LocalPrometheus prometheus, Set<String> names)
      throws IOException, InterruptedException {
    Set<String> missing = new TreeSet<>(names);
    missing.removeAll(prometheus.labelValues("__name__", null));
    return missing.isEmpty() ? null
        : "not in Prometheus (GET /api/v1/label/__name__/values): " + missing;
  }

  /** Null when Prometheus counts a rejection for each reason of {@link #INVALID_RATINGS}. */
  static String rejectionsProblem(LocalPrometheus prometheus)
      throws IOException, InterruptedException {
    Set<String> counted = new TreeSet<>();
    prometheus.query("mfstream_ratings_rejected_total > 0").path("result")
        .forEach(s -> counted.add(s.path("metric").path("reason").asText()));
    return counted.containsAll(INVALID_RATINGS.keySet()) ? null
        : "mfstream_ratings_rejected_total > 0 for the reasons " + counted + ", not all of "
            + new TreeSet<>(INVALID_RATINGS.keySet());
  }

  /**
   * Runs the checks once a second until all held once or {@link #DATA_WAIT} passed; a check that
   * held is not run again. Returns a description of each check that never held.
   */
  static List<String> awaitAll(LocalPrometheus prometheus, List<Check> checks, Traffic traffic)
      throws IOException, InterruptedException {
    Map<Check, String> pending = new LinkedHashMap<>();
    checks.forEach(c -> pending.put(c, "not run"));
    long deadline = System.nanoTime() + DATA_WAIT.toNanos();
    while (true) {
      for (Check c : List.copyOf(pending.keySet())) {
        String problem = c.probe().problem(prometheus);
        if (problem == null) {
          pending.remove(c);
        } else {
          pending.put(c, problem);
        }
      }
      String trafficProblem = traffic.problem();
      if (pending.isEmpty() || System.nanoTime() > deadline || trafficProblem != null) {
        List<String> failures = new ArrayList<>();
        pending.forEach((c, problem) -> failures.add("  - " + c.title()
            + (c.detail().isEmpty() ? "" : ": " + c.detail()) + "\n      " + problem));
        if (trafficProblem != null) {
          failures.add("  - the traffic stopped: " + trafficProblem);
        }
        return failures;
      }
      Thread.sleep(1000);
    }
  }

  /**
   * Ratings replayed at {@link #RATINGS_PER_SECOND} (again from the start when all are sent),
   * and every 200 ms a prediction and a recommendation request; every 2 s one record of each of
   * {@link #INVALID_RATINGS}. Runs until closed.
   */
  static final class Traffic implements AutoCloseable {
    private final ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "dashboard-test-traffic");
      t.setDaemon(true);
      return t;
    });
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicInteger passes = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger invalid = new AtomicInteger();
    private Future<?> replay;
    private Future<?> others;

    private Traffic(String bootstrap) {
      producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 5),
          new ByteArraySerializer(), new ByteArraySerializer());
    }

    static Traffic start(String bootstrap, List<Rating> ratings) {
      Traffic t = new Traffic(bootstrap);
      Replayer replayer = Replayer.builder(bootstrap).ratingsPerSecond(RATINGS_PER_SECOND)
          .build();
      t.replay = t.threads.submit(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          replayer.replay(ratings);
          t.passes.incrementAndGet();
        }
        return null;
      });
      t.others = t.threads.submit(() -> {
        t.sendRequestsAndInvalidRatings(ratings);
        return null;
      });
      return t;
    }

    private void sendRequestsAndInvalidRatings(List<Rating> ratings) throws InterruptedException {
      for (int n = 0; !Thread.currentThread().isInterrupted(); n++) {
        Rating r = ratings.get((n * 37) % ratings.size());
        String id = "dashboard-" + n;
        send(Topics.PREDICTION_REQUESTS.name(), id, Topics.PREDICTION_REQUESTS.valueSerde()
            .serializer().serialize(Topics.PREDICTION_REQUESTS.name(),
                new PredictionRequest(id, r.user(), r.item())));
        send(Topics.RECOMMENDATION_REQUESTS.name(), id, Topics.RECOMMENDATION_REQUESTS
            .valueSerde().serializer().serialize(Topics.RECOMMENDATION_REQUESTS.name(),
                new RecommendationRequest(id, r.user(), 5)));
        requests.addAndGet(2);
        if (n % 10 == 0) {
          for (String value : INVALID_RATINGS.values()) {
            send(Topics.RATINGS.name(), "u1", value.getBytes(StandardCharsets.UTF_8));
            invalid.incrementAndGet();
          }
        }
        producer.flush();
        Thread.sleep(200);
      }
    }

    private void send(String topic, String key, byte[] value) {
      producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
    }

    /** Null while the traffic flows, else why it stopped. */
    String problem() {
      for (Future<?> f : List.of(replay, others)) {
        if (f.isDone()) {
          try {
            f.get();
            return "a traffic thread ended";
          } catch (ExecutionException e) {
            return e.getCause().toString();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
          }
        }
      }
      return null;
    }

    String describe() {
      return passes.get() + " full replays (plus part of one), " + requests.get() + " requests, "
          + invalid.get() + " invalid ratings sent" + (problem() == null ? "" : "; " + problem());
    }

    @Override
    public void close() throws InterruptedException {
      threads.shutdownNow();
      if (!threads.awaitTermination(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the traffic threads did not stop");
      }
      producer.close(Duration.ofSeconds(5));
    }
  }

  @Test
  void shouldSubstituteGrafanaVariablesAndRefuseUnknownOnes() {
    Map<String, String> values = Map.of("__rate_interval", "4s", "model", ".*");
    assertEquals("rate(x{model=~\".*\"}[4s]) + y{model=~\".*\"} + z{m=~\".*\"}",
        substitute("rate(x{model=~\"$model\"}[$__rate_interval]) + y{model=~\"${model}\"}"
            + " + z{m=~\"${model:regex}\"}", values));
    assertEquals("a{b=~\"c$\"}", substitute("a{b=~\"c$\"}", values));
    assertThrows(IllegalArgumentException.class, () -> substitute("x[$__range]", values));
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
