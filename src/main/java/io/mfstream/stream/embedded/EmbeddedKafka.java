package io.mfstream.stream.embedded;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Kafka broker, started in this JVM from Kafka's own server classes: KRaft
 * combined mode (one process is both broker and controller, node id 1), listening on free
 * loopback ports of 127.0.0.1 only. It is the default cluster of the pipeline and of the
 * integration tests; the pipeline itself only ever sees {@link #bootstrapServers()}.
 *
 * <p>How it starts: pick two free ports (client and controller listeners; each is found free by
 * binding it and letting it go, so another process could take it in between, and the start then
 * fails with a clear message rather than retrying); format the log
 * directory with Kafka's storage {@link Formatter} (what {@code kafka-storage.sh format} does),
 * unless it is formatted already; build a {@link KafkaConfig}; start a {@link KafkaRaftServer};
 * then wait, with a timeout, until an Admin client's {@code describeCluster} sees the broker.
 *
 * <p>The settings suit one node: the internal topics (consumer offsets, transaction state,
 * share-group state) have replication factor 1 and min ISR 1, so that {@code
 * processing.guarantee=exactly_once_v2} and transactional producers work; {@code
 * group.initial.rebalance.delay.ms=0}; topics are never created automatically (they come from
 * {@code topics/}). Overrides passed to the constructor win over these.
 *
 * <p>With a log directory of its own (a temporary one), {@link #close()} deletes it. A given
 * directory is kept, and a second start on it reuses its data (the quorum is static, so the new
 * ports do not matter). Not thread-safe; start and close from one thread.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

  /** The only node's id. */
  static final int NODE_ID = 1;
  static final String HOST = "127.0.0.1";
  static final String CLIENT_LISTENER = "PLAINTEXT";
  static final String CONTROLLER_LISTENER = "CONTROLLER";
  /** The file by which Kafka marks a formatted log directory. */
  static final String META_PROPERTIES = "meta.properties";
  /** How long {@link #start()} waits for the broker to answer. */
  public static final Duration DEFAULT_START_TIMEOUT = Duration.ofSeconds(60);

  private final Path givenLogDir;
  private final Map<String, String> overrides;
  private int preferredClientPort;

  private Path logDir;
  private boolean ownsLogDir;
  private KafkaRaftServer server;
  private String bootstrapServers;

  /** A broker whose log directory is a fresh temporary folder, deleted by {@link #close()}. */
  public EmbeddedKafka() {
    this(null, Map.of());
  }

  /**
   * A broker that keeps its data in {@code logDir}: created and formatted if new, reused if it
   * was formatted before. {@link #close()} keeps it.
   */
  public EmbeddedKafka(Path logDir) {
    this(logDir, Map.of());
  }

  /**
   * @param logDir where the broker keeps its data, or {@code null} for a temporary folder
   * @param brokerOverrides broker configs that replace the defaults (for example {@code
   *     log.retention.ms}); the listener, node and quorum settings are best left alone
   */
  public EmbeddedKafka(Path logDir, Map<String, String> brokerOverrides) {
    this.givenLogDir = logDir;
    this.overrides = Map.copyOf(brokerOverrides);
  }

  /**
   * Asks for this client port (for example 9092, where Kafka's tools look by default); when it
   * is taken, {@link #start} falls back to a free port. 0, the default, always takes a free one.
   */
  public EmbeddedKafka preferClientPort(int port) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port);
    }
    this.preferredClientPort = port;
    return this;
  }

  /** Starts the broker and waits up to {@link #DEFAULT_START_TIMEOUT} for it to answer. */
  public EmbeddedKafka start() {
    return start(DEFAULT_START_TIMEOUT);
  }

  /**
   * Starts the broker and returns once it accepts client connections.
   *
   * @throws IllegalStateException if it is already started, or could not start (the message says
   *     at which step, and the log directory); whatever was started is shut down again
   */
  public EmbeddedKafka start(Duration timeout) {
    if (server != null) {
      throw new IllegalStateException("the embedded Kafka broker is already started at "
          + bootstrapServers);
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    String step = "preparing the log directory";
    try {
      prepareLogDir();
      step = "finding free ports";
      int clientPort = preferredClientPort > 0 && isFree(preferredClientPort)
          ? preferredClientPort : freePort();
      int controllerPort = freePort();
      bootstrapServers = HOST + ":" + clientPort;
      step = "building the broker config";
      KafkaConfig config =
          KafkaConfig.fromProps(brokerProperties(clientPort, controllerPort), false);
      step = "formatting the log directory";
      format(config);
      step = "starting the broker";
      server = new KafkaRaftServer(config, Time.SYSTEM);
      server.startup();
      step = "waiting for the broker to answer on " + bootstrapServers;
      awaitReady(deadline);
      LOG.info("Embedded Kafka broker ready at {} (log dir {})", bootstrapServers, logDir);
      return this;
    } catch (Exception e) {
      String message = "could not start the embedded Kafka broker: failed " + step
          + " (log dir " + logDir() + "): " + e;
      try {
        close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException(message, e);
    }
  }

  /**
   * The address clients connect to, {@code 127.0.0.1:<port>}.
   *
   * @throws IllegalStateException if the broker is not started
   */
  public String bootstrapServers() {
    if (server == null) {
      throw new IllegalStateException("the embedded Kafka broker is not started");
    }
    return bootstrapServers;
  }

  /** The broker's log directory (known once {@link #start} has begun). */
  public Path logDir() {
    return logDir != null ? logDir : givenLogDir;
  }

  /**
   * Shuts the broker down and waits for it; deletes the log directory if it was a temporary one.
   * Does nothing if the broker is not running.
   */
  @Override
  public void close() {
    KafkaRaftServer running = server;
    server = null;
    bootstrapServers = null;
    if (running != null) {
      running.shutdown();
      running.awaitShutdown();
    }
    if (ownsLogDir && logDir != null) {
      try {
        Utils.delete(logDir.toFile());
      } catch (IOException e) {
        throw new UncheckedIOException(
            "could not delete the embedded broker's log dir " + logDir, e);
      } finally {
        logDir = null;
        ownsLogDir = false;
      }
    }
  }

  /** The broker's configuration: single-node defaults, then the overrides. */
  Properties brokerProperties(int clientPort, int controllerPort) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("process.roles", "broker,controller");
    settings.put("node.id", String.valueOf(NODE_ID));
    settings.put("controller.quorum.voters", NODE_ID + "@" + HOST + ":" + controllerPort);
    settings.put("listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort + ","
        + CONTROLLER_LISTENER + "://" + HOST + ":" + controllerPort);
    settings.put("advertised.listeners", CLIENT_LISTENER + "://" + HOST + ":" + clientPort);
    settings.put("listener.security.protocol.map",
        CLIENT_LISTENER + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
    settings.put("controller.listener.names", CONTROLLER_LISTENER);
    settings.put("inter.broker.listener.name", CLIENT_LISTENER);
    settings.put("log.dirs", logDir.toAbsolutePath().toString());
    // One node: every internal topic has one replica, and one in-sync replica is enough.
    settings.put("default.replication.factor", "1");
    settings.put("min.insync.replicas", "1");
    settings.put("offsets.topic.replication.factor", "1");
    settings.put("offsets.topic.num.partitions", "3");
    settings.put("transaction.state.log.replication.factor", "1");
    settings.put("transaction.state.log.min.isr", "1");
    settings.put("transaction.state.log.num.partitions", "3");
    settings.put("share.coordinator.state.topic.replication.factor", "1");
    settings.put("share.coordinator.state.topic.min.isr", "1");
    settings.put("group.initial.rebalance.delay.ms", "0");
    // Topics come from topics/ only.
    settings.put("auto.create.topics.enable", "false");
    settings.putAll(overrides);
    Properties properties = new Properties();
    properties.putAll(settings);
    return properties;
  }

  private void prepareLogDir() throws IOException {
    if (givenLogDir == null) {
      logDir = Files.createTempDirectory("mfstream-kafka-");
      ownsLogDir = true;
    } else {
      logDir = Files.createDirectories(givenLogDir);
      ownsLogDir = false;
    }
  }

  /**
   * Formats the log directory as {@code kafka-storage.sh format} would, with a new cluster id.
   * A directory that holds a {@code meta.properties} was formatted before: it is left for the
   * broker to check, since the Formatter would reject its cluster id even when told to ignore
   * formatted directories.
   */
  private void format(KafkaConfig config) throws Exception {
    if (Files.exists(logDir.resolve(META_PROPERTIES))) {
      LOG.debug("{} is formatted already", logDir);
      return;
    }
    String dir = logDir.toAbsolutePath().toString();
    PrintStream toLog = new PrintStream(new OutputStream() {
      private final StringBuilder line = new StringBuilder();

      @Override
      public void write(int b) {
        if (b == '\n') {
          LOG.debug("[format] {}", line);
          line.setLength(0);
        } else {
          line.append((char) b);
        }
      }
    }, true, StandardCharsets.UTF_8);
    new Formatter()
        .setPrintStream(toLog)
        .setClusterId(Uuid.randomUuid().toString())
        .setNodeId(config.nodeId())
        .setControllerListenerName(CONTROLLER_LISTENER)
        .setMetadataLogDirectory(config.metadataLogDir())
        .addDirectory(dir)
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        // Transactions v1: with v2 (4.1's default), exactly-once producers here draw a stream of
        // OutOfOrderSequenceException errors in the broker's log after CONCURRENT_TRANSACTIONS
        // retries. The client recovers (results stay exact, see PipelineIntegrationTest), but a
        // new user's console should not fill with broker ERRORs.
        .setFeatureLevel("transaction.version", (short) 1)
        .setIgnoreFormatted(false)
        .run();
  }

  private void awaitReady(long deadline) throws InterruptedException, ExecutionException {
    Map<String, Object> adminConfig = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.CLIENT_ID_CONFIG, "mfstream-embedded-kafka-ready-check");
    try (Admin admin = Admin.create(adminConfig)) {
      while (true) {
        long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (remainingMs <= 0) {
          throw new IllegalStateException("the broker did not answer describeCluster in time");
        }
        try {
          int nodes = admin.describeCluster(new DescribeClusterOptions()
                  .timeoutMs((int) Math.min(remainingMs, Integer.MAX_VALUE)))
              .nodes().get(remainingMs, TimeUnit.MILLISECONDS).size();
          if (nodes > 0) {
            return;
          }
        } catch (java.util.concurrent.TimeoutException e) {
          throw new IllegalStateException("the broker did not answer describeCluster in time", e);
        }
      }
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
      return socket.getLocalPort();
    }
  }
}
