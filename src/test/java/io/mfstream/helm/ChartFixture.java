package io.mfstream.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * Runs Helm (embedded by helm-java, no helm binary needed) on the chart in {@code helm/mfstream}
 * and parses what it renders.
 */
final class ChartFixture {

  static final YAMLMapper YAML = new YAMLMapper();
  static final ObjectMapper JSON = new ObjectMapper();

  static final String RELEASE = "rel";
  static final String NAMESPACE = "ml";
  /** The resource name prefix for release {@link #RELEASE}: RELEASE-CHART. */
  static final String FULLNAME = RELEASE + "-mfstream";

  /**
   * In {@link #copyWithHooksAsManifests} copies, {@code helm.sh/hook...} annotation keys are
   * renamed to this prefix. helm-java's template, unlike the helm CLI, leaves hooks out of its
   * output; renamed, the Job renders as an ordinary manifest and its hook annotations stay
   * visible under the new key.
   */
  static final String RENAMED_HOOK = "test.mfstream.io/hook";

  private ChartFixture() {}

  /** The repository's root: Maven runs the tests there. */
  static Path root() {
    Path dir = Path.of("").toAbsolutePath();
    assertTrue(Files.isRegularFile(dir.resolve("pom.xml")) && Files.isDirectory(dir.resolve("helm")),
        "the tests must run in the repository's root (with pom.xml and helm/), not " + dir);
    return dir;
  }

  static Path chart() {
    return root().resolve("helm/mfstream");
  }

  /** helm template with --set pairs (keys in Helm's dotted form). */
  static Rendered render(Map<String, ?> sets, Path... valuesFiles) {
    return render(chart(), sets, valuesFiles);
  }

  static Rendered render(Path chart, Map<String, ?> sets, Path... valuesFiles) {
    return new Rendered(templateText(chart, sets, valuesFiles));
  }

  static String templateText(Path chart, Map<String, ?> sets, Path... valuesFiles) {
    TemplateCommand command = new Helm(chart).template()
        .withName(RELEASE)
        .withNamespace(NAMESPACE);
    for (Map.Entry<String, ?> set : sets.entrySet()) {
      command = command.set(set.getKey(), set.getValue());
    }
    for (Path values : valuesFiles) {
      command = command.withValuesFile(values);
    }
    return command.call();
  }

  /** Asserts that helm template fails, and returns Helm's message. */
  static String renderFailure(Path chart, Map<String, ?> sets, Path... valuesFiles) {
    RuntimeException e = assertThrows(RuntimeException.class,
        () -> templateText(chart, sets, valuesFiles),
        "helm template should have failed for " + sets);
    assertNotNull(e.getMessage());
    return e.getMessage();
  }

  static Path writeValues(Path dir, String name, String yaml) {
    try {
      Path file = dir.resolve(name);
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A full copy of the chart in {@code into}, to change files without touching the real one. */
  static Path copyChart(Path into) {
    Path target = into.resolve("mfstream");
    Path source = chart();
    try (Stream<Path> walk = Files.walk(source)) {
      for (Path path : (Iterable<Path>) walk::iterator) {
        Path to = target.resolve(source.relativize(path).toString());
        if (Files.isDirectory(path)) {
          Files.createDirectories(to);
        } else {
          Files.copy(path, to);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return target;
  }

  /** A copy of the chart whose hooks render as ordinary manifests (see {@link #RENAMED_HOOK}). */
  static Path copyWithHooksAsManifests(Path into) {
    Path copy = copyChart(into);
    try (Stream<Path> templates = Files.list(copy.resolve("templates"))) {
      int renamed = 0;
      for (Path template : templates.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        String text = Files.readString(template);
        if (text.contains("helm.sh/hook")) {
          Files.writeString(template, text.replace("helm.sh/hook", RENAMED_HOOK));
          renamed++;
        }
      }
      assertTrue(renamed > 0, "no template of the chart declares a helm.sh/hook");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  /**
   * A copy of the chart whose values.yaml is the chart's, deep-merged with {@code overrides}: how
   * helm lint (which helm-java gives no values option) sees a values set.
   */
  static Path copyWithValues(Path into, Path overrides) {
    Path copy = copyChart(into);
    try {
      ObjectNode values = (ObjectNode) YAML.readTree(copy.resolve("values.yaml").toFile());
      merge(values, (ObjectNode) YAML.readTree(overrides.toFile()));
      YAML.writeValue(copy.resolve("values.yaml").toFile(), values);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return copy;
  }

  /** Helm's coalescing: maps merge key by key, anything else (lists too) is replaced. */
  private static void merge(ObjectNode into, ObjectNode from) {
    for (Iterator<Map.Entry<String, JsonNode>> it = from.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = into.get(field.getKey());
      if (existing instanceof ObjectNode target && field.getValue() instanceof ObjectNode source) {
        merge(target, source);
      } else {
        into.set(field.getKey(), field.getValue());
      }
    }
  }

  /** The documents of one helm template run. */
  static final class Rendered {
    final String text;
    final List<JsonNode> documents;

    Rendered(String text) {
      this.text = text;
      List<JsonNode> docs = new ArrayList<>();
      try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
        while (it.hasNext()) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isNull() && !doc.isMissingNode() && !doc.isEmpty()) {
            docs.add(doc);
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("helm template's output is not YAML:\n" + text, e);
      }
      this.documents = List.copyOf(docs);
    }

    List<JsonNode> all(String kind) {
      return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    /** The only document of this kind; fails if there is none or more than one. */
    JsonNode one(String kind) {
      List<JsonNode> found = all(kind);
      assertEquals(1, found.size(), "documents of kind " + kind + ": " + found);
      return found.get(0);
    }

    JsonNode named(String kind, String name) {
      return all(kind).stream()
          .filter(d -> name.equals(d.path("metadata").path("name").asText()))
          .findFirst()
          .orElseGet(() -> fail("no " + kind + " named " + name + " in:\n" + text));
    }

    JsonNode statefulSet() {
      return named("StatefulSet", FULLNAME);
    }

    /** The application container of the StatefulSet. */
    JsonNode container() {
      JsonNode containers = statefulSet().path("spec").path("template").path("spec")
          .path("containers");
      assertEquals(1, containers.size(), "containers: " + containers);
      return containers.get(0);
    }

    JsonNode podSpec() {
      return statefulSet().path("spec").path("template").path("spec");
    }

    /** mfstream.properties of the application's ConfigMap, read as the JVM reads it. */
    Properties properties() {
      JsonNode configMap = named("ConfigMap", FULLNAME + "-config");
      String text = configMap.path("data").path("mfstream.properties").asText(null);
      assertNotNull(text, "the ConfigMap has no mfstream.properties: " + configMap);
      Properties properties = new Properties();
      try {
        properties.load(new StringReader(text));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return properties;
    }

    /** The container's environment as name -> EnvVar node. */
    static Map<String, JsonNode> env(JsonNode container) {
      Map<String, JsonNode> env = new LinkedHashMap<>();
      for (JsonNode var : container.path("env")) {
        JsonNode earlier = env.put(var.path("name").asText(), var);
        assertEquals(null, earlier, "env var given twice: " + var.path("name").asText());
      }
      return env;
    }
  }
}
