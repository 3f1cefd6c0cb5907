package io.mfstream.helm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.helm.ChartFixture.Rendered;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's copies in files/ (Helm cannot read outside the chart) against their sources, and the
 * dashboard ConfigMap that serves them. helm/sync-files.sh makes the copies.
 */
@DeploymentTest
@Timeout(300)
class HelmFilesTest {

  static final String SYNC = "run helm/sync-files.sh and commit the copies";

  @TempDir Path tmp;

  /** The files of {@code dir} that end with {@code suffix}, by name, as bytes. */
  private static Map<String, byte[]> files(Path dir, String suffix) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : list.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().endsWith(suffix)).toList()) {
        files.put(file.getFileName().toString(), Files.readAllBytes(file));
      }
    }
    return files;
  }

  /** Fails, naming the first differing file, unless both folders hold the same bytes. */
  private static void assertSameFiles(Map<String, byte[]> source, Map<String, byte[]> copy,
      String what) {
    assertEquals(source.keySet(), copy.keySet(), what + ": not the same files; " + SYNC);
    for (String name : source.keySet()) {
      assertArrayEquals(source.get(name), copy.get(name),
          what + ": " + name + " differs from its source; " + SYNC);
    }
  }

  private static Map<String, String> dashboardData(Rendered r) {
    JsonNode configMap = r.named("ConfigMap", ChartFixture.FULLNAME + "-dashboards");
    Map<String, String> data = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = configMap.path("data").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      data.put(e.getKey(), e.getValue().asText());
    }
    return data;
  }

  @Test
  void shouldShipExactlyTheRepositoryTopicFiles() throws IOException {
    Map<String, byte[]> source = files(ChartFixture.root().resolve("topics"), ".properties");
    assertTrue(source.size() > 0, "no topics/*.properties");
    assertSameFiles(source, files(ChartFixture.chart().resolve("files/topics"), ".properties"),
        "helm/mfstream/files/topics vs topics/");
  }

  @Test
  void shouldShipAndServeExactlyTheMonitoringDashboards() throws IOException {
    Path monitoring = ChartFixture.root().resolve("monitoring/grafana/dashboards");
    assumeTrue(Files.isDirectory(monitoring),
        "monitoring/grafana/dashboards does not exist in this checkout yet: the chart's dashboard"
            + " copies cannot be compared with it (they are, once it exists)");
    Map<String, byte[]> source = files(monitoring, ".json");
    assertTrue(source.size() > 0, "monitoring/grafana/dashboards holds no *.json");
    assertSameFiles(source, files(ChartFixture.chart().resolve("files/dashboards"), ".json"),
        "helm/mfstream/files/dashboards vs monitoring/grafana/dashboards");

    Map<String, String> served = dashboardData(
        ChartFixture.render(Map.of("dashboards.enabled", true)));
    assertEquals(source.keySet(), served.keySet(), "dashboards in the ConfigMap");
    for (Map.Entry<String, byte[]> e : source.entrySet()) {
      assertArrayEquals(e.getValue(), served.get(e.getKey()).getBytes(StandardCharsets.UTF_8),
          "the ConfigMap's " + e.getKey() + " is not byte for byte the dashboard");
    }
  }

  /** A copy of the chart with no dashboard in files/dashboards, whatever the real one holds. */
  private Path copyWithoutDashboards() throws IOException {
    Path chart = ChartFixture.copyChart(tmp);
    try (Stream<Path> list = Files.list(chart.resolve("files/dashboards"))) {
      for (Path file : list.filter(p -> p.toString().endsWith(".json")).toList()) {
        Files.delete(file);
      }
    }
    return chart;
  }

  @Test
  void shouldServeDashboardsByteForByteWithTheSidecarLabel() throws IOException {
    Path chart = copyWithoutDashboards();
    Path dir = chart.resolve("files/dashboards");
    Map<String, String> dashboards = Map.of(
        "a.json", "{\n  \"title\": \"mfstream <RMSE> & \\\"more\\\"\",\n\t\"x\": \"é ✓\"\n}\n",
        "b.json", "{\"panels\": [], \"expr\": \"{{ not a template }}\"}   ",
        "c.json", "  {\"trailing\": \"newlines\"}\n\n\n");
    for (Map.Entry<String, String> e : dashboards.entrySet()) {
      Files.writeString(dir.resolve(e.getKey()), e.getValue());
    }
    Rendered r = ChartFixture.render(chart, Map.of("dashboards.enabled", true,
        "dashboards.label", "grafana_dashboard", "dashboards.labelValue", "yes",
        "dashboards.annotations.grafana_folder", "ML"));
    assertEquals(new TreeMap<>(dashboards), dashboardData(r),
        "the ConfigMap must hold each dashboard file byte for byte");
    JsonNode metadata = r.named("ConfigMap", ChartFixture.FULLNAME + "-dashboards")
        .path("metadata");
    assertEquals("yes", metadata.path("labels").path("grafana_dashboard").asText());
    assertEquals("ML", metadata.path("annotations").path("grafana_folder").asText());
    assertEquals(ChartFixture.NAMESPACE, metadata.path("namespace").asText());

    assertEquals(1, ChartFixture.render(chart, Map.of()).all("ConfigMap").size(),
        "no dashboard ConfigMap unless dashboards.enabled");
  }

  @Test
  void shouldRefuseToServeDashboardsThatWereNeverCopied() throws IOException {
    Path chart = copyWithoutDashboards();
    String message = ChartFixture.renderFailure(chart, Map.of("dashboards.enabled", true));
    assertTrue(message.contains("files/dashboards/*.json")
        && message.contains("helm/sync-files.sh"), message);
  }

  /** Runs helm/sync-files.sh in a fake repository laid out under {@code repo}. */
  private static String sync(Path repo) throws IOException, InterruptedException {
    Path script = repo.resolve("helm/sync-files.sh");
    Files.createDirectories(script.getParent());
    Files.copy(ChartFixture.root().resolve("helm/sync-files.sh"), script);
    Process process = new ProcessBuilder("bash", script.toString())
        .redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "sync-files.sh did not finish");
    assertEquals(0, process.exitValue(), "sync-files.sh failed:\n" + output);
    return output;
  }

  @Test
  void shouldCopyTopicsAndDashboardsAndDropStaleCopies() throws Exception {
    Path repo = tmp.resolve("repo");
    Path files = repo.resolve("helm/mfstream/files");
    Files.createDirectories(repo.resolve("topics/schemas"));
    Files.createDirectories(repo.resolve("monitoring/grafana/dashboards"));
    Files.createDirectories(files.resolve("topics"));
    Files.createDirectories(files.resolve("dashboards"));
    Files.writeString(repo.resolve("topics/a.properties"), "name=a\npartitions=1\n");
    Files.writeString(repo.resolve("topics/README.md"), "not a topic");
    Files.writeString(repo.resolve("monitoring/grafana/dashboards/mf.json"), "{\"a\": 1}\n");
    Files.writeString(files.resolve("topics/renamed-away.properties"), "stale");
    Files.writeString(files.resolve("topics/a.properties"), "old content");
    Files.writeString(files.resolve("dashboards/old.json"), "{}");

    String output = sync(repo);

    assertSameFiles(files(repo.resolve("topics"), ".properties"), files(files.resolve("topics"), ""),
        "synced topics (only *.properties: README.md and schemas/ are not topics)");
    assertEquals("[a.properties]", files(files.resolve("topics"), "").keySet().toString(), output);
    assertEquals("[.gitkeep, mf.json]", files(files.resolve("dashboards"), "").keySet()
        .toString(), output);
    assertEquals("{\"a\": 1}\n", Files.readString(files.resolve("dashboards/mf.json")));
  }

  @Test
  void shouldLeaveDashboardsAloneWithoutMonitoring() throws Exception {
    Path repo = tmp.resolve("repo");
    Path files = repo.resolve("helm/mfstream/files");
    Files.createDirectories(repo.resolve("topics"));
    Files.createDirectories(files.resolve("dashboards"));
    Files.writeString(repo.resolve("topics/a.properties"), "name=a\n");
    Files.writeString(files.resolve("dashboards/kept.json"), "{}");

    String output = sync(repo);

    assertTrue(output.contains("no monitoring/grafana/dashboards/"), output);
    assertEquals("[.gitkeep, kept.json]", files(files.resolve("dashboards"), "").keySet()
        .toString());
  }
}
