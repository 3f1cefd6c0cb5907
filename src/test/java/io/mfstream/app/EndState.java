package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * The end-state checks of the fault tests: every model exported by {@code run --export-dir}
 * bit-identical to an uninterrupted offline run over the same ratings (so it learned each valid
 * rating once), and one RMSE report per interval per model, none lost, none twice.
 */
final class EndState {
  private EndState() {}

  /**
   * Compares each model's export in {@code exports} with the offline run; returns the ratings
   * each learned (from the offline run the export equals).
   */
  static Map<String, Long> assertModelsAsOffline(AppConfig config, List<Rating> data,
      Path exports, String context) throws Exception {
    Map<String, Long> learned = new java.util.LinkedHashMap<>();
    for (ModelSpec spec : config.pipeline().models()) {
      OnlineLearner offline = new OnlineLearner(
          new Trainer(spec.model(), spec.optimizer(), spec.batchSize()), spec.window());
      for (Rating r : data) {
        offline.observe(r);
      }
      Path file = exports.resolve(spec.name() + ".mfsnap");
      assertTrue(Files.exists(file), "no export of " + spec.name() + ":\n" + context);
      assertArrayEquals(StreamTestSupport.snapshot(offline.trainer()), Files.readAllBytes(file),
          spec.name() + ": the model differs from an uninterrupted offline run");
      learned.put(spec.name(), offline.trainer().trained());
    }
    return learned;
  }

  /**
   * Reads {@code rmse} from the beginning (read committed, until {@code quiet} passes without a
   * record) and checks that each model reported exactly at {@code every}, 2·every, ... up to
   * {@code total}; returns the number of reports read.
   */
  static int assertReportsOnce(String bootstrap, List<String> models, int every, int total,
      Duration quiet) {
    List<RmseReport> reports = new ArrayList<>();
    try (KafkaConsumer<String, RmseReport> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
        Topics.RMSE.keySerde().deserializer(), Topics.RMSE.valueSerde().deserializer())) {
      List<TopicPartition> parts = List.of(new TopicPartition(Topics.RMSE.name(), 0));
      c.assign(parts);
      c.seekToBeginning(parts);
      long until = System.nanoTime() + quiet.toNanos();
      while (System.nanoTime() < until) {
        for (ConsumerRecord<String, RmseReport> r : c.poll(Duration.ofMillis(200))) {
          reports.add(r.value());
          until = System.nanoTime() + quiet.toNanos();
        }
      }
    }
    for (String model : models) {
      List<Long> counts = reports.stream().filter(r -> r.model().equals(model))
          .map(RmseReport::count).toList();
      List<Long> expected = new ArrayList<>();
      for (long n = every; n <= total; n += every) {
        expected.add(n);
      }
      assertEquals(expected, counts, model + ": RMSE reports lost or duplicated");
    }
    return reports.size();
  }
}
