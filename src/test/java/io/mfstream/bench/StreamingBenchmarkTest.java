package io.mfstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.testing.BrokerTest;
import io.mfstream.train.TestRatings;
import io.mfstream.stream.embedded.EmbeddedKafka;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** bench-stream's pieces on a real in-process broker: the tally of writes, and a whole round. */
@BrokerTest
@Timeout(300)
class StreamingBenchmarkTest {

  @TempDir
  Path dir;

  @Test
  void shouldCountOnlyCommittedRecordsAndTheirKeyAndValueBytes() throws Exception {
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka")).start();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("t", 2, (short) 1), new NewTopic("skip", 1,
          (short) 1))).all().get();
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
      p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tally-test");
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p,
          new ByteArraySerializer(), new ByteArraySerializer())) {
        producer.initTransactions();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("t", 0, new byte[3], new byte[10]));
        producer.send(new ProducerRecord<>("t", 1, null, new byte[5]));
        producer.send(new ProducerRecord<>("skip", 0, new byte[1], new byte[1]));
        producer.commitTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("t", 0, new byte[100], new byte[100]));
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        producer.send(new ProducerRecord<>("t", 1, new byte[2], null));
        producer.commitTransaction();
      }
      Map<String, TopicTally.Written> w = TopicTally.committed(kafka.bootstrapServers(),
          Set.of("skip"));
      assertEquals(Map.of("t", new TopicTally.Written(3, 3 + 10 + 5 + 2)), w);
    }
  }

  @Test
  void shouldRunTheCeilingAndThePipelineAndReportWhatEachModelWrote() throws Exception {
    List<Rating> ratings = TestRatings.random(3000, 60, 40, 11);
    StringWriter text = new StringWriter();
    List<StreamingBenchmark.Result> results = StreamingBenchmark.run(ratings,
        Map.of("models", "biased-mf,plain-mf", "batch.size", "16"),
        Map.of("pair", Map.of()), true, new PrintWriter(text));

    assertEquals(1, results.size());
    StreamingBenchmark.Result r = results.get(0);
    assertEquals(3000, r.ratings());
    assertTrue(r.seconds() > 0 && r.ceilingSeconds() > 0, r.toString());
    assertTrue(r.ratio() > 0 && Double.isFinite(r.ratio()), r.toString());
    // One validated copy per model, every one committed.
    assertEquals(6000, r.written().get("ratings-valid").records(), r.written().toString());
    assertTrue(r.written().get("mfstream-seen-items-changelog").records() > 0,
        r.written().toString());
    assertTrue(r.written().keySet().stream().noneMatch(t -> t.equals("model-updates")),
        "the replicas read the stores' changelogs: " + r.written());
    assertTrue(r.written().get("mfstream-model-state-changelog").records() > 0,
        r.written().toString());
    assertTrue(r.besidesValid().bytes() > 0, r.toString());
    String printed = text.toString();
    assertTrue(printed.contains("of the ceiling"), printed);
    assertTrue(printed.contains("all but ratings-valid"), printed);
  }
}
