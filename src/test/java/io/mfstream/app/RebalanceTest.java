package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.data.RatingFormat;
import io.mfstream.data.RatingReader;
import io.mfstream.data.ReadMode;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topics;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 across rebalances (issue 14, item 3). A broker in a JVM of its own, instance A
 * ({@code run} in its own process) learning; while ratings stream in, instance B joins with the
 * same application.id and settings, takes over trainer tasks (restored from the changelog) and
 * trains, both answer requests, and B stops cleanly (SIGTERM); B starts again on its state
 * directory, takes tasks again (restored from its local stores), and is killed (SIGKILL). A
 * learns to the end. Then: every model bit-identical to an uninterrupted offline run (each valid
 * rating learned once, wherever its task ran), one RMSE report per interval per model, every
 * prediction request answered exactly once per model, by both instances.
 */
@BrokerTest
@Timeout(600)
class RebalanceTest {
  private static final Duration WAIT = Duration.ofMinutes(3);
  private static final Path MOVIELENS =
      Path.of(System.getProperty("mfstream.shared.data", "../shared/data"), "ml-100k", "u.data");
  private static final int RATINGS = 24_000;
  private static final List<String> MODELS = List.of("biased-mf", "mlp");

  @TempDir Path dir;

  @Test
  void tasksShouldMoveToAJoiningInstanceAndBackWithoutLosingOrRepeatingARating()
      throws Exception {
    long t0 = System.nanoTime();
    List<Rating> data = ratings();
    String source = Files.isReadable(MOVIELENS) ? "MovieLens 100K" : "synthetic";
    try (BrokerProcess broker = BrokerProcess.start(dir, WAIT)) {
      String bootstrap = broker.bootstrapServers();
      Map<String, String> settings = PipelineScenario.settings(bootstrap, dir.resolve("a"));
      settings.put("application.id", "rebalance-test");
      // A new instance counts as caught up on every task, so the assignor hands it its share
      // at once (it restores before it processes); by default it would warm replicas up first
      // and take tasks at a probing rebalance, 10 minutes later.
      settings.put("kafka.acceptable.recovery.lag", "1000000000");
      settings.put("http.port", Integer.toString(RunProcess.freePort()));
      Map<String, String> bSettings = new HashMap<>(settings);
      bSettings.put("state.dir", dir.resolve("b").toString());
      Path exports = dir.resolve("exports");

      try (RunProcess a = RunProcess.start(dir, "a", settings, exports);
          Requests requests = new Requests(bootstrap, data)) {
        a.awaitLog("mfstream: running.", WAIT);
        long aReady = System.nanoTime();
        Trickle replay = new Trickle(bootstrap, data, 4_000, 100);
        replay.start();

        // B joins and takes trainer tasks.
        bSettings.put("http.port", Integer.toString(RunProcess.freePort()));
        RunProcess b = RunProcess.start(dir, "b", bSettings, null);
        long bStarted = System.nanoTime();
        List<String> onB;
        try {
          b.awaitLog("mfstream: running.", WAIT);
          onB = awaitTraining(b);
          double joinSeconds = (System.nanoTime() - bStarted) / 1e9;
          // Both answer: over the topics (the serving tasks are shared) and over HTTP.
          requests.send("b", 30);
          Await.until(WAIT, () -> "both instances to answer requests: a " + a.answered()
              + ", b " + b.answered(), () -> a.answered() > 0 && b.answered() > 0);
          for (RunProcess p : List.of(a, b)) {
            int port = Integer.parseInt((p == a ? settings : bSettings).get("http.port"));
            assertEquals(MODELS, httpModels(port, data.get(0)), p.name + " over HTTP");
          }
          assertTrue(replay.isAlive(), "ratings no longer arrive: not mid-stream");
          int exit = b.stop(Duration.ofMinutes(2));
          assertTrue(exit == 0 || exit == 143, "b exit " + exit + ":\n" + RunProcess.tail(b.log));
          System.out.printf("RebalanceTest: b joined and trained %s after %.1f s; stopped "
              + "cleanly at %,d ratings sent%n", onB, joinSeconds, replay.sent());
        } finally {
          b.close();
        }
        // A takes the tasks back from B's last commit.
        awaitTraining(a, onB, a.versions(MODELS));

        // B again, on its state directory: it takes tasks again, and is killed while training.
        RunProcess b2 = RunProcess.start(dir, "b2", bSettings, null);
        List<String> onB2;
        try {
          b2.awaitLog("mfstream: running.", WAIT);
          onB2 = awaitTraining(b2);
          requests.send("b2", 30);
          assertTrue(replay.isAlive(), "ratings no longer arrive: not mid-stream");
          b2.kill();
        } finally {
          b2.close();
        }
        long killedAt = System.nanoTime();
        requests.send("after-kill", 30);
        awaitTraining(a, onB2, a.versions(MODELS));
        double takeover = (System.nanoTime() - killedAt) / 1e9;
        System.out.printf("RebalanceTest: b2 trained %s and was killed at %,d ratings sent; a "
            + "trained them again %.1f s later%n", onB2, replay.sent(), takeover);

        replay.finish();
        replay.join(WAIT.toMillis());
        assertEquals(null, replay.failure.get(), "the replay failed");
        Await.until(WAIT, () -> "a to learn every rating:\n" + RunProcess.tail(a.log), () -> {
          Map<String, long[]> v = a.versions(MODELS);
          return v.size() == 2 && v.values().stream().allMatch(x -> x[1] == RATINGS / 8);
        });
        Map<String, List<Prediction>> answers = requests.awaitAnswers();
        int exit = a.stop(Duration.ofMinutes(2));
        assertTrue(exit == 0 || exit == 143, "a exit " + exit + ":\n" + RunProcess.tail(a.log));

        AppConfig config = AppConfig.load(null, Map.of(), settings);
        Map<String, Long> learned = EndState.assertModelsAsOffline(config, data, exports,
            a.log());
        for (Map.Entry<String, Long> e : learned.entrySet()) {
          assertEquals(RATINGS, e.getValue(), e.getKey() + ": ratings learned");
        }
        int reports = EndState.assertReportsOnce(bootstrap, MODELS, 100, RATINGS,
            Duration.ofSeconds(3));
        for (Map.Entry<String, List<Prediction>> e : answers.entrySet()) {
          assertEquals(MODELS, e.getValue().stream().map(Prediction::model).sorted().toList(),
              "request " + e.getKey() + ": not answered exactly once per model");
        }
        List<String> moves = new ArrayList<>();
        for (RunProcess p : List.of(a, b, b2)) {
          moves.add(p.name + " " + p.taskStarts());
        }
        System.out.printf("RebalanceTest: %s, %,d ratings; trainer task starts (model=ratings "
            + "learned at start): %s; %d requests, each answered once per model (a answered "
            + "%,d, b %,d, b2 %,d); %d RMSE reports, each once; models bit-identical to offline,"
            + " %s ratings learned; %.0f s (%.0f s from a ready)%n", source, RATINGS,
            String.join("; ", moves), answers.size(), a.answered(), b.answered(), b2.answered(),
            reports, learned, (System.nanoTime() - t0) / 1e9,
            (System.nanoTime() - aReady) / 1e9);
        assertFalse(a.log().contains(" ERROR "), "errors in a's log:\n" + a.log());
      }
    }
  }

