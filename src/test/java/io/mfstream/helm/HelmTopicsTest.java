package io.mfstream.helm;

import static io.mfstream.helm.ChartFixture.FULLNAME;
import static io.mfstream.helm.ChartFixture.RENAMED_HOOK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.helm.ChartFixture.Rendered;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topics Job and the Strimzi KafkaTopics: exactly the topics of the repository's
 * topics/*.properties, read by the application's own loader, with their partitions and configs.
 */
@DeploymentTest
class HelmTopicsTest {

  @TempDir static Path shared;
  /** The chart with its hooks rendered as ordinary manifests (see ChartFixture.RENAMED_HOOK). */
  static Path hooksChart;

  @TempDir Path tmp;

  @BeforeAll
  static void copyChart() {
    hooksChart = ChartFixture.copyWithHooksAsManifests(shared);
  }

  /** The definitions as the application reads them, by name. */
  private static Map<String, TopicDefinition> expected() throws IOException {
    Map<String, TopicDefinition> byName = new TreeMap<>();
    for (TopicDefinition d : TopicDefinitions.load(ChartFixture.root().resolve("topics"))) {
      byName.put(d.name(), d);
    }
    return byName;
  }

  /** A topic as a deployment resource asks for it. */
  record Asked(int partitions, int replicationFactor, Map<String, String> configs) {}

  private static Asked asked(TopicDefinition d, int replicationFactor) {
    return new Asked(d.partitions(), replicationFactor, new TreeMap<>(d.configs()));
  }

  private static Map<String, Asked> expectedAsked(int replicationOverride) throws IOException {
    Map<String, Asked> asked = new TreeMap<>();
    expected().forEach((name, d) -> asked.put(name, asked(d,
        replicationOverride > 0 ? replicationOverride : d.replicationFactor())));
    return asked;
  }

  private static JsonNode job(Rendered r) {
    return r.named("Job", FULLNAME + "-topics");
  }

  private static JsonNode jobContainer(Rendered r) {
    JsonNode containers = job(r).path("spec").path("template").path("spec").path("containers");
    assertEquals(1, containers.size());
    return containers.get(0);
  }

  private static String script(Rendered r) {
    JsonNode command = jobContainer(r).path("command");
    assertEquals("/bin/sh", command.get(0).asText(), "command: " + command);
    assertEquals("-ec", command.get(1).asText(), "command: " + command);
    return command.get(2).asText();
  }

  /** Splits a shell line into words: single quotes group, nothing else is special here. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = null;
    boolean quoted = false;
    for (char ch : line.toCharArray()) {
      if (quoted) {
        if (ch == '\'') {
          quoted = false;
        } else {
          word.append(ch);
        }
      } else if (ch == '\'') {
        quoted = true;
        word = word == null ? new StringBuilder() : word;
      } else if (ch == ' ') {
        if (word != null) {
          words.add(word.toString());
          word = null;
        }
      } else {
        word = word == null ? new StringBuilder() : word;
        word.append(ch);
      }
    }
    assertFalse(quoted, "unbalanced quote in: " + line);
    if (word != null) {
      words.add(word.toString());
    }
    return words;
  }

  /** The topics the Job's script creates: its `create --topic ...` lines. */
  static Map<String, Asked> jobTopics(String script) {
    Map<String, Asked> topics = new TreeMap<>();
    for (String line : script.split("\n")) {
      if (!line.startsWith("create ")) {
        continue;
      }
      List<String> w = words(line);
      String name = null;
      Integer partitions = null;
      Integer replication = null;
      Map<String, String> configs = new TreeMap<>();
      for (int i = 1; i < w.size(); i += 2) {
        String value = w.get(i + 1);
        switch (w.get(i)) {
          case "--topic" -> name = value;
          case "--partitions" -> partitions = Integer.valueOf(value);
          case "--replication-factor" -> replication = Integer.valueOf(value);
          case "--config" -> {
            int eq = value.indexOf('=');
            configs.put(value.substring(0, eq), value.substring(eq + 1));
          }
          default -> fail("unexpected option " + w.get(i) + " in: " + line);
        }
      }
      assertTrue(name != null && partitions != null && replication != null, line);
      Asked earlier = topics.put(name, new Asked(partitions, replication, configs));
      assertEquals(null, earlier, "topic created twice: " + name);
    }
    return topics;
  }

