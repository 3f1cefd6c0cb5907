package io.mfstream.helm;

import static io.mfstream.helm.ChartFixture.FULLNAME;
import static io.mfstream.helm.ChartFixture.Rendered.env;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import io.mfstream.helm.ChartFixture.Rendered;
import io.mfstream.testing.DeploymentTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What helm template renders: the StatefulSet, its config, Services, GPUs and credentials. */
@DeploymentTest
class HelmTemplateTest {

  static final String STATE_DIR = "/var/lib/mfstream/state";

  @TempDir Path tmp;

  private static Rendered defaults() {
    return ChartFixture.render(Map.of());
  }

  private static Rendered ciValues() {
    return ChartFixture.render(Map.of(),
        ChartFixture.chart().resolve("ci/cuda-strimzi-values.yaml"));
  }

  private static JsonNode volume(Rendered r, String name) {
    for (JsonNode volume : r.podSpec().path("volumes")) {
      if (name.equals(volume.path("name").asText())) {
        return volume;
      }
    }
    return fail("no volume " + name + " in " + r.podSpec().path("volumes"));
  }

  private static JsonNode mount(Rendered r, String name) {
    for (JsonNode mount : r.container().path("volumeMounts")) {
      if (name.equals(mount.path("name").asText())) {
        return mount;
      }
    }
    return fail("no volumeMount " + name + " in " + r.container().path("volumeMounts"));
  }

  /** The container port that a port reference (a name or a number) designates. */
  private static int containerPort(JsonNode container, JsonNode port) {
    if (port.isInt()) {
      return port.asInt();
    }
    for (JsonNode p : container.path("ports")) {
      if (port.asText().equals(p.path("name").asText())) {
        return p.path("containerPort").asInt();
      }
    }
    return fail("port " + port + " is not a port of the container: " + container.path("ports"));
  }

  private static Map<String, String> labels(JsonNode node) {
    Map<String, String> labels = new HashMap<>();
    node.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
    return labels;
  }

  private static boolean selects(JsonNode selector, JsonNode podLabels) {
    Map<String, String> pod = labels(podLabels);
    return labels(selector).entrySet().stream()
        .allMatch(e -> e.getValue().equals(pod.get(e.getKey())));
  }

  @Test
  void shouldRenderTheApplicationResourcesAndNoSecretByDefault() {
    Rendered r = defaults();
    Set<String> kinds = new TreeSet<>();
    r.documents.forEach(d -> kinds.add(d.path("kind").asText()));
    assertEquals(Set.of("ConfigMap", "Service", "StatefulSet"), kinds,
        "default resources (the topics Job is a hook: helm-java leaves hooks out)");
    assertEquals(1, r.statefulSet().path("spec").path("replicas").asInt());
    assertEquals(List.of(), r.all("Secret"), "the chart must never hold credentials itself");
    assertEquals(List.of(), r.all("ServiceMonitor"));
    assertEquals(List.of(), r.all("KafkaTopic"));
  }

  @Test
  void shouldMountTheStateVolumeAtTheStateDirOfTheProperties() {
    Rendered r = defaults();
    JsonNode claims = r.statefulSet().path("spec").path("volumeClaimTemplates");
    assertEquals(1, claims.size(), "volumeClaimTemplates: " + claims);
    JsonNode claim = claims.get(0);
    String claimName = claim.path("metadata").path("name").asText();
    assertEquals(STATE_DIR, mount(r, claimName).path("mountPath").asText());
    assertEquals(STATE_DIR, r.properties().getProperty("state.dir"));
    assertEquals("10Gi", claim.path("spec").path("resources").path("requests").path("storage")
        .asText());
    assertTrue(claim.path("spec").path("storageClassName").isMissingNode(),
        "no storageClass value: the cluster default, so no storageClassName");
    assertFalse(r.podSpec().path("volumes").toString().contains(claimName + "\""),
        "the state volume must come from the claim template, not a pod volume");
  }

