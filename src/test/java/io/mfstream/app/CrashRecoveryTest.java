package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.Trainer;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 1 against a real crash: the {@code run} command in a process of its own is killed
 * with SIGKILL (no shutdown hook, no commit, its state directory left as it was) while ratings
 * stream in, then started again on the same state directory. Every rating is learned exactly
 * once: the RMSE reports of the two processes together are one per 100 ratings, none twice, and
 * each model ends byte-identical to an uninterrupted offline run over the same ratings.
 */
@BrokerTest
@Timeout(600)
class CrashRecoveryTest {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void aModelKilledMidStreamShouldResumeAsIfNothingHappened() throws Exception {
    List<Rating> data = PipelineScenario.validRatings(80, 60, 4000, 23, 3000);
    try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
      Map<String, String> settings = PipelineScenario.settings(kafka.bootstrapServers(),
          dir.resolve("state"));
      settings.put("application.id", "crash-test");
      Path config = dir.resolve("mfstream.properties");
      Properties p = new Properties();
      p.putAll(settings);
      try (Writer w = Files.newBufferedWriter(config)) {
        p.store(w, null);
      }

      Process first = launch(config, null, "first");
      try {
        awaitLog(dir.resolve("first.log"), "mfstream: running.", first);
        Thread replay = new Thread(() -> {
          try {
            Replayer.builder(kafka.bootstrapServers()).ratingsPerSecond(600).build()
                .replay(data);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
        replay.start();
        // Kill it once it is well into the stream, with ratings still arriving (the replay
        // takes 5 s).
        awaitReports(kafka, r -> r.count() >= 800, "800 ratings scored by the first process");
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertTrue(replay.isAlive(), "the replay ended before the kill: not a mid-stream crash");
        replay.join(WAIT.toMillis());
      } finally {
        first.destroyForcibly();
      }

      Path exports = dir.resolve("exports");
      Process second = launch(config, exports, "second");
      try {
        awaitReports(kafka, r -> r.count() == data.size(), "all ratings scored after the crash",
            2);
        second.destroy(); // SIGTERM: a clean stop, which exports the models
        assertTrue(second.waitFor(2, TimeUnit.MINUTES), "the second process did not stop");
        int exit = second.exitValue(); // 143: the JVM's exit code for a SIGTERM it handled
        assertTrue(exit == 0 || exit == 143, "exit code " + exit + ":\n"
            + Files.readString(dir.resolve("second.log")));
      } finally {
        second.destroyForcibly();
      }

      AppConfig parsed = AppConfig.load(config, Map.of(), Map.of());
      for (ModelSpec spec : parsed.pipeline().models()) {
        OnlineLearner offline = new OnlineLearner(
            new Trainer(spec.model(), spec.optimizer(), spec.batchSize()), spec.window());
        for (Rating r : data) {
          offline.observe(r);
        }
        Path file = exports.resolve(spec.name() + ".mfsnap");
        assertTrue(Files.exists(file), "no export of " + spec.name() + ":\n"
            + Files.readString(dir.resolve("second.log")));
        assertArrayEquals(StreamTestSupport.snapshot(offline.trainer()), Files.readAllBytes(file),
            spec.name() + ": after a kill -9 the model differs from an uninterrupted run");
      }
      List<RmseReport> reports = readReports(kafka, Duration.ofSeconds(5));
      for (String model : parsed.modelNames()) {
        List<Long> counts = reports.stream().filter(r -> r.model().equals(model))
            .map(RmseReport::count).toList();
        List<Long> expected = new ArrayList<>();
        for (long c = 100; c <= data.size(); c += 100) {
          expected.add(c);
        }
        assertEquals(expected, counts, model + ": RMSE reports lost or duplicated by the crash");
      }
    }
  }

  /** Starts {@code java ... Main run --config FILE} in a new process, its output to a log. */
  private Process launch(Path config, Path exportDir, String name) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx1g", "-cp",
        System.getProperty("java.class.path"), "io.mfstream.cli.Main", "run", "--config",
        config.toString(), "--no-replay", "--status-every", "1"));
    if (exportDir != null) {
      cmd.addAll(List.of("--export-dir", exportDir.toString()));
    }
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolve(name + ".log").toFile()).start();
  }

  private static void awaitLog(Path log, String line, Process process) throws IOException {
    Await.until(WAIT, () -> "'" + line + "' in " + log.getFileName() + ":\n" + RunProcess.tail(log), () -> {
      if (Files.exists(log) && Files.readString(log).contains(line)) {
        return true;
      }
      if (!process.isAlive()) {
        throw new AssertionError("the process ended:\n" + RunProcess.tail(log));
      }
      return false;
    });
  }

  private static KafkaConsumer<String, RmseReport> rmseConsumer(EmbeddedKafka kafka) {
    KafkaConsumer<String, RmseReport> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
        Topics.RMSE.keySerde().deserializer(), Topics.RMSE.valueSerde().deserializer());
    List<TopicPartition> parts = List.of(new TopicPartition(Topics.RMSE.name(), 0));
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  private void awaitReports(EmbeddedKafka kafka, Predicate<RmseReport> condition, String what) {
    awaitReports(kafka, condition, what, 1);
  }

  /** Waits until {@code times} reports (e.g. one per model) satisfy the condition. */
  private void awaitReports(EmbeddedKafka kafka, Predicate<RmseReport> condition, String what,
      int times) {
    int[] seen = {0};
    try (KafkaConsumer<String, RmseReport> c = rmseConsumer(kafka)) {
      Await.until(WAIT, () -> what + "\nfirst process:\n" + RunProcess.tail(dir.resolve("first.log"))
          + "\nsecond process:\n" + RunProcess.tail(dir.resolve("second.log")), () -> {
            for (ConsumerRecord<String, RmseReport> r : c.poll(Duration.ofMillis(200))) {
              if (condition.test(r.value()) && ++seen[0] >= times) {
                return true;
              }
            }
            return false;
          });
    }
  }

  private static List<RmseReport> readReports(EmbeddedKafka kafka, Duration quiet) {
    List<RmseReport> out = new ArrayList<>();
    try (KafkaConsumer<String, RmseReport> c = rmseConsumer(kafka)) {
      long until = System.nanoTime() + quiet.toNanos();
      while (System.nanoTime() < until) {
        for (ConsumerRecord<String, RmseReport> r : c.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
    }
    return out;
  }
}