  private static List<Rating> ratings() throws Exception {
    if (Files.isReadable(MOVIELENS)) {
      List<Rating> all = new ArrayList<>(
          new RatingReader(RatingFormat.ML_100K, ReadMode.STRICT).read(MOVIELENS).ratings());
      all.sort(Comparator.comparingLong(Rating::timestamp)); // stable
      return List.copyOf(all.subList(0, RATINGS));
    }
    // MovieLens 100K's shape: 943 users, 1,682 items
    return PipelineScenario.validRatings(943, 1682, RATINGS + 4_000, 7, RATINGS);
  }

  /** Waits until {@code p} trains some model (its version rises); returns those models. */
  private static List<String> awaitTraining(RunProcess p) throws Exception {
    return Await.result(WAIT, () -> p.name + " to train a model:\n" + RunProcess.tail(p.log),
        () -> {
          if (!p.process.isAlive()) {
            throw new AssertionError(p.name + " ended:\n" + RunProcess.tail(p.log));
          }
          List<String> trained = p.versions(MODELS).entrySet().stream()
              .filter(e -> e.getValue()[1] > e.getValue()[0]).map(Map.Entry::getKey).toList();
          return trained.isEmpty() ? null : trained;
        });
  }

  /** Waits until {@code p} trains each of {@code models} past the versions in {@code before}. */
  private static void awaitTraining(RunProcess p, List<String> models, Map<String, long[]> before)
      throws Exception {
    Await.until(WAIT, () -> p.name + " to train " + models + " again:\n"
        + RunProcess.tail(p.log), () -> {
          Map<String, long[]> now = p.versions(MODELS);
          return models.stream().allMatch(m -> now.containsKey(m)
              && now.get(m)[1] > (before.containsKey(m) ? before.get(m)[1] : 0)
              && p.log().lines().filter(l -> l.contains("model " + m + ": ")
                  && l.contains(" pending (")).count() > 1);
        });
  }

