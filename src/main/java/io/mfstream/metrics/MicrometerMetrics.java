package io.mfstream.metrics;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.validate.Reason;
import io.mfstream.stream.validate.RejectionCounts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.apache.kafka.streams.KafkaStreams;

/**
 * The pipeline's metrics in a Micrometer {@link PrometheusMeterRegistry}, served as Prometheus
 * text by {@link #scrape()}. See {@code docs/METRICS.md} for every name.
 *
 * <ul>
 *   <li>Events ({@link PipelineMetrics}) are counted and timed as they are reported.
 *   <li>Per-model state (version, vocabulary, RMSE, counts) is read from the {@link StatusBoard}
 *       when scraped: nothing is copied, so the metrics never lag the board.
 *   <li>Rejections per {@link Reason} are read from {@link RejectionCounts} when scraped; every
 *       reason is there from the start, at 0.
 *   <li>JVM and process metrics are bound at construction; Kafka's own client, stream and RocksDB
 *       metrics once {@link #bindKafkaStreams(KafkaStreams)} is called.
 * </ul>
 *
 * <p>A model's meters are registered the first time its name is seen: when it is declared on or
 * publishes to the board (checked at each {@link #scrape()}), or when an event names it. Labels
 * are only model names, reason codes, request kinds and the vocabulary side: never a user or item
 * id. Thread-safe: the event methods may be called from any stream thread.
 */
public final class MicrometerMetrics implements PipelineMetrics, AutoCloseable {

  /** The content type of {@link #scrape()}: the Prometheus text format 0.0.4. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How often Kafka's metric list is checked for new metrics (e.g. a RocksDB store opened). */
  public static final Duration DEFAULT_KAFKA_REFRESH = Duration.ofSeconds(10);

