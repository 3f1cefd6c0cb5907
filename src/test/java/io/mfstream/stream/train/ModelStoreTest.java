package io.mfstream.stream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.testing.UnitTest;
import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.ModelStateFormat;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.QualityMeters;
import io.mfstream.train.QualitySettings;
import io.mfstream.train.TestRatings;
import io.mfstream.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@UnitTest
class ModelStoreTest {
  private static final int BATCH = 8;
  private static final int WINDOW = 50;

  private static ModelSpec spec(ModelType type, OptimizerConfig optimizer) {
    return spec(type, optimizer, WINDOW);
  }

  /** Quality meters that every test rating exercises: a third of the users ranked. */
  static final QualitySettings QUALITY = new QualitySettings(3, 4, 3f, 0.34);

  private static ModelSpec spec(ModelType type, OptimizerConfig optimizer, int window) {
    ModelConfig model = ModelConfig.defaults(type).withFactors(6).withHidden(5).withInitScale(0.1);
    return new ModelSpec("m", model, optimizer, BATCH, window).withQuality(QUALITY);
  }

  /** Asserts two learners' quality meters hold the same state, row by row. */
  static void assertSameQuality(OnlineLearner expected, OnlineLearner actual, String what) {
    QualityMeters e = expected.quality();
    QualityMeters a = actual.quality();
    assertEquals(e.figures(), a.figures(), what + ": quality figures");
    assertEquals(e.trackedUsersFrom(), a.trackedUsersFrom(), what);
    assertEquals(e.trackedItemsFrom(), a.trackedItemsFrom(), what);
    int users = expected.trainer().network().users().size();
    int items = expected.trainer().network().items().size();
    for (int u = 0; u < users; u++) {
      assertEquals(e.learnedCount(false, u), a.learnedCount(false, u), what + " user " + u);
      assertEquals(e.learnedItems(u), a.learnedItems(u), what + " user " + u + "'s items");
      for (int j = 0; j < e.learnedItems(u); j++) {
        assertEquals(e.learnedItem(u, j), a.learnedItem(u, j), what + " user " + u);
      }
    }
    for (int i = 0; i < items; i++) {
      assertEquals(e.learnedCount(true, i), a.learnedCount(true, i), what + " item " + i);
    }
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void aModelReopenedFromItsStoreAtAnyPointShouldContinueBitIdentically(ModelType type)
      throws Exception {
    for (OptimizerConfig optimizer : List.of(OptimizerConfig.lazySgd(), OptimizerConfig.adam())) {
      reopenEverywhere(type, optimizer, WINDOW, BATCH * 12 + 5,
          Set.of(1, 3, BATCH, 2 * BATCH - 1, 5 * BATCH + 4, 90));
    }
  }

  @org.junit.jupiter.api.Test
  void aRollingWindowOfSeveralRingRecordsShouldComeBackWhole() throws Exception {
    // 300 slots: ring records of 128, 128 and 44 squares, wrapping after rating 300.
    int window = 2 * ModelStore.RING_CHUNK + 44;
    reopenEverywhere(ModelType.BIASED_MF, OptimizerConfig.lazySgd(), window, 700,
        Set.of(127, 128, 129, 255, 257, 299, 300, 301, 305, 433, 601, 640));
  }

  /**
   * Reopens the model at the given points, under checkpoints after every rating, every 7 ratings
   * and a timer's worth (every 11 ratings here) besides, and only when the log is full: a reopened
   * model loads its last checkpoint and replays the log since, which must give back exactly the
   * model that was running.
   */
  private static void reopenEverywhere(ModelType type, OptimizerConfig optimizer, int window,
      int ratings, Set<Integer> reopenAfter) throws ModelFailure {
    for (int checkpointEvery : new int[] {1, 7, ModelStore.CHECKPOINT_EVERY}) {
      ModelSpec spec = spec(type, optimizer, window);
      List<Rating> data = TestRatings.random(ratings, 15, 12, 3);
      OnlineLearner uninterrupted = new OnlineLearner(
          new Trainer(spec.model(), optimizer, BATCH), window, QUALITY);
      KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
      ModelStore model = ModelStore.open(store, spec, Kernels.forCurrentBackend(), false,
          checkpointEvery);
      assertTrue(model.createdFresh());
      // Reopen mid-batch, right after a step, right before one, and after a single rating.
      for (int n = 0; n < data.size(); n++) {
        Rating r = data.get(n);
        OnlineLearner.Observation expected = uninterrupted.observe(r);
        OnlineLearner.Observation actual = model.observe(r, 1000L + n);
        assertEquals(expected, actual, type + " rating " + n);
        if (checkpointEvery == 7 && n % 11 == 10) {
          model.checkpoint();
        }
        if (reopenAfter.contains(n + 1)) {
          model = ModelStore.open(store, spec, Kernels.forCurrentBackend(), false,
              checkpointEvery);
          assertFalse(model.createdFresh());
          OnlineLearner restored = model.learner();
          assertEquals(uninterrupted.pending(), restored.pending(), type + " pending after " + n);
          assertSameQuality(uninterrupted, restored, type + " after " + n);
          for (int i = 0; i < restored.pending().size(); i++) {
            assertEquals(1000L + n - restored.pending().size() + 1 + i, model.pendingTimestamp(i));
          }
        }
      }
      OnlineLearner l = model.learner();
      String what = type + " " + optimizer.kind() + ", checkpoints every " + checkpointEvery;
      assertArrayEquals(StreamTestSupport.snapshot(uninterrupted.trainer()),
          StreamTestSupport.snapshot(l.trainer()), what + ": parameters, state or counters differ");
      assertEquals(uninterrupted.scored(), l.scored(), what);
      assertEquals(uninterrupted.rmse(), l.rmse(), 0.0, what);
      assertEquals(uninterrupted.rollingRmse(), l.rollingRmse(), 0.0, what);
      assertEquals(uninterrupted.coldStarts(), l.coldStarts(), what);
      assertEquals(uninterrupted.pending(), l.pending(), what);
      assertSameQuality(uninterrupted, l, what);
      QualityMeters.Figures f = l.quality().figures();
      assertTrue(f.ranked() > 0 && f.scored(false, true) > 0 && f.scored(true, false) > 0,
          "the meters must have measured something: " + f);
    }
  }

  @Test
  void aStoreWithoutTheQualityRecordsShouldLoadWithRowsOfUnknownHistory() throws Exception {
    ModelSpec spec = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    List<Rating> data = TestRatings.random(BATCH * 10, 15, 12, 4);
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore model = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    for (int n = 0; n < data.size(); n++) {
      model.observe(data.get(n), n);
    }
    model.checkpoint();
    byte[] before = StreamTestSupport.snapshot(model.learner().trainer());
    // What an earlier build of format 3 left: no quality, counts or learned-items records.
    List<Bytes> quality = new java.util.ArrayList<>();
    try (var it = store.all()) {
      it.forEachRemaining(kv -> {
        byte kind = ModelStateFormat.kind(kv.key.get());
        if (kind == ModelStateFormat.QUALITY || kind == ModelStateFormat.COUNTS
            || kind == ModelStateFormat.LEARNED) {
          quality.add(kv.key);
        }
      });
    }
    assertTrue(quality.size() > 3, "the store held " + quality.size() + " quality records");
    quality.forEach(store::delete);

    ModelStore old = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    assertArrayEquals(before, StreamTestSupport.snapshot(old.learner().trainer()));
    QualityMeters q = old.learner().quality();
    int users = old.learner().trainer().network().users().size();
    assertEquals(users, q.trackedUsersFrom());
    assertEquals(old.learner().trainer().network().items().size(), q.trackedItemsFrom());
    assertEquals(0, q.figures().scored(false, true) + q.figures().scored(false, false));
    // Every known row counts as established; a user the model never saw is cold.
    Rating known = data.get(0);
    Rating newUser = new Rating("someone-new", known.item(), 5f, 0);
    old.observe(known, 1);
    old.observe(newUser, 2);
    assertEquals(1, q.figures().scored(false, false));
    assertEquals(1, q.figures().scored(false, true));
    assertEquals(2, q.figures().scored(true, false));
  }

  @Test
  void otherQualitySettingsShouldRestartTheMetersAndKeepTheRatingsLearnedPerRow()
      throws Exception {
    ModelSpec spec = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    List<Rating> data = TestRatings.random(BATCH * 10, 15, 12, 5);
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore model = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    for (int n = 0; n < data.size(); n++) {
      model.observe(data.get(n), n);
    }
    model.checkpoint();
    QualityMeters was = model.learner().quality();

    ModelStore colder = ModelStore.open(store, spec.withQuality(QUALITY.withCold(6, 6)),
        Kernels.forCurrentBackend());
    QualityMeters q = colder.learner().quality();
    assertEquals(0, q.figures().scored(false, true) + q.figures().scored(false, false));
    assertEquals(0, q.ranked());
    for (int u = 0; u < colder.learner().trainer().network().users().size(); u++) {
      assertEquals(was.learnedCount(false, u), q.learnedCount(false, u));
      assertEquals(was.learnedItems(u), q.learnedItems(u), "the same sample keeps the items");
    }

    ModelStore wider = ModelStore.open(store, spec.withQuality(QUALITY.withRanking(3f, 0.9)),
        Kernels.forCurrentBackend());
    QualityMeters w = wider.learner().quality();
    int users = wider.learner().trainer().network().users().size();
    assertEquals(users, w.trackedUsersFrom(), "another sample: the known users' items unknown");
    for (int u = 0; u < users; u++) {
      assertEquals(0, w.learnedItems(u));
      assertEquals(was.learnedCount(false, u), w.learnedCount(false, u));
    }
  }

  @Test
  void aFlushedPartialBatchShouldBeDurable() throws Exception {
    ModelSpec spec = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    List<Rating> data = TestRatings.random(BATCH + 3, 5, 5, 9);
    OnlineLearner uninterrupted = new OnlineLearner(
        new Trainer(spec.model(), spec.optimizer(), BATCH), WINDOW);
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore model = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    for (Rating r : data) {
      uninterrupted.observe(r);
      model.observe(r, 0);
    }
    uninterrupted.flush();
    assertEquals(3, model.flush(1));
    assertEquals(0, model.flush(2));
    ModelStore reopened = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    assertTrue(reopened.learner().pending().isEmpty());
    assertEquals(2, reopened.learner().trainer().version());
    assertArrayEquals(StreamTestSupport.snapshot(uninterrupted.trainer()),
        StreamTestSupport.snapshot(reopened.learner().trainer()));
  }

  @Test
  void reopeningWithAnotherConfigurationShouldFailAndSayWhy() {
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore.open(store, spec(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()),
        Kernels.forCurrentBackend());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelStore.open(
        store, spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd()),
        Kernels.forCurrentBackend()));
    assertTrue(e.getMessage().contains("cannot change under its stored state"), e.getMessage());
    assertTrue(e.getMessage().contains("biased-mf"), e.getMessage());
  }

  @Test
  void anEmptyStoreShouldWarmStartFromASnapshotAndKeepIt(@TempDir Path dir) throws Exception {
    ModelSpec base = spec(ModelType.MLP, OptimizerConfig.lazySgd());
    Trainer offline = new Trainer(base.model(), base.optimizer(), BATCH);
    List<Rating> history = TestRatings.random(BATCH * 5, 10, 10, 4);
    for (int s = 0; s < history.size(); s += BATCH) {
      offline.trainBatch(history, s, BATCH);
    }
    Path file = dir.resolve("warm.mfsnap");
    ModelSnapshot.save(offline, file);
    ModelSpec warm = new ModelSpec("m", base.model(), base.optimizer(), BATCH, WINDOW, file);

    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore model = ModelStore.open(store, warm, Kernels.forCurrentBackend());
    assertTrue(model.createdFresh());
    assertArrayEquals(Files.readAllBytes(file), StreamTestSupport.snapshot(model.learner()
        .trainer()));
    // The warm-started state is in the store: reopening (even without the file) restores it.
    Files.delete(file);
    ModelStore reopened = ModelStore.open(store, warm, Kernels.forCurrentBackend());
    assertFalse(reopened.createdFresh());
    assertArrayEquals(StreamTestSupport.snapshot(offline),
        StreamTestSupport.snapshot(reopened.learner().trainer()));
  }

  @Test
  void aWarmStartOfAnotherNetworkShouldBeRefused(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("plain.mfsnap");
    ModelSnapshot.save(new Trainer(spec(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()).model(),
        OptimizerConfig.lazySgd(), BATCH), file);
    ModelSpec biased = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    ModelSpec warm = new ModelSpec("m", biased.model(), biased.optimizer(), BATCH, WINDOW, file);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> ModelStore.open(
        StreamTestSupport.memoryStore("model-state"), warm, Kernels.forCurrentBackend()));
    assertTrue(e.getMessage().contains("warm-start"), e.getMessage());
  }

  @org.junit.jupiter.api.Test
  void aStoppedModelShouldStayStoppedUntilItsResetGenerationIsRaised() throws Exception {
    ModelSpec spec = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore model = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    List<Rating> data = TestRatings.random(3 * BATCH + 2, 6, 5, 9);
    for (int n = 0; n < data.size(); n++) {
      model.observe(data.get(n), n);
    }
    assertNull(model.degraded());
    model.markDegraded("DivergedException: loss is NaN");
    byte[] stopped = StreamTestSupport.snapshot(model.learner().trainer());

    ModelStore reopened = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    assertEquals("DivergedException: loss is NaN", reopened.degraded());
    assertArrayEquals(stopped, StreamTestSupport.snapshot(reopened.learner().trainer()),
        "the last good state comes back");

    // A higher reset generation, even with another configuration: a fresh model, nothing of the
    // old.
    ModelSpec reset = new ModelSpec("m", spec.model().withFactors(3), spec.optimizer(), BATCH,
        WINDOW, null, 2);
    ModelStore fresh = ModelStore.open(store, reset, Kernels.forCurrentBackend(), true);
    assertTrue(fresh.createdFresh());
    assertNull(fresh.degraded());
    int keysBefore = StreamTestSupport.contents(store).size();
    assertTrue(fresh.writeInitialIfPending());
    assertEquals(keysBefore, fresh.takeWiped(), "every key of the old model deleted");
    assertEquals(-1, fresh.takeWiped(), "told once");
    assertTrue(StreamTestSupport.contents(store).keySet().stream()
        .noneMatch(k -> k.get()[0] == io.mfstream.train.ModelStateFormat.ROW),
        "no row of the old model is left (a fresh model has none yet)");
    ModelStore again = ModelStore.open(store, reset, Kernels.forCurrentBackend());
    assertFalse(again.createdFresh(), "the same generation does not reset twice");
    assertEquals(2, again.storedGeneration());
    assertNull(again.degraded());
    assertEquals(0, again.learner().scored());
    assertEquals(0, again.learner().trainer().network().users().size());
  }

  @Test
  void anOlderResetGenerationShouldKeepTheNewerStoredStateInsteadOfResettingAgain()
      throws Exception {
    ModelSpec spec = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    ModelSpec third = new ModelSpec("m", spec.model(), spec.optimizer(), BATCH, WINDOW, null, 3);
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore model = ModelStore.open(store, third, Kernels.forCurrentBackend());
    for (Rating r : TestRatings.random(2 * BATCH + 3, 6, 5, 4)) {
      model.observe(r, 0);
    }
    byte[] learned = StreamTestSupport.snapshot(model.learner().trainer());
    // A rolling change half done: an instance still configured with generation 1 (or none) gets
    // the task. It must not discard the state the newer instance learned.
    for (ModelSpec older : List.of(spec, new ModelSpec("m", spec.model(), spec.optimizer(),
        BATCH, WINDOW, null, 1), third)) {
      ModelStore other = ModelStore.open(store, older, Kernels.forCurrentBackend());
      assertFalse(other.createdFresh(), "generation " + older.reset());
      assertEquals(3, other.storedGeneration());
      assertArrayEquals(learned, StreamTestSupport.snapshot(other.learner().trainer()));
      assertEquals(2 * BATCH + 3, other.learner().scored());
    }
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void aFailingRatingShouldWriteNothingAndStopLearningShouldGoBackToTheStoredModel(ModelType type)
      throws Exception {
    ModelConfig model = ModelConfig.defaults(type).withFactors(6).withHidden(5).withInitScale(0.1);
    ModelSpec spec = new ModelSpec("m", model,
        OptimizerConfig.lazySgd().withLearningRate(1e12), BATCH, WINDOW);
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore ms = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    List<Rating> data = TestRatings.random(200 * BATCH, 6, 5, 8);
    java.util.Map<Bytes, byte[]> before = null;
    byte[] good = null;
    long scored = 0;
    ModelFailure failure = null;
    for (int n = 0; n < data.size() && failure == null; n++) {
      before = StreamTestSupport.contents(store);
      good = StreamTestSupport.snapshot(ms.learner().trainer());
      scored = ms.learner().scored();
      try {
        ms.observe(data.get(n), n);
      } catch (ModelFailure f) {
        failure = f;
      }
    }
    assertTrue(failure != null, "a learning rate of 1e12 did not diverge");
    assertTrue(failure.reason().contains("Diverged") || failure.reason().contains("diverged"),
        failure.reason());
    java.util.Map<Bytes, byte[]> after = StreamTestSupport.contents(store);
    assertEquals(before.keySet(), after.keySet(), "the failing rating wrote nothing");
    for (Bytes k : before.keySet()) {
      assertArrayEquals(before.get(k), after.get(k), "key " + k);
    }

    ModelStore stopped = ms.stopLearning(failure);
    assertEquals(failure.reason(), stopped.degraded());
    assertEquals(scored, stopped.learner().scored(), "the failing rating is not counted");
    assertArrayEquals(good, StreamTestSupport.snapshot(stopped.learner().trainer()),
        "the model before the failing rating, not the one that failed");
    ModelStore restarted = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    assertEquals(failure.reason(), restarted.degraded());
    assertArrayEquals(good, StreamTestSupport.snapshot(restarted.learner().trainer()),
        "a restart runs on from the same model");
  }

  @Test
  void putAllShouldWriteTheValuesInEitherWidthWhateverTheArraysType() {
    for (org.nd4j.linalg.api.buffer.DataType type : List.of(
        org.nd4j.linalg.api.buffer.DataType.FLOAT, org.nd4j.linalg.api.buffer.DataType.DOUBLE)) {
      org.nd4j.linalg.api.ndarray.INDArray whole = org.nd4j.linalg.factory.Nd4j
          .createFromArray(new double[] {1.5, -2.25, 3.125, 4, 5.5, -6}).reshape(2, 3)
          .castTo(type);
      // A transposed view as well: not contiguous in row-major order.
      for (org.nd4j.linalg.api.ndarray.INDArray a : List.of(whole, whole.transpose())) {
        double[] expected = a.dup('c').data().asDouble();
        java.nio.ByteBuffer f = java.nio.ByteBuffer.allocate(4 * 6);
        io.mfstream.train.ModelStateFormat.putAll(f, a, false);
        java.nio.ByteBuffer d = java.nio.ByteBuffer.allocate(8 * 6);
        io.mfstream.train.ModelStateFormat.putAll(d, a, true);
        assertEquals(f.capacity(), f.position());
        assertEquals(d.capacity(), d.position());
        for (int j = 0; j < 6; j++) {
          assertEquals(expected[j], f.getFloat(4 * j), type + " as floats, element " + j);
          assertEquals(expected[j], d.getDouble(8 * j), type + " as doubles, element " + j);
        }
      }
    }
  }

  @Test
  void aStoreOfAnOlderFormatShouldSayHowToCarryTheModelOverAndThatWayShouldWork(
      @TempDir Path dir) throws Exception {
    ModelSpec spec = spec(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore("model-state");
    ModelStore old = ModelStore.open(store, spec, Kernels.forCurrentBackend());
    for (Rating r : TestRatings.random(4 * BATCH + 3, 7, 6, 2)) {
      old.observe(r, 0);
    }
    // What the older build would export on stop (run --export-dir) ...
    Path exported = dir.resolve("m.mfsnap");
    ModelSnapshot.save(old.learner().trainer(), exported);
    // ... from a store whose counters it wrote in format 1.
    Bytes counters = Bytes.wrap(new byte[] {1});
    byte[] c = store.get(counters).clone();
    java.nio.ByteBuffer.wrap(c).putInt(0, 1);
    store.put(counters, c);

    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ModelStore.open(store, spec, Kernels.forCurrentBackend()));
    assertTrue(e.getMessage().contains("format 1") && e.getMessage().contains("--export-dir")
        && e.getMessage().contains("model.m.warm.start") && e.getMessage().contains("model.m.reset"),
        e.getMessage());

    ModelSpec carried = new ModelSpec("m", spec.model(), spec.optimizer(), BATCH, WINDOW,
        exported, 1);
    ModelStore upgraded = ModelStore.open(store, carried, Kernels.forCurrentBackend());
    assertTrue(upgraded.createdFresh());
    assertArrayEquals(Files.readAllBytes(exported),
        StreamTestSupport.snapshot(upgraded.learner().trainer()), "the exported parameters");
    ModelStore reopened = ModelStore.open(store, carried, Kernels.forCurrentBackend());
    assertArrayEquals(Files.readAllBytes(exported),
        StreamTestSupport.snapshot(reopened.learner().trainer()), "and in the store, in this build's format");
  }
}
