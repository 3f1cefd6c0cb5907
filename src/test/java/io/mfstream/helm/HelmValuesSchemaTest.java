package io.mfstream.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values that break values.schema.json, or the checks the schema cannot express, fail helm
 * template with a message that names the value.
 */
@DeploymentTest
class HelmValuesSchemaTest {

  @TempDir Path tmp;

  private static String failure(Map<String, ?> sets, Path... values) {
    return ChartFixture.renderFailure(ChartFixture.chart(), sets, values);
  }

  private static void assertNames(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), "the message should name " + part + ":\n" + message);
    }
  }

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource({
      "config.batchSize,         0,       /config/batchSize",
      "config.batchSize,         -5,      /config/batchSize",
      "config.httpPort,          70000,   /config/httpPort",
      "config.httpPort,          0,       /config/httpPort",
      "service.port,             70000,   /service/port",
      "config.rmseWindow,        0,       /config/rmseWindow",
      "config.lingerMs,          -1,      /config/lingerMs",
      "image.variant,            rocm,    /image/variant",
      "topics.mode,              manual,  /topics/mode",
      "topics.replicationFactor, -1,      /topics/replicationFactor",
      "gpu.count,                0,       /gpu/count",
      "replicaCount,             many,    /replicaCount",
      "config.bootstrapServers,  'a b',   /config/bootstrapServers",
      "config.applicationId,     'x y',   /config/applicationId",
      "serviceMonitor.interval,  often,   /serviceMonitor/interval",
  })
  void shouldRejectAnOutOfSchemaValueNamingIt(String key, String value, String path) {
    Object typed = value.matches("-?[0-9]+") ? (Object) Long.parseLong(value) : value;
    String message = failure(Map.of(key, typed));
    assertNames(message, "values don't meet the specifications of the schema", path);
  }

  @Test
  void shouldAcceptTheBoundaries() {
    var r = ChartFixture.render(Map.of(
        "config.batchSize", 1, "config.httpPort", 65535, "service.port", 1,
        "image.variant", "cuda", "topics.mode", "none", "replicaCount", 0));
    assertEquals("1", r.properties().getProperty("batch.size"));
    assertEquals("65535", r.properties().getProperty("http.port"));
  }

  @Test
  void shouldRejectAnEmptyModelList() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml", "config: {models: []}\n");
    assertNames(failure(Map.of(), values), "/config/models", "minItems");
  }

  @Test
  void shouldRejectAModelWhoseNameIsNoNetworkAndThatHasNoType() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml", "config: {models: [{name: big}]}\n");
    assertNames(failure(Map.of(), values), "/config/models/0", "type");
  }

  @Test
  void shouldRejectAnUnknownNetworkOrOptimizer() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml",
        "config: {models: [{name: big, type: transformer, optimizer: lbfgs}]}\n");
    assertNames(failure(Map.of(), values), "/config/models/0/type", "/config/models/0/optimizer");
  }

  @Test
  void shouldRejectAMisspeltValue() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml", "config: {batchsize: 32}\n");
    assertNames(failure(Map.of(), values), "/config", "batchsize");
  }

  @Test
  void shouldRejectSecretKeysWithoutTheSecretName() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml",
        "kafkaSecret: {keys: {sasl.jaas.config: jaas}}\n");
    assertNames(failure(Map.of(), values), "/kafkaSecret/name");
  }

  @Test
  void shouldRejectTheSameModelNameTwice() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml",
        "config: {models: [{name: mlp}, {name: mlp, hidden: 32}]}\n");
    assertNames(failure(Map.of(), values), "config.models", "\"mlp\" appears twice");
  }

  @Test
  void shouldRejectAnEmptyRatingRange() {
    assertNames(failure(Map.of("config.ratingMin", 5, "config.ratingMax", 1)),
        "config.ratingMin", "config.ratingMax");
  }

  @Test
  void shouldRefuseCredentialsInTheConfigMap() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml",
        "config: {kafka: {sasl.jaas.config: \"x required password=secret;\"}}\n");
    assertNames(failure(Map.of(), values), "config.kafka.sasl.jaas.config", "kafkaSecret.keys");
    Path password = ChartFixture.writeValues(tmp, "p.yaml",
        "config: {kafka: {ssl.keystore.password: hunter2}}\n");
    assertNames(failure(Map.of(), password), "config.kafka.ssl.keystore.password");
  }

  @Test
  void shouldRejectSettingsTheApplicationDoesNotKnow() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml", "config: {extra: {replay.rate: 5}}\n");
    assertNames(failure(Map.of(), values), "/config", "extra");
  }

  @Test
  void shouldRejectMoreModelsThanRatingsValidHasPartitions() {
    Path values = ChartFixture.writeValues(tmp, "v.yaml", """
        config:
          models: [{name: plain-mf}, {name: biased-mf}, {name: mlp}, {name: dropout-mlp}]
        """);
    assertNames(failure(Map.of(), values), "config.models names 4 models",
        "files/topics/ratings-valid.properties", "one per model");
  }

  /** Every value in values.yaml is typed by the schema (no value escapes validation). */
  @Test
  void shouldDescribeEveryDefaultValueInTheSchema() throws IOException {
    JsonNode values = ChartFixture.YAML.readTree(ChartFixture.chart().resolve("values.yaml")
        .toFile());
    JsonNode schema = ChartFixture.JSON.readTree(ChartFixture.chart().resolve("values.schema.json")
        .toFile());
    assertEquals("http://json-schema.org/draft-07/schema#", schema.path("$schema").asText());
    List<String> untyped = new ArrayList<>();
    collectUntyped(values, schema, "", untyped);
    assertEquals(List.of(), untyped, "values without a schema property");
  }

  private static void collectUntyped(JsonNode value, JsonNode schema, String path,
      List<String> untyped) {
    if (!value.isObject() || !schema.has("properties")) {
      return;
    }
    for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      JsonNode property = schema.path("properties").path(name);
      if (property.isMissingNode()) {
        untyped.add(path + "/" + name);
      } else {
        if (!property.has("type") && !property.has("anyOf")) {
          untyped.add(path + "/" + name + " (no type)");
        }
        collectUntyped(value.get(name), property, path + "/" + name, untyped);
      }
    }
  }

  /** values.yaml has a comment line above every value, so that each is documented. */
  @Test
  void shouldCommentEveryValue() throws IOException {
    List<String> lines = java.nio.file.Files.readAllLines(
        ChartFixture.chart().resolve("values.yaml"));
    List<String> uncommented = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      boolean key = line.matches("\\s*[A-Za-z][A-Za-z0-9]*:.*");
      if (key && !lines.get(i - 1).trim().startsWith("#") && !isListItemField(lines, i)) {
        uncommented.add((i + 1) + ": " + line.trim());
      }
    }
    assertEquals(List.of(), uncommented, "values.yaml lines without a comment above");
  }

  /** A field of a list element (such as a toleration's operator): documented with its list. */
  private static boolean isListItemField(List<String> lines, int i) {
    int indent = indentOf(lines.get(i));
    for (int j = i - 1; j >= 0; j--) {
      String line = lines.get(j);
      if (line.isBlank() || line.trim().startsWith("#")) {
        continue;
      }
      int at = indentOf(line);
      if (at < indent) {
        return line.trim().startsWith("- ") && at + 2 == indent;
      }
    }
    return false;
  }

  private static int indentOf(String line) {
    return line.length() - line.stripLeading().length();
  }
}
