package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The pipeline end to end on a real broker, whichever broker it is: ratings in, RMSE falling,
 * predictions stamped with the model version; stopped and started again twice (once with its
 * local state, once with the state directory wiped, so it restores from the changelog): it learns
 * every rating exactly once, and its models end bit-identical to an uninterrupted run over the
 * same ratings.
 *
 * <p>One scenario, so that every broker it runs on is held to the same assertions: Kafka's own
 * server in-process ({@link PipelineIntegrationTest}) and the {@code apache/kafka} image in a
 * container ({@link PipelineContainerTest}).
 */
final class PipelineScenario {
  static final Duration WAIT = Duration.ofSeconds(120);

  private PipelineScenario() {}

  static Map<String, String> settings(String bootstrap, Path stateDir) {
    Map<String, String> s = new HashMap<>();
    s.put("bootstrap.servers", bootstrap);
    s.put("application.id", "pipeline-it");
    s.put("state.dir", stateDir.toString());
    s.put("topics.create", "true");
    s.put("models", "biased-mf,mlp");
    s.put("model.biased-mf.factors", "8");
    s.put("model.mlp.factors", "8");
    s.put("model.mlp.hidden", "8");
    s.put("model.mlp.init.scale", "0.1");
    s.put("batch.size", "8");
    s.put("rmse.window", "200");
    s.put("rmse.report.every", "100");
    s.put("http.port", "0");
    s.put("kafka.commit.interval.ms", "50");
    // A restarted instance waits for the old member's session to time out (Kafka Streams does
    // not leave the group on close); the broker's minimum keeps the restarts quick.
    s.put("kafka.session.timeout.ms", "6000");
    s.put("kafka.heartbeat.interval.ms", "1000");
    return s;
  }