  /** The models an instance answers for over HTTP. */
  private static List<String> httpModels(int port, Rating r) throws Exception {
    HttpResponse<String> res = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + port + "/api/predict?user=" + r.user() + "&item=" + r.item()))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode(), res.body());
    List<String> models = new ArrayList<>();
    for (var p : io.mfstream.json.JsonMappers.mapper().readTree(res.body()).get("predictions")) {
      models.add(p.get("model").asText());
    }
    return models.stream().sorted().toList();
  }

  /**
   * The ratings, sent in order: the first {@code head} at once, then {@code perSecond} until
   * {@link #finish}, then the rest at once. Ratings keep arriving while instances join and leave.
   */
  private static final class Trickle extends Thread {
    private final String bootstrap;
    private final List<Rating> data;
    private final int head;
    private final double perSecond;
    private final AtomicBoolean finish = new AtomicBoolean();
    private final AtomicInteger sent = new AtomicInteger();
    final AtomicReference<Throwable> failure = new AtomicReference<>();

    Trickle(String bootstrap, List<Rating> data, int head, double perSecond) {
      super("trickle");
      this.bootstrap = bootstrap;
      this.data = data;
      this.head = head;
      this.perSecond = perSecond;
    }

    int sent() {
      return sent.get();
    }

    void finish() {
      finish.set(true);
    }

    @Override
    public void run() {
      try {
        send(0, head, 0);
        int chunk = (int) perSecond;
        while (!finish.get() && sent.get() + chunk < data.size()) {
          send(sent.get(), sent.get() + chunk, perSecond);
        }
        if (!finish.get()) {
          throw new AssertionError("the trickle ran out of ratings before the test finished");
        }
        send(sent.get(), data.size(), 0);
      } catch (Throwable e) {
        failure.set(e);
      }
    }

    private void send(int from, int to, double rate) throws InterruptedException {
      Replayer.builder(bootstrap).ratingsPerSecond(rate).build().replay(data.subList(from, to));
      sent.set(to);
    }
  }

  /** Prediction requests, spread over the request partitions by their ids, and their answers. */
  private static final class Requests implements AutoCloseable {
    private final String bootstrap;
    private final List<Rating> data;
    private final KafkaProducer<String, PredictionRequest> producer;
    private final List<String> ids = new ArrayList<>();

    Requests(String bootstrap, List<Rating> data) {
      this.bootstrap = bootstrap;
      this.data = data;
      this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
          bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
          Topics.PREDICTION_REQUESTS.keySerde().serializer(),
          Topics.PREDICTION_REQUESTS.valueSerde().serializer());
    }

    void send(String phase, int n) throws Exception {
      for (int i = 0; i < n; i++) {
        Rating r = data.get(ids.size() * 37 % 2_000);
        String id = phase + "-" + i;
        producer.send(new ProducerRecord<>(Topics.PREDICTION_REQUESTS.name(), id,
            new PredictionRequest(id, r.user(), r.item())));
        ids.add(id);
      }
      producer.flush();
    }

    /** Every answer to every request sent, once each has two (and 3 s more for duplicates). */
    Map<String, List<Prediction>> awaitAnswers() {
      Map<String, List<Prediction>> out = new TreeMap<>();
      ids.forEach(id -> out.put(id, new ArrayList<>()));
      try (KafkaConsumer<String, Prediction> c = new KafkaConsumer<>(Map.of(
          ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
          ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
          Topics.PREDICTIONS.keySerde().deserializer(),
          Topics.PREDICTIONS.valueSerde().deserializer())) {
        List<TopicPartition> parts = c.partitionsFor(Topics.PREDICTIONS.name()).stream()
            .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
        c.assign(parts);
        c.seekToBeginning(parts);
        Runnable poll = () -> {
          for (ConsumerRecord<String, Prediction> r : c.poll(Duration.ofMillis(200))) {
            out.computeIfAbsent(r.value().requestId(), k -> new ArrayList<>()).add(r.value());
          }
        };
        Await.until(WAIT, () -> "two answers to every request: " + out, () -> {
          poll.run();
          return out.values().stream().allMatch(l -> l.size() >= MODELS.size());
        });
        long until = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < until) {
          poll.run();
        }
      }
      return out;
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