  @Test
  void shouldCreateExactlyTheRepositoryTopicsInAPreInstallAndPreUpgradeJob() throws IOException {
    Rendered r = ChartFixture.render(hooksChart, Map.of());
    JsonNode annotations = job(r).path("metadata").path("annotations");
    assertEquals("pre-install,pre-upgrade", annotations.path(RENAMED_HOOK).asText(),
        "hook annotations: " + annotations);
    assertTrue(annotations.path(RENAMED_HOOK + "-delete-policy").asText()
        .contains("before-hook-creation"), "a re-run must replace the old Job: " + annotations);
    assertTrue(Files.readString(ChartFixture.chart().resolve("templates/topics-job.yaml"))
        .contains("\"helm.sh/hook\": pre-install,pre-upgrade"),
        "the real template must declare the Helm hook");

    String script = script(r);
    assertEquals(expectedAsked(0), jobTopics(script));
    assertTrue(script.contains("kafka-topics.sh --bootstrap-server 'my-cluster-kafka-bootstrap:9092'"),
        script);
    assertTrue(script.contains("--create --if-not-exists"), "must be idempotent: " + script);
    assertEquals("apache/kafka:4.1.1", jobContainer(r).path("image").asText());
    assertEquals("Never", job(r).path("spec").path("template").path("spec")
        .path("restartPolicy").asText());
  }

  @Test
  void shouldOverrideTheReplicationFactorOfEveryTopic() throws IOException {
    Rendered r = ChartFixture.render(hooksChart, Map.of("topics.replicationFactor", 3));
    assertEquals(expectedAsked(3), jobTopics(script(r)));
  }

  @Test
  void shouldGiveTheJobTheClientSettingsAndTheCredentials() {
    Path values = ChartFixture.writeValues(tmp, "secure.yaml", """
        config:
          kafka: {security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512}
        kafkaSecret:
          name: kafka-user
          keys: {sasl.jaas.config: jaas}
        """);
    Rendered r = ChartFixture.render(hooksChart, Map.of(), values);
    String script = script(r);
    assertTrue(script.contains("\nsecurity.protocol=SASL_SSL\n"), script);
    assertTrue(script.contains("\nsasl.mechanism=SCRAM-SHA-512\n"), script);
    assertTrue(script.contains(
        "printf '%s=%s\\n' 'sasl.jaas.config' \"$MFSTREAM_KAFKA_SASL_JAAS_CONFIG\" >> \"$config\""),
        script);
    assertTrue(script.contains("--command-config \"$config\""), script);
    HelmTemplateTest.assertSecretRef(ChartFixture.Rendered.env(jobContainer(r)),
        "MFSTREAM_KAFKA_SASL_JAAS_CONFIG", "kafka-user", "jaas");
    assertFalse(script.contains("jaas\n") || script.contains("kafka-user"),
        "no secret name or value in the script: " + script);
  }

  @Test
  void shouldRunTheJobHardenedWithAWritableTmp() {
    Rendered r = ChartFixture.render(hooksChart, Map.of());
    JsonNode pod = job(r).path("spec").path("template").path("spec");
    assertTrue(pod.path("securityContext").path("runAsNonRoot").asBoolean());
    assertEquals("RuntimeDefault",
        pod.path("securityContext").path("seccompProfile").path("type").asText());
    JsonNode c = jobContainer(r).path("securityContext");
    assertTrue(c.path("readOnlyRootFilesystem").asBoolean());
    assertFalse(c.path("allowPrivilegeEscalation").asBoolean(true));
    assertEquals("[\"ALL\"]", c.path("capabilities").path("drop").toString());
    assertEquals("/tmp", jobContainer(r).path("volumeMounts").get(0).path("mountPath").asText());
    assertEquals("/tmp/kafka-logs",
        ChartFixture.Rendered.env(jobContainer(r)).get("LOG_DIR").path("value").asText());
  }

  @Test
  void shouldDeclareExactlyTheRepositoryTopicsAsStrimziKafkaTopics() throws IOException {
    Rendered r = ChartFixture.render(hooksChart, Map.of(
        "topics.mode", "strimzi", "topics.strimzi.clusterName", "prod",
        "topics.strimzi.namespace", "kafka", "topics.replicationFactor", 3));
    assertEquals(List.of(), r.all("Job"), "no Job in the strimzi mode");
    Map<String, Asked> declared = new TreeMap<>();
    for (JsonNode topic : r.all("KafkaTopic")) {
      assertEquals("kafka.strimzi.io/v1beta2", topic.path("apiVersion").asText());
      JsonNode metadata = topic.path("metadata");
      assertEquals("prod", metadata.path("labels").path("strimzi.io/cluster").asText());
      assertEquals("kafka", metadata.path("namespace").asText());
      assertEquals("keep", metadata.path("annotations").path("helm.sh/resource-policy").asText(),
          "uninstalling must not delete the topics' data");
      JsonNode spec = topic.path("spec");
      Map<String, String> configs = new TreeMap<>();
      spec.path("config").fields().forEachRemaining(e -> configs.put(e.getKey(),
          e.getValue().asText()));
      Asked earlier = declared.put(spec.path("topicName").asText(), new Asked(
          spec.path("partitions").asInt(), spec.path("replicas").asInt(), configs));
      assertEquals(null, earlier, "declared twice: " + spec.path("topicName"));
      assertTrue(spec.path("partitions").isInt() && spec.path("replicas").isInt(), spec.toString());
    }
    assertEquals(expectedAsked(3), declared);
  }