  @Test
  void shouldTakeTheStateVolumeSizeAndClassFromValues() {
    Rendered r = ChartFixture.render(Map.of(
        "persistence.size", "25Gi", "persistence.storageClass", "fast-ssd"));
    JsonNode spec = r.statefulSet().path("spec").path("volumeClaimTemplates").get(0).path("spec");
    assertEquals("25Gi", spec.path("resources").path("requests").path("storage").asText());
    assertEquals("fast-ssd", spec.path("storageClassName").asText());
  }

  @Test
  void shouldMountThePropertiesFileAtEtcMfstream() {
    Rendered r = defaults();
    JsonNode config = volume(r, "config").path("configMap");
    assertEquals(FULLNAME + "-config", config.path("name").asText());
    assertEquals("mfstream.properties", config.path("items").get(0).path("key").asText());
    assertEquals("mfstream.properties", config.path("items").get(0).path("path").asText());
    JsonNode mount = mount(r, "config");
    assertEquals("/etc/mfstream", mount.path("mountPath").asText());
    assertTrue(mount.path("readOnly").asBoolean());
  }

  @Test
  void shouldRenderThePropertiesFromValues() {
    Properties p = ciValues().properties();
    assertEquals("prod-kafka-bootstrap.kafka.svc:9093", p.getProperty("bootstrap.servers"));
    assertEquals("mfstream-prod", p.getProperty("application.id"));
    assertEquals("biased-mf,wide-mlp", p.getProperty("models"));
    assertEquals("128", p.getProperty("model.biased-mf.factors"));
    assertEquals("adagrad", p.getProperty("model.biased-mf.optimizer"));
    assertEquals("0.02", p.getProperty("model.biased-mf.learning.rate"));
    assertEquals("0.2", p.getProperty("model.biased-mf.bias.learning.rate"));
    assertEquals("0.01", p.getProperty("model.biased-mf.bias.weight.decay"));
    assertEquals("16", p.getProperty("model.wide-mlp.batch.size"));
    assertEquals("mlp", p.getProperty("model.wide-mlp.type"));
    assertEquals("256", p.getProperty("model.wide-mlp.hidden"));
    assertEquals("0.0001", p.getProperty("model.wide-mlp.weight.decay"));
    assertEquals(null, p.getProperty("model.biased-mf.type"), "settings not given stay unset");
    assertEquals("64", p.getProperty("batch.size"));
    assertEquals("10000", p.getProperty("rmse.window"));
    assertEquals("1000", p.getProperty("rmse.report.every"));
    assertEquals("0", p.getProperty("linger.ms"));
    assertEquals("0.5", p.getProperty("rating.min"));
    assertEquals("5", p.getProperty("rating.max"));
    assertEquals("8080", p.getProperty("http.port"));
    assertEquals("SASL_SSL", p.getProperty("kafka.security.protocol"));
    assertEquals("2", p.getProperty("kafka.num.stream.threads"));
    assertEquals("1048576", p.getProperty("kafka.max.request.size"),
        "whole numbers must not be written as 1.048576e+06");
  }

  @Test
  void shouldDefaultToTheDocumentedSettings() {
    Properties p = defaults().properties();
    assertEquals("biased-mf,mlp", p.getProperty("models"));
    assertEquals(null, p.getProperty("batch.size"),
        "unset: each network's own streaming batch size");
    assertEquals("1000", p.getProperty("rmse.window"));
    assertEquals("mfstream", p.getProperty("application.id"));
    assertFalse(p.getProperty("bootstrap.servers", "").isBlank(),
        "the chart always names a cluster: without one the application starts an embedded broker");
  }

  @Test
  void shouldWriteKafkaSettingsExactlyAsTheJvmReadsThem() {
    Path values = ChartFixture.writeValues(tmp, "kafka.yaml", """
        config:
          kafka:
            ssl.truststore.location: "C:\\\\certs\\\\truststore.jks"
            client.id: " leading space"
            buffer.memory: 33554432
            request.timeout.ms: 30000.0
        """);
    Properties p = ChartFixture.render(Map.of(), values).properties();
    assertEquals("C:\\certs\\truststore.jks", p.getProperty("kafka.ssl.truststore.location"),
        "backslashes must survive the .properties escapes");
    assertEquals(" leading space", p.getProperty("kafka.client.id"));
    assertEquals("33554432", p.getProperty("kafka.buffer.memory"));
    assertEquals("30000", p.getProperty("kafka.request.timeout.ms"));
  }

