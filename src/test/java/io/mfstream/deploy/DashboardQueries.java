package io.mfstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The PromQL of the Grafana dashboard ({@code monitoring/grafana/dashboards/mfstream.json}) and
 * the metric names it may use: one place for the dashboard's test and for a test that checks the
 * names against a real scrape of the running application.
 */
public final class DashboardQueries {

  /** The project's dashboard, relative to the project's root. */
  public static final Path DASHBOARD = Path.of("monitoring", "grafana", "dashboards", "mfstream.json");

  /** What kind of Micrometer meter a metric is, which decides the series it exposes. */
  public enum Kind {
    /** One series, the name as given (a counter's name ends in {@code _total}). */
    PLAIN(List.of("")),
    /** A timer with a histogram: {@code _bucket}, {@code _count}, {@code _sum}, {@code _max}. */
    TIMER_HISTOGRAM(List.of("_bucket", "_count", "_sum", "_max")),
    /** A distribution summary without a histogram: {@code _count}, {@code _sum}, {@code _max}. */
    SUMMARY(List.of("_count", "_sum", "_max"));

    private final List<String> suffixes;

    Kind(List<String> suffixes) {
      this.suffixes = suffixes;
    }
  }

  /** One metric the application exports, its Prometheus name (before suffixes) and labels. */
  public record Metric(String name, Kind kind, Set<String> labels) {
    /** The names of the series Prometheus scrapes for this metric. */
    public List<String> seriesNames() {
      return kind.suffixes.stream().map(s -> name + s).toList();
    }
  }

  /** The application's own metrics (Prometheus names as scraped), the only mfstream_* allowed. */
  public static final List<Metric> APPLICATION_METRICS = List.of(
      new Metric("mfstream_ratings_received_total", Kind.PLAIN, Set.of()),
      new Metric("mfstream_ratings_rejected_total", Kind.PLAIN, Set.of("reason")),
      new Metric("mfstream_ratings_scored_total", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_ratings_trained_total", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_cold_starts_total", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_rmse_rolling", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_rmse_overall", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_rmse_window_ratings", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_model_version", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_model_degraded", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_model_vocabulary_ids", Kind.PLAIN, Set.of("model", "side")),
      new Metric("mfstream_model_pending_ratings", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_segment_rmse", Kind.PLAIN, Set.of("model", "side", "segment")),
      new Metric("mfstream_ranking_hit_rate", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_ranking_ndcg", Kind.PLAIN, Set.of("model")),
      new Metric("mfstream_sgd_step_seconds", Kind.TIMER_HISTOGRAM, Set.of("model")),
      new Metric("mfstream_learning_delay_seconds", Kind.TIMER_HISTOGRAM, Set.of("model")),
      new Metric("mfstream_request_latency_seconds", Kind.TIMER_HISTOGRAM, Set.of("kind")),
      new Metric("mfstream_sgd_batch_size_ratings", Kind.SUMMARY, Set.of("model")));

  /** Micrometer's standard JVM and process binders: the series the dashboard may use. */
  public static final Set<String> JVM_SERIES = Set.of(
      "jvm_memory_used_bytes",
      "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_max",
      "process_cpu_usage", "system_cpu_usage",
      "jvm_threads_live_threads",
      "process_uptime_seconds");

  /**
   * Kafka's own metrics as Micrometer's KafkaStreamsMetrics binder names them (group without
   * {@code -metrics}, then the metric name, {@code -} and {@code .} as {@code _}). Kept few on
   * purpose: each is checked against a real scrape.
   */
  public static final Set<String> KAFKA_SERIES = Set.of(
      "kafka_consumer_fetch_manager_records_lag_max",
      "kafka_stream_thread_process_rate",
      "kafka_stream_state_size_all_mem_tables",
      "kafka_stream_state_estimate_num_keys",
      "kafka_stream_state_total_sst_files_size");

  /** The prefixes of the metric names a query may use. */
  public static final List<String> PREFIXES =
      List.of("mfstream_", "kafka_", "jvm_", "process_", "system_");

  private static final Pattern METRIC_NAME = Pattern.compile(
      "(?<![A-Za-z0-9_:\"'$])((?:mfstream|kafka|jvm|process|system)_[A-Za-z0-9_:]*)"
          + "(?=[{\\[)\\s]|$)");

  private DashboardQueries() {}

  /** Every series name of {@link #APPLICATION_METRICS}. */
  public static Set<String> applicationSeries() {
    Set<String> names = new TreeSet<>();
    APPLICATION_METRICS.forEach(m -> names.addAll(m.seriesNames()));
    return names;
  }

  /** Every series name the dashboard may use: application, JVM and Kafka. */
  public static Set<String> allowedSeries() {
    Set<String> names = new TreeSet<>(applicationSeries());
    names.addAll(JVM_SERIES);
    names.addAll(KAFKA_SERIES);
    return names;
  }

  /** The application metric a series belongs to, such as the timer of a {@code _bucket}. */
  public static Metric metricOf(String series) {
    for (Metric m : APPLICATION_METRICS) {
      if (m.seriesNames().contains(series)) {
        return m;
      }
    }
    throw new IllegalArgumentException(series + " is not an application metric's series");
  }

  /**
   * The {@code expr} of every query of every panel of a dashboard file, panels in collapsed rows
   * included, in the order of the file.
   */
  public static List<String> all(Path dashboardJson) throws IOException {
    List<String> exprs = new ArrayList<>();
    byPanel(dashboardJson).values().forEach(exprs::addAll);
    return exprs;
  }

  /**
   * The queries of each panel that has any, by "id title", panels in collapsed rows included.
   */
  public static Map<String, List<String>> byPanel(Path dashboardJson) throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(dashboardJson.toFile());
    Map<String, List<String>> out = new LinkedHashMap<>();
    for (JsonNode panel : panels(dashboard)) {
      List<String> exprs = new ArrayList<>();
      for (JsonNode target : panel.path("targets")) {
        if (target.hasNonNull("expr")) {
          exprs.add(target.get("expr").asText());
        }
      }
      if (!exprs.isEmpty()) {
        out.put(panel.path("id").asText() + " " + panel.path("title").asText(), exprs);
      }
    }
    return out;
  }

  /** Every panel of a dashboard, rows too, with the panels of collapsed rows after their row. */
  public static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      out.add(panel);
      for (JsonNode inner : panel.path("panels")) {
        out.add(inner);
      }
    }
    return out;
  }

  /**
   * The metric names a PromQL expression uses, roughly: identifiers with one of {@link
   * #PREFIXES} that are followed by {@code {}, {@code [}, {@code )}, white space or the end.
   * Names inside quotes (label values) are not taken.
   */
  public static Set<String> metricNames(String expr) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC_NAME.matcher(withoutStrings(expr));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** The metric names of all the expressions. */
  public static Set<String> metricNames(Collection<String> exprs) {
    Set<String> names = new TreeSet<>();
    exprs.forEach(e -> names.addAll(metricNames(e)));
    return names;
  }

  /** The expression with the contents of its string literals blanked out. */
  static String withoutStrings(String expr) {
    StringBuilder out = new StringBuilder(expr.length());
    char quote = 0;
    for (int i = 0; i < expr.length(); i++) {
      char c = expr.charAt(i);
      if (quote == 0) {
        if (c == '"' || c == '\'' || c == '`') {
          quote = c;
        }
        out.append(c);
      } else if (c == '\\' && quote != '`' && i + 1 < expr.length()) {
        out.append("  ");
        i++;
      } else if (c == quote) {
        quote = 0;
        out.append(c);
      } else {
        out.append(' ');
      }
    }
    return out.toString();
  }
}
