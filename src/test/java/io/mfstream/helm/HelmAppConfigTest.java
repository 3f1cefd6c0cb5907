package io.mfstream.helm;

import static io.mfstream.helm.ChartFixture.FULLNAME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.helm.ChartFixture.Rendered;
import io.mfstream.app.AppConfig;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pod as the application sees it: the files the config volume puts under /etc/mfstream and
 * the container's environment, loaded by the application's own {@link AppConfig}, which refuses
 * unknown keys and bad values.
 */
@DeploymentTest
class HelmAppConfigTest {

  @TempDir Path tmp;

  /**
   * Lays out the config volume's files (ConfigMap items: key -> path) under {@code etc}, as the
   * kubelet does under /etc/mfstream.
   */
  private static void layOutConfigVolume(Rendered r, Path etc) throws IOException {
    JsonNode data = r.named("ConfigMap", FULLNAME + "-config").path("data");
    JsonNode volume = null;
    for (JsonNode v : r.podSpec().path("volumes")) {
      if ("config".equals(v.path("name").asText())) {
        volume = v;
      }
    }
    assertTrue(volume != null, "no config volume");
    JsonNode items = volume.path("configMap").path("items");
    assertEquals(data.size(), items.size(), "every ConfigMap key must be mounted: " + items);
    for (JsonNode item : items) {
      String key = item.path("key").asText();
      assertTrue(data.has(key), "item of a missing key " + key);
      Path file = etc.resolve(item.path("path").asText());
      Files.createDirectories(file.getParent());
      Files.writeString(file, data.path(key).asText());
    }
  }

  /** The container's literal env vars, with a placeholder for each one read from a Secret. */
  private static Map<String, String> environment(JsonNode container) {
    Map<String, String> env = new HashMap<>();
    for (Map.Entry<String, JsonNode> e : Rendered.env(container).entrySet()) {
      env.put(e.getKey(), e.getValue().has("value") ? e.getValue().path("value").asText()
          : "secret-from-" + e.getValue().path("valueFrom").path("secretKeyRef").path("key")
              .asText());
    }
    return env;
  }

  private AppConfig load(Rendered r) throws IOException {
    Path etc = tmp.resolve("etc/mfstream");
    layOutConfigVolume(r, etc);
    String mountPath = null;
    for (JsonNode mount : r.container().path("volumeMounts")) {
      if ("config".equals(mount.path("name").asText())) {
        mountPath = mount.path("mountPath").asText();
      }
    }
    assertEquals("/etc/mfstream", mountPath, "the image reads /etc/mfstream/mfstream.properties");
    return AppConfig.load(etc.resolve("mfstream.properties"), environment(r.container()),
        Map.of());
  }

  @Test
  void shouldBeAcceptedByTheApplicationWithTheDefaults() throws IOException {
    Rendered r = ChartFixture.render(Map.of());
    AppConfig config = load(r);
    assertFalse(config.embedded(), "the chart always runs against a Kafka cluster");
    assertEquals("my-cluster-kafka-bootstrap:9092", config.get("bootstrap.servers"));
    assertEquals(Path.of(HelmTemplateTest.STATE_DIR), config.stateDir());
    assertEquals(Path.of("/etc/mfstream/topics"), config.topicsDir());
    assertFalse(config.createTopics());
    assertEquals(List.of("biased-mf", "mlp"), config.modelNames());
    assertEquals(r.container().path("ports").get(0).path("containerPort").asInt(),
        config.httpPort());
    assertEquals(2, config.pipeline().models().size());
  }

  @Test
  void shouldBeAcceptedByTheApplicationWithTheProductionValues() throws IOException {
    Path secretValues = ChartFixture.writeValues(tmp, "more.yaml", """
        kafkaSecret:
          keys: {sasl.jaas.config: sasl.jaas.config, ssl.truststore.password: truststore}
        extraEnv:
          - {name: MFSTREAM_LINGER_MS, value: "250"}
        """);
    Rendered r = ChartFixture.render(Map.of(),
        ChartFixture.chart().resolve("ci/cuda-strimzi-values.yaml"), secretValues);
    AppConfig config = load(r);
    assertEquals("mfstream-prod", config.applicationId());
    assertEquals(List.of("biased-mf", "wide-mlp"), config.modelNames());
    Map<String, Object> kafka = config.kafkaClientSettings();
    assertEquals("SASL_SSL", kafka.get("security.protocol"));
    assertEquals("2", kafka.get("num.stream.threads"));
    assertEquals("secret-from-sasl.jaas.config", kafka.get("sasl.jaas.config"),
        "the credential must reach Kafka's settings through the environment");
    assertEquals("secret-from-truststore", kafka.get("ssl.truststore.password"));
    assertEquals(250, config.pipeline().lingerMs());
  }

  @Test
  void shouldMountExactlyTheRepositoryTopicDefinitionsAtTopicsDir() throws IOException {
    Rendered r = ChartFixture.render(Map.of("topics.mode", "none"));
    AppConfig config = load(r);
    Path mounted = tmp.resolve("etc/mfstream").resolve(
        Path.of("/etc/mfstream").relativize(config.topicsDir()));
    assertEquals(TopicDefinitions.load(ChartFixture.root().resolve("topics")),
        TopicDefinitions.load(mounted));
  }

  @Test
  void shouldKeepKubernetesServiceVariablesAwayFromTheApplication() {
    // Release "mfstream" names the Service "mfstream": with service links, every pod would get
    // MFSTREAM_PORT=tcp://..., which the application reads as the unknown setting "port".
    Rendered r = ChartFixture.render(Map.of("fullnameOverride", "mfstream"));
    JsonNode pod = r.named("StatefulSet", "mfstream").path("spec").path("template").path("spec");
    assertFalse(pod.path("enableServiceLinks").asBoolean(true),
        "enableServiceLinks must be false: " + pod);
    assertTrue(r.named("Service", "mfstream") != null);
  }
}