  @Test
  void shouldRestartPodsWhenTheConfigChangesAndOnlyThen() {
    String checksum = defaults().statefulSet().path("spec").path("template").path("metadata")
        .path("annotations").path("checksum/config").asText();
    assertTrue(checksum.matches("[0-9a-f]{64}"), "checksum/config: " + checksum);
    assertEquals(checksum, defaults().statefulSet().path("spec").path("template")
        .path("metadata").path("annotations").path("checksum/config").asText());
    String changed = ChartFixture.render(Map.of("config.batchSize", 32)).statefulSet()
        .path("spec").path("template").path("metadata").path("annotations")
        .path("checksum/config").asText();
    assertNotEquals(checksum, changed);
  }

  @Test
  void shouldProbeHealthzAndReadyzOnTheConfiguredHttpPort() {
    for (int port : new int[] {8080, 9091}) {
      Rendered r = ChartFixture.render(Map.of("config.httpPort", port));
      JsonNode c = r.container();
      int httpPort = Integer.parseInt(r.properties().getProperty("http.port"));
      assertEquals(port, httpPort);
      assertEquals("/healthz", c.path("livenessProbe").path("httpGet").path("path").asText());
      assertEquals("/readyz", c.path("readinessProbe").path("httpGet").path("path").asText());
      assertEquals("/healthz", c.path("startupProbe").path("httpGet").path("path").asText());
      for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
        assertEquals(httpPort, containerPort(c, c.path(probe).path("httpGet").path("port")),
            probe + " port");
      }
      int startupSeconds = c.path("startupProbe").path("periodSeconds").asInt()
          * c.path("startupProbe").path("failureThreshold").asInt();
      assertTrue(startupSeconds >= 300,
          "the startup probe should allow minutes for ND4J and the RocksDB restore: " + startupSeconds);

      JsonNode service = r.named("Service", FULLNAME);
      JsonNode servicePort = service.path("spec").path("ports").get(0);
      assertEquals("http", servicePort.path("name").asText());
      assertEquals("http", servicePort.path("targetPort").asText());
      assertEquals(httpPort, containerPort(c, servicePort.path("targetPort")));
    }
  }

  @Test
  void shouldRunHardenedAsUid10001() {
    Rendered r = defaults();
    JsonNode pod = r.podSpec().path("securityContext");
    assertTrue(pod.path("runAsNonRoot").asBoolean());
    assertEquals(10001, pod.path("runAsUser").asInt());
    assertEquals(10001, pod.path("fsGroup").asInt(), "the state volume must be writable by 10001");
    assertEquals("RuntimeDefault", pod.path("seccompProfile").path("type").asText());
    JsonNode c = r.container().path("securityContext");
    assertTrue(c.path("readOnlyRootFilesystem").asBoolean());
    assertFalse(c.path("allowPrivilegeEscalation").asBoolean(true));
    assertTrue(c.path("runAsNonRoot").asBoolean());
    assertEquals(10001, c.path("runAsUser").asInt());
    assertEquals("[\"ALL\"]", c.path("capabilities").path("drop").toString());
    assertTrue(c.path("capabilities").path("add").isMissingNode());
    assertFalse(r.podSpec().path("automountServiceAccountToken").asBoolean(true));
    assertFalse(r.podSpec().path("enableServiceLinks").asBoolean(true));
  }

  @Test
  void shouldGiveNd4jAWritableTmp() {
    Rendered r = defaults();
    JsonNode tmpVolume = volume(r, "tmp");
    assertTrue(tmpVolume.has("emptyDir"), "tmp volume: " + tmpVolume);
    assertEquals("2Gi", tmpVolume.path("emptyDir").path("sizeLimit").asText());
    assertEquals("/tmp", mount(r, "tmp").path("mountPath").asText());
    String options = env(r.container()).get("JAVA_TOOL_OPTIONS").path("value").asText();
    assertTrue(options.contains("-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"), options);
  }

  @Test
  void shouldAskForNoGpuWithTheCpuImage() {
    Rendered r = defaults();
    assertEquals("mfstream:0.1.0", r.container().path("image").asText());
    String statefulSet = r.statefulSet().toString();
    assertFalse(statefulSet.contains("nvidia.com/gpu"), statefulSet);
    assertTrue(r.podSpec().path("tolerations").isMissingNode());
    assertTrue(r.podSpec().path("nodeSelector").isMissingNode());
  }

  @Test
  void shouldAskForGpusOnGpuNodesWithTheCudaImage() {
    Rendered r = ChartFixture.render(Map.of(
        "image.variant", "cuda", "gpu.count", 2, "nodeSelector.pool", "ml"));
    JsonNode c = r.container();
    assertEquals("mfstream:0.1.0-cuda", c.path("image").asText());
    JsonNode limits = c.path("resources").path("limits");
    assertEquals(2, limits.path("nvidia.com/gpu").asInt(), "limits: " + limits);
    assertEquals("4Gi", limits.path("memory").asText(), "the other limits stay");
    assertTrue(c.path("resources").path("requests").path("nvidia.com/gpu").isMissingNode(),
        "requests default to the limits for extended resources");
    JsonNode nodeSelector = r.podSpec().path("nodeSelector");
    assertEquals("true", nodeSelector.path("nvidia.com/gpu.present").asText());
    assertEquals("ml", nodeSelector.path("pool").asText(), "nodeSelector values are kept");
    JsonNode tolerations = r.podSpec().path("tolerations");
    assertEquals(1, tolerations.size(), "tolerations: " + tolerations);
    assertEquals("nvidia.com/gpu", tolerations.get(0).path("key").asText());
    assertEquals("Exists", tolerations.get(0).path("operator").asText());
  }

  @Test
  void shouldUseTheGivenTagAndItsCudaVariant() {
    assertEquals("reg.example/mfstream:1.2.3", ChartFixture.render(Map.of(
        "image.repository", "reg.example/mfstream", "image.tag", "1.2.3"))
        .container().path("image").asText());
    assertEquals("reg.example/mfstream:1.2.3-gpu", ChartFixture.render(Map.of(
        "image.repository", "reg.example/mfstream", "image.tag", "1.2.3",
        "image.variant", "cuda", "image.cudaTagSuffix", "-gpu"))
        .container().path("image").asText());
  }

  @Test
  void shouldTurnSecretKeysIntoEnvVarsAndKeepThemOutOfTheConfigMap() {
    Path values = ChartFixture.writeValues(tmp, "secret.yaml", """
        kafkaSecret:
          name: kafka-user
          keys:
            sasl.jaas.config: jaas
            ssl.truststore.password: truststore-pass
        """);
    Rendered r = ChartFixture.render(Map.of(), values);
    Map<String, JsonNode> env = env(r.container());
    assertSecretRef(env, "MFSTREAM_KAFKA_SASL_JAAS_CONFIG", "kafka-user", "jaas");
    assertSecretRef(env, "MFSTREAM_KAFKA_SSL_TRUSTSTORE_PASSWORD", "kafka-user", "truststore-pass");
    String configMap = r.named("ConfigMap", FULLNAME + "-config").toString();
    for (String leak : List.of("jaas", "truststore", "kafka-user")) {
      assertFalse(configMap.contains(leak), "the ConfigMap mentions " + leak + ": " + configMap);
    }
    assertEquals(List.of(), r.all("Secret"));
  }

  static void assertSecretRef(Map<String, JsonNode> env, String name, String secret, String key) {
    JsonNode var = env.get(name);
    assertTrue(var != null, "no env var " + name + " in " + env.keySet());
    assertTrue(var.path("value").isMissingNode(), name + " must come from the Secret: " + var);
    JsonNode ref = var.path("valueFrom").path("secretKeyRef");
    assertEquals(secret, ref.path("name").asText(), name);
    assertEquals(key, ref.path("key").asText(), name);
  }

  @Test
  void shouldAddExtraEnvAndArgs() {
    Path values = ChartFixture.writeValues(tmp, "env.yaml", """
        extraEnv:
          - name: MFSTREAM_RMSE_WINDOW
            value: "500"
        args: [run, --config, /etc/mfstream/mfstream.properties]
        """);
    JsonNode c = ChartFixture.render(Map.of(), values).container();
    assertEquals("500", env(c).get("MFSTREAM_RMSE_WINDOW").path("value").asText());
    assertEquals("[\"run\",\"--config\",\"/etc/mfstream/mfstream.properties\"]",
        c.path("args").toString());
    assertTrue(defaults().container().path("args").isMissingNode(),
        "no args by default: the image's own command runs");
  }

  @Test
  void shouldSelectOnlyTheApplicationPods() {
    Rendered r = ChartFixture.render(Map.of("replicaCount", 3));
    JsonNode sts = r.statefulSet().path("spec");
    assertEquals(3, sts.path("replicas").asInt());
    JsonNode podLabels = sts.path("template").path("metadata").path("labels");
    assertTrue(selects(sts.path("selector").path("matchLabels"), podLabels));
    assertEquals(FULLNAME + "-headless", sts.path("serviceName").asText());
    assertEquals("None", r.named("Service", FULLNAME + "-headless").path("spec")
        .path("clusterIP").asText());
    for (JsonNode service : r.all("Service")) {
      assertTrue(selects(service.path("spec").path("selector"), podLabels),
          service.path("metadata").path("name") + " does not select the pods");
    }
    // The topics Job's pod carries the release's labels too, but must not become an endpoint.
    Map<String, String> jobPod = new HashMap<>(labels(podLabels));
    jobPod.put("app.kubernetes.io/component", "topics");
    JsonNode jobPodLabels = ChartFixture.JSON.valueToTree(jobPod);
    for (JsonNode service : r.all("Service")) {
      assertFalse(selects(service.path("spec").path("selector"), jobPodLabels));
    }
  }

  @Test
  void shouldScrapeMetricsOfTheHttpServiceOnceWithTheServiceMonitor() {
    Rendered r = ChartFixture.render(Map.of(
        "serviceMonitor.enabled", true, "serviceMonitor.labels.release", "prom"));
    JsonNode monitor = r.one("ServiceMonitor");
    assertEquals("monitoring.coreos.com/v1", monitor.path("apiVersion").asText());
    assertEquals("prom", monitor.path("metadata").path("labels").path("release").asText());
    JsonNode endpoint = monitor.path("spec").path("endpoints").get(0);
    assertEquals("/metrics", endpoint.path("path").asText());
    assertEquals("http", endpoint.path("port").asText());
    JsonNode selector = monitor.path("spec").path("selector").path("matchLabels");
    List<String> selected = new ArrayList<>();
    for (JsonNode service : r.all("Service")) {
      if (selects(selector, service.path("metadata").path("labels"))) {
        selected.add(service.path("metadata").path("name").asText());
      }
    }
    assertEquals(List.of(FULLNAME), selected,
        "the ServiceMonitor must select the http Service only, or each pod is scraped twice");
  }

  @Test
  void shouldTellHowToReachTheStatusPageAndUseTheTopics() {
    String notes = new Helm(ChartFixture.chart()).install()
        .withName(ChartFixture.RELEASE).withNamespace(ChartFixture.NAMESPACE)
        .clientOnly().dryRun().call().getOutput();
    for (String expected : List.of(
        "port-forward service/" + FULLNAME + " 8080:8080",
        "http://127.0.0.1:8080/metrics",
        "http://127.0.0.1:8080/ ",
        "kafka-console-producer.sh --bootstrap-server my-cluster-kafka-bootstrap:9092 --topic ratings",
        "\"rating\": 3",
        "--topic prediction-requests",
        "kafka-console-consumer.sh --bootstrap-server my-cluster-kafka-bootstrap:9092 --topic predictions")) {
      assertTrue(notes.contains(expected), "NOTES lack '" + expected + "':\n" + notes);
    }
  }
}
