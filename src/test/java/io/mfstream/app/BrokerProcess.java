package io.mfstream.app;

import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.testing.Await;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kafka broker in a JVM of its own: {@link EmbeddedKafka} (Kafka's own KRaft server, one node,
 * free loopback ports) started by {@link #main} in a child process, so that the application's
 * processes and the test talk to it over the network only, as to any cluster. The child prints
 * {@code BROKER READY <bootstrap>} once it answers, and stops when its standard input closes
 * (the test ended, or died) or on SIGTERM.
 */
final class BrokerProcess implements AutoCloseable {
  static final String READY = "BROKER READY ";
  private static final Pattern READY_LINE = Pattern.compile(READY + "(\\S+)");

  private final Process process;
  private final Path log;
  private final String bootstrapServers;

  private BrokerProcess(Process process, Path log, String bootstrapServers) {
    this.process = process;
    this.log = log;
    this.bootstrapServers = bootstrapServers;
  }

  /** Starts a broker keeping its data in {@code dir/kafka}, its output in {@code dir/broker.log}. */
  static BrokerProcess start(Path dir, Duration timeout) throws IOException {
    Path log = dir.resolve("broker.log");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(List.of(java, "-Xmx512m", "-cp",
        System.getProperty("java.class.path"), BrokerProcess.class.getName(),
        dir.resolve("kafka").toString())).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    try {
      String bootstrap = Await.result(timeout, () -> "the broker to be ready:\n"
          + RunProcess.tail(log), () -> {
            if (!p.isAlive()) {
              throw new AssertionError("the broker process ended:\n" + RunProcess.tail(log));
            }
            Matcher m = READY_LINE.matcher(Files.exists(log) ? Files.readString(log) : "");
            return m.find() ? m.group(1) : null;
          });
      return new BrokerProcess(p, log, bootstrap);
    } catch (RuntimeException | Error e) {
      p.destroyForcibly();
      throw e;
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The child: {@code BrokerProcess LOG_DIR}. */
  public static void main(String[] args) throws Exception {
    EmbeddedKafka kafka = new EmbeddedKafka(Path.of(args[0]), Map.of()).start();
    Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "broker-shutdown"));
    System.out.println(READY + kafka.bootstrapServers());
    System.out.flush();
    while (System.in.read() >= 0) {
      // until the parent closes our standard input (or dies)
    }
    System.exit(0);
  }
}
