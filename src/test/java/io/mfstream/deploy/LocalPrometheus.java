package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.testing.Await;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server, the {@code prometheus} binary run as a child process of the test:
 * its own generated configuration, its own temporary TSDB directory and its own free loopback
 * port, so it never depends on (or disturbs) a Prometheus service the machine may run.
 *
 * <p>{@link #close()} stops it (SIGTERM, then SIGKILL after 10 s) and waits for it; a shutdown
 * hook does the same if the JVM exits before {@link #close()} ran.
 */
final class LocalPrometheus implements AutoCloseable {

  /** Where Debian's {@code prometheus} package installs the binary. */
  static final Path DEBIAN_BINARY = Path.of("/usr/bin/prometheus");

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final Process process;
  private final Path log;
  private final URI base;
  private final Thread killer;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  private LocalPrometheus(Process process, Path log, URI base, Thread killer) {
    this.process = process;
    this.log = log;
    this.base = base;
    this.killer = killer;
  }

  /**
   * The {@code prometheus} binary: {@code -Dmfstream.prometheus=PATH}, else on the PATH, else
   * Debian's {@code /usr/bin/prometheus}. When there is none the calling test fails if {@code
   * CI} (environment variable or system property) is {@code true}, and is skipped otherwise.
   */
  static Path require() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      String given = System.getProperty("mfstream.prometheus");
      String message = "the prometheus binary is needed to check the dashboard against a real "
          + "Prometheus, and " + (given == null || given.isBlank()
              ? "none is on the PATH, at " + DEBIAN_BINARY + " or given by -Dmfstream.prometheus"
              : "-Dmfstream.prometheus=" + given + " is not an executable file")
          + ". Install it, e.g. 'apt-get install prometheus'.";
      if (onCi()) {
        fail(message + " CI is true, so this fails instead of skipping.");
      }
      assumeTrue(false, message + " Skipped because CI is not true.");
    }
    return found.get();
  }

  static boolean onCi() {
    return "true".equalsIgnoreCase(System.getProperty("CI", System.getenv("CI")));
  }

  private static Optional<Path> find() {
    String given = System.getProperty("mfstream.prometheus");
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    List<Path> candidates = new ArrayList<>();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        candidates.add(Path.of(dir, "prometheus"));
      }
    }
    candidates.add(DEBIAN_BINARY);
    return candidates.stream()
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }

  /**
   * Starts Prometheus scraping {@code target} ({@code host:port}, path {@code /metrics}) every
   * {@code scrapeInterval}, keeping its data and log in {@code dir}, and returns once it is ready.
   */
  static LocalPrometheus start(Path binary, Path dir, String target, Duration scrapeInterval)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String interval = scrapeInterval.toMillis() + "ms";
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, String.join("\n",
        "global:",
        "  scrape_interval: " + interval,
        "  scrape_timeout: " + interval,
        "  evaluation_interval: " + interval,
        "scrape_configs:",
        "  - job_name: mfstream",
        "    metrics_path: /metrics",
        "    static_configs:",
        "      - targets: [\"" + target + "\"]",
        ""), StandardCharsets.UTF_8);
    int port = freeLoopbackPort();
    Path log = dir.resolve("prometheus.log");
    Process process = new ProcessBuilder(binary.toString(),
        "--config.file=" + config,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    Thread killer = new Thread(process::destroyForcibly, "kill-test-prometheus");
    Runtime.getRuntime().addShutdownHook(killer);
    LocalPrometheus prometheus = new LocalPrometheus(process, log,
        URI.create("http://127.0.0.1:" + port), killer);
    try {
      prometheus.awaitReady();
      return prometheus;
    } catch (InterruptedException | RuntimeException | AssertionError e) {
      prometheus.close();
      throw e;
    }
  }

  private void awaitReady() throws InterruptedException {
    String[] last = {"no answer"};
    Await.until(START_TIMEOUT,
        () -> "prometheus to be ready (" + last[0] + "):\n" + logTail(), () -> {
          if (!process.isAlive()) {
            fail("prometheus exited with " + process.exitValue() + " before it was ready:\n"
                + logTail());
          }
          try {
            HttpResponse<String> r = get("/-/ready");
            if (r.statusCode() == 200) {
              return true;
            }
            last[0] = r.statusCode() + " " + r.body();
          } catch (IOException e) {
            last[0] = e.toString();
          }
          return false;
        });
  }

  /**
   * Waits until every active target's health is {@code up}.
   *
   * @throws AssertionError naming each target's health and last scrape error on timeout
   */
  void awaitTargetsUp(Duration timeout) throws Exception {
    JsonNode[] targets = {null};
    Await.until(timeout, () -> "the scrape targets to be up: " + targets[0], () -> {
      targets[0] = api("/api/v1/targets").path("data").path("activeTargets");
      boolean up = targets[0].size() > 0;
      for (JsonNode t : targets[0]) {
        up &= "up".equals(t.path("health").asText());
      }
      return up;
    });
  }

  /** An instant query's {@code data}, or an {@link ApiException} with Prometheus's error. */
  JsonNode query(String promql) throws IOException, InterruptedException {
    return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8))
        .path("data");
  }

  /** The values of a label, optionally only of the series matching {@code match}. */
  List<String> labelValues(String label, String match) throws IOException, InterruptedException {
    String path = "/api/v1/label/" + label + "/values"
        + (match == null ? "" : "?match[]=" + URLEncoder.encode(match, StandardCharsets.UTF_8));
    List<String> out = new ArrayList<>();
    api(path).path("data").forEach(v -> out.add(v.asText()));
    return out;
  }

  /** The last lines of Prometheus's own log, for failure messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private JsonNode api(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> r = get(pathAndQuery);
    JsonNode body;
    try {
      body = JSON.readTree(r.body());
    } catch (IOException e) {
      throw new ApiException(r.statusCode() + " " + r.body());
    }
    if (r.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
      throw new ApiException(r.statusCode() + " " + body.path("errorType").asText() + ": "
          + body.path("error").asText());
    }
    return body;
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery))
        .timeout(Duration.ofSeconds(10)).GET().build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** Stops Prometheus: SIGTERM, SIGKILL if it has not exited within 10 s; waits for it. */
  @Override
  public void close() {
    try {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(killer);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    if (process.isAlive()) {
      throw new IllegalStateException("prometheus (pid " + process.pid() + ") did not stop");
    }
  }

  /** Prometheus answered an API call with an error (a bad query, for example). */
  static final class ApiException extends IOException {
    ApiException(String message) {
      super(message);
    }
  }

  private static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