  @Test
  void shouldKeepEachFileReplicationFactorWithoutOverride() throws IOException {
    Rendered r = ChartFixture.render(Map.of("topics.mode", "strimzi"));
    Map<String, Asked> expected = expectedAsked(0);
    for (JsonNode topic : r.all("KafkaTopic")) {
      String name = topic.path("spec").path("topicName").asText();
      assertEquals(expected.get(name).replicationFactor(),
          topic.path("spec").path("replicas").asInt(), name);
      assertEquals("my-cluster", topic.path("metadata").path("labels")
          .path("strimzi.io/cluster").asText());
      assertEquals(ChartFixture.NAMESPACE, topic.path("metadata").path("namespace").asText());
    }
    assertEquals(expected.size(), r.all("KafkaTopic").size());
  }

  @Test
  void shouldLeaveTopicsAloneInModeNone() {
    Rendered r = ChartFixture.render(hooksChart, Map.of("topics.mode", "none"));
    assertEquals(List.of(), r.all("Job"));
    assertEquals(List.of(), r.all("KafkaTopic"));
  }

  /** A copy of the chart whose files/topics hold one more file. */
  private Path chartWithTopicFile(String name, String content) throws IOException {
    Path chart = ChartFixture.copyChart(tmp);
    Files.writeString(chart.resolve("files/topics").resolve(name), content);
    return chart;
  }

  @Test
  void shouldRefuseATopicFileWithAnUnknownKeyNamingTheFile() throws IOException {
    Path chart = chartWithTopicFile("extra.properties",
        "name=extra\npartitions=1\nreplication.factor=1\nretention.ms=1000\n");
    String message = ChartFixture.renderFailure(chart, Map.of("topics.mode", "strimzi"));
    assertTrue(message.contains("files/topics/extra.properties line 4")
        && message.contains("unknown key \"retention.ms\""), message);
  }

  @Test
  void shouldRefuseAMissingPartitionCount() throws IOException {
    Path chart = chartWithTopicFile("extra.properties", "name=extra\nreplication.factor=1\n");
    String message = ChartFixture.renderFailure(chart, Map.of("topics.mode", "strimzi"));
    assertTrue(message.contains("files/topics/extra.properties: partitions is missing"), message);
  }

  @Test
  void shouldRefuseATopicDefinedTwice() throws IOException {
    Path chart = chartWithTopicFile("zz-ratings.properties",
        "name=ratings\npartitions=3\nreplication.factor=1\n");
    String message = ChartFixture.renderFailure(chart, Map.of("topics.mode", "strimzi"));
    assertTrue(message.contains("topic \"ratings\" is already defined in files/topics/ratings.properties"),
        message);
  }

  @Test
  void shouldReadColonsSpacesAndCommentsAsJavaPropertiesDo() throws IOException {
    Path chart = chartWithTopicFile("extra.properties", """
        ! a comment
          # an indented comment
        name : extra
        partitions: 2\r
        replication.factor=1
        config.cleanup.policy = compact
        """);
    Rendered r = ChartFixture.render(chart, Map.of("topics.mode", "strimzi"));
    JsonNode extra = r.all("KafkaTopic").stream()
        .filter(t -> "extra".equals(t.path("spec").path("topicName").asText()))
        .findFirst().orElseGet(() -> fail("no KafkaTopic extra"));
    assertEquals(2, extra.path("spec").path("partitions").asInt());
    assertEquals("compact", extra.path("spec").path("config").path("cleanup.policy").asText());
    assertEquals(expected().size() + 1, r.all("KafkaTopic").size());
  }

  @Test
  void shouldRefuseToDeployTopicsWithoutDefinitions() throws IOException {
    Path chart = ChartFixture.copyChart(tmp);
    try (var files = Files.list(chart.resolve("files/topics"))) {
      for (Path file : files.toList()) {
        Files.delete(file);
      }
    }
    String message = ChartFixture.renderFailure(chart, Map.of("topics.mode", "strimzi"));
    assertTrue(message.contains("run helm/sync-files.sh"), message);
  }
}
