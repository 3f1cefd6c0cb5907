package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The Grafana dashboard: structure, the variables every panel uses, and the metrics it reads. */
@DeploymentTest
@Timeout(300)
class DashboardTest {

  private static final String DATASOURCE = "${datasource}";
  private static final List<String> ROWS =
      List.of("Learning quality", "Throughput and latency", "State stores", "JVM");

  private final JsonNode dashboard = DeployFiles.json(DeployFiles.DASHBOARD);

  private List<JsonNode> dataPanels() {
    return DashboardQueries.panels(dashboard).stream()
        .filter(p -> !"row".equals(p.path("type").asText()))
        .toList();
  }

  private JsonNode variable(String name) {
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    return fail("no template variable " + name);
  }

  /** The panels of each row by row title, whether the row is collapsed or not. */
  private Map<String, List<JsonNode>> panelsByRow() {
    Map<String, List<JsonNode>> rows = new LinkedHashMap<>();
    List<JsonNode> current = null;
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        current = new ArrayList<>();
        rows.put(panel.path("title").asText(), current);
        panel.path("panels").forEach(current::add);
      } else if (current != null) {
        current.add(panel);
      }
    }
    return rows;
  }

  @Test
  void shouldBeOneDashboardWithItsUidAndAModernSchema() {
    assertEquals("mfstream", dashboard.path("uid").asText());
    int schema = dashboard.path("schemaVersion").asInt();
    assertTrue(schema >= 36 && schema <= 41, "schemaVersion " + schema);
    try (var files = Files.list(DeployFiles.GRAFANA_DASHBOARDS)) {
      assertEquals(List.of(DeployFiles.DASHBOARD.getFileName().toString()),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    } catch (IOException e) {
      fail(e);
    }
  }

  @Test
  void shouldChooseThePrometheusDataSourceThroughAVariable() {
    JsonNode ds = variable("datasource");
    assertEquals("datasource", ds.path("type").asText());
    assertEquals("prometheus", ds.path("query").asText());
    // The provisioned data source is its default.
    assertEquals("prometheus", ds.path("current").path("value").asText());
  }

  @Test
  void shouldOfferEveryModelAsAMultiValueVariableWithAll() {
    JsonNode model = variable("model");
    assertEquals("query", model.path("type").asText());
    assertEquals(DATASOURCE, model.path("datasource").path("uid").asText());
    assertEquals("label_values(mfstream_rmse_rolling, model)", model.path("definition").asText());
    assertEquals("label_values(mfstream_rmse_rolling, model)",
        model.path("query").path("query").asText());
    assertTrue(model.path("multi").asBoolean(), "multi");
    assertTrue(model.path("includeAll").asBoolean(), "includeAll");
  }

  @Test
  void shouldGiveEveryPanelTheDataSourceVariableADescriptionAUnitAndAQuery() {
    List<JsonNode> panels = dataPanels();
    assertTrue(panels.size() >= 20, "only " + panels.size() + " panels");
    for (JsonNode p : panels) {
      String name = p.path("title").asText();
      assertFalse(name.isBlank(), "a panel without a title: " + p);
      assertEquals(DATASOURCE, p.path("datasource").path("uid").asText(), name);
      assertEquals("prometheus", p.path("datasource").path("type").asText(), name);
      assertFalse(p.path("description").asText().isBlank(), name + ": no description");
      assertFalse(p.path("fieldConfig").path("defaults").path("unit").asText().isBlank(),
          name + ": no unit");
      assertTrue(p.path("targets").size() > 0, name + ": no query");
      for (JsonNode t : p.path("targets")) {
        assertEquals(DATASOURCE, t.path("datasource").path("uid").asText(), name + " query");
        assertFalse(t.path("expr").asText().isBlank(), name + ": empty query");
        assertFalse(t.path("refId").asText().isBlank(), name + ": query without refId");
      }
    }
  }

  @Test
  void shouldHaveTheFourRowsInOrderEachWithPanels() {
    Map<String, List<JsonNode>> rows = panelsByRow();
    assertEquals(ROWS, List.copyOf(rows.keySet()));
    rows.forEach((title, panels) -> assertFalse(panels.isEmpty(), title + " is empty"));
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText()) && !panel.path("collapsed").asBoolean()) {
        // Grafana keeps an open row's panels after it, and a collapsed row's inside it.
        assertEquals(0, panel.path("panels").size(), panel.path("title").asText());
      }
    }
    // Open on the learning curves; the rest collapsed.
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        assertEquals(!"Learning quality".equals(panel.path("title").asText()),
            panel.path("collapsed").asBoolean(), panel.path("title").asText());
      }
    }
  }

  @Test
  void shouldStartWithAStripOfStatsForRateRmseLagVersionAndDegradedModels() {
    List<JsonNode> strip = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        break;
      }
      strip.add(panel);
    }
    strip.forEach(p -> assertEquals("stat", p.path("type").asText(), p.path("title").asText()));
    Set<String> used = new TreeSet<>();
    strip.forEach(p -> p.path("targets").forEach(
        t -> used.addAll(DashboardQueries.metricNames(t.path("expr").asText()))));
    assertEquals(Set.of("mfstream_ratings_received_total", "mfstream_rmse_rolling",
        "kafka_consumer_fetch_manager_records_lag_max", "mfstream_model_version",
        "mfstream_model_degraded"), used);
    assertTrue(strip.stream().allMatch(p -> p.path("gridPos").path("y").asInt() == 0),
        "the strip is the top line");
  }

  @Test
  void shouldShowTheQualityBySegmentTheColdStartShareAndTheRankingInTheLearningQualityRow() {
    Set<String> used = new TreeSet<>();
    for (JsonNode panel : panelsByRow().get("Learning quality")) {
      panel.path("targets").forEach(
          t -> used.addAll(DashboardQueries.metricNames(t.path("expr").asText())));
    }
    for (String name : List.of("mfstream_segment_rmse", "mfstream_cold_starts_total",
        "mfstream_ratings_scored_total", "mfstream_ranking_hit_rate", "mfstream_ranking_ndcg")) {
      assertTrue(used.contains(name), "Learning quality does not show " + name + ": " + used);
    }
  }

  @Test
  void shouldShowTheRollingRmseOfEveryModelSideBySideInOneFullWidthPanel() {
    List<JsonNode> rmse = panelsByRow().get("Learning quality").stream()
        .filter(p -> p.path("targets").size() == 1)
        .filter(p -> DashboardQueries.metricNames(p.path("targets").get(0).path("expr").asText())
            .equals(Set.of("mfstream_rmse_rolling")))
        .toList();
    assertEquals(1, rmse.size(), "one rolling-RMSE panel in Learning quality");
    JsonNode panel = rmse.get(0);
    assertEquals("timeseries", panel.path("type").asText());
    assertEquals(24, panel.path("gridPos").path("w").asInt(), "the centrepiece is full width");
    JsonNode target = panel.path("targets").get(0);
    // One query whose series are the models, told apart by their model label.
    assertEquals("mfstream_rmse_rolling{model=~\"$model\"}", target.path("expr").asText());
    assertTrue(target.path("legendFormat").asText().contains("{{model}}"));
  }

  @Test
  void shouldUseOnlyTheListedMetricNames() throws IOException {
    List<String> exprs = DashboardQueries.all(DashboardQueries.DASHBOARD);
    assertEquals(dataPanels().stream().mapToInt(p -> p.path("targets").size()).sum(),
        exprs.size(), "every query is found, collapsed rows included");
    Set<String> used = DashboardQueries.metricNames(exprs);
    used.addAll(DashboardQueries.metricNames(variable("model").path("definition").asText()));
    Set<String> unknown = new TreeSet<>(used);
    unknown.removeAll(DashboardQueries.allowedSeries());
    assertEquals(Set.of(), unknown, "metric names outside DashboardQueries' lists");
    // Every query reads at least one metric of the lists (none is misspelt into nothing).
    for (String expr : exprs) {
      assertFalse(DashboardQueries.metricNames(expr).isEmpty(), "no known metric in " + expr);
    }
    // And the dashboard shows every application metric.
    Set<String> families = new TreeSet<>();
    used.stream().filter(n -> n.startsWith("mfstream_"))
        .forEach(n -> families.add(DashboardQueries.metricOf(n).name()));
    Set<String> all = new TreeSet<>();
    DashboardQueries.APPLICATION_METRICS.forEach(m -> all.add(m.name()));
    assertEquals(all, families);
  }

  @Test
  void shouldFindMetricNamesInPromQlRoughlyButNotInLabelValues() {
    assertEquals(Set.of("mfstream_sgd_step_seconds_bucket"), DashboardQueries.metricNames(
        "histogram_quantile(0.99, sum by (le, model) "
            + "(rate(mfstream_sgd_step_seconds_bucket{model=~\"$model\"}[$__rate_interval])))"));
    assertEquals(Set.of("process_cpu_usage"), DashboardQueries.metricNames("process_cpu_usage"));
    assertEquals(Set.of("jvm_memory_used_bytes"),
        DashboardQueries.metricNames("sum by (id) (jvm_memory_used_bytes{id=\"jvm_x y\"})"));
    assertEquals(Set.of("kafka_x"), DashboardQueries.metricNames("max(kafka_x) / foo_total"));
  }

  @Test
  void shouldFilterEveryModelLabelledMetricByTheModelVariable() throws IOException {
    Pattern selector = Pattern.compile("(mfstream_[a-z_]+)(\\{[^}]*\\})?");
    for (String expr : DashboardQueries.all(DashboardQueries.DASHBOARD)) {
      Matcher m = selector.matcher(expr);
      while (m.find()) {
        DashboardQueries.Metric metric = DashboardQueries.metricOf(m.group(1));
        if (metric.labels().contains("model")) {
          assertTrue(m.group(2) != null && m.group(2).contains("model=~\"$model\""),
              m.group(1) + " without model=~\"$model\" in " + expr);
        }
      }
    }
  }

  @Test
  void shouldTakeRatesOverRateIntervalAndQuantilesOverBuckets() throws IOException {
    Pattern range = Pattern.compile("\\[([^\\]]*)\\]");
    for (String expr : DashboardQueries.all(DashboardQueries.DASHBOARD)) {
      Matcher m = range.matcher(expr);
      while (m.find()) {
        assertEquals("$__rate_interval", m.group(1), expr);
      }
      if (expr.contains("histogram_quantile")) {
        assertTrue(expr.contains("by (le"), "quantile not aggregated by le: " + expr);
        assertTrue(expr.contains("_bucket"), expr);
      }
    }
  }

  /**
   * No two panels overlap: among the top-level panels as shown (collapsed rows closed), and among
   * each collapsed row's panels, which Grafana lays out below the row when it is opened (moving
   * what follows down).
   */
  @Test
  void shouldLayOutPanelsWithoutOverlap() {
    Set<Integer> ids = new HashSet<>();
    DashboardQueries.panels(dashboard).forEach(p ->
        assertTrue(ids.add(p.path("id").asInt()), "duplicate id " + p.path("id")));
    List<JsonNode> top = new ArrayList<>();
    dashboard.path("panels").forEach(top::add);
    assertNoOverlap(top);
    for (JsonNode row : top) {
      if (row.path("panels").size() > 0) {
        List<JsonNode> inner = new ArrayList<>();
        row.path("panels").forEach(inner::add);
        assertNoOverlap(inner);
        int rowY = row.path("gridPos").path("y").asInt();
        inner.forEach(p -> assertTrue(p.path("gridPos").path("y").asInt() > rowY,
            p.path("title").asText() + " is not below its row"));
      }
    }
  }

  private static void assertNoOverlap(List<JsonNode> panels) {
    for (int i = 0; i < panels.size(); i++) {
      JsonNode a = panels.get(i).path("gridPos");
      String title = panels.get(i).path("title").asText();
      int x = a.path("x").asInt();
      int y = a.path("y").asInt();
      int w = a.path("w").asInt();
      int h = a.path("h").asInt();
      assertTrue(w > 0 && h > 0 && x >= 0 && y >= 0 && x + w <= 24, title + " " + a);
      for (int j = 0; j < i; j++) {
        JsonNode b = panels.get(j).path("gridPos");
        int bx = b.path("x").asInt();
        int by = b.path("y").asInt();
        boolean apart = x + w <= bx || bx + b.path("w").asInt() <= x
            || y + h <= by || by + b.path("h").asInt() <= y;
        assertTrue(apart, title + " overlaps " + panels.get(j).path("title").asText());
      }
    }
  }

  /**
   * Parses every query with promtool (Prometheus's own parser) as a recording rule, the Grafana
   * variables replaced by values. Runs where promtool is installed (Debian: prometheus).
   */
  @Test
  void shouldParseEveryQueryWithPromtool(@TempDir Path dir) throws Exception {
    assumeTrue(DeployFiles.onPath("promtool"),
        "promtool is not installed; skipping the PromQL parse check");
    List<String> exprs = DashboardQueries.all(DashboardQueries.DASHBOARD);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i)
          .replace("$__rate_interval", "1m")
          .replace("$model", ".*");
      rules.append("      - record: dashboard:query").append(i).append('\n')
          .append("        expr: '").append(expr.replace("'", "''")).append("'\n");
    }
    Path file = dir.resolve("rules.yml");
    Files.writeString(file, rules, StandardCharsets.UTF_8);
    Result ok = run("promtool", "check", "rules", file.toString());
    assertEquals(0, ok.exitCode(), ok.output() + "\n" + rules);
    // The check can fail: a broken query is refused.
    Files.writeString(file, "groups:\n  - name: g\n    rules:\n      - record: r\n"
        + "        expr: 'sum by (le (rate(x[1m]))'\n", StandardCharsets.UTF_8);
    assertTrue(run("promtool", "check", "rules", file.toString()).exitCode() != 0);
  }

  /** Runs a command; its exit code, with its output when it is not 0. */
  private static Result run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
    return new Result(p.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
