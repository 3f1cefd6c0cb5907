package io.mfstream.stream.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@code topics/} folder, and the rejection of bad definition files. */
@UnitTest
class TopicDefinitionsTest {

  @TempDir Path dir;

  private static Map<String, TopicDefinition> projectTopics() throws IOException {
    return TopicDefinitions.load(TopicDefinitions.DEFAULT_DIR).stream()
        .collect(Collectors.toMap(TopicDefinition::name, Function.identity()));
  }

  @Test
  void shouldDefineTheEightPipelineTopicsInTheProjectFolder() throws IOException {
    assertEquals(
        List.of("prediction-requests", "predictions", "ratings", "ratings-dlq",
            "ratings-valid", "recommendation-requests", "recommendations", "rmse"),
        TopicDefinitions.load(TopicDefinitions.DEFAULT_DIR).stream()
            .map(TopicDefinition::name).toList());
  }

  @Test
  void shouldGiveEveryProjectTopicItsPartitionsReplicationAndCleanupPolicy() throws IOException {
    Map<String, TopicDefinition> topics = projectTopics();
    Map<String, Integer> partitions = Map.of(
        "ratings", 1, "ratings-dlq", 1, "ratings-valid", 3, "prediction-requests", 3,
        "predictions", 3, "recommendation-requests", 3, "recommendations", 3, "rmse", 1);
    partitions.forEach((name, expected) -> {
      TopicDefinition topic = topics.get(name);
      assertEquals(expected, topic.partitions(), name);
      assertEquals(1, topic.replicationFactor(), name);
      assertEquals("delete", topic.configs().get("cleanup.policy"), name);
    });
  }

  @Test
  void shouldKeepDeadLettersLongerThanRatings() throws IOException {
    Map<String, TopicDefinition> topics = projectTopics();
    long ratings = Long.parseLong(topics.get("ratings").configs().get("retention.ms"));
    long deadLetters = Long.parseLong(topics.get("ratings-dlq").configs().get("retention.ms"));
    assertTrue(deadLetters > ratings, deadLetters + " <= " + ratings);
  }

  @Test
  void shouldTurnADefinitionIntoTheAdminRequestWithItsConfigs() throws IOException {
    write("ratings", "name=ratings", "partitions=3", "replication.factor=1",
        "config.cleanup.policy=delete", "config.retention.ms=1000");
    NewTopic topic = TopicDefinitions.load(dir).get(0).toNewTopic();
    assertEquals("ratings", topic.name());
    assertEquals(3, topic.numPartitions());
    assertEquals(1, topic.replicationFactor());
    assertEquals(Map.of("cleanup.policy", "delete", "retention.ms", "1000"), topic.configs());
  }

  @Test
  void shouldIgnoreFilesThatAreNotPropertiesSuchAsTheReadme() throws IOException {
    write("ratings", "name=ratings", "partitions=1", "replication.factor=1");
    Files.writeString(dir.resolve("README.md"), "# topics\n");
    assertEquals(1, TopicDefinitions.load(dir).size());
  }

  @Test
  void shouldRejectAFileWithoutANameAndSayWhichFile() throws IOException {
    write("ratings", "partitions=3", "replication.factor=1");
    assertRejected("ratings.properties", "missing 'name'");
  }

  @Test
  void shouldRejectZeroPartitionsAndSayWhichFile() throws IOException {
    write("ratings", "name=ratings", "partitions=0", "replication.factor=1");
    assertRejected("ratings.properties", "partitions must be an integer of at least 1, was 0");
  }

  @Test
  void shouldRejectPartitionsThatAreNotANumberAndSayWhichFile() throws IOException {
    write("ratings", "name=ratings", "partitions=three", "replication.factor=1");
    assertRejected("ratings.properties", "was 'three'");
  }

  @Test
  void shouldRejectAMissingReplicationFactorAndSayWhichFile() throws IOException {
    write("ratings", "name=ratings", "partitions=3");
    assertRejected("ratings.properties", "missing 'replication.factor'");
  }

  @Test
  void shouldRejectAnUnknownKeyAndSayWhichFile() throws IOException {
    write("ratings", "name=ratings", "partitions=3", "replication.factor=1",
        "retention.ms=1000");
    assertRejected("ratings.properties", "unknown key 'retention.ms'");
  }

  @Test
  void shouldRejectTwoFilesThatNameTheSameTopicAndSayBoth() throws IOException {
    write("ratings", "name=ratings", "partitions=3", "replication.factor=1");
    write("ratings-copy", "name=ratings", "partitions=1", "replication.factor=1");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TopicDefinitions.load(dir));
    assertTrue(e.getMessage().contains("ratings-copy.properties"), e.getMessage());
    assertTrue(e.getMessage().contains("already defined in"), e.getMessage());
    assertTrue(e.getMessage().contains(dir.resolve("ratings.properties").toString()),
        e.getMessage());
  }

  @Test
  void shouldRejectAnIllegalTopicNameAndSayWhichFile() throws IOException {
    write("bad name", "name=bad name", "partitions=1", "replication.factor=1");
    assertRejected("bad name.properties", "illegal topic name 'bad name'");
  }

  @Test
  void shouldRejectAFolderWithoutDefinitions() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TopicDefinitions.load(dir));
    assertTrue(e.getMessage().contains("no topic definitions"), e.getMessage());
  }

  private void write(String file, String... lines) throws IOException {
    Files.writeString(dir.resolve(file + ".properties"), String.join("\n", lines) + "\n");
  }

  private void assertRejected(String fileName, String reason) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TopicDefinitions.load(dir));
    assertTrue(e.getMessage().contains(fileName), () -> "no file name in: " + e.getMessage());
    assertTrue(e.getMessage().contains(reason), () -> "no '" + reason + "' in: " + e.getMessage());
  }
}
