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
import io.mfstream.train.QualityMeters;
import io.mfstream.train.RmseMeter;
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
 *   <li>log it in the {@link ModelStore} (in the same transaction as the input offset); every
 *       {@code checkpoint.interval.ms} the store writes the rows and layers that changed, which
 *       its changelog carries to every serving replica;
 *   <li>every {@code reportEvery} ratings, publish an {@link RmseReport}.
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

  private static final Logger LOG = LoggerFactory.getLogger(TrainProcessor.class);

  private final List<ModelSpec> specs;
  private final int reportEvery;
  private final long lingerMs;
  /** How often the model is checkpointed while it changes (and every CHECKPOINT_EVERY ratings). */
  private final Duration checkpointEvery;
  private final StatusBoard board;
  private final PipelineMetrics metrics;
  private final SnapshotRequests snapshots;

  private ProcessorContext<String, Object> context;
  private ModelSpec spec;
  private ModelStore model;
  private long firstPendingAt;

  /** Creates a trainer processor per task. */
  public static ProcessorSupplier<byte[], RatingEvent, String, Object> supplier(
      List<ModelSpec> specs, int reportEvery, long lingerMs, long checkpointMs,
      StatusBoard board, PipelineMetrics metrics, SnapshotRequests snapshots) {
    List<ModelSpec> copy = List.copyOf(specs);
    return () -> new TrainProcessor(copy, reportEvery, lingerMs, checkpointMs, board, metrics,
        snapshots);
  }

  TrainProcessor(List<ModelSpec> specs, int reportEvery, long lingerMs, long checkpointMs,
      StatusBoard board, PipelineMetrics metrics, SnapshotRequests snapshots) {
    if (reportEvery < 1) {
      throw new IllegalArgumentException("RMSE report interval must be >= 1 rating");
    }
    this.specs = specs;
    this.reportEvery = reportEvery;
    this.lingerMs = lingerMs;
    this.checkpointEvery = Duration.ofMillis(checkpointMs);
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
    context.schedule(checkpointEvery, PunctuationType.WALL_CLOCK_TIME, now -> {
      if (model.degraded() == null) {
        model.checkpoint();
      }
    });
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
    publishStatus();
  }

  /** Test-then-train on one rating. */
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
      reportStep(pendingBefore + 1, t0);
    }
    if (model.learner().scored() % reportEvery == 0) {
      context.forward(new Record<>(spec.name(), (Object) rmseReport(), timestamp), RMSE_CHILD);
    }
  }

  /**
   * The model failed: record it, durably (the replicas read the flag from the store's changelog
   * and serve its last good parameters, flagged), and go back to the model the store holds (the
   * state before the failing rating: a failure writes nothing). A restart restores exactly what
   * runs on.
   */
  private void stopLearning(ModelFailure f) {
    LOG.error("model {}: stopped learning at rating {}: {}; it keeps serving its last good "
        + "parameters, the other models go on; raise model.{}.reset to restart it", spec.name(),
        model.learner().scored() + 1, f.reason(), spec.name(), f.getCause());
    model = model.stopLearning(f);
    publishStatus();
  }

  /** Writes a new model to the store once (after a reset, deleting the discarded one's keys). */
  private void writeInitial() {
    if (!model.writeInitialIfPending()) {
      return;
    }
    int wiped = model.takeWiped();
    if (wiped >= 0) {
      LOG.info("model {}: reset (model.{}.reset={}): discarded its {} stored records",
          spec.name(), spec.name(), spec.reset(), wiped);
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
      pending = model.flush(now);
    } catch (ModelFailure f) {
      stopLearning(f);
      return;
    }
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
        l.rollingRmse(), l.rmse(), l.coldStarts(), System.currentTimeMillis(), model.degraded(),
        quality(l.quality())));
  }

  /**
   * The status's form of the quality meters (stream.status imports nothing of train): each split
   * summed from the four cells, read without allocating more than the record (once a rating).
   */
  static ModelStatus.Quality quality(QualityMeters q) {
    int uc = QualityMeters.USER_COLD;
    int ic = QualityMeters.ITEM_COLD;
    RmseMeter both = q.cell(uc | ic);
    RmseMeter userOnly = q.cell(uc);
    RmseMeter itemOnly = q.cell(ic);
    RmseMeter neither = q.cell(0);
    return new ModelStatus.Quality(
        both.count() + userOnly.count(), both.sumSquared() + userOnly.sumSquared(),
        itemOnly.count() + neither.count(), itemOnly.sumSquared() + neither.sumSquared(),
        both.count() + itemOnly.count(), both.sumSquared() + itemOnly.sumSquared(),
        userOnly.count() + neither.count(), userOnly.sumSquared() + neither.sumSquared(),
        q.ranked(), q.hits(), q.ndcgSum());
  }

}
