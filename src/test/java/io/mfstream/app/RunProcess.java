package io.mfstream.app;

import io.mfstream.testing.Await;
import java.io.IOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code run} command in a process of its own ({@code java ... Main run --config FILE
 * --no-replay --status-every 1}), its output in a log file: what the test reads of it is its
 * log, its HTTP port and its exit code.
 */
final class RunProcess implements AutoCloseable {
  /** A trainer task starting: {@code model NAME: ... at version V, N ratings learned, ...}. */
  private static final Pattern TASK_START = Pattern.compile(
      "model (\\S+): .* at version (\\d+), (\\d+) ratings learned, \\d+ pending \\((created|restored)");
  private static final Pattern ANSWERED = Pattern.compile("\\| answered ([\\d,]+)");

  final String name;
  final Path log;
  final Process process;

  private RunProcess(String name, Path log, Process process) {
    this.name = name;
    this.log = log;
    this.process = process;
  }

  /** Writes {@code settings} to {@code dir/NAME.properties} and starts {@code run} on it. */
  static RunProcess start(Path dir, String name, Map<String, String> settings, Path exportDir,
      String... extra) throws IOException {
    Path config = dir.resolve(name + ".properties");
    Properties p = new Properties();
    p.putAll(settings);
    try (Writer w = Files.newBufferedWriter(config)) {
      p.store(w, null);
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx768m", "-cp",
        System.getProperty("java.class.path"), "io.mfstream.cli.Main", "run", "--config",
        config.toString(), "--no-replay", "--status-every", "1"));
    if (exportDir != null) {
      cmd.addAll(List.of("--export-dir", exportDir.toString()));
    }
    cmd.addAll(List.of(extra));
    Path log = dir.resolve(name + ".log");
    Process process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new RunProcess(name, log, process);
  }

  /** Waits until the log has {@code line}; fails at once if the process ended. */
  void awaitLog(String line, Duration timeout) {
    Await.until(timeout, () -> "'" + line + "' in " + name + "'s log:\n" + tail(log), () -> {
      if (log().contains(line)) {
        return true;
      }
      if (!process.isAlive()) {
        throw new AssertionError(name + " ended (exit " + process.exitValue() + "):\n"
            + tail(log));
      }
      return false;
    });
  }

  String log() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The trainer tasks this process started, in order: model name and the ratings it had learned
   * when the task started (restored from its store, or created empty).
   */
  List<Map.Entry<String, Long>> taskStarts() {
    List<Map.Entry<String, Long>> out = new ArrayList<>();
    Matcher m = TASK_START.matcher(log());
    while (m.find()) {
      out.add(Map.entry(m.group(1), Long.parseLong(m.group(3))));
    }
    return out;
  }

  /** Requests this process answered over the topics, from its last status line (0 before one). */
  long answered() {
    Matcher m = ANSWERED.matcher(log());
    long last = 0;
    while (m.find()) {
      last = Long.parseLong(m.group(1).replace(",", ""));
    }
    return last;
  }

  /**
   * Each model's version in this process's status lines, first and last seen with a rating
   * scored ({@code | NAME vVERSION rmse}): a model whose last is above its first trained here.
   */
  Map<String, long[]> versions(List<String> models) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String model : models) {
      Matcher m = Pattern.compile("\\| " + Pattern.quote(model) + " v([\\d,]+) rmse")
          .matcher(log());
      while (m.find()) {
        long v = Long.parseLong(m.group(1).replace(",", ""));
        out.computeIfAbsent(model, k -> new long[] {v, v})[1] = v;
      }
    }
    return out;
  }

  /** SIGTERM, and waits for a clean stop; returns the exit code (0, or 143 for the signal). */
  int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError(name + " did not stop within " + timeout + ":\n" + tail(log));
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook, no commit, no leaving the group. */
  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

  /** A free port on the loopback interface, for a process's HTTP server. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The log's last 30 lines, for a failure's message. */
  static String tail(Path log) {
    if (!Files.exists(log)) {
      return "(not started)";
    }
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
