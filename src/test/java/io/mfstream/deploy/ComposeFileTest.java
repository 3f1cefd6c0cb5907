package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker-compose.yml, statically (no Docker engine here): valid by the Compose Specification,
 * pinned, wired together consistently, and in agreement with the files it mounts, the Dockerfile
 * and docs/CONFIGURATION.md.
 */
@DeploymentTest
@Timeout(300)
class ComposeFileTest {

  /** Bind-mount sources that are not in the repository: ./data is the user's (MovieLens). */
  private static final Set<String> USER_PROVIDED = Set.of("./data");
  private static final Set<String> ONE_SHOT = Set.of("topics", "replay");
  private static final String SCHEMA_DIALECT = "https://json-schema.org/draft-07/schema";
  private static final Set<String> CONDITIONS =
      Set.of("service_started", "service_healthy", "service_completed_successfully");

  private final JsonNode compose = DeployFiles.yaml(DeployFiles.COMPOSE);
  private final JsonNode services = compose.path("services");

  private JsonNode service(String name) {
    JsonNode s = services.get(name);
    assertNotNull(s, "no service " + name);
    return s;
  }

  /** A volume entry in short syntax, split: source, target, mode ("" when none). */
  record Mount(String source, String target, String mode) {
    boolean isBind() {
      return source.startsWith(".") || source.startsWith("/");
    }

    static Mount parse(String spec) {
      String[] parts = spec.split(":");
      assertTrue(parts.length == 2 || parts.length == 3, "volume " + spec);
      return new Mount(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }
  }

  private List<Mount> mounts(String service) {
    return DeployFiles.strings(service(service).path("volumes")).stream()
        .map(Mount::parse).toList();
  }

  private Mount mountOf(String service, String source) {
    return mounts(service).stream().filter(m -> m.source().equals(source)).findFirst()
        .orElseGet(() -> fail(service + " does not mount " + source));
  }

  private Map<String, String> environment(String service) {
    Map<String, String> env = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : DeployFiles.fields(service(service).path("environment"))) {
      env.put(e.getKey(), e.getValue().asText());
    }
    return env;
  }

