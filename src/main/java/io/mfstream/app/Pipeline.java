package io.mfstream.app;

import io.mfstream.stream.PipelineSettings;
import io.mfstream.stream.PipelineTopology;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.serde.Topic;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.serve.Replicas;
import io.mfstream.stream.serve.SeenItemsStore;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.train.SnapshotRequests;
import io.mfstream.stream.train.TrainProcessor;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.stream.validate.RejectionCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running pipeline: the embedded broker when no cluster is configured, the topics, and the
 * two Kafka Streams applications of {@link PipelineTopology}, core and serving (with the
 * instance's {@link Replicas}). {@link #close()} stops all of it.
 *
 * <p>On the embedded broker, the broker's data and the state directory (unless {@code state.dir}
 * is set explicitly) live in one temporary folder deleted on close: an embedded run starts
 * afresh every time, so stale local state can never meet a new, empty broker.
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(60);

  private final AppConfig config;
  private final StatusBoard board;
  private final EmbeddedKafka broker;
  private final Path tempDir;
  private final String bootstrapServers;
  private final KafkaStreams streams;
  private final SnapshotRequests snapshots;
  private final Replicas replicas;
  /** The serving application: replicas and answers, on threads of its own. */
  private final KafkaStreams serving;
  private volatile Throwable failure;

  private Pipeline(AppConfig config, StatusBoard board, EmbeddedKafka broker, Path tempDir,
      String bootstrapServers, KafkaStreams streams, KafkaStreams serving,
      SnapshotRequests snapshots, Replicas replicas) {
    this.serving = serving;
    this.snapshots = snapshots;
    this.replicas = replicas;
    this.config = config;
    this.board = board;
    this.broker = broker;
    this.tempDir = tempDir;
    this.bootstrapServers = bootstrapServers;
    this.streams = streams;
  }

  /** The serving application (replicas and answers), beside {@link #streams}. */
  public KafkaStreams serving() {
    return serving;
  }

  /**
   * The state of the pipeline as a whole: the core application's while it is not RUNNING, else
   * the serving application's.
   */
  public KafkaStreams.State state() {
    KafkaStreams.State core = streams.state();
    return core != KafkaStreams.State.RUNNING ? core : serving.state();
  }

  /**
   * Starts everything and returns once both Kafka Streams applications are started (not
   * necessarily RUNNING yet: see {@link #awaitRunning}).
   *
   * @param metrics where the pipeline reports events
   * @param board where trainers publish their status
   * @param counts where rejections are counted
   */
  public static Pipeline start(AppConfig config, PipelineMetrics metrics, StatusBoard board,
      RejectionCounts counts) throws IOException, InterruptedException {
    PipelineSettings settings = config.pipeline();
    StringBuilder described = new StringBuilder();
    config.describe().forEach((k, v) -> described.append("\n  ").append(k).append('=').append(v));
    LOG.info("settings (secrets masked):{}", described);
    List<TopicDefinition> topics = TopicDefinitions.load(config.topicsDir());
    EmbeddedKafka broker = null;
    Path tempDir = null;
    String bootstrap;
    Properties props;
    try {
      if (config.embedded()) {
        tempDir = Files.createTempDirectory("mfstream-embedded-");
        broker = new EmbeddedKafka(tempDir.resolve("kafka"), Map.of())
            .preferClientPort(config.embeddedPort()).start();
        bootstrap = broker.bootstrapServers();
        props = config.streamsProperties(bootstrap);
        if (!config.isExplicit("state.dir")) {
          props.put("state.dir", tempDir.resolve("state").toString());
        }
      } else {
        bootstrap = config.get("bootstrap.servers");
        props = config.streamsProperties(bootstrap);
      }
      int validPartitions = prepareTopics(config, bootstrap, topics, settings.models().size(),
          props.getProperty(StreamsConfig.REPLICATION_FACTOR_CONFIG));
      props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG,
          Integer.toString(config.streamThreads(validPartitions)));
      SnapshotRequests snapshots = new SnapshotRequests();
      Replicas replicas = new Replicas(settings.modelNames());
      KafkaStreams streams = new KafkaStreams(
          PipelineTopology.core(settings, board, metrics, counts, snapshots), props);
      Properties servingProps = config.servingStreamsProperties(bootstrap);
      servingProps.put(StreamsConfig.STATE_DIR_CONFIG, props.get(StreamsConfig.STATE_DIR_CONFIG));
      KafkaStreams serving = new KafkaStreams(PipelineTopology.serving(config.applicationId(),
          replicas, metrics), servingProps);
      Pipeline p = new Pipeline(config, board, broker, tempDir, bootstrap, streams,
          serving, snapshots, replicas);
      for (KafkaStreams k : List.of(streams, serving)) {
        k.setUncaughtExceptionHandler(e -> {
          p.failure = e;
          LOG.error("the pipeline stopped: {}", rootMessage(e), e);
          return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
      }
      streams.start();
      serving.start();
      LOG.info("pipeline {} started on {} with models {}", config.applicationId(), bootstrap,
          settings.modelNames());
      return p;
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (broker != null) {
        broker.close();
      }
      deleteQuietly(tempDir);
      throw e;
    }
  }

  /** Creates or checks the topics; returns the partitions of {@code ratings-valid}. */
  private static int prepareTopics(AppConfig config, String bootstrap,
      List<TopicDefinition> topics, int models, String replicationFactor)
      throws InterruptedException {
    Map<String, Object> admin = new HashMap<>(config.kafkaClientSettings());
    admin.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    try (Admin a = Admin.create(admin)) {
      if (config.createTopics()) {
        TopicCreator.Result r = TopicCreator.createAll(a, topics, ADMIN_TIMEOUT);
        if (!r.created().isEmpty()) {
          LOG.info("created topics {}", r.created());
        }
      }
      // TopicCreator returns once the topics it created are listed, so one look suffices.
      Set<String> present = a.listTopics().names().get(ADMIN_TIMEOUT.toMillis(),
          TimeUnit.MILLISECONDS);
      List<String> missing = Topics.ALL.stream().map(Topic::name)
          .filter(t -> !present.contains(t)).sorted().toList();
      if (!missing.isEmpty()) {
        throw new IllegalStateException("topics missing on " + bootstrap + ": " + missing
            + "; create them from " + config.topicsDir() + " (or set topics.create=true)");
      }
      Map<String, TopicDescription> inputs = a.describeTopics(List.of(Topics.RATINGS.name(),
          Topics.RATINGS_VALID.name())).allTopicNames()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      TopicDescription valid = inputs.get(Topics.RATINGS_VALID.name());
      PipelineTopology.checkPartitions(Topics.RATINGS_VALID.name(), valid.partitions().size(),
          models);
      createFeeds(a, config.applicationId(), inputs.get(Topics.RATINGS.name()), valid,
          replicationFactor);
      // Before joining: refuse to share the work of running instances configured otherwise.
      short rf = replicationFactor == null ? -1 : Short.parseShort(replicationFactor.trim());
      SettingsGuard.check(a, bootstrap, config.kafkaClientSettings(), config.applicationId(),
          config.pipeline(), rf >= 1 ? rf
              : (short) inputs.get(Topics.RATINGS.name()).partitions().get(0).replicas().size(),
          ADMIN_TIMEOUT);
      return valid.partitions().size();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot prepare the topics on " + bootstrap + ": "
          + rootMessage(e), e);
    }
  }

  /**
   * Creates the changelogs of the stores the replicas read, if missing, before anything starts:
   * Kafka Streams would create them at the core application's first rebalance, but the serving
   * application's replicas read them from its start. They are what Kafka Streams creates:
   * compacted, with a partition per task, so per partition of the store's input topic
   * ({@code ratings-valid} for the trainers' {@code model-state}, {@code ratings} for the
   * validation's {@code seen-items}), replicated as Kafka Streams' {@code replication.factor}
   * says or else as the input topic is. An existing one with another partition count is refused
   * here, with the way out, rather than by Kafka Streams later.
   */
  private static void createFeeds(Admin a, String applicationId, TopicDescription ratings,
      TopicDescription valid, String replicationFactor) throws InterruptedException {
    short rf = replicationFactor == null ? -1 : Short.parseShort(replicationFactor.trim());
    Map<String, TopicDescription> inputs = Map.of(
        PipelineTopology.changelog(applicationId, TrainProcessor.STORE), valid,
        PipelineTopology.changelog(applicationId, SeenItemsStore.STORE), ratings);
    List<TopicDefinition> feeds = new ArrayList<>();
    for (Map.Entry<String, TopicDescription> e : inputs.entrySet()) {
      List<TopicPartitionInfo> partitions = e.getValue().partitions();
      feeds.add(new TopicDefinition(e.getKey(), partitions.size(),
          rf >= 1 ? rf : (short) partitions.get(0).replicas().size(), Map.of(
              TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT,
              TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "CreateTime")));
    }
    TopicCreator.Result r = TopicCreator.createAll(a, feeds, ADMIN_TIMEOUT);
    if (!r.created().isEmpty()) {
      LOG.info("created the store changelogs the replicas read {}", r.created());
    }
    for (TopicCreator.PartitionMismatch m : r.partitionMismatches()) {
      String input = inputs.get(m.topic()).name();
      throw new IllegalStateException("topic " + m.topic() + " has " + m.actual()
          + " partitions but " + input + " has " + m.defined() + ": a store's changelog needs "
          + "one partition per partition of its input topic. After changing " + input
          + "'s partitions, start under a new application.id (docs/UPGRADING.md)");
    }
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  public boolean embedded() {
    return broker != null;
  }

  /** The core application: validation and training. */
  public KafkaStreams streams() {
    return streams;
  }

  /** The models as this instance serves them (in memory, from the trainers' changelogs). */
  public Replicas replicas() {
    return replicas;
  }

  public StatusBoard board() {
    return board;
  }

  /** Where snapshots and inspections of the trainers are asked for (served by their tasks). */
  public SnapshotRequests snapshotRequests() {
    return snapshots;
  }

  /** The error that stopped the pipeline, or null. */
  public Throwable failure() {
    return failure;
  }

  /**
   * Waits until both Kafka Streams applications are RUNNING (the serving one once its replicas
   * are whole).
   *
   * @throws IllegalStateException if it failed or did not get there in time
   */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (state() != KafkaStreams.State.RUNNING) {
      KafkaStreams.State s = state();
      if (failure != null || s == KafkaStreams.State.ERROR
          || s == KafkaStreams.State.NOT_RUNNING || s == KafkaStreams.State.PENDING_ERROR) {
        throw new IllegalStateException("the pipeline stopped while starting"
            + (failure == null ? "" : ": " + rootMessage(failure)));
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pipeline was not running after " + timeout
            + " (state " + s + ")");
      }
      Thread.sleep(50);
    }
  }

  /**
   * Waits until every model has scored at least {@code n} ratings, or stopped learning (a
   * degraded model scores no more).
   *
   * @throws IllegalStateException if the pipeline failed, or the models did not get there in time
   */
  public void awaitScored(long n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean done = true;
      for (String model : config.modelNames()) {
        ModelStatus s = board.get(model);
        done &= s != null && (s.scored() >= n || s.isDegraded());
      }
      if (done) {
        return;
      }
      if (failure != null) {
        throw new IllegalStateException("the pipeline failed: " + rootMessage(failure), failure);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not all models scored " + n + " ratings within "
            + timeout + ": " + board.all());
      }
      Thread.sleep(20);
    }
  }

  /**
   * Writes a snapshot of a model ({@code MFSNAP}, the format {@code train --save} writes and
   * {@code model.NAME.warm.start} reads), taken by its trainer between two ratings.
   *
   * @throws IllegalArgumentException if no such model is configured
   * @throws IllegalStateException if the trainer did not write it within the timeout (is the
   *     pipeline running, and is this instance the one that trains the model?)
   */
  public Path exportSnapshot(String model, Path file, Duration timeout)
      throws InterruptedException, IOException {
    if (!config.modelNames().contains(model)) {
      throw new IllegalArgumentException("no model named " + model + " (models: "
          + config.modelNames() + ")");
    }
    try {
      return snapshots.request(model, file).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new IOException("exporting " + model + " to " + file + ": " + rootMessage(e), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("model " + model + " was not exported within " + timeout
          + ": its trainer task is not running in this instance");
    }
  }

  /**
   * The largest current consumer lag over the application's input partitions, in records (0
   * before any fetch), from each partition's latest fetch.
   */
  public long maxLag() {
    double max = 0;
    for (Map.Entry<MetricName, ? extends Metric> e : streams.metrics().entrySet()) {
      MetricName n = e.getKey();
      if (n.name().equals("records-lag") && n.group().equals("consumer-fetch-manager-metrics")
          && n.tags().containsKey("partition")) {
        Object v = e.getValue().metricValue();
        if (v instanceof Number num && Double.isFinite(num.doubleValue())) {
          max = Math.max(max, num.doubleValue());
        }
      }
    }
    return (long) max;
  }

  @Override
  public void close() {
    try {
      // Leaving the group on close takes effect for static members (group.instance.id); a
      // dynamic member's tasks move once its session times out (session.timeout.ms).
      KafkaStreams.CloseOptions options = new KafkaStreams.CloseOptions()
          .timeout(Duration.ofSeconds(60)).leaveGroup(true);
      try {
        serving.close(options);
      } finally {
        streams.close(options);
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
      deleteQuietly(tempDir);
    }
  }

  /** The message of the innermost cause of {@code e}: what went wrong, without the wrappers. */
  public static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  public static void deleteQuietly(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      List<Path> paths = new ArrayList<>(all.sorted(Comparator.reverseOrder()).toList());
      for (Path p : paths) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("could not delete {}: {}", dir, e.getMessage());
    }
  }
}
