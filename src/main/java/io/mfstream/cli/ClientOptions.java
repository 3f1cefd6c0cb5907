package io.mfstream.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.CommonClientConfigs;
import picocli.CommandLine.Option;

/** How the client commands reach Kafka: the cluster, and extra client settings from a file. */
final class ClientOptions {
  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      defaultValue = "127.0.0.1:9092", description = "The Kafka cluster (default: "
      + "${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--client-config", paramLabel = "FILE", description = "Extra client "
      + "settings (security.protocol, sasl.*, ssl.*).")
  Path clientConfig;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "15",
      description = "Give up, naming the address and the likely cause (exit code 3), when the "
      + "cluster cannot be used within this long (default: ${DEFAULT-VALUE}).")
  double connectTimeout;

  /**
   * The settings, once the cluster answered and has {@code topics} (see {@link BrokerCheck}).
   */
  Map<String, Object> reachableSettings(java.util.Collection<String> topics)
      throws IOException, InterruptedException {
    Map<String, Object> s = settings();
    BrokerCheck.require(s, connectTimeout(connectTimeout), "--bootstrap-servers", topics);
    return s;
  }

  /** {@code --connect-timeout} as a duration, refused unless more than 0 s. */
  static java.time.Duration connectTimeout(double seconds) {
    if (!(seconds > 0) || seconds > 86_400) {
      throw new IllegalArgumentException("--connect-timeout must be more than 0 and at most "
          + "86400 seconds, got " + seconds);
    }
    return java.time.Duration.ofMillis(Math.max(1, (long) (seconds * 1000)));
  }

  /** The file's settings plus the bootstrap servers. */
  Map<String, Object> settings() throws IOException {
    Map<String, Object> settings = readProperties(clientConfig);
    settings.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    return settings;
  }

  /** The settings of a client properties file, in file order of keys, or none for null. */
  static Map<String, Object> readProperties(Path file) throws IOException {
    Map<String, Object> settings = new LinkedHashMap<>();
    if (file == null) {
      return settings;
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    }
    for (String k : p.stringPropertyNames()) {
      settings.put(k, p.getProperty(k));
    }
    return settings;
  }
}