  /** The ports a service publishes: container port by host port. */
  private Map<Integer, Integer> ports(String service) {
    Map<Integer, Integer> out = new LinkedHashMap<>();
    for (String spec : DeployFiles.strings(service(service).path("ports"))) {
      String[] parts = spec.split(":");
      assertEquals(2, parts.length, "ports as HOST:CONTAINER: " + spec);
      out.put(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]));
    }
    return out;
  }

  /** The Kafka listener every client in the compose network uses: kafka's INTERNAL one. */
  private String internalBootstrap() {
    Map<String, String> kafka = environment("kafka");
    String internal = null;
    for (String listener : kafka.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
      if (listener.startsWith(kafka.get("KAFKA_INTER_BROKER_LISTENER_NAME") + "://")) {
        internal = listener.substring(listener.indexOf("://") + 3);
      }
    }
    assertNotNull(internal, "no advertised listener for the inter-broker listener");
    assertEquals("kafka", internal.split(":")[0], "advertised by its service name");
    assertEquals("kafka", service("kafka").path("hostname").asText());
    return internal;
  }

  // ---- the file as a whole -------------------------------------------------------------------

  @Test
  void shouldValidateAgainstTheComposeSpecificationSchema() throws IOException {
    JsonSchema schema = composeSchema();
    Set<ValidationMessage> errors = schema.validate(compose);
    assertEquals(Set.of(), errors, "docker-compose.yml against the Compose Specification");
    // The validator is live: a misspelt key and a bad condition are both reported.
    ObjectNode broken = compose.deepCopy();
    ((ObjectNode) broken.path("services").path("kafka")).set("helthcheck",
        broken.path("services").path("kafka").path("healthcheck"));
    ((ObjectNode) broken.path("services").path("topics").path("depends_on").path("kafka"))
        .put("condition", "service_ready");
    Set<String> messages = schema.validate(broken).stream()
        .map(ValidationMessage::getMessage).collect(Collectors.toSet());
    assertTrue(messages.stream().anyMatch(m -> m.contains("helthcheck")), messages.toString());
    assertTrue(messages.stream().anyMatch(m -> m.contains("condition")), messages.toString());
  }

  /**
   * The vendored schema (src/test/resources/compose-spec), read offline. It names its meta-schema
   * {@value #SCHEMA_DIALECT}: draft-07, plus the annotation {@code deprecated} it uses.
   */
  static JsonSchema composeSchema() {
    JsonMetaSchema draft7 = JsonMetaSchema.builder(SCHEMA_DIALECT, JsonMetaSchema.getV7())
        .keyword(new NonValidationKeyword("deprecated"))
        .build();
    JsonSchemaFactory factory = JsonSchemaFactory
        .builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7))
        .metaSchema(draft7)
        .build();
    JsonSchema schema =
        factory.getSchema(SchemaLocation.of("classpath:compose-spec/compose-spec.json"));
    assertEquals(SCHEMA_DIALECT, schema.getSchemaNode().path("$schema").asText());
    return schema;
  }

  @Test
  void shouldUseTheComposeSpecificationWithoutAVersionKey() {
    assertFalse(compose.has("version"), "the Compose Specification has no version key");
    assertEquals(Set.of("kafka", "topics", "mfstream", "prometheus", "grafana", "replay"),
        new HashSet<>(DeployFiles.names(services)));
  }

  /** Debian's docker-compose (1.29) validates the file without a Docker engine. */
  @Test
  void shouldPassDockerComposeConfigWhereInstalled() throws Exception {
    boolean installed = DeployFiles.onPath("docker-compose");
    if ("true".equals(System.getenv("CI"))) {
      assertTrue(installed, "CI installs docker-compose (.ci/run)");
    }
    assumeTrue(installed, "docker-compose is not installed; skipping `docker-compose config`");
    ProcessBuilder pb = new ProcessBuilder("docker-compose", "-f",
        DeployFiles.COMPOSE.toString(), "config", "-q").redirectErrorStream(true);
    // The file's own defaults, not whatever the environment sets.
    pb.environment().remove("GRAFANA_ADMIN_PASSWORD");
    pb.environment().remove("COMPOSE_PROFILES");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "docker-compose config hangs");
    assertEquals(0, p.exitValue(), out);
  }

  // ---- images, mounts, dependencies, health checks, ports ------------------------------------

  @Test
  void shouldPinEveryImage() {
    Set<String> built = new HashSet<>();
    for (Map.Entry<String, JsonNode> s : DeployFiles.fields(services)) {
      String image = s.getValue().path("image").asText();
      assertFalse(image.isEmpty(), s.getKey() + " has no image");
      if (s.getValue().has("build")) {
        // Built here: a fixed local tag, never latest.
        assertFalse(image.endsWith(":latest") || !image.contains(":"), image);
        built.add(image);
      }
    }
    for (Map.Entry<String, JsonNode> s : DeployFiles.fields(services)) {
      String image = s.getValue().path("image").asText();
      if (!s.getValue().has("build")) {
        if (built.contains(image)) {
          // The image another service builds: never pulled from a registry.
          assertEquals("never", s.getValue().path("pull_policy").asText(), s.getKey());
        } else {
          DockerfileTest.assertPinned(image);
        }
      }
    }
    assertEquals("apache/kafka:4.1.1", service("kafka").path("image").asText());
    assertEquals("apache/kafka:4.1.1", service("topics").path("image").asText());
  }

  @Test
  void shouldBindMountOnlyFilesOfTheRepositoryReadOnly() {
    Set<String> namedVolumes = new HashSet<>(DeployFiles.names(compose.path("volumes")));
    Set<String> usedVolumes = new HashSet<>();
    for (String name : DeployFiles.names(services)) {
      for (Mount m : mounts(name)) {
        if (m.isBind()) {
          assertTrue(m.source().startsWith("./"), name + ": bind relative to the file: " + m);
          assertEquals("ro", m.mode(), name + ": bind mounts are read-only: " + m);
          if (!USER_PROVIDED.contains(m.source())) {
            assertTrue(Files.exists(Path.of(m.source())), name + ": " + m.source() + " missing");
          }
        } else {
          assertTrue(namedVolumes.contains(m.source()), name + ": undeclared volume " + m);
          usedVolumes.add(m.source());
        }
        assertTrue(m.target().startsWith("/"), name + ": " + m);
      }
    }
    assertEquals(namedVolumes, usedVolumes, "every declared volume is used");
    // ./data is documented as the user's to fill.
    assertTrue(DeployFiles.text(DeployFiles.COMPOSE_DOC).contains("./data/ml-100k"));
    assertTrue(DeployFiles.text(Path.of(".gitignore")).contains("/data/"));
  }

  @Test
  void shouldDependOnServicesWithConditionsTheyCanMeet() {
    Map<String, Set<String>> edges = new HashMap<>();
    for (Map.Entry<String, JsonNode> s : DeployFiles.fields(services)) {
      JsonNode dependsOn = s.getValue().path("depends_on");
      if (dependsOn.isMissingNode()) {
        continue;
      }
      assertTrue(dependsOn.isObject(), s.getKey() + ": depends_on with conditions");
      for (Map.Entry<String, JsonNode> d : DeployFiles.fields(dependsOn)) {
        String target = d.getKey();
        String condition = d.getValue().path("condition").asText();
        assertTrue(services.has(target), s.getKey() + " depends on unknown " + target);
        assertTrue(CONDITIONS.contains(condition), s.getKey() + " -> " + target + ": " + condition);
        if (condition.equals("service_healthy")) {
          assertTrue(service(target).has("healthcheck"), target + " has no healthcheck");
        }
        if (condition.equals("service_completed_successfully")) {
          assertTrue(ONE_SHOT.contains(target), target + " is not a one-shot service");
        }
        assertFalse(service(target).has("profiles"),
            s.getKey() + " depends on " + target + ", which only runs in a profile");
        edges.computeIfAbsent(s.getKey(), k -> new HashSet<>()).add(target);
      }
    }
    for (String start : edges.keySet()) {
      assertFalse(reaches(edges, start, start, new HashSet<>()), "dependency cycle at " + start);
    }
    assertEquals("service_completed_successfully",
        service("mfstream").path("depends_on").path("topics").path("condition").asText());
    assertEquals("service_healthy",
        service("topics").path("depends_on").path("kafka").path("condition").asText());
    assertTrue(service("prometheus").path("depends_on").has("mfstream"));
  }

  private static boolean reaches(Map<String, Set<String>> edges, String from, String to,
      Set<String> seen) {
    for (String next : edges.getOrDefault(from, Set.of())) {
      if (next.equals(to) || (seen.add(next) && reaches(edges, next, to, seen))) {
        return true;
      }
    }
    return false;
  }

  @Test
  void shouldHealthCheckEveryLongRunningService() {
    Set<String> oneShot = new HashSet<>();
    for (Map.Entry<String, JsonNode> s : DeployFiles.fields(services)) {
      if ("no".equals(s.getValue().path("restart").asText())) {
        oneShot.add(s.getKey());
        continue;
      }
      JsonNode test = s.getValue().path("healthcheck").path("test");
      assertTrue(test.isArray() && test.size() >= 2, s.getKey() + " has no healthcheck");
      assertTrue(Set.of("CMD", "CMD-SHELL").contains(test.get(0).asText()), s.getKey());
      assertEquals("unless-stopped", s.getValue().path("restart").asText(), s.getKey());
    }
    assertEquals(ONE_SHOT, oneShot, "the services that run once (restart: \"no\")");
  }

  @Test
  void shouldPublishEachHostPortOnceAndDocumentIt() {
    Map<Integer, String> byHostPort = new HashMap<>();
    for (String name : DeployFiles.names(services)) {
      for (int host : ports(name).keySet()) {
        String earlier = byHostPort.put(host, name);
        assertEquals(null, earlier, "host port " + host + " used by " + earlier + " and " + name);
      }
    }
    assertEquals(Map.of(8080, "mfstream", 9090, "prometheus", 3000, "grafana", 9094, "kafka"),
        byHostPort);
    String docs = DeployFiles.text(DeployFiles.COMPOSE_DOC);
    byHostPort.keySet().forEach(p -> assertTrue(docs.contains(p.toString()), p + " undocumented"));
  }

  // ---- Kafka and the topics -------------------------------------------------------------------

  @Test
  void shouldRunOneKraftNodeThatClientsReachInsideAndOutside() {
    Map<String, String> kafka = environment("kafka");
    assertEquals("broker,controller", kafka.get("KAFKA_PROCESS_ROLES"));
    assertEquals(kafka.get("KAFKA_NODE_ID") + "@kafka:9093",
        kafka.get("KAFKA_CONTROLLER_QUORUM_VOTERS"));
    Uuid.fromString(kafka.get("CLUSTER_ID")); // a valid cluster id, or it throws
    Map<String, String> listeners = new LinkedHashMap<>();
    for (String l : kafka.get("KAFKA_LISTENERS").split(",")) {
      listeners.put(l.substring(0, l.indexOf("://")), l.substring(l.lastIndexOf(':') + 1));
    }
    Map<String, String> protocols = new LinkedHashMap<>();
    for (String p : kafka.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").split(",")) {
      protocols.put(p.split(":")[0], p.split(":")[1]);
    }
    assertEquals(listeners.keySet(), protocols.keySet(), "a protocol for every listener");
    assertTrue(listeners.containsKey(kafka.get("KAFKA_CONTROLLER_LISTENER_NAMES")));
    for (String advertised : kafka.get("KAFKA_ADVERTISED_LISTENERS").split(",")) {
      String name = advertised.substring(0, advertised.indexOf("://"));
      String port = advertised.substring(advertised.lastIndexOf(':') + 1);
      assertEquals(listeners.get(name), port, "advertised on the port it listens on: " + name);
      if (advertised.contains("://localhost:")) {
        // The host listener: published on the same port, so that what is advertised works.
        assertEquals(Integer.parseInt(port), ports("kafka").get(Integer.parseInt(port)));
      }
    }
    assertEquals("kafka:9092", internalBootstrap());
    // One broker: every replication factor the stack asks for must be 1.
    for (String key : List.of("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
        "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR")) {
      assertEquals("1", kafka.get(key), key);
    }
    String healthcheck = String.join(" ",
        DeployFiles.strings(service("kafka").path("healthcheck").path("test")));
    assertTrue(healthcheck.contains("kafka-broker-api-versions.sh --bootstrap-server localhost:"
        + listeners.get(kafka.get("KAFKA_INTER_BROKER_LISTENER_NAME"))), healthcheck);
  }

  @Test
  void shouldCreateExactlyTheTopicsOfTheTopicsFolder(@TempDir Path work) throws Exception {
    JsonNode topics = service("topics");
    Mount definitions = mountOf("topics", "./topics");
    Mount script = mountOf("topics", "./" + DeployFiles.CREATE_TOPICS);
    assertEquals(List.of("/bin/sh", script.target()),
        DeployFiles.strings(topics.path("entrypoint")));
    assertEquals(List.of(internalBootstrap(), definitions.target()),
        DeployFiles.strings(topics.path("command")));
    // What the service runs, on the folder it mounts: every file's topic, and no other.
    CreateTopicsRun.Result run = CreateTopicsRun.run(work, List.of("sh"), 0,
        internalBootstrap(), definitions.source());
    assertEquals(0, run.exitCode(), run.stderr());
    Set<String> created = new TreeSet<>(CreateTopicsScriptTest.byTopic(run.invocations()).keySet());
    List<TopicDefinition> definitionsRead = TopicDefinitions.load(Path.of(definitions.source()));
    assertEquals(definitionsRead.stream().map(TopicDefinition::name).collect(Collectors.toSet()),
        created);
    try (Stream<Path> files = Files.list(Path.of(definitions.source()))) {
      assertEquals(created.size(),
          files.filter(f -> f.toString().endsWith(".properties")).count(), "one topic per file");
    }
    for (TopicDefinition d : definitionsRead) {
      assertTrue(d.replicationFactor() <= 1, d.name() + ": more replicas than brokers");
    }
  }

  // ---- mfstream and replay ---------------------------------------------------------------------

  @Test
  void shouldConfigureMfstreamWithDocumentedSettingsAndTheImagesPortAndVolume() {
    Map<String, String> documented = DeployFiles.documentedSettings();
    Map<String, String> env = environment("mfstream");
    for (String variable : env.keySet()) {
      assertTrue(variable.startsWith("MFSTREAM_"), variable);
      String key = DeployFiles.settingOf(variable);
      assertTrue(DeployFiles.isDocumentedSetting(key, documented),
          variable + " sets " + key + ", which docs/CONFIGURATION.md does not document");
    }
    assertEquals(internalBootstrap(), env.get("MFSTREAM_BOOTSTRAP_SERVERS"));
    int httpPort = Integer.parseInt(env.getOrDefault("MFSTREAM_HTTP_PORT",
        documented.get("http.port")));
    assertEquals(documented.get("http.port"), Integer.toString(httpPort),
        "the documented default port");
    assertEquals(Map.of(httpPort, httpPort), ports("mfstream"));

    Dockerfile dockerfile = Dockerfile.read(DeployFiles.DOCKERFILE);
    assertEquals(Integer.toString(httpPort), dockerfile.onlyInFinalStage("EXPOSE").arguments());
    String stateDir = Dockerfile.execArray(dockerfile.onlyInFinalStage("VOLUME").arguments())
        .get(0);
    assertEquals(List.of(new Mount("mfstream-state", stateDir, "")), mounts("mfstream"));
    assertEquals(".", service("mfstream").path("build").path("context").asText());
    assertEquals("cpu", service("mfstream").path("build").path("args").path("BACKEND").asText());

    // The health check is the image's (Compose reads $$ as a literal $).
    List<String> composeCheck = new ArrayList<>(DeployFiles.strings(
        service("mfstream").path("healthcheck").path("test")));
    assertEquals("CMD", composeCheck.remove(0));
    composeCheck.replaceAll(s -> s.replace("$$", "$"));
    assertEquals(dockerfile.healthcheckCommand(), composeCheck);
  }

  @Test
  void shouldReplayMovieLensFromTheUsersDataFolderOnlyInItsProfile() {
    JsonNode replay = service("replay");
    assertEquals(List.of("replay"), DeployFiles.strings(replay.path("profiles")));
    assertEquals(service("mfstream").path("image").asText(), replay.path("image").asText());
    List<String> command = DeployFiles.strings(replay.path("command"));
    assertEquals(List.of("replay", "--bootstrap-servers", internalBootstrap(), "--data",
        "/data/ml-100k/u.data", "--rate", "500"), command);
    Mount data = mountOf("replay", "./data");
    assertEquals(new Mount("./data", "/data", "ro"), data);
    assertTrue(command.get(4).startsWith(data.target() + "/"), "the data is in the mount");
    for (Map.Entry<String, JsonNode> s : DeployFiles.fields(services)) {
      if (!s.getKey().equals("replay")) {
        assertFalse(s.getValue().has("profiles"), s.getKey() + " runs without a profile");
      }
    }
  }

  // ---- Prometheus and Grafana -----------------------------------------------------------------

  @Test
  void shouldScrapeMfstreamMetricsAtItsPortAndPath() {
    List<String> command = DeployFiles.strings(service("prometheus").path("command"));
    Mount config = mountOf("prometheus", "./" + DeployFiles.PROMETHEUS_CONFIG);
    assertTrue(command.contains("--config.file=" + config.target()), command.toString());
    JsonNode prometheus = DeployFiles.yaml(DeployFiles.PROMETHEUS_CONFIG);
    String target = "mfstream:" + ports("mfstream").values().iterator().next();
    JsonNode job = null;
    for (JsonNode j : prometheus.path("scrape_configs")) {
      for (JsonNode sc : j.path("static_configs")) {
        if (DeployFiles.strings(sc.path("targets")).contains(target)) {
          job = j;
        }
      }
    }
    assertNotNull(job, "no scrape job targets " + target);
    assertEquals("/metrics", job.path("metrics_path").asText("/metrics"));
    assertEquals("http", job.path("scheme").asText("http"));
    assertTrue(DeployFiles.text(DeployFiles.CONFIGURATION_DOC)
        .contains("| `/metrics` | Prometheus text format"), "the app serves /metrics");
    assertEquals(Map.of(9090, 9090), ports("prometheus"));
  }

  @Test
  void shouldProvisionGrafanaFromTheMountedFolders() {
    Map<String, String> env = environment("grafana");
    Mount provisioning = mountOf("grafana", "./" + DeployFiles.GRAFANA_PROVISIONING);
    Mount dashboards = mountOf("grafana", "./" + DeployFiles.GRAFANA_DASHBOARDS);
    assertEquals(env.getOrDefault("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning"),
        provisioning.target(), "Grafana reads its provisioning here");

    JsonNode providers = DeployFiles.yaml(
        DeployFiles.GRAFANA_PROVISIONING.resolve("dashboards").resolve("mfstream.yml"));
    assertEquals(1, providers.path("providers").size());
    JsonNode provider = providers.path("providers").get(0);
    assertEquals("file", provider.path("type").asText());
    assertEquals(dashboards.target(), provider.path("options").path("path").asText(),
        "the provider reads the folder compose mounts the dashboards at");
    String home = env.get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH");
    assertTrue(home.startsWith(dashboards.target() + "/"), home);
    assertTrue(Files.exists(Path.of(dashboards.source(),
        home.substring(dashboards.target().length() + 1))), home);

    JsonNode datasources = DeployFiles.yaml(
        DeployFiles.GRAFANA_PROVISIONING.resolve("datasources").resolve("prometheus.yml"));
    assertEquals(1, datasources.path("datasources").size());
    JsonNode ds = datasources.path("datasources").get(0);
    assertEquals("prometheus", ds.path("uid").asText());
    assertEquals("prometheus", ds.path("type").asText());
    assertTrue(ds.path("isDefault").asBoolean());
    assertEquals("http://prometheus:" + ports("prometheus").values().iterator().next(),
        ds.path("url").asText());
    assertEquals(DeployFiles.yaml(DeployFiles.PROMETHEUS_CONFIG).path("global")
        .path("scrape_interval").asText(), ds.path("jsonData").path("timeInterval").asText(),
        "Grafana's minimum interval is Prometheus's scrape interval");

    assertEquals("true", env.get("GF_AUTH_ANONYMOUS_ENABLED"));
    assertEquals("Viewer", env.get("GF_AUTH_ANONYMOUS_ORG_ROLE"));
    assertEquals(Map.of(3000, 3000), ports("grafana"));
  }
}
