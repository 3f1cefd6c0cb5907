package io.mfstream.stream.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting, stopping and restarting the broker on a log directory the caller owns. */
@BrokerTest
@Timeout(120)
class EmbeddedKafkaLifecycleTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path dir;

  @Test
  void shouldKeepAGivenLogDirAndItsTopicsAcrossARestart() throws Exception {
    Path logDir = dir.resolve("kafka-logs");
    TopicDefinition topic = new TopicDefinition("survives-restart", 2, (short) 1, Map.of());
    try (EmbeddedKafka kafka = new EmbeddedKafka(logDir).start();
        Admin admin = admin(kafka)) {
      assertEquals(List.of("survives-restart"),
          TopicCreator.createAll(admin, List.of(topic), TIMEOUT).created());
    }
    assertTrue(Files.isRegularFile(logDir.resolve(EmbeddedKafka.META_PROPERTIES)),
        "the given log dir was not kept");

    try (EmbeddedKafka kafka = new EmbeddedKafka(logDir).start();
        Admin admin = admin(kafka)) {
      TopicCreator.Result again = TopicCreator.createAll(admin, List.of(topic), TIMEOUT);
      assertEquals(List.of("survives-restart"), again.existing());
      assertEquals(List.of(), again.partitionMismatches());
    }
  }

  @Test
  void shouldExplainWhyItCannotStartWhenTheLogDirIsAFile() throws Exception {
    Path notADir = Files.writeString(dir.resolve("not-a-dir"), "x");
    EmbeddedKafka kafka = new EmbeddedKafka(notADir);
    IllegalStateException e = assertThrows(IllegalStateException.class, kafka::start);
    assertTrue(e.getMessage().contains("preparing the log directory"), e.getMessage());
    assertTrue(e.getMessage().contains(notADir.toString()), e.getMessage());
    assertThrows(IllegalStateException.class, kafka::bootstrapServers);
  }

  private static Admin admin(EmbeddedKafka kafka) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()));
  }
}
