package io.mfstream.stream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.train.ModelSnapshot;
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
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One model's whole training state in a key-value state store (RocksDB, changelogged): the
 * configuration, counters, vocabulary, every parameter row with its optimiser state, the dense
 * layers, the ratings scored but not yet learned from, and the rolling RMSE window.
 *
 * <p>The store is the truth; the {@link OnlineLearner} (ND4J arrays) is a cache rebuilt from it by
 * {@link #open}. {@link #observe} scores, buffers and learns from a rating, then writes exactly
 * what changed: under {@code exactly_once_v2} those writes commit atomically with the input
 * offsets, so a crash neither loses a rating nor trains one twice, and the restored model is
 * bit-identical to the one that was running. When the model's arithmetic fails on a rating
 * ({@link ModelFailure}), nothing of that rating is written, and {@link #stopLearning} records the
 * failure and rebuilds the model from the store: what runs on is what a restart restores.
 *
 * <p>Keys are a kind byte followed by big-endian indexes, so rows come back in order:
 *
 * <pre>
 *   0                        configuration (JSON), checked on every open
 *   1                        counters
 *   2 side row               vocabulary: the id of a user (side 0) or item (side 1) row
 *   3 table row              a table row: values, then each optimiser state slot
 *   4 index                  a dense parameter: value, then each optimiser state slot
 *   5 index                  the index-th pending rating, with its error and cold-start flag
 *   6 chunk                  squared errors of the rolling RMSE ring, slots chunk * 128 on
 *   7                        why the model stopped learning (UTF-8), present only if it did
 *   8                        the reset generation the state was created under (UTF-8 digits)
 * </pre>
 *
 * <p>A rating that completes no batch costs one write, its pending record: the counters and the
 * ring are written at each step (and flush), and a restore counts the pending ratings' errors
 * back into them ({@link OnlineLearner#recountScored}), in order, so the meters come back
 * bit-identical. With the store cached, every key reaches RocksDB and the changelog at most once
 * per commit.
 */
public final class ModelStore {
  private static final byte CONFIG = 0;
  private static final byte COUNTERS = 1;
  private static final byte VOCAB = 2;
  private static final byte ROW = 3;
  private static final byte DENSE = 4;
  private static final byte PENDING = 5;
  private static final byte SQUARE = 6;
  private static final byte DEGRADED = 7;
  private static final byte RESET = 8;
  private static final int COUNTERS_FORMAT = 2;
  /** Squared errors per ring record. */
  static final int RING_CHUNK = 128;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final KeyValueStore<Bytes, byte[]> store;
  private final ReadOnlyKeyValueStore<Bytes, byte[]> reader;
  private final ModelSpec spec;
  private final Kernels kernels;
  private final OnlineLearner learner;
  private final boolean dbl;
  /** Record timestamps of the pending ratings, parallel to {@code learner.pending()}. */
  private final long[] pendingTimestamps;
  private int persistedUsers;
  private int persistedItems;
  private final boolean fresh;
  /** A fresh model whose initial state is not in the store yet (see {@link #open}). */
  private boolean initialWritePending;
  /** The store holds a model of an older reset generation, to discard before the initial write. */
  private boolean wipePending;
  private Wiped wiped;
  private String degraded;

  /** The ids of a model discarded by a reset, so that its published rows can be removed. */
  public record Wiped(List<String> users, List<String> items) {}

  private ModelStore(KeyValueStore<Bytes, byte[]> store, ReadOnlyKeyValueStore<Bytes, byte[]> reader,
      ModelSpec spec, Kernels kernels, OnlineLearner learner, boolean fresh) {
    this.store = store;
    this.reader = reader;
    this.spec = spec;
    this.kernels = kernels;
    this.learner = learner;
    this.dbl = spec.model().dataType() == DataType.DOUBLE;
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

  /** Deletes every key of the model stored before a reset, keeping its ids for {@link #takeWiped}. */
  private void wipe() {
    List<Bytes> keys = new ArrayList<>();
    List<String> users = new ArrayList<>();
    List<String> items = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = reader.all()) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        keys.add(kv.key);
        byte[] k = kv.key.get();
        if (k.length == 6 && k[0] == VOCAB) {
          (k[1] == 0 ? users : items).add(new String(kv.value, StandardCharsets.UTF_8));
        }
      }
    }
    for (Bytes k : keys) {
      store.delete(k);
    }
    wiped = new Wiped(users, items);
  }

  /**
   * The ids of the model a reset discarded, once, after the initial write that discarded it; null
   * when there was none.
   */
  public Wiped takeWiped() {
    Wiped w = wiped;
    wiped = null;
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
    store.put(key(PENDING, index), encodePending(rating, recordTimestamp, obs));
  }

  /**
   * Records an SGD step: every row the step touched (values and optimiser state), new vocabulary
   * entries, the dense layers, the ring records holding the errors scored since the last step,
   * and the counters; the pending ratings the step learned from are deleted.
   *
   * @param learnedPending how many ratings were pending in the store before the step (the batch
   *     less the rating that completed it, or the whole batch for a flush)
   * @param scoredSince ratings scored since the counters were last written
   */
  private void recordStep(int learnedPending, int scoredSince) {
    MfNetwork net = learner.trainer().network();
    List<ParamTable> tables = net.tables();
    for (int t = 0; t < tables.size(); t++) {
      ParamTable table = tables.get(t);
      int[] rows = table.gradRows();
      for (int j = 0; j < table.gradCount(); j++) {
        store.put(key(ROW, t, rows[j]), encodeRow(table, rows[j]));
      }
    }
    persistVocabulary(net);
    List<DenseParam> dense = net.denseParams();
    for (int d = 0; d < dense.size(); d++) {
      store.put(key(DENSE, d), encodeDense(dense.get(d)));
    }
    for (int i = 0; i < learnedPending; i++) {
      store.delete(key(PENDING, i));
    }
    writeRing(scoredSince);
    store.put(key(COUNTERS), counters());
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
    persistVocabulary(net);
    List<ParamTable> tables = net.tables();
    for (int t = 0; t < tables.size(); t++) {
      ParamTable table = tables.get(t);
      for (int r = 0; r < table.rows(); r++) {
        store.put(key(ROW, t, r), encodeRow(table, r));
      }
    }
    List<DenseParam> dense = net.denseParams();
    for (int d = 0; d < dense.size(); d++) {
      store.put(key(DENSE, d), encodeDense(dense.get(d)));
    }
    store.put(key(COUNTERS), counters());
  }

  private void persistVocabulary(MfNetwork net) {
    for (int r = persistedUsers; r < net.users().size(); r++) {
      store.put(key(VOCAB, 0, r), net.users().idAt(r).getBytes(StandardCharsets.UTF_8));
    }
    persistedUsers = net.users().size();
    for (int r = persistedItems; r < net.items().size(); r++) {
      store.put(key(VOCAB, 1, r), net.items().idAt(r).getBytes(StandardCharsets.UTF_8));
    }
    persistedItems = net.items().size();
  }

  private byte[] counters() {
    Trainer trainer = learner.trainer();
    MfNetwork net = trainer.network();
    RollingRmse rolling = learner.rollingMeter();
    ByteBuffer b = ByteBuffer.allocate(4 + 8 * 8 + 4 * 4 + 8);
    b.putInt(COUNTERS_FORMAT);
    b.putLong(trainer.version());
    b.putLong(trainer.trained());
    b.putDouble(net.labelSum());
    b.putLong(net.labelCount());
    b.putLong(learner.overallMeter().count());
    b.putDouble(learner.overallMeter().sumSquared());
    b.putLong(learner.coldStarts());
    b.putDouble(rolling.sum());
    b.putInt(rolling.next());
    b.putInt(rolling.count());
    b.putInt(net.users().size());
    b.putInt(net.items().size());
    return b.array();
  }

  // ---------------------------------------------------------------------------------------------
  // Restoring

  private void restore() {
    ByteBuffer c = ByteBuffer.wrap(require(key(COUNTERS), "counters"));
    int format = c.getInt();
    if (format != COUNTERS_FORMAT) {
      throw new IllegalStateException("model " + spec.name() + ": its state store was written "
          + "in format " + format + " and this build reads format " + COUNTERS_FORMAT + ". "
          + "Carry the model over with a snapshot: run the older build with --export-dir, then "
          + "this one with model." + spec.name() + ".warm.start=<the snapshot> and model."
          + spec.name() + ".reset raised (docs/UPGRADING.md)");
    }
    long version = c.getLong();
    long trained = c.getLong();
    double labelSum = c.getDouble();
    long labelCount = c.getLong();
    long scored = c.getLong();
    double sse = c.getDouble();
    long coldStarts = c.getLong();
    double rollingSum = c.getDouble();
    int rollingNext = c.getInt();
    int rollingFilled = c.getInt();
    int users = c.getInt();
    int items = c.getInt();

    Trainer trainer = learner.trainer();
    MfNetwork net = trainer.network();
    List<String> userIds = readIds(0, users);
    List<String> itemIds = readIds(1, items);
    net.restoreVocabulary(userIds, itemIds);
    persistedUsers = users;
    persistedItems = items;

    List<ParamTable> tables = net.tables();
    for (int t = 0; t < tables.size(); t++) {
      restoreTable(t, tables.get(t));
    }
    List<DenseParam> dense = net.denseParams();
    for (int d = 0; d < dense.size(); d++) {
      restoreDense(d, dense.get(d));
    }
    trainer.restoreCounters(version, trained);
    net.restoreMean(labelSum, labelCount);

    learner.overallMeter().restore(sse, scored);
    learner.restoreColdStarts(coldStarts);
    double[] ring = new double[spec.window()];
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(SQUARE, 0),
        key(SQUARE, Integer.MAX_VALUE))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int from = ByteBuffer.wrap(kv.key.get()).getInt(1) * RING_CHUNK;
        ByteBuffer v = ByteBuffer.wrap(kv.value);
        for (int s = from; v.hasRemaining() && s < ring.length; s++) {
          ring[s] = v.getDouble();
        }
      }
    }
    learner.rollingMeter().restore(ring, rollingNext, rollingFilled, rollingSum);
    // The counters and the ring are as of the last step: count the pending ratings back in.
    // The pending records are those of the partial batch, at indexes 0 to its size less one.
    List<Rating> pending = new ArrayList<>();
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(PENDING, 0),
        key(PENDING, Integer.MAX_VALUE))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int index = ByteBuffer.wrap(kv.key.get()).getInt(1);
        if (index != pending.size() || index >= pendingTimestamps.length) {
          throw corrupt("pending rating " + index + " after " + pending.size());
        }
        ByteBuffer p = ByteBuffer.wrap(kv.value);
        pendingTimestamps[index] = p.getLong();
        double error = p.getDouble();
        boolean cold = p.get() != 0;
        pending.add(decodeRating(p));
        learner.recountScored(error, cold);
      }
    }
    learner.restorePending(pending);
  }

  private List<String> readIds(int side, int count) {
    List<String> ids = new ArrayList<>(count);
    if (count == 0) {
      return ids;
    }
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(VOCAB, side, 0),
        key(VOCAB, side, count - 1))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int row = ByteBuffer.wrap(kv.key.get()).getInt(2);
        if (row != ids.size()) {
          throw corrupt((side == 0 ? "user" : "item") + " vocabulary has no row " + ids.size());
        }
        ids.add(new String(kv.value, StandardCharsets.UTF_8));
      }
    }
    if (ids.size() != count) {
      throw corrupt((side == 0 ? "user" : "item") + " vocabulary has " + ids.size()
          + " rows, the counters say " + count);
    }
    return ids;
  }

  private void restoreTable(int t, ParamTable table) {
    int rows = table.rows();
    int width = table.width();
    int slots = table.stateSlots();
    double[][] arrays = new double[1 + slots][rows * width];
    int seen = 0;
    if (rows > 0) {
      try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(ROW, t, 0),
          key(ROW, t, rows - 1))) {
        while (it.hasNext()) {
          KeyValue<Bytes, byte[]> kv = it.next();
          int row = ByteBuffer.wrap(kv.key.get()).getInt(2);
          ByteBuffer v = ByteBuffer.wrap(kv.value);
          for (double[] a : arrays) {
            for (int j = 0; j < width; j++) {
              a[row * width + j] = dbl ? v.getDouble() : v.getFloat();
            }
          }
          seen++;
        }
      }
    }
    if (seen != rows) {
      throw corrupt(table.name() + " has " + seen + " rows in the store, the vocabulary " + rows);
    }
    DataType dt = spec.model().dataType();
    INDArray values = Nd4j.createFromArray(arrays[0]).reshape(rows, width).castTo(dt);
    INDArray[] state = new INDArray[slots];
    for (int s = 0; s < slots; s++) {
      state[s] = Nd4j.createFromArray(arrays[1 + s]).reshape(rows, width).castTo(dt);
    }
    if (rows > 0) {
      table.restore(rows, values, state);
    }
  }

  private void restoreDense(int d, DenseParam p) {
    ByteBuffer v = ByteBuffer.wrap(require(key(DENSE, d), p.name()));
    long n = p.value().length();
    List<INDArray> targets = new ArrayList<>();
    targets.add(p.value());
    for (int s = 0; s < p.stateSlots(); s++) {
      targets.add(p.state(s));
    }
    for (INDArray target : targets) {
      double[] a = new double[(int) n];
      for (int i = 0; i < n; i++) {
        a[i] = dbl ? v.getDouble() : v.getFloat();
      }
      target.assign(Nd4j.createFromArray(a).reshape(target.shape()).castTo(target.dataType()));
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

  // ---------------------------------------------------------------------------------------------
  // Encodings

  private byte[] encodeRow(ParamTable table, int row) {
    int width = table.width();
    int slots = table.stateSlots();
    ByteBuffer b = ByteBuffer.allocate((1 + slots) * width * (dbl ? 8 : 4));
    putRow(b, table.values(), row, width, dbl);
    for (int s = 0; s < slots; s++) {
      putRow(b, table.state(s), row, width, dbl);
    }
    return b.array();
  }

  /**
   * Appends row {@code row} of a [capacity, width] array with contiguous rows to {@code out}; the
   * array may be a column view of an interleaved table (rows {@code stride(0)} apart).
   */
  static void putRow(ByteBuffer out, INDArray a, int row, int width, boolean dbl) {
    // A view's data() is a buffer view that already starts at the view's offset.
    DataBuffer data = a.data();
    long base = (long) row * (a.rows() == 1 ? width : a.stride(0));
    for (int j = 0; j < width; j++) {
      if (dbl) {
        out.putDouble(data.getDouble(base + j));
      } else {
        out.putFloat(data.getFloat(base + j));
      }
    }
  }

  private byte[] encodeDense(DenseParam p) {
    int n = (int) p.value().length();
    ByteBuffer b = ByteBuffer.allocate((1 + p.stateSlots()) * n * (dbl ? 8 : 4));
    putAll(b, p.value(), dbl);
    for (int s = 0; s < p.stateSlots(); s++) {
      putAll(b, p.state(s), dbl);
    }
    return b.array();
  }

  /**
   * Appends every element of {@code a} in row-major order, as doubles or as floats whatever
   * {@code a}'s own type (a double model's dense layers go to {@code model-updates} as floats).
   */
  static void putAll(ByteBuffer out, INDArray a, boolean dbl) {
    DataType want = dbl ? DataType.DOUBLE : DataType.FLOAT;
    INDArray c = a.dataType() != want ? a.castTo(want).dup('c')
        : a.ordering() == 'c' && a.offset() == 0 && !a.isView() ? a : a.dup('c');
    int n = (int) c.length();
    int at = out.position();
    // One bulk copy out of ND4J's memory: element by element (DataBuffer.getFloat) was 5% of
    // the MLP trainer's samples, for its dense layers after every step.
    if (dbl) {
      out.asDoubleBuffer().put(c.data().asNioDouble().limit(n));
    } else {
      out.asFloatBuffer().put(c.data().asNioFloat().limit(n));
    }
    out.position(at + n * (dbl ? Double.BYTES : Float.BYTES));
  }

  private static byte[] encodePending(Rating r, long recordTimestamp,
      OnlineLearner.Observation obs) {
    byte[] u = r.user().getBytes(StandardCharsets.UTF_8);
    byte[] i = r.item().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + 8 + 1 + 8 + 4 + 4 + u.length + 4 + i.length);
    b.putLong(recordTimestamp).putDouble(obs.error()).put((byte) (obs.coldStart() ? 1 : 0));
    b.putLong(r.timestamp()).putFloat(r.rating());
    b.putInt(u.length).put(u).putInt(i.length).put(i);
    return b.array();
  }

  private static Rating decodeRating(ByteBuffer b) {
    long ts = b.getLong();
    float rating = b.getFloat();
    byte[] u = new byte[b.getInt()];
    b.get(u);
    byte[] i = new byte[b.getInt()];
    b.get(i);
    return new Rating(new String(u, StandardCharsets.UTF_8), new String(i, StandardCharsets.UTF_8),
        rating, ts);
  }

  private static Bytes key(byte kind) {
    return Bytes.wrap(new byte[] {kind});
  }

  private static Bytes key(byte kind, int index) {
    return Bytes.wrap(ByteBuffer.allocate(5).put(kind).putInt(index).array());
  }

  private static Bytes key(byte kind, int sub, int index) {
    return Bytes.wrap(ByteBuffer.allocate(6).put(kind).put((byte) sub).putInt(index).array());
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
