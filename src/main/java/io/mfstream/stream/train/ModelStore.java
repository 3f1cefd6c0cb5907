package io.mfstream.stream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import static io.mfstream.train.ModelStateFormat.CONFIG;
import static io.mfstream.train.ModelStateFormat.COUNTERS;
import static io.mfstream.train.ModelStateFormat.DEGRADED;
import static io.mfstream.train.ModelStateFormat.DENSE;
import static io.mfstream.train.ModelStateFormat.LOG;
import static io.mfstream.train.ModelStateFormat.PENDING;
import static io.mfstream.train.ModelStateFormat.QUALITY;
import static io.mfstream.train.ModelStateFormat.RESET;
import static io.mfstream.train.ModelStateFormat.SQUARE;

import io.mfstream.data.Rating;
import io.mfstream.json.JsonMappers;
import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.Vocabulary;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.train.DirtyRows;
import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.ModelStateFormat;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.QualityMeters;
import io.mfstream.train.RollingRmse;
import io.mfstream.train.SnapshotHeader;
import io.mfstream.train.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * One model's whole training state in a key-value state store (RocksDB, changelogged), in the
 * records of {@link ModelStateFormat} (layout and format there): a <em>checkpoint</em> (the
 * configuration, counters, every row with its id and optimiser state, the dense layers, the
 * rolling RMSE window, the ratings pending at that moment) and a <em>log</em> of the ratings
 * observed since. The store's changelog is also what every serving replica reads
 * (docs/ARCHITECTURE.md): the checkpoints are the model feed.
 *
 * <p>The store is the truth; the {@link OnlineLearner} (ND4J arrays) is a cache rebuilt from it by
 * {@link #open}: the checkpoint loaded, then the log replayed through the learner, which computes
 * exactly what it computed the first time (learning is deterministic). Under
 * {@code exactly_once_v2} every write commits atomically with the input offsets, so a crash
 * neither loses a rating nor trains one twice, and the restored model is bit-identical to the one
 * that was running, whatever the point it stopped at.
 *
 * <p>What each thing costs: a rating, one write (its log entry); a step, nothing; a
 * {@link #checkpoint}, a write per row changed since the last one (each once, however many steps
 * touched it), the dense layers, the counters and the window. The trainer checkpoints every
 * {@code checkpointEvery} ratings and on a timer (docs/ARCHITECTURE.md), so the replicas follow
 * within a fraction of a second. With the store cached, a key reaches RocksDB and the changelog
 * at most once per commit.
 *
 * <p>When the model's arithmetic fails on a rating ({@link ModelFailure}), nothing of that rating
 * is written, and {@link #stopLearning} records the failure and rebuilds the model from the
 * store: what runs on is what a restart restores.
 */
public final class ModelStore {
  /** Squared errors per ring record. */
  static final int RING_CHUNK = ModelStateFormat.RING_CHUNK;
  /** A checkpoint at least every this many log entries, at the latest. */
  public static final int CHECKPOINT_EVERY = 16_384;
  private static final ObjectMapper JSON = JsonMappers.mapper();

  private final KeyValueStore<Bytes, byte[]> store;
  private final ReadOnlyKeyValueStore<Bytes, byte[]> reader;
  private final ModelSpec spec;
  private final Kernels kernels;
  private final OnlineLearner learner;
  /** Record timestamps of the pending ratings, parallel to {@code learner.pending()}. */
  private final long[] pendingTimestamps;
  private final int checkpointEvery;
  /** What steps changed since the checkpoint. */
  private final DirtyRows dirty = new DirtyRows();
  /** The epoch of the log: the checkpoint's, in the counters. */
  private long epoch;
  /** Entries in the log since the checkpoint. */
  private int logged;
  /** The log record being filled (entries logged - logged % LOG_CHUNK on), or null. */
  private ModelStateFormat.LogChunk chunk;
  /** Ratings scored since the checkpoint (the ring slots it must write). */
  private int scoredSinceCheckpoint;
  /** Per user row, how many of its learned items the store holds (see {@link QualityMeters}). */
  private int[] learnedWritten = new int[0];
  /** Whether the store holds a pending-ratings record, which a checkpoint must then update. */
  private boolean pendingStored;
  private final boolean fresh;
  /** A fresh model whose initial state is not in the store yet (see {@link #open}). */
  private boolean initialWritePending;
  /** The store holds a model of an older reset generation, to discard before the initial write. */
  private boolean wipePending;
  /** Keys a reset deleted, or -1 while none did (see {@link #takeWiped}). */
  private int wiped = -1;
  private String degraded;

  private ModelStore(KeyValueStore<Bytes, byte[]> store, ReadOnlyKeyValueStore<Bytes, byte[]> reader,
      ModelSpec spec, Kernels kernels, OnlineLearner learner, boolean fresh, int checkpointEvery) {
    if (checkpointEvery < 1) {
      throw new IllegalArgumentException("checkpointEvery must be at least 1");
    }
    this.store = store;
    this.reader = reader;
    this.spec = spec;
    this.kernels = kernels;
    this.learner = learner;
    this.pendingTimestamps = new long[spec.batchSize()];
    this.fresh = fresh;
    this.checkpointEvery = checkpointEvery;
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
    return open(store, spec, kernels, deferInitialWrite, CHECKPOINT_EVERY);
  }

  /** {@link #open}, checkpointing at the latest every {@code checkpointEvery} log entries. */
  public static ModelStore open(KeyValueStore<Bytes, byte[]> store, ModelSpec spec,
      Kernels kernels, boolean deferInitialWrite, int checkpointEvery) {
    byte[] config = store.get(key(CONFIG));
    boolean reset = config != null && spec.reset() > generation(store.get(key(RESET)));
    if (config == null || reset) {
      Trainer trainer = spec.warmStart() == null
          ? new Trainer(spec.model(), spec.optimizer(), spec.batchSize(), kernels)
          : warmStart(spec, kernels);
      ModelStore ms = new ModelStore(store, store, spec, kernels,
          new OnlineLearner(trainer, spec.window(), spec.quality()), true, checkpointEvery);
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
        new OnlineLearner(trainer, spec.window(), spec.quality()), false, checkpointEvery);
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
    ModelStore before = open(store, spec, kernels, false, checkpointEvery);
    before.checkpoint(); // the replicas serve the last good parameters, the log's steps included
    return before;
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
      return t.withFreshOptimizer(spec.optimizer(), spec.batchSize(), kernels);
    }
    return t;
  }

  /** The learner this store keeps: scores, buffers and trains. */
  public OnlineLearner learner() {
    return learner;
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
   * Test-then-train on one rating, then logs it: what {@link OnlineLearner#observe} does, made
   * durable. When a step was taken, the returned observation's {@code stepTaken} is true and it
   * learned from the batch's ratings, whose record timestamps {@link #pendingTimestamp} gives for
   * 0 to {@code batch - 1} until the next call.
   *
   * @throws ModelFailure when the model's arithmetic fails on the rating (a non-finite loss or
   *     prediction, or its own code threw); nothing of the rating was written
   */
  public OnlineLearner.Observation observe(Rating rating, long recordTimestamp)
      throws ModelFailure {
    writeInitialIfPending();
    OnlineLearner.Observation obs = learn(rating, recordTimestamp);
    log(new ModelStateFormat.Entry(recordTimestamp, rating));
    return obs;
  }

  /**
   * Learns from a partial batch now (the linger flush) and logs it. Returns how many ratings the
   * step learned from, 0 when nothing was pending.
   *
   * @param at the time of the flush, kept in the log
   * @throws ModelFailure when the step fails; nothing of it was written
   */
  public int flush(long at) throws ModelFailure {
    writeInitialIfPending();
    int pending = learner.pending().size();
    if (!flushLearner()) {
      return 0;
    }
    log(ModelStateFormat.Entry.flush(at));
    return pending;
  }

  /** Test-then-train in memory; the dirty rows noted. Writes nothing. */
  private OnlineLearner.Observation learn(Rating rating, long recordTimestamp)
      throws ModelFailure {
    pendingTimestamps[learner.pending().size()] = recordTimestamp;
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
    scoredSinceCheckpoint++;
    if (obs.stepTaken()) {
      dirty.addStep(learner.trainer().network());
    }
    return obs;
  }

  private boolean flushLearner() throws ModelFailure {
    int pending = learner.pending().size();
    boolean stepped;
    try {
      stepped = learner.flush();
    } catch (RuntimeException e) {
      throw new ModelFailure("learning from the " + pending + " pending ratings failed", e);
    }
    if (stepped) {
      dirty.addStep(learner.trainer().network());
    }
    return stepped;
  }

  /** Appends to the log; checkpoints when it is long enough. */
  private void log(ModelStateFormat.Entry entry) {
    if (chunk == null || chunk.full()) {
      chunk = new ModelStateFormat.LogChunk(epoch);
    }
    chunk.append(entry);
    store.put(key(LOG, logged / ModelStateFormat.LOG_CHUNK), chunk.record());
    logged++;
    if (logged >= checkpointEvery) {
      checkpoint();
    }
  }

  /**
   * Writes a checkpoint: every row a step changed since the last one (values and optimiser
   * state; each once), the dense layers if a step changed them, the ring records holding the
   * errors scored since, the ratings pending now, and the counters, which start a new log epoch
   * (the entries logged so far become stale). Does nothing when nothing was observed since.
   */
  public void checkpoint() {
    writeInitialIfPending();
    if (logged == 0) {
      return;
    }
    MfNetwork net = learner.trainer().network();
    BitSet userCounts = new BitSet();
    BitSet itemCounts = new BitSet();
    dirty.forEachUser(r -> {
      writeRow(ModelStateFormat.USERS, net.userTables(), net.users(), r);
      userCounts.set(r / ModelStateFormat.COUNTS_CHUNK);
      writeLearned(r);
    });
    dirty.forEachItem(r -> {
      writeRow(ModelStateFormat.ITEMS, net.itemTables(), net.items(), r);
      itemCounts.set(r / ModelStateFormat.COUNTS_CHUNK);
    });
    userCounts.stream().forEach(c -> writeCounts(ModelStateFormat.USERS, c));
    itemCounts.stream().forEach(c -> writeCounts(ModelStateFormat.ITEMS, c));
    if (dirty.dense()) {
      writeDense(net);
    }
    dirty.clear();
    store.put(key(QUALITY), ModelStateFormat.encodeQuality(learner.quality()));
    writeRing(scoredSinceCheckpoint);
    scoredSinceCheckpoint = 0;
    writePending();
    epoch++;
    logged = 0;
    chunk = null;
    store.put(key(COUNTERS), counters());
  }

  private void writePending() {
    List<Rating> pending = learner.pending();
    if (pending.isEmpty()) {
      if (pendingStored) {
        store.delete(key(PENDING));
        pendingStored = false;
      }
      return;
    }
    List<ModelStateFormat.Entry> entries = new ArrayList<>(pending.size());
    for (int i = 0; i < pending.size(); i++) {
      entries.add(new ModelStateFormat.Entry(pendingTimestamps[i], pending.get(i)));
    }
    store.put(key(PENDING), ModelStateFormat.encodePending(entries));
    pendingStored = true;
  }

  private void writeRow(int side, List<ParamTable> tables, Vocabulary vocab, int row) {
    store.put(Bytes.wrap(ModelStateFormat.rowKey(side, row)),
        ModelStateFormat.encodeRow(vocab.idAt(row), tables, row));
  }

  /** Writes a side's ratings-learned counts of rows chunk * COUNTS_CHUNK on. */
  private void writeCounts(int side, int chunk) {
    MfNetwork net = learner.trainer().network();
    boolean item = side == ModelStateFormat.ITEMS;
    int rows = (item ? net.items() : net.users()).size();
    int from = chunk * ModelStateFormat.COUNTS_CHUNK;
    int n = Math.min(ModelStateFormat.COUNTS_CHUNK, rows - from);
    int[] values = new int[n];
    for (int j = 0; j < n; j++) {
      values[j] = learner.quality().learnedCount(item, from + j);
    }
    store.put(Bytes.wrap(ModelStateFormat.countsKey(side, chunk)),
        ModelStateFormat.encodeInts(values, 0, n));
  }

  /** Writes the chunks of a user's learned items that changed since they were last written. */
  private void writeLearned(int user) {
    QualityMeters q = learner.quality();
    int n = q.learnedItems(user);
    int written = user < learnedWritten.length ? learnedWritten[user] : 0;
    if (n <= written) {
      return;
    }
    int size = ModelStateFormat.LEARNED_CHUNK;
    for (int chunk = written / size; chunk * size < n; chunk++) {
      int from = chunk * size;
      int[] items = new int[Math.min(size, n - from)];
      for (int j = 0; j < items.length; j++) {
        items[j] = q.learnedItem(user, from + j);
      }
      store.put(Bytes.wrap(ModelStateFormat.learnedKey(user, chunk)),
          ModelStateFormat.encodeInts(items, 0, items.length));
    }
    if (user >= learnedWritten.length) {
      learnedWritten = Arrays.copyOf(learnedWritten, Math.max(user + 1,
          2 * learnedWritten.length));
    }
    learnedWritten[user] = n;
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
    for (int c = 0; c * ModelStateFormat.COUNTS_CHUNK < net.users().size(); c++) {
      writeCounts(ModelStateFormat.USERS, c);
    }
    for (int c = 0; c * ModelStateFormat.COUNTS_CHUNK < net.items().size(); c++) {
      writeCounts(ModelStateFormat.ITEMS, c);
    }
    for (int r = 0; r < net.users().size(); r++) {
      writeLearned(r);
    }
    store.put(key(QUALITY), ModelStateFormat.encodeQuality(learner.quality()));
    store.put(key(COUNTERS), counters());
  }

  private byte[] counters() {
    Trainer trainer = learner.trainer();
    MfNetwork net = trainer.network();
    RollingRmse rolling = learner.rollingMeter();
    return new ModelStateFormat.Counters(trainer.version(), trainer.trained(), net.labelSum(),
        net.labelCount(), learner.overallMeter().count(), learner.overallMeter().sumSquared(),
        learner.coldStarts(), rolling.sum(), rolling.next(), rolling.count(), net.users().size(),
        net.items().size(), epoch).encode();
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
    restoreQuality(c);
    // The meters are as of the checkpoint, the pending ratings' errors included.
    List<Rating> pending = new ArrayList<>();
    byte[] pendingRecord = reader.get(key(PENDING));
    if (pendingRecord != null) {
      List<ModelStateFormat.Entry> entries;
      try {
        entries = ModelStateFormat.decodePending(pendingRecord);
      } catch (IllegalArgumentException e) {
        throw corrupt("pending ratings: " + e.getMessage());
      }
      if (entries.size() >= pendingTimestamps.length) {
        throw corrupt(entries.size() + " pending ratings for a batch of "
            + pendingTimestamps.length);
      }
      for (ModelStateFormat.Entry e : entries) {
        pendingTimestamps[pending.size()] = e.recordTimestamp();
        pending.add(e.rating());
      }
      pendingStored = true;
    }
    learner.restorePending(pending);
    epoch = c.epoch();
    replayLog();
  }

  /**
   * Restores the quality meters as of the checkpoint. A store without their record (written by
   * an earlier build) leaves them at zero, with every row of the checkpoint of unknown history;
   * one measured under other settings also restarts them at zero, keeping the ratings learned per
   * row, and the learned items of the ranking's users only if the sample is the same.
   */
  private void restoreQuality(ModelStateFormat.Counters c) {
    QualityMeters q = learner.quality();
    byte[] record = reader.get(key(QUALITY));
    if (record == null) {
      q.untrack(c.users(), c.items());
      return;
    }
    ModelStateFormat.Quality stored;
    try {
      stored = ModelStateFormat.decodeQuality(record);
    } catch (IllegalArgumentException e) {
      throw corrupt("quality meters: " + e.getMessage());
    }
    if (stored.trackedUsersFrom() > c.users() || stored.trackedItemsFrom() > c.items()) {
      throw corrupt("quality meters tracked from rows " + stored.trackedUsersFrom() + " and "
          + stored.trackedItemsFrom() + " of " + c.users() + " and " + c.items());
    }
    if (stored.settings().equals(spec.quality())) {
      stored.restoreInto(q);
    } else {
      q.restore(stored.trackedUsersFrom(), stored.trackedItemsFrom(), new long[4], new double[4],
          0, 0, 0);
    }
    restoreCounts(ModelStateFormat.USERS, c.users());
    restoreCounts(ModelStateFormat.ITEMS, c.items());
    if (stored.settings().rankingSample() != spec.quality().rankingSample()) {
      q.untrack(c.users(), 0);
      return;
    }
    restoreLearned(q, c.users());
  }

  private void restoreCounts(int side, int rows) {
    QualityMeters q = learner.quality();
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(
        Bytes.wrap(ModelStateFormat.countsKey(side, 0)),
        Bytes.wrap(ModelStateFormat.countsKey(side, Integer.MAX_VALUE)))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int from = ModelStateFormat.countsChunk(kv.key.get()) * ModelStateFormat.COUNTS_CHUNK;
        int[] values = ModelStateFormat.decodeInts(kv.value, ModelStateFormat.COUNTS_CHUNK);
        if (from >= rows) {
          continue; // rows a checkpoint had not yet written when this one was taken
        }
        q.restoreCounts(side == ModelStateFormat.ITEMS, from,
            Arrays.copyOf(values, Math.min(values.length, rows - from)));
      }
    } catch (IllegalArgumentException e) {
      throw corrupt("ratings learned per row: " + e.getMessage());
    }
  }

  private void restoreLearned(QualityMeters q, int users) {
    learnedWritten = new int[users];
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(
        Bytes.wrap(ModelStateFormat.learnedKey(q.trackedUsersFrom(), 0)),
        Bytes.wrap(ModelStateFormat.learnedKey(users, 0)))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        int user = ModelStateFormat.learnedUser(kv.key.get());
        int chunk = ModelStateFormat.learnedChunk(kv.key.get());
        if (user >= users) {
          continue;
        }
        int have = q.learnedItems(user);
        if (have != chunk * ModelStateFormat.LEARNED_CHUNK) {
          throw corrupt("learned items of user row " + user + ": chunk " + chunk + " after "
              + have + " items");
        }
        q.restoreLearned(user, ModelStateFormat.decodeInts(kv.value,
            ModelStateFormat.LEARNED_CHUNK));
        learnedWritten[user] = q.learnedItems(user);
      }
    } catch (IllegalArgumentException e) {
      throw corrupt("learned items: " + e.getMessage());
    }
  }

  /**
   * Replays the log of the checkpoint's epoch through the learner, as it was observed: the same
   * scores, meters, batches and steps, bit for bit. Writes nothing: the entries stay logged.
   */
  private void replayLog() {
    try (KeyValueIterator<Bytes, byte[]> it = reader.range(key(LOG, 0),
        key(LOG, Integer.MAX_VALUE))) {
      while (it.hasNext()) {
        KeyValue<Bytes, byte[]> kv = it.next();
        if (ModelStateFormat.index(kv.key.get()) * ModelStateFormat.LOG_CHUNK != logged
            || ModelStateFormat.logEpoch(kv.value) != epoch) {
          break; // the rest is of an earlier epoch
        }
        chunk = new ModelStateFormat.LogChunk(epoch);
        for (ModelStateFormat.Entry e : ModelStateFormat.decodeLog(kv.value)) {
          replay(e);
          chunk.append(e);
          logged++;
        }
      }
    } catch (IllegalArgumentException e) {
      throw corrupt("the log, entry " + logged + ": " + e.getMessage());
    }
  }

  private void replay(ModelStateFormat.Entry e) {
    try {
      if (e.isFlush()) {
        flushLearner();
      } else {
        learn(e.rating(), e.recordTimestamp());
      }
    } catch (ModelFailure f) {
      throw corrupt("replaying entry " + logged + " of the log failed, though it did not when "
          + "it was observed: " + f.getMessage());
    }
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
