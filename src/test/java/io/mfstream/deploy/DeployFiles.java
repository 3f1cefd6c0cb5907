package io.mfstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The deployment files of the repository, read the way the tests of this package need them.
 * Paths are relative to the project's root, the working directory of Maven's tests.
 */
final class DeployFiles {

  static final Path COMPOSE = Path.of("docker-compose.yml");
  static final Path DOCKERFILE = Path.of("Dockerfile");
  static final Path DOCKERIGNORE = Path.of(".dockerignore");
  static final Path CONFIGURATION_DOC = Path.of("docs", "CONFIGURATION.md");
  static final Path COMPOSE_DOC = Path.of("docs", "DEPLOY-COMPOSE.md");
  static final Path CREATE_TOPICS = Path.of("docker", "create-topics.sh");
  static final Path IMAGE_CONFIG = Path.of("docker", "mfstream.properties");
  static final Path PROMETHEUS_CONFIG = Path.of("monitoring", "prometheus", "prometheus.yml");
  static final Path GRAFANA_PROVISIONING = Path.of("monitoring", "grafana", "provisioning");
  static final Path GRAFANA_DASHBOARDS = Path.of("monitoring", "grafana", "dashboards");
  static final Path DASHBOARD = GRAFANA_DASHBOARDS.resolve("mfstream.json");

  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  private DeployFiles() {}

  static JsonNode yaml(Path file) {
    try {
      return YAML.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode json(Path file) {
    try {
      return JSON.readTree(file.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String text(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  static Iterable<Map.Entry<String, JsonNode>> fields(JsonNode object) {
    return object == null ? List.of() : (Iterable<Map.Entry<String, JsonNode>>) object::fields;
  }

  static List<String> names(JsonNode object) {
    List<String> out = new ArrayList<>();
    if (object != null) {
      Iterator<String> it = object.fieldNames();
      it.forEachRemaining(out::add);
    }
    return out;
  }

  /**
   * The settings table of docs/CONFIGURATION.md (the one whose header starts {@code | key |}): key to default, as written (for example
   * {@code http.port} to {@code 8080}, {@code state.dir} to {@code ./state}). Keys with a
   * placeholder keep it ({@code model.NAME.type}); a row naming two keys gives both.
   */
  static Map<String, String> documentedSettings() {
    Map<String, String> settings = new LinkedHashMap<>();
    Pattern row = Pattern.compile("^\\|\\s*(`[^|]+`)\\s*\\|\\s*([^|]*)\\|");
    Pattern key = Pattern.compile("`([^`]+)`");
    boolean inTable = false;
    for (String line : text(CONFIGURATION_DOC).split("\n")) {
      if (line.startsWith("| key |")) {
        inTable = true;
        continue;
      }
      if (inTable && !line.startsWith("|")) {
        break;
      }
      Matcher m = row.matcher(line);
      if (!inTable || !m.find()) {
        continue;
      }
      String defaultValue = m.group(2).strip().replace("`", "");
      Matcher k = key.matcher(m.group(1));
      while (k.find()) {
        settings.put(k.group(1), defaultValue);
      }
    }
    return settings;
  }

  /**
   * The setting an environment variable sets, by docs/CONFIGURATION.md's rule: strip
   * {@code MFSTREAM_}, lower-case, {@code _} becomes {@code .}.
   */
  static String settingOf(String environmentVariable) {
    if (!environmentVariable.startsWith("MFSTREAM_")) {
      throw new IllegalArgumentException(environmentVariable + " does not start with MFSTREAM_");
    }
    return environmentVariable.substring("MFSTREAM_".length()).toLowerCase().replace('_', '.');
  }

  /** Whether docs/CONFIGURATION.md documents the key, literally or through a placeholder row. */
  static boolean isDocumentedSetting(String key, Map<String, String> documented) {
    if (documented.containsKey(key)) {
      return true;
    }
    for (String pattern : documented.keySet()) {
      String regex = Pattern.quote(pattern)
          .replace("NAME", "\\E[a-z0-9-]+\\Q")
          .replace(".*", "\\E\\..+\\Q");
      if (key.matches(regex)) {
        return true;
      }
    }
    return false;
  }

  /** Whether an executable of that name is on PATH. */
  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