  /**
   * Runs the whole scenario against the cluster at {@code bootstrapServers}, which must be empty
   * of mfstream's topics and of the {@code pipeline-it} application (the pipeline creates its
   * topics itself); fails with an {@link AssertionError} at the first expectation not met.
   *
   * @param dir an empty folder for the state directory and the exported snapshots
   */
  static void run(String bootstrapServers, Path dir) throws Exception {
    // Only ratings the validator accepts ([0.5, 5]): the rest would go to the dead letters.
    List<Rating> data = validRatings(80, 60, 3600, 17, 3000);
    Path state = dir.resolve("state");
    AppConfig config = AppConfig.load(null, Map.of(), settings(bootstrapServers, state));
    Replayer replayer = Replayer.builder(bootstrapServers).build();

    // Phase 1: a first third; predictions are answered, stamped with the trainer's version.
    try (Pipeline p = start(config)) {
      replayer.replay(data.subList(0, 1000));
      awaitScored(p, 1000);
      try (KafkaTestClient client = new KafkaTestClient(bootstrapServers)) {
        for (String model : config.modelNames()) {
          long version = p.board().get(model).version();
          assertEquals(1000 / 8, version, model);
        }
        List<Prediction> answers = client.askUntil(
            new PredictionRequest("it-1", data.get(0).user(), data.get(0).item()),
            config.modelNames().size(), a -> a.modelVersion() == 1000 / 8, WAIT);
        assertEquals(config.modelNames(), answers.stream().map(Prediction::model).sorted()
            .toList());
        for (Prediction a : answers) {
          assertEquals(1000, a.ratingsLearned());
          assertFalse(a.coldStart());
          assertTrue(Float.isFinite(a.rating()));
        }
      }
    }

    // Phase 2: restarted on its local state.
    try (Pipeline p = start(config)) {
      ModelStatus restored = p.board().get("biased-mf");
      assertEquals(1000, restored.scored(), "the restarted trainer did not restore its counters");
      // Running means the global thread has read the trainers' changelogs to their end: the in-memory
      // replicas are whole again before any new rating arrives.
      for (String m : config.modelNames()) {
        io.mfstream.stream.serve.ModelReplica r = p.replicas().get(m);
        assertEquals(1000, r.header().trained(), m + ": the replica was not rebuilt on restart");
        assertEquals(r.header().users(), r.users(), m + ": user rows in the replica");
        assertEquals(r.header().items(), r.items(), m + ": item rows in the replica");
      }
      replayer.replay(data.subList(1000, 2000));
      awaitScored(p, 2000);
    }

    // Phase 3: the local state is lost; it is restored from the changelog topics.
    deleteTree(state);
    try (Pipeline p = start(config)) {
      replayer.replay(data.subList(2000, 3000));
      awaitScored(p, 3000);
      for (ModelSpec spec : config.pipeline().models()) {
        OnlineLearner offline = new OnlineLearner(
            new Trainer(spec.model(), spec.optimizer(), spec.batchSize()), spec.window());
        for (Rating r : data) {
          offline.observe(r);
        }
        Path file = p.exportSnapshot(spec.name(), dir.resolve(spec.name() + ".mfsnap"), WAIT);
        assertArrayEquals(StreamTestSupport.snapshot(offline.trainer()), Files.readAllBytes(file),
            spec.name() + ": after two restarts the model differs from an uninterrupted run");
        ModelStatus s = p.board().get(spec.name());
        assertEquals(offline.rmse(), s.overallRmse(), 0.0, spec.name());
        assertEquals(offline.rollingRmse(), s.rollingRmse(), 0.0, spec.name());
      }
    }

    // Exactly once: one RMSE report per 100 ratings per model, none twice, RMSE falling.
    try (KafkaTestClient client = new KafkaTestClient(bootstrapServers)) {
      List<RmseReport> reports = client.readAll(Topics.RMSE, 60, WAIT);
      for (String model : config.modelNames()) {
        List<Long> counts = reports.stream().filter(r -> r.model().equals(model))
            .map(RmseReport::count).toList();
        List<Long> expected = new ArrayList<>();
        for (long c = 100; c <= 3000; c += 100) {
          expected.add(c);
        }
        assertEquals(expected, counts, model + ": RMSE reports lost or duplicated");
        List<RmseReport> mine = reports.stream().filter(r -> r.model().equals(model)).toList();
        double first = mine.get(1).rmse();
        double last = mine.get(mine.size() - 1).rmse();
        assertTrue(last < 0.8 * first, model + ": RMSE did not fall: " + first + " -> " + last);
      }
    }
  }

  /**
   * The first {@code n} of {@code drawn} synthetic ratings (rank 3, noise 0.3) that the validator
   * accepts ([0.5, 5]; the rest would go to the dead letters); fails if fewer are.
   */
  static List<Rating> validRatings(int users, int items, int drawn, long seed, int n) {
    List<Rating> data = SyntheticRatings.builder().users(users).items(items).rank(3)
        .ratings(drawn).sigma(0.3).seed(seed).build().ratings().stream()
        .filter(r -> r.rating() >= 0.5f && r.rating() <= 5f).limit(n).toList();
    assertEquals(n, data.size(), "valid synthetic ratings");
    return data;
  }

  /** Starts the pipeline and waits until Kafka Streams is running. */
  static Pipeline start(AppConfig config) throws Exception {
    Pipeline p = Pipeline.start(config, PipelineMetrics.NONE, new StatusBoard(),
        new RejectionCounts());
    p.awaitRunning(WAIT);
    return p;
  }

  private static void awaitScored(Pipeline p, long n) throws InterruptedException {
    awaitScored(p, n, WAIT);
  }

  /** Waits until every model of the pipeline has scored at least n ratings. */
  static void awaitScored(Pipeline p, long n, Duration timeout) throws InterruptedException {
    p.awaitScored(n, timeout);
  }

  private static void deleteTree(Path root) throws Exception {
    try (Stream<Path> all = Files.walk(root)) {
      for (Path x : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(x);
      }
    }
  }
}
