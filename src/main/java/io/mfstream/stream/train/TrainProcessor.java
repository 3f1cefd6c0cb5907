package io.mfstream.stream.train;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.Vocabulary;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.Trainer;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer: one task per model. Partition p of the fanned-out valid ratings carries every
 * rating for model p, so each model has exactly one writer. For each rating, in order:
 *
 * <ol>
 *   <li>score it with the current model (prequential), add its error to the RMSE;
 *   <li>buffer it; when the batch is full, take one SGD step;
 *   <li>write what changed to the {@link ModelStore} (in the same transaction as the input offset);
 *   <li>after a step, publish the changed rows, the dense layers and the header to
 *       {@code model-updates}; every {@code reportEvery} ratings, publish an {@link RmseReport}.
 * </ol>
 *
 * The model in memory is rebuilt from the store in {@link #init}, every time the task starts.
 *
 * <p><b>A failing model is isolated.</b> When learning fails ({@link ModelFailure}: a non-finite
 * loss or prediction, or an error of the model's own arithmetic), the model stops learning: the
 * failure is recorded in its store and its header, the model is rebuilt from the store as it was
 * before the failing rating, its last good parameters keep serving (answers say
 * {@code degraded}), and the ratings that follow are not learned from. The other models,
 * validation and serving go on. The operator resets it with {@code model.NAME.reset}
 * (docs/CONFIGURATION.md). Errors outside the model's arithmetic (a store write, a fenced
 * producer, a migrated task) are not caught: they stop the task, as they must for exactly-once.
 */
public final class TrainProcessor implements Processor<byte[], RatingEvent, String, Object> {
  /** The state store every trainer task keeps its model in. */
  public static final String STORE = "model-state";
  /** Child that sinks {@link RmseReport}s to {@code rmse}. */
  public static final String RMSE_CHILD = "rmse-sink";
  /** Child that sinks model rows to {@code model-updates}. */
  public static final String UPDATES_CHILD = "model-updates-sink";

  private static final Logger LOG = LoggerFactory.getLogger(TrainProcessor.class);
  private static final byte[] EMPTY = new byte[0];

  private final List<ModelSpec> specs;
  private final int reportEvery;
  private final long lingerMs;
  private final StatusBoard board;
  private final PipelineMetrics metrics;
  private final SnapshotRequests snapshots;

  private ProcessorContext<String, Object> context;
  private ModelSpec spec;
  private ModelStore model;
  private boolean writesSeen;
  private long firstPendingAt;

  /** Creates a trainer processor per task. */
  public static ProcessorSupplier<byte[], RatingEvent, String, Object> supplier(
      List<ModelSpec> specs, int reportEvery, long lingerMs, StatusBoard board,
      PipelineMetrics metrics, SnapshotRequests snapshots) {
    List<ModelSpec> copy = List.copyOf(specs);
    return () -> new TrainProcessor(copy, reportEvery, lingerMs, board, metrics, snapshots);
  }

  TrainProcessor(List<ModelSpec> specs, int reportEvery, long lingerMs, StatusBoard board,
      PipelineMetrics metrics, SnapshotRequests snapshots) {
    if (reportEvery < 1) {
      throw new IllegalArgumentException("RMSE report interval must be >= 1 rating");
    }
    this.specs = specs;
    this.reportEvery = reportEvery;
    this.lingerMs = lingerMs;
    this.board = Objects.requireNonNull(board, "board");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.snapshots = Objects.requireNonNull(snapshots, "snapshots");
  }

  @Override
  public void init(ProcessorContext<String, Object> context) {
    this.context = context;
    int partition = context.taskId().partition();
    if (partition >= specs.size()) {
      return; // more partitions than models: this task has no model and gets no ratings
    }
    spec = specs.get(partition);
    writesSeen = partition == 0;
    KeyValueStore<Bytes, byte[]> store = context.getStateStore(STORE);
    long t0 = System.nanoTime();
    // One thread per model: the pipeline already trains one model per stream thread, beside
    // Kafka's own threads, and a step's two sides on two cores measured slower here
    // (docs/BENCHMARKS.md, "Both sides at once").
    model = ModelStore.open(store, spec, Kernels.forCurrentBackendOnOneThread(), true);
    if (spec.reset() < model.storedGeneration()) {
      LOG.warn("model {}: model.{}.reset is {}, but its stored state was created under reset "
          + "generation {}: keeping the stored state (an instance with older settings?)",
          spec.name(), spec.name(), spec.reset(), model.storedGeneration());
    }
    if (model.degraded() != null) {
      LOG.error("model {}: stopped learning ({}); it serves its last good parameters until "
          + "model.{}.reset is raised", spec.name(), model.degraded(), spec.name());
    }
    Trainer t = model.learner().trainer();
    LOG.info("model {}: {} at version {}, {} ratings learned, {} pending ({} in {} ms)",
        spec.name(), spec.model().describe(), t.version(), t.trained(),
        model.learner().pending().size(), model.createdFresh() ? "created" : "restored",
        (System.nanoTime() - t0) / 1_000_000);
    firstPendingAt = context.currentSystemTimeMs();
    board.declare(spec.name());
    publishStatus();
    if (lingerMs > 0) {
      Duration every = Duration.ofMillis(Math.max(10, Math.min(1000, lingerMs / 2)));
      context.schedule(every, PunctuationType.WALL_CLOCK_TIME, this::lingerCheck);
    }
    context.schedule(Duration.ofMillis(200), PunctuationType.WALL_CLOCK_TIME,
        now -> snapshots.serve(spec.name(), model.learner().trainer()));
    if (model.createdFresh()) {
      // A cached store takes writes, and the context forwards, only while a record or a
      // punctuation is processed: write a new model (and serve a warm-started one) at the first
      // of those, without waiting for a rating.
      org.apache.kafka.streams.processor.Cancellable[] once =
          new org.apache.kafka.streams.processor.Cancellable[1];
      once[0] = context.schedule(Duration.ofMillis(10), PunctuationType.WALL_CLOCK_TIME, now -> {
        writeInitial();
        once[0].cancel();
      });
    }
  }

  @Override
  public void process(Record<byte[], RatingEvent> record) {
    if (model == null) {
      throw new IllegalStateException("partition " + context.taskId().partition() + " of the "
          + "trainer topic has no model (models: " + specs.size() + "), but a rating arrived");
    }
    writeInitial();
    Rating rating = record.value().toRating();
    if (model.degraded() == null) {
      learn(rating, record.timestamp());
    }
    if (writesSeen) {
      context.forward(new Record<>(ModelUpdates.seenKey(rating.user(), rating.item()),
          (Object) EMPTY, record.timestamp()), UPDATES_CHILD);
    }
    publishStatus();
  }

  /** Test-then-train on one rating, and publishes what a step changed. */
  private void learn(Rating rating, long timestamp) {
    int pendingBefore = model.learner().pending().size();
    if (pendingBefore == 0) {
      firstPendingAt = context.currentSystemTimeMs();
    }
    long t0 = System.nanoTime();
    OnlineLearner.Observation obs;
    try {
      obs = model.observe(rating, timestamp);
    } catch (ModelFailure f) {
      stopLearning(f);
      return;
    }
    if (obs.stepTaken()) {
      publishStep();
      reportStep(pendingBefore + 1, t0);
    }
    if (model.learner().scored() % reportEvery == 0) {
      context.forward(new Record<>(spec.name(), (Object) rmseReport(), timestamp), RMSE_CHILD);
    }
  }

  /**
   * The model failed: record it, durably, go back to the model the store holds (the state before
   * the failing rating: a failure writes nothing), and publish its header flagged, so that it
   * serves its last good parameters. A restart restores exactly what runs on.
   */
  private void stopLearning(ModelFailure f) {
    LOG.error("model {}: stopped learning at rating {}: {}; it keeps serving its last good "
        + "parameters, the other models go on; raise model.{}.reset to restart it", spec.name(),
        model.learner().scored() + 1, f.reason(), spec.name(), f.getCause());
    model = model.stopLearning(f);
    publishDenseAndHeader(model.learner().trainer().network());
    publishStatus();
  }

  /**
   * Writes a new model to the store once; publishes a warm-started one whole, and after a reset
   * removes the discarded model's rows from {@code model-updates}.
   */
  private void writeInitial() {
    if (!model.writeInitialIfPending()) {
      return;
    }
    ModelStore.Wiped wiped = model.takeWiped();
    if (wiped != null) {
      long ts = recordTime();
      for (String user : wiped.users()) {
        context.forward(new Record<>(ModelUpdates.userKey(spec.name(), user), null, ts),
            UPDATES_CHILD);
      }
      for (String item : wiped.items()) {
        context.forward(new Record<>(ModelUpdates.itemKey(spec.name(), item), null, ts),
            UPDATES_CHILD);
      }
      LOG.info("model {}: reset (model.{}.reset={}): discarded {} users and {} items",
          spec.name(), spec.name(), spec.reset(), wiped.users().size(), wiped.items().size());
    }
    if (spec.warmStart() != null || wiped != null) {
      publishAll();
    }
  }

  private void lingerCheck(long now) {
    if (model.degraded() != null || model.learner().pending().isEmpty()
        || now - firstPendingAt < lingerMs) {
      return;
    }
    long t0 = System.nanoTime();
    int pending;
    try {
      pending = model.flush();
    } catch (ModelFailure f) {
      stopLearning(f);
      return;
    }
    publishStep();
    reportStep(pending, t0);
    publishStatus();
  }

  /** Tells the metrics of a step over {@code n} ratings that started at {@code startNanos}. */
  private void reportStep(int n, long startNanos) {
    metrics.stepTaken(spec.name(), n, System.nanoTime() - startNanos);
    long now = context.currentSystemTimeMs();
    for (int i = 0; i < n; i++) {
      metrics.ratingLearned(spec.name(), Math.max(0, now - model.pendingTimestamp(i)));
    }
  }

  private RmseReport rmseReport() {
    OnlineLearner l = model.learner();
    return new RmseReport(spec.name(), l.rollingMeter().count(), l.rollingRmse(), l.scored(),
        l.trainer().version(), System.currentTimeMillis());
  }

  private void publishStatus() {
    OnlineLearner l = model.learner();
    Trainer t = l.trainer();
    MfNetwork net = t.network();
    board.publish(new ModelStatus(spec.name(), spec.model().type().id(), t.version(), t.trained(),
        l.scored(), l.pending().size(), net.users().size(), net.items().size(), l.window(),
        l.rollingRmse(), l.rmse(), l.coldStarts(), System.currentTimeMillis(), model.degraded()));
  }

  // ---------------------------------------------------------------------------------------------
  // model-updates

  private void publishStep() {
    MfNetwork net = model.learner().trainer().network();
    publishRows(net, "user", net.users(), false);
    publishRows(net, "item", net.items(), false);
    publishDenseAndHeader(net);
  }

  private void publishAll() {
    MfNetwork net = model.learner().trainer().network();
    publishRows(net, "user", net.users(), true);
    publishRows(net, "item", net.items(), true);
    publishDenseAndHeader(net);
  }

  private void publishRows(MfNetwork net, String side, Vocabulary vocab, boolean all) {
    ParamTable embedding = table(net, side + "-embedding");
    ParamTable bias = table(net, side + "-bias");
    int width = embedding.width() + (bias == null ? 0 : 1);
    int n = all ? embedding.rows() : embedding.gradCount();
    int[] rows = embedding.gradRows();
    long ts = recordTime();
    for (int j = 0; j < n; j++) {
      int row = all ? j : rows[j];
      ByteBuffer b = ByteBuffer.allocate(width * 4);
      ModelStore.putRow(b, embedding.values(), row, embedding.width(), false);
      if (bias != null) {
        ModelStore.putRow(b, bias.values(), row, 1, false);
      }
      String id = vocab.idAt(row);
      String key = side.equals("user") ? ModelUpdates.userKey(spec.name(), id)
          : ModelUpdates.itemKey(spec.name(), id);
      context.forward(new Record<>(key, (Object) b.array(), ts), UPDATES_CHILD);
    }
  }

  private void publishDenseAndHeader(MfNetwork net) {
    long ts = recordTime();
    for (DenseParam p : net.denseParams()) {
      ByteBuffer b = ByteBuffer.allocate((int) p.value().length() * 4);
      ModelStore.putAll(b, p.value(), false);
      context.forward(new Record<>(ModelUpdates.denseKey(spec.name(), p.name()), (Object) b.array(),
          ts), UPDATES_CHILD);
    }
    Trainer t = model.learner().trainer();
    int hidden = spec.model().type().isMlp() ? spec.model().hidden() : 0;
    ModelUpdates.Header h = new ModelUpdates.Header(spec.model().type(), spec.model().factors(),
        hidden, t.version(), t.trained(), net.globalMean(), net.users().size(),
        net.items().size(), model.degraded());
    context.forward(new Record<>(ModelUpdates.headerKey(spec.name()), (Object) h.encode(), ts),
        UPDATES_CHILD);
  }

  /** The stream time, or the wall clock before the first record gave the stream a time. */
  private long recordTime() {
    long t = context.currentStreamTimeMs();
    return t >= 0 ? t : context.currentSystemTimeMs();
  }

  private static ParamTable table(MfNetwork net, String name) {
    for (ParamTable t : net.tables()) {
      if (t.name().equals(name)) {
        return t;
      }
    }
    return null;
  }
}
