package io.mfstream.stream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import static io.mfstream.train.ModelStateFormat.CONFIG;
import static io.mfstream.train.ModelStateFormat.COUNTERS;
import static io.mfstream.train.ModelStateFormat.DEGRADED;
import static io.mfstream.train.ModelStateFormat.DENSE;
import static io.mfstream.train.ModelStateFormat.PENDING;
import static io.mfstream.train.ModelStateFormat.RESET;
import static io.mfstream.train.ModelStateFormat.SQUARE;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.Vocabulary;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.ModelStateFormat;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.RollingRmse;
import io.mfstream.train.SnapshotHeader;
import io.mfstream.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One model's whole training state in a key-value state store (RocksDB, changelogged): the
 * configuration, counters, every row with its id and optimiser state, the dense layers, the
 * ratings scored but not yet learned from, and the rolling RMSE window, in the records of
 * {@link ModelStateFormat} (layout and format there). The store's changelog topic is also what
 * every serving replica reads (docs/ARCHITECTURE.md): it is the model feed.
 *
 * <p>The store is the truth; the {@link OnlineLearner} (ND4J arrays) is a cache rebuilt from it by
 * {@link #open}. {@link #observe} scores, buffers and learns from a rating, then writes exactly
 * what changed: under {@code exactly_once_v2} those writes commit atomically with the input
 * offsets, so a crash neither loses a rating nor trains one twice, and the restored model is
 * bit-identical to the one that was running. When the model's arithmetic fails on a rating
 * ({@link ModelFailure}), nothing of that rating is written, and {@link #stopLearning} records the
 * failure and rebuilds the model from the store: what runs on is what a restart restores.
 *
 * <p>A rating that completes no batch costs one write, its pending record: the counters and the
 * ring are written at each step (and flush), and a restore counts the pending ratings' errors
 * back into them ({@link OnlineLearner#recountScored}), in order, so the meters come back
 * bit-identical. A step writes the rows it touched (a new id is always among them: a row is
 * added by the step that first learns from it). With the store cached, every key reaches
 * RocksDB and the changelog at most once per commit.
 */
public final class ModelStore {
  /** Squared errors per ring record. */
  static final int RING_CHUNK = ModelStateFormat.RING_CHUNK;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KeyValueStore<Bytes, byte[]> store;
  private final ReadOnlyKeyValueStore<Bytes, byte[]> reader;
  private final ModelSpec spec;
  private final Kernels kernels;
  private final OnlineLearner learner;
  /** Record timestamps of the pending ratings, parallel to {@code learner.pending()}. */
  private final long[] pendingTimestamps;
  private final boolean fresh;
  /** A fresh model whose initial state is not in the store yet (see {@link #open}). */
  private boolean initialWritePending;
  /** The store holds a model of an older reset generation, to discard before the initial write. */
  private boolean wipePending;
  /** Keys a reset deleted, or -1 while none did (see {@link #takeWiped}). */
  private int wiped = -1;
  private String degraded;

  private ModelStore(KeyValueStore<Bytes, byte[]> store, ReadOnlyKeyValueStore<Bytes, byte[]> reader,
      ModelSpec spec, Kernels kernels, OnlineLearner learner, boolean fresh) {
    this.store = store;
    this.reader = reader;
    this.spec = spec;
    this.kernels = kernels;
    this.learner = learner;
    this.pendingTimestamps = new long[spec.batchSize()];
    this.fresh = fresh;
  }

  /**
   * Rebuilds the model from the store, or, when the store is empty, creates it (from the spec's
   * warm-start snapshot if it has one) and writes its whole state.
   *
   * @throws IllegalStateException if the store holds a model of another configuration
   */
  public static ModelStore open(KeyValueStore<Bytes, byte[]> store, ModelSpec spec,
      Kernels kernels) {
    return open(store, spec, kernels, false);
  }

  /**
   * {@link #open}, optionally deferring the writes of a fresh model until its first rating: a
   * cached Kafka Streams store accepts writes only while a record is processed, not while the
   * task initialises. Nothing is lost by waiting: until then the model is exactly what a fresh
   * open recreates.
   */
  public static ModelStore open(KeyValueStore<Bytes, byte[]> store, ModelSpec spec,
      Kernels kernels, boolean deferInitialWrite) {
    byte[] config = store.get(key(CONFIG));
    boolean reset = config != null && spec.reset() > generation(store.get(key(RESET)));
    if (config == null || reset) {
      Trainer trainer = spec.warmStart() == null
          ? new Trainer(spec.model(), spec.optimizer(), spec.batchSize(), kernels)
          : warmStart(spec, kernels);
      ModelStore ms = new ModelStore(store, store, spec, kernels,
          new OnlineLearner(trainer, spec.window()), true);
      ms.initialWritePending = true;
      ms.wipePending = reset;
      if (!deferInitialWrite) {
        ms.writeInitialIfPending();
      }
      return ms;
    }
    checkConfig(spec, config, configJson(spec));
    Trainer trainer = new Trainer(spec.model(), spec.optimizer(), spec.batchSize(), kernels);
    ModelStore ms = new ModelStore(store, store, spec, kernels,
        new OnlineLearner(trainer, spec.window()), false);
    ms.restore();
    byte[] why = store.get(key(DEGRADED));
    ms.degraded = why == null ? null : new String(why, StandardCharsets.UTF_8);
    return ms;
  }

  /** Writes a fresh model's whole state, once; returns whether it did. */
  public boolean writeInitialIfPending() {
    if (!initialWritePending) {
      return false;
    }
    if (wipePending) {
      wipe();
      wipePending = false;
    }
    store.put(key(CONFIG), configJson(spec));
    store.put(key(RESET), Long.toString(spec.reset()).getBytes(StandardCharsets.UTF_8));
    writeAll();
    initialWritePending = false;
    return true;
  }

  /**
   * The reset generation a stored state was created under: its decimal digits, or 0 when it has
   * none (a store written before generations were numbers kept an empty or free-form token).
   */
  private static long generation(byte[] stored) {
    if (stored == null) {
      return 0;
    }
    try {
      return Long.parseLong(new String(stored, StandardCharsets.UTF_8));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** The reset generation the stored state was created under (0 for a fresh model's store). */
  public long storedGeneration() {
    return generation(reader.get(key(RESET)));
  }

  /** Deletes every key of the model stored before a reset (tombstones on the changelog). */
  private void wipe() {
    List<Bytes> keys = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = reader.all()) {
      while (it.hasNext()) {
        keys.add(it.next().key);
      }
    }
    for (Bytes k : keys) {
      store.delete(k);
    }
    wiped = keys.size();
  }

  /**
   * How many keys a reset deleted, once, after the initial write that deleted them; -1 when
   * there was no reset.
   */
  public int takeWiped() {
    int w = wiped;
    wiped = -1;
    return w;
  }

  /** Why the model stopped learning, or null while it learns. */
  public String degraded() {
    return degraded;
  }

  /**
   * Records that the model stopped learning, durably: it stays stopped across restarts, with
   * its last good state, until the operator resets it ({@link ModelSpec#reset}).
   */
  public void markDegraded(String reason) {
    writeInitialIfPending();
    degraded = reason;
    store.put(key(DEGRADED), reason.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The model failed: records why, durably ({@link #markDegraded}), and returns the model rebuilt
   * from the store, as it was before the failing rating. The model in memory is discarded: the
   * failing rating was already counted in its meters and buffered, and a failing step may have
   * added vocabulary rows or changed parameters before it threw, none of which was written.
   */
  public ModelStore stopLearning(ModelFailure failure) {
    markDegraded(failure.reason());
    return open(store, spec, kernels, false);
  }

  private static Trainer warmStart(ModelSpec spec, Kernels kernels) {
    Trainer t;
    try {
      t = ModelSnapshot.load(spec.warmStart(), spec.batchSize(), kernels);
    } catch (IOException e) {
      throw new UncheckedIOException("model " + spec.name() + ": cannot warm-start from "
          + spec.warmStart() + ": " + e.getMessage(), e);
    }
    if (!t.modelConfig().equals(spec.model())) {
      throw new IllegalStateException("model " + spec.name() + ": the warm-start snapshot "
          + spec.warmStart() + " holds " + t.modelConfig().describe() + ", but the model is "
          + "configured as " + spec.model().describe());
    }
    if (!t.optimizer().config().equals(spec.optimizer())) {
      // Same network, other optimiser: keep the parameters, start the optimiser afresh.
      Trainer fresh = new Trainer(spec.model(), spec.optimizer(), spec.batchSize(), kernels);
      copyParameters(t, fresh);
      return fresh;
    }
    return t;
  }

  private static void copyParameters(Trainer from, Trainer to) {
    MfNetwork a = from.network();
    MfNetwork b = to.network();
    b.restoreVocabulary(a.users().ids(), a.items().ids());
    for (int t = 0; t < a.tables().size(); t++) {
      ParamTable src = a.tables().get(t);
      ParamTable dst = b.tables().get(t);
      INDArray values = src.valueRows(0, src.rows());
      INDArray[] zeros = new INDArray[dst.stateSlots()];
      for (int s = 0; s < zeros.length; s++) {
        zeros[s] = Nd4j.zeros(values.dataType(), values.shape());
      }
      dst.restore(src.rows(), values, zeros);
    }
    for (int d = 0; d < a.denseParams().size(); d++) {
      b.denseParams().get(d).value().assign(a.denseParams().get(d).value());
    }
    b.restoreMean(a.labelSum(), a.labelCount());
    to.restoreCounters(0, from.trained());
  }

  /** The learner this store keeps: scores, buffers and trains. */
  public OnlineLearner learner() {
    return learner;
  }

  public ModelSpec spec() {
    return spec;
  }

  /** True when {@link #open} created the model (the store was empty). */
  public boolean createdFresh() {
    return fresh;
  }

  /** The record timestamp of the i-th pending rating. */
  public long pendingTimestamp(int i) {
    return pendingTimestamps[i];
  }

  // ---------------------------------------------------------------------------------------------
  // Learning, and writing what changed

  /**
   * Test-then-train on one rating, then writes what changed: what {@link OnlineLearner#observe}
   * does, made durable. When a step was taken, the returned observation's {@code stepTaken} is
   * true and it learned from the batch's ratings, whose record timestamps
   * {@link #pendingTimestamp} gives for 0 to {@code batch - 1} until the next call.
   *
   * @throws ModelFailure when the model's arithmetic fails on the rating (a non-finite loss or
   *     prediction, or its own code threw); nothing of the rating was written
   */
  public OnlineLearner.Observation observe(Rating rating, long recordTimestamp)
      throws ModelFailure {
    writeInitialIfPending();
    int pendingBefore = learner.pending().size();
    pendingTimestamps[pendingBefore] = recordTimestamp;
    OnlineLearner.Observation obs;
    try {
      obs = learner.observe(rating);
    } catch (RuntimeException e) {
      // Only the learner's arithmetic is in here (ND4J, the optimiser, the divergence check):
      // no store write, so nothing Kafka Streams must see is swallowed.
      throw new ModelFailure("learning from (" + rating.user() + ", " + rating.item() + ") failed",
          e);
    }
    if (!Float.isFinite(obs.prediction())) {
      // Parameters that overflow score Infinity or NaN before a step's loss does.
      throw new ModelFailure("the prediction for (" + rating.user() + ", " + rating.item()
          + ") is " + obs.prediction() + ": the model diverged", null);
    }
    if (obs.stepTaken()) {
      recordStep(pendingBefore, pendingBefore + 1);
    } else {
      recordPending(pendingBefore, rating, recordTimestamp, obs);
    }
    return obs;
  }

  /**
   * Learns from a partial batch now (the linger flush) and writes what changed. Returns how many
   * ratings the step learned from, 0 when nothing was pending.
   *
   * @throws ModelFailure when the step fails; nothing of it was written
   */
  public int flush() throws ModelFailure {
    writeInitialIfPending();
    int pending = learner.pending().size();
    boolean stepped;
    try {
      stepped = learner.flush();
    } catch (RuntimeException e) {
      throw new ModelFailure("learning from the " + pending + " pending ratings failed", e);
    }
    if (!stepped) {
      return 0;
    }
    recordStep(pending, pending);
    return pending;
  }

  /**
   * Records a rating that was scored and buffered, no step taken: one write, the pending rating
   * with what scoring it added to the meters.
   */
  private void recordPending(int index, Rating rating, long recordTimestamp,
      OnlineLearner.Observation obs) {
    store.put(key(PENDING, index), new ModelStateFormat.Pending(rating, recordTimestamp,
        obs.error(), obs.coldStart()).encode());
  }

  /**
   * Records an SGD step: every row the step touched (values and optimiser state; new ids are
   * among them), the dense layers, the ring records holding the errors scored since the last
   * step, and the counters; the pending ratings the step learned from are deleted.
   *
   * @param learnedPending how many ratings were pending in the store before the step (the batch
   *     less the rating that completed it, or the whole batch for a flush)
   * @param scoredSince ratings scored since the counters were last written
   */
  private void recordStep(int learnedPending, int scoredSince) {
    MfNetwork net = learner.trainer().network();
    writeTouchedRows(ModelStateFormat.USERS, net.userTables(), net.users());
    writeTouchedRows(ModelStateFormat.ITEMS, net.itemTables(), net.items());
    writeDense(net);
    for (int i = 0; i < learnedPending; i++) {
      store.delete(key(PENDING, i));
    }
    writeRing(scoredSince);
    store.put(key(COUNTERS), counters());
  }

  /** The rows of one side the step touched: the same in each of the side's tables. */
  private void writeTouchedRows(int side, List<ParamTable> tables, Vocabulary vocab) {
    ParamTable first = tables.get(0);
    int[] rows = first.gradRows();
    for (int j = 0; j < first.gradCount(); j++) {
      writeRow(side, tables, vocab, rows[j]);
    }
  }

  private void writeRow(int side, List<ParamTable> tables, Vocabulary vocab, int row) {
    store.put(Bytes.wrap(ModelStateFormat.rowKey(side, row)),
        ModelStateFormat.encodeRow(vocab.idAt(row), tables, row));
  }

  private void writeDense(MfNetwork net) {
    List<DenseParam> dense = net.denseParams();
    for (int d = 0; d < dense.size(); d++) {
      store.put(key(DENSE, d), ModelStateFormat.encodeDense(dense.get(d)));
    }
  }

  /** Writes the ring records holding the last {@code n} errors. */
  private void writeRing(int n) {
    RollingRmse ring = learner.rollingMeter();
    int window = ring.window();
    int count = Math.min(n, window);
    int slot = Math.floorMod(ring.next() - count, window);
    int written = -1;
    for (int j = 0; j < count; j++) {
      int chunk = slot / RING_CHUNK;
      if (chunk != written) {
        store.put(key(SQUARE, chunk), ringChunk(chunk));
        written = chunk;
      }
      slot = slot + 1 == window ? 0 : slot + 1;
    }
  }

  private byte[] ringChunk(int chunk) {
    RollingRmse ring = learner.rollingMeter();
    int from = chunk * RING_CHUNK;
    int to = Math.min(ring.window(), from + RING_CHUNK);
    ByteBuffer b = ByteBuffer.allocate(8 * (to - from));
    for (int s = from; s < to; s++) {
      b.putDouble(ring.squareAt(s));
    }
    return b.array();
  }

  private void writeAll() {
    MfNetwork net = learner.trainer().network();
    for (int r = 0; r < net.users().size(); r++) {
      writeRow(ModelStateFormat.USERS, net.userTables(), net.users(), r);
    }
    for (int r = 0; r < net.items().size(); r++) {
      writeRow(ModelStateFormat.ITEMS, net.itemTables(), net.items(), r);
    }
    writeDense(net);
    store.put(key(COUNTERS), counters());
  }

  private byte[] counters() {
    Trainer trainer = learner.trainer();
    MfNetwork net = trainer.network();
    RollingRmse rolling = learner.rollingMeter();
    return new ModelStateFormat.Counters(trainer.version(), trainer.trained(), net.labelSum(),
        net.labelCount(), learner.overallMeter().count(), learner.overallMeter().sumSquared(),
        learner.coldStarts(), rolling.sum(), rolling.next(), rolling.count(), net.users().size(),
        net.items().size()).encode();
  }

  // ---------------------------------------------------------------------------------------------
  // Restoring

  private void restore() {
    byte[] stored = require(key(COUNTERS), "counters");
    int format = ModelStateFormat.Counters.storedFormat(stored);
    if (format != ModelStateFormat.FORMAT) {
      throw new IllegalStateException("model " + spec.name() + ": its state store was written "
          + "in format " + format + " and this build reads format " + ModelStateFormat.FORMAT
          + ". Carry the model over with a snapshot: run the older build with --export-dir, then "
          + "this one with model." + spec.name() + ".warm.start=<the snapshot> and model."
          + spec.name() + ".reset raised (docs/UPGRADING.md)");
    }
    ModelStateFormat.Counters c;
    try {
      c = ModelStateFormat.Counters.decode(stored);
    } catch (IllegalArgumentException e) {
      throw corrupt(e.getMessage());
    }

    Trainer trainer = learner.trainer();
    MfNetwork net = trainer.network();
    net.restoreVocabulary(readIds(ModelStateFormat.USERS, c.users()),
        readIds(ModelStateFormat.ITEMS, c.items()));
    restoreRows(ModelStateFormat.USERS, net.userTables(), c.users());
    restoreRows(ModelStateFormat.ITEMS, net.itemTables(), c.items());
    List<DenseParam> dense = net.denseParams();
    for (int d = 0; d < dense.size(); d++) {
      try {
        ModelStateFormat.decodeDenseInto(require(key(DENSE, d), dense.get(d).name()),
            dense.get(d));
      } catch (IllegalArgumentException e) {
        throw corrupt(dense.get(d).name() + ": " + e.getMessage());
      }
    }
    trainer.restoreCounters(c.version(), c.trained());
    net.restoreMean(c.labelSum(), c.labelCount());

    learner.overallMeter().restore(c.sse(), c.scored());
    learner.restoreColdStarts(c.coldStarts());
    double[] ring = new double[spec.window()];
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(SQUARE, 0),
        key(SQUARE, Integer.MAX_VALUE))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int from = ModelStateFormat.index(kv.key.get()) * RING_CHUNK;
        ByteBuffer v = ByteBuffer.wrap(kv.value);
        for (int s = from; v.hasRemaining() && s < ring.length; s++) {
          ring[s] = v.getDouble();
        }
      }
    }
    learner.rollingMeter().restore(ring, c.rollingNext(), c.rollingFilled(), c.rollingSum());
    // The counters and the ring are as of the last step: count the pending ratings back in.
    // The pending records are those of the partial batch, at indexes 0 to its size less one.
    List<Rating> pending = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(PENDING, 0),
        key(PENDING, Integer.MAX_VALUE))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int index = ModelStateFormat.index(kv.key.get());
        if (index != pending.size() || index >= pendingTimestamps.length) {
          throw corrupt("pending rating " + index + " after " + pending.size());
        }
        ModelStateFormat.Pending p = ModelStateFormat.Pending.decode(kv.value);
        pendingTimestamps[index] = p.recordTimestamp();
        pending.add(p.rating());
        learner.recountScored(p.error(), p.coldStart());
      }
    }
    learner.restorePending(pending);
  }

  /** The ids of a side's rows 0 to count - 1, from its row records, in row order. */
  private List<String> readIds(int side, int count) {
    List<String> ids = new ArrayList<>(count);
    forEachRow(side, count, (row, value) ->
        ids.add(ModelStateFormat.rowId(value)));
    return ids;
  }

  private void restoreRows(int side, List<ParamTable> tables, int count) {
    forEachRow(side, count, (row, value) -> ModelStateFormat.decodeRowInto(value, tables, row));
  }

  private interface RowVisitor {
    void visit(int row, byte[] value);
  }

  /** Visits rows 0 to count - 1 of a side in order; each must be there exactly once. */
  private void forEachRow(int side, int count, RowVisitor visitor) {
    int next = 0;
    if (count > 0) {
      try (KeyValueIterator<Bytes, byte[]> it = reader.range(
          Bytes.wrap(ModelStateFormat.rowKey(side, 0)),
          Bytes.wrap(ModelStateFormat.rowKey(side, count - 1)))) {
        while (it.hasNext()) {
          KeyValue<Bytes, byte[]> kv = it.next();
          int row = ModelStateFormat.rowIndex(kv.key.get());
          if (row != next) {
            throw corrupt((side == 0 ? "user" : "item") + " rows: no row " + next);
          }
          try {
            visitor.visit(row, kv.value);
          } catch (IllegalArgumentException e) {
            throw corrupt((side == 0 ? "user" : "item") + " row " + row + ": " + e.getMessage());
          }
          next++;
        }
      }
    }
    if (next != count) {
      throw corrupt((side == 0 ? "user" : "item") + " rows: " + next + " in the store, the "
          + "counters say " + count);
    }
  }

  private byte[] require(Bytes key, String what) {
    byte[] v = reader.get(key);
    if (v == null) {
      throw corrupt("the store has no " + what);
    }
    return v;
  }

  private IllegalStateException corrupt(String what) {
    return new IllegalStateException("model " + spec.name() + ": inconsistent state store: "
        + what);
  }

  private static Bytes key(byte kind) {
    return Bytes.wrap(ModelStateFormat.key(kind));
  }

  private static Bytes key(byte kind, int index) {
    return Bytes.wrap(ModelStateFormat.key(kind, index));
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration

  static byte[] configJson(ModelSpec spec) {
    ObjectNode h = JSON.createObjectNode();
    h.put("name", spec.name());
    SnapshotHeader.writeConfigs(h, spec.model(), spec.optimizer());
    h.put("batchSize", spec.batchSize());
    h.put("window", spec.window());
    try {
      return JSON.writeValueAsBytes(h);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void checkConfig(ModelSpec spec, byte[] stored, byte[] expected) {
    try {
      JsonNode a = JSON.readTree(stored);
      JsonNode b = JSON.readTree(expected);
      if (!a.equals(b)) {
        throw new IllegalStateException("model " + spec.name() + ": its state store holds a "
            + "model configured as " + a + ", but it is now configured as " + b + ". A model's "
            + "configuration cannot change under its stored state: restore the old settings, "
            + "give the model a new name, or use a new application.id");
      }
    } catch (IOException e) {
      throw new IllegalStateException("model " + spec.name() + ": unreadable configuration in "
          + "its state store", e);
    }
  }
}