  /** Bucket bounds of {@code mfstream_sgd_step_seconds}. */
  static final Duration[] STEP_BUCKETS = millis(
      0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000);
  /** Bucket bounds of {@code mfstream_learning_delay_seconds}. */
  static final Duration[] LEARNING_DELAY_BUCKETS = millis(
      10, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000);
  /** Bucket bounds of {@code mfstream_request_latency_seconds}. */
  static final Duration[] REQUEST_LATENCY_BUCKETS = millis(
      1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000);
  /** Bucket bounds of {@code mfstream_sgd_batch_size_ratings}. */
  static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};

  // Held here because Micrometer's function counters and gauges hold their objects weakly.
  private final StatusBoard board;
  private final RejectionCounts rejections;
  private final PrometheusMeterRegistry registry;
  private final Map<String, ModelMeters> models = new ConcurrentHashMap<>();
  private final Map<RequestKind, Timer> requestLatency = new EnumMap<>(RequestKind.class);
  private final io.micrometer.core.instrument.Counter received;
  private final JvmGcMetrics jvmGc;
  /** Runs the Kafka bindings' refreshes; created with the first binding. */
  private ScheduledExecutorService kafkaRefresher;
  private final List<KafkaBinding> kafkaBindings = new ArrayList<>();
  private boolean closed;

  /**
   * Metrics over {@code board} and {@code rejections}, with the JVM and process binders bound.
   *
   * @param board where each model's latest status is read from
   * @param rejections where rejections per reason are read from (share it with the validation
   *     step)
   */
  public MicrometerMetrics(StatusBoard board, RejectionCounts rejections) {
    this.board = Objects.requireNonNull(board, "board");
    this.rejections = Objects.requireNonNull(rejections, "rejections");
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    received = io.micrometer.core.instrument.Counter.builder("mfstream.ratings.received")
        .description("Records read from the ratings topic, valid or not")
        .register(registry);
    for (Reason reason : Reason.values()) {
      FunctionCounter.builder("mfstream.ratings.rejected", rejections, r -> r.get(reason))
          .description("Records of the ratings topic sent to ratings-dlq, by reason")
          .tag("reason", reasonLabel(reason))
          .register(registry);
    }
    for (RequestKind kind : RequestKind.values()) {
      requestLatency.put(kind, Timer.builder("mfstream.request.latency")
          .description("From a request's record timestamp to its answer")
          .tag("kind", kind.label())
          .serviceLevelObjectives(REQUEST_LATENCY_BUCKETS)
          .register(registry));
    }

    new JvmMemoryMetrics().bindTo(registry);
    jvmGc = new JvmGcMetrics();
    jvmGc.bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);

    registerBoardModels();
  }

  /** The value of the {@code reason} label for {@code reason}: its header code, lower-case. */
  public static String reasonLabel(Reason reason) {
    return reason.name().toLowerCase(Locale.ROOT);
  }

  /**
   * Every metric in the Prometheus text format ({@link #CONTENT_TYPE}). Registers the meters of
   * models that appeared on the board since the last call first.
   */
  public String scrape() {
    registerBoardModels();
    return registry.scrape();
  }

  /**
   * The registry behind {@link #scrape()}, for binding more meters. Models that appeared on the
   * board since the last {@link #scrape()} are not in it yet.
   */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  @Override
  public void ratingReceived() {
    received.increment();
  }

  @Override
  public void stepTaken(String model, int batchSize, long nanos) {
    ModelMeters meters = meters(model);
    meters.step.record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    meters.batchSize.record(batchSize);
  }

  @Override
  public void ratingLearned(String model, long delayMillis) {
    meters(model).learningDelay.record(Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
  }

  @Override
  public void requestAnswered(RequestKind kind, long latencyMillis) {
    requestLatency.get(kind).record(Math.max(0, latencyMillis), TimeUnit.MILLISECONDS);
  }

  /**
   * Binds Kafka's own metrics of {@code streams} (its clients, stream threads, tasks, state
   * stores and RocksDB) with Micrometer's {@link KafkaStreamsMetrics}, checking for new ones
   * every {@link #DEFAULT_KAFKA_REFRESH}.
   *
   * @return the binding; closing it removes those meters (do it when {@code streams} is closed
   *     for good). {@link #close()} closes every binding still open.
   */
  public Binding bindKafkaStreams(KafkaStreams streams) {
    return bindKafkaStreams(streams, DEFAULT_KAFKA_REFRESH);
  }

  /**
   * Like {@link #bindKafkaStreams(KafkaStreams)}, checking for new Kafka metrics every {@code
   * refresh}. Metrics that exist when this is called are bound at once; those that appear later
   * (stream threads, tasks and state stores after a rebalance) within {@code refresh}.
   */
  public synchronized Binding bindKafkaStreams(KafkaStreams streams, Duration refresh) {
    Objects.requireNonNull(streams, "streams");
    if (refresh.isNegative() || refresh.isZero()) {
      throw new IllegalArgumentException("refresh must be positive: " + refresh);
    }
    if (closed) {
      throw new IllegalStateException("these metrics are closed");
    }
    if (kafkaRefresher == null) {
      kafkaRefresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mfstream-kafka-metrics");
        thread.setDaemon(true);
        return thread;
      });
    }
    KafkaStreamsMetrics binder =
        new KafkaStreamsMetrics(streams, Tags.empty(), kafkaRefresher, refresh);
    binder.bindTo(registry);
    KafkaBinding binding = new KafkaBinding(binder);
    kafkaBindings.add(binding);
    return binding;
  }

  /** Closes the Kafka bindings and the GC listeners, stops their threads, closes the registry. */
  @Override
  public void close() {
    List<KafkaBinding> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = new ArrayList<>(kafkaBindings);
    }
    for (KafkaBinding binding : open) {
      binding.close();
    }
    synchronized (this) {
      if (kafkaRefresher != null) {
        kafkaRefresher.shutdownNow();
      }
    }
    jvmGc.close();
    registry.close();
  }

  /** A bound set of meters that can be removed again. */
  public interface Binding extends AutoCloseable {
    /** Removes the meters and stops refreshing them. Idempotent. */
    @Override
    void close();
  }

  private final class KafkaBinding implements Binding {
    private final KafkaStreamsMetrics binder;
    private boolean bindingClosed;

    KafkaBinding(KafkaStreamsMetrics binder) {
      this.binder = binder;
    }

    @Override
    public void close() {
      synchronized (MicrometerMetrics.this) {
        if (bindingClosed) {
          return;
        }
        bindingClosed = true;
        kafkaBindings.remove(this);
      }
      binder.close();
    }
  }

  /** Registers the meters of every model on the board (declared or reported) not seen yet. */
  private void registerBoardModels() {
    for (String model : board.declared()) {
      meters(model);
    }
    for (ModelStatus status : board.all()) {
      meters(status.model());
    }
  }

  private ModelMeters meters(String model) {
    Objects.requireNonNull(model, "model");
    ModelMeters meters = models.get(model);
    return meters != null ? meters : models.computeIfAbsent(model, this::register);
  }

  /** The meters of one model: events recorded here, the rest read from the board. */
  private record ModelMeters(Timer step, DistributionSummary batchSize, Timer learningDelay) {}

  private ModelMeters register(String model) {
    Tags tags = Tags.of("model", model);
    counter(model, "mfstream.ratings.scored", "Ratings scored before being learned from",
        ModelStatus::scored);
    counter(model, "mfstream.ratings.trained", "Ratings learned from", ModelStatus::trained);
    counter(model, "mfstream.cold.starts",
        "Scored ratings whose user or item was unknown at the time", ModelStatus::coldStarts);
    gauge(model, "mfstream.rmse.rolling", null,
        "RMSE over the last mfstream_rmse_window_ratings scored ratings", Double.NaN,
        ModelStatus::rollingRmse, tags);
    gauge(model, "mfstream.rmse.overall", null, "RMSE over every rating scored", Double.NaN,
        ModelStatus::overallRmse, tags);
    gauge(model, "mfstream.rmse.window", "ratings", "Ratings in the rolling RMSE's window",
        Double.NaN, ModelStatus::window, tags);
    gauge(model, "mfstream.model.version", null, "SGD steps taken", 0, ModelStatus::version,
        tags);
    gauge(model, "mfstream.model.degraded", null, "1 when the model stopped learning after a "
        + "failure (it serves its last good parameters until reset), else 0", 0,
        s -> s.isDegraded() ? 1 : 0, tags);
    gauge(model, "mfstream.model.vocabulary.ids", null, "Ids the model has a row for, by side",
        0, ModelStatus::users, tags.and("side", "user"));
    gauge(model, "mfstream.model.vocabulary.ids", null, "Ids the model has a row for, by side",
        0, ModelStatus::items, tags.and("side", "item"));
    gauge(model, "mfstream.model.pending", "ratings",
        "Ratings scored but not yet learned from (the open batch)", 0, ModelStatus::pending,
        tags);
    registerQuality(model, tags);

    Timer step = Timer.builder("mfstream.sgd.step")
        .description("Duration of one SGD step, including writing the changed rows")
        .tags(tags)
        .serviceLevelObjectives(STEP_BUCKETS)
        .register(registry);
    DistributionSummary batchSize = DistributionSummary.builder("mfstream.sgd.batch.size")
        .description("Ratings per SGD step")
        .baseUnit("ratings")
        .tags(tags)
        .serviceLevelObjectives(BATCH_SIZE_BUCKETS)
        .register(registry);
    Timer learningDelay = Timer.builder("mfstream.learning.delay")
        .description("From a rating's record timestamp to the SGD step that learned from it")
        .tags(tags)
        .serviceLevelObjectives(LEARNING_DELAY_BUCKETS)
        .register(registry);
    return new ModelMeters(step, batchSize, learningDelay);
  }

  /**
   * The quality meters of a model: per segment (side user or item, segment cold or established)
   * the ratings scored, their squared error and RMSE; the ranking metrics at K. All read from the
   * board, so they are the trainer's persisted figures.
   */
  private void registerQuality(String model, Tags tags) {
    for (boolean item : new boolean[] {false, true}) {
      for (boolean cold : new boolean[] {true, false}) {
        Tags t = tags.and("side", item ? "item" : "user")
            .and("segment", cold ? "cold" : "established");
        counter(model, "mfstream.segment.ratings.scored", "Ratings scored while their user "
            + "(side=user) or item (side=item) was cold or established", t,
            s -> segmentCount(s.quality(), item, cold));
        counter(model, "mfstream.segment.squared.error", "Summed squared error of the ratings "
            + "scored per segment (for windowed RMSE: sqrt of the ratio of rates)", t,
            s -> segmentSse(s.quality(), item, cold));
        gauge(model, "mfstream.segment.rmse", null, "RMSE over every rating scored in the "
            + "segment; NaN before the first", Double.NaN, s -> segmentRmse(s.quality(), item,
            cold), t);
      }
    }
    counter(model, "mfstream.ranking.evaluated", "Positive ratings of sampled users ranked "
        + "before being learned", tags, s -> s.quality().ranked());
    counter(model, "mfstream.ranking.hits", "Ranked ratings whose item was in the top "
        + ModelStatus.Quality.K, tags, s -> s.quality().hits());
    counter(model, "mfstream.ranking.ndcg.gain", "Summed NDCG at " + ModelStatus.Quality.K
        + " of the ranked ratings", tags, s -> s.quality().ndcgSum());
    gauge(model, "mfstream.ranking.hit.rate", null, "Hit rate at " + ModelStatus.Quality.K
        + " over every ranked rating; NaN before the first", Double.NaN,
        s -> s.quality().hitRate(), tags);
    gauge(model, "mfstream.ranking.ndcg", null, "NDCG at " + ModelStatus.Quality.K
        + " over every ranked rating; NaN before the first", Double.NaN,
        s -> s.quality().ndcg(), tags);
  }

  private static double segmentCount(ModelStatus.Quality q, boolean item, boolean cold) {
    return item ? cold ? q.coldItems() : q.establishedItems()
        : cold ? q.coldUsers() : q.establishedUsers();
  }

  private static double segmentSse(ModelStatus.Quality q, boolean item, boolean cold) {
    return item ? cold ? q.coldItemsSse() : q.establishedItemsSse()
        : cold ? q.coldUsersSse() : q.establishedUsersSse();
  }

  private static double segmentRmse(ModelStatus.Quality q, boolean item, boolean cold) {
    return item ? cold ? q.coldItemsRmse() : q.establishedItemsRmse()
        : cold ? q.coldUsersRmse() : q.establishedUsersRmse();
  }

  private void counter(String model, String name, String description,
      ToDoubleFunction<ModelStatus> value) {
    counter(model, name, description, Tags.of("model", model), value);
  }

  private void counter(String model, String name, String description, Tags tags,
      ToDoubleFunction<ModelStatus> value) {
    FunctionCounter.builder(name, board, b -> read(b, model, value, 0))
        .description(description)
        .tags(tags)
        .register(registry);
  }

  private void gauge(String model, String name, String baseUnit, String description,
      double missing, ToDoubleFunction<ModelStatus> value, Tags tags) {
    Gauge.builder(name, board, b -> read(b, model, value, missing))
        .description(description)
        .baseUnit(baseUnit)
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  private static double read(StatusBoard board, String model, ToDoubleFunction<ModelStatus> value,
      double missing) {
    ModelStatus status = board.get(model);
    return status == null ? missing : value.applyAsDouble(status);
  }

  private static Duration[] millis(double... values) {
    Duration[] durations = new Duration[values.length];
    for (int i = 0; i < values.length; i++) {
      durations[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000));
    }
    return durations;
  }
}
