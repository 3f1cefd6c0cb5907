package io.mfstream.stream.serve;

import static io.mfstream.stream.serve.StateRecords.config;
import static io.mfstream.stream.serve.StateRecords.configKey;
import static io.mfstream.stream.serve.StateRecords.counters;
import static io.mfstream.stream.serve.StateRecords.countersKey;
import static io.mfstream.stream.serve.StateRecords.dense;
import static io.mfstream.stream.serve.StateRecords.denseKey;
import static io.mfstream.stream.serve.StateRecords.itemKey;
import static io.mfstream.stream.serve.StateRecords.row;
import static io.mfstream.stream.serve.StateRecords.userKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.ModelType;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.stream.serde.SeenItemsCodec;
import io.mfstream.testing.UnitTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The in-memory replicas, fed record by record as the global processors feed them. */
@UnitTest
@Timeout(60)
class ReplicasTest {
  private static final int K = 3;

  private static void header(Replicas r, ModelType type, int factors, int users, int items) {
    r.apply(0, configKey(), config(type, factors, type.isMlp() ? 2 : 0));
    r.apply(0, countersKey(), counters(7, 70, 3.5, users, items));
  }

  @Test
  void topNShouldEqualAFullSortWithTiesToTheSmallerIdAndSkipRatedItems() {
    Replicas r = new Replicas(List.of("m"));
    header(r, ModelType.BIASED_MF, K, 1, 300);
    r.apply(0, userKey(0), row("u", 1, 0.5f, -0.25f, 0.1f));
    Random rnd = new Random(3);
    List<String> rated = new ArrayList<>();
    for (int j = 0; j < 300; j++) {
      // Values from a small set, so that many scores tie exactly.
      float a = rnd.nextInt(4) / 4f;
      float bias = rnd.nextInt(3) / 2f;
      String id = "item-" + rnd.nextInt(100_000);
      r.apply(0, itemKey(j), row(id, a, 0, 0, bias));
      if (j % 7 == 0) {
        rated.add(id);
      }
    }
    StateRecords.seen(r, "u", rated.toArray(new String[0]));
    ModelReplica m = r.get("m");
    ModelReplica.Header h = m.header();
    List<String> seen = r.seen("u");
    assertEquals(rated, seen, "in the order rated, over several chunks");
    for (int n : new int[] {1, 10, 50, 1000}) {
      List<ScoredItem> got = m.recommend(h, "u", n, seen).items();
      List<ScoredItem> all = new ArrayList<>();
      for (String id : allItems(m)) {
        if (!seen.contains(id)) {
          all.add(new ScoredItem(id, m.predict(h, "u", id).rating()));
        }
      }
      all.sort(Comparator.comparingDouble((ScoredItem s) -> -s.rating())
          .thenComparing(ScoredItem::item));
      assertEquals(all.subList(0, Math.min(n, all.size())), got, "n = " + n);
    }
  }

  private static List<String> allItems(ModelReplica m) {
    RowTable.Data d = m.itemRows().data();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < m.itemRows().size(); i++) {
      if (d.ids()[i] != null) {
        ids.add(d.ids()[i]);
      }
    }
    return ids;
  }

  @Test
  void theHeaderShouldComeFromTheConfigurationCountersAndFailureRecords() {
    Replicas r = new Replicas(List.of("m"));
    ModelReplica m = r.get("m");
    r.apply(0, configKey(), config(ModelType.MLP, K, 2));
    assertNull(m.header(), "no counters yet: nothing to serve");
    r.apply(0, countersKey(), counters(12, 192, 3.25, 4, 5));
    assertEquals(new ModelReplica.Header(ModelType.MLP, K, 2, 12, 192, 3.25, 4, 5, null),
        m.header());
    r.apply(0, StateRecords.degradedKey(), "the loss is NaN".getBytes(StandardCharsets.UTF_8));
    assertTrue(m.header().isDegraded());
    assertEquals("the loss is NaN", m.header().degraded());
    r.apply(0, StateRecords.degradedKey(), null); // a reset deletes the flag
    assertFalse(m.header().isDegraded());
    r.apply(0, configKey(), null);
    assertNull(m.header(), "a reset in progress: no configuration, nothing to serve");
  }

  @Test
  void tombstonesShouldRemoveRowsAndSeenChunks() {
    Replicas r = new Replicas(List.of("m"));
    header(r, ModelType.PLAIN_MF, K, 1, 3);
    r.apply(0, userKey(0), row("u/1", 1, 0, 0));
    List<String> items = List.of("a", "b/with/slashes", "c");
    for (int j = 0; j < items.size(); j++) {
      r.apply(0, itemKey(j), row(items.get(j), items.get(j).length(), 0, 0));
    }
    StateRecords.seen(r, "u/1", "b/with/slashes", "b/with/slashes"); // rated twice
    assertEquals(List.of("b/with/slashes", "b/with/slashes"), r.seen("u/1"));
    assertEquals(2, r.seenPairs());
    ModelReplica m = r.get("m");
    assertEquals(List.of("a", "c"), ids(m.recommend(m.header(), "u/1", 5, r.seen("u/1"))));

    r.apply(0, itemKey(2), null);
    r.applySeen(0, SeenItemsCodec.key("u/1", 0), null);
    assertEquals(List.of(), r.seen("u/1"));
    assertEquals(0, r.seenPairs());
    assertEquals(List.of("b/with/slashes", "a"),
        ids(m.recommend(m.header(), "u/1", 5, r.seen("u/1"))));
    assertTrue(m.predict(m.header(), "u/1", "c").coldStart(), "a removed item is unknown");
    assertEquals(2, m.items());
    r.apply(0, itemKey(2), row("d", 9, 0, 0));
    assertEquals(3, m.itemRows().size(), "the trainer's row number");
    assertEquals(List.of("b/with/slashes", "d", "a"),
        ids(m.recommend(m.header(), "u/1", 5, List.of())));
    r.apply(0, itemKey(2), row("e", 9, 0, 0)); // a row that changed hands (a reset, compacted)
    assertEquals(-1, m.itemRows().row("d"));
    assertEquals(2, m.itemRows().row("e"));
  }

  @Test
  void eachValidationPartitionShouldKeepItsOwnChunksOfAUser() {
    Replicas r = new Replicas(List.of("m"));
    r.applySeen(0, SeenItemsCodec.key("u", 0), SeenItemsCodec.append(null, "a"));
    r.applySeen(2, SeenItemsCodec.key("u", 0), SeenItemsCodec.append(null, "b"));
    assertEquals(List.of("a", "b"), r.seen("u"), "chunk 0 of two partitions: both kept");
    r.applySeen(0, SeenItemsCodec.key("u", 0), null);
    assertEquals(List.of("b"), r.seen("u"));
    assertEquals(1, r.seenPairs());
  }

  @Test
  void rowsOfAnotherWidthShouldStartTheTableAfreshAsAResetWithOtherFactorsDoes() {
    Replicas r = new Replicas(List.of("m"));
    header(r, ModelType.PLAIN_MF, K, 1, 2);
    r.apply(0, itemKey(0), row("old", 1, 1, 1));
    header(r, ModelType.PLAIN_MF, 2, 1, 1);
    r.apply(0, itemKey(0), row("new", 1, 1));
    r.apply(0, userKey(0), row("u", 2, 0));
    ModelReplica m = r.get("m");
    assertEquals(1, m.items());
    assertEquals(List.of("new"), ids(m.recommend(m.header(), "u", 5, List.of())));
    assertEquals(2f, m.predict(m.header(), "u", "new").rating());
  }

  @Test
  void anMlpWhoseLayersHaveNotArrivedShouldAnswerTheFallbackNotFail() {
    Replicas r = new Replicas(List.of("m"));
    header(r, ModelType.MLP, K, 1, 1);
    r.apply(0, userKey(0), row("u", 1, 1, 1));
    r.apply(0, itemKey(0), row("i", 1, 1, 1));
    ModelReplica m = r.get("m");
    ModelReplica.Score s = m.predict(m.header(), "u", "i");
    assertTrue(s.coldStart());
    assertEquals(3.5f, s.rating());
    assertTrue(m.recommend(m.header(), "u", 3, List.of()).items().isEmpty());
    // With its layers (k 3, hidden 2): FC(ReLU(e)) on both sides, then the dot product.
    r.apply(0, denseKey(0), dense(1, 0, 0, 1, 0, 0));
    r.apply(0, denseKey(1), dense(0, 0));
    r.apply(0, denseKey(2), dense(1, 0, 0, 1, 0, 0));
    r.apply(0, denseKey(3), dense(0.5f, 0));
    s = m.predict(m.header(), "u", "i");
    assertEquals(1 * 1.5f + 1 * 1, s.rating(), 1e-6);
    assertEquals(List.of("i"), ids(m.recommend(m.header(), "u", 3, List.of())));
  }

  @Test
  void anMlpsTopNShouldScoreEveryItemAsAPredictionDoesThroughRowAndLayerChanges() {
    int k = 4;
    int hidden = 3;
    int n = 2_500; // more than one block of the scan and of the towers' rebuild
    Replicas r = new Replicas(List.of("m"));
    r.apply(0, configKey(), config(ModelType.MLP, k, hidden));
    r.apply(0, countersKey(), counters(7, 70, 3.5, 1, n));
    Random rnd = new Random(11);
    r.apply(0, userKey(0), row("u", values(rnd, k)));
    for (int j = 0; j < n; j++) {
      r.apply(0, itemKey(j), row("item-" + j, values(rnd, k)));
    }
    r.apply(0, denseKey(0), dense(values(rnd, k * hidden)));
    r.apply(0, denseKey(1), dense(values(rnd, hidden)));
    r.apply(0, denseKey(2), dense(values(rnd, k * hidden)));
    r.apply(0, denseKey(3), dense(values(rnd, hidden)));
    ModelReplica m = r.get("m");
    assertTopNEqualsPredictions(m, "first towers");
    for (int j = 0; j < 40; j++) { // rows change: the towers of those rows are recomputed
      int row = rnd.nextInt(n);
      r.apply(0, itemKey(row), row("item-" + row, values(rnd, k)));
    }
    r.apply(0, itemKey(n - 1), null);
    assertTopNEqualsPredictions(m, "after 40 rows changed and one removed");
    r.apply(0, denseKey(2), dense(values(rnd, k * hidden))); // the item layer: a rebuild
    assertTopNEqualsPredictions(m, "after the item layer changed");
    r.apply(0, itemKey(n + 3_000), row("late", values(rnd, k))); // the table grows
    r.apply(0, denseKey(0), dense(values(rnd, k * hidden))); // the user layer: no rebuild
    assertTopNEqualsPredictions(m, "after the table grew and the user layer changed");
  }

  @Test
  void requestsAtTheSameTimeShouldShareScansAndGetTheAnswersTheyWouldAlone() throws Exception {
    for (ModelType type : new ModelType[] {ModelType.BIASED_MF, ModelType.MLP}) {
      int k = 4;
      int hidden = 3;
      int width = type == ModelType.BIASED_MF ? k + 1 : k;
      Replicas r = new Replicas(List.of("m"));
      r.apply(0, configKey(), config(type, k, type.isMlp() ? hidden : 0));
      r.apply(0, countersKey(), counters(7, 70, 3.5, 16, 3_000));
      Random rnd = new Random(5);
      for (int j = 0; j < 16; j++) {
        r.apply(0, userKey(j), row("u" + j, values(rnd, width)));
      }
      for (int j = 0; j < 3_000; j++) {
        r.apply(0, itemKey(j), row("i" + j, values(rnd, width)));
      }
      for (int p = 0; p < 4; p++) {
        r.apply(0, denseKey(p), dense(values(rnd, p % 2 == 0 ? k * hidden : hidden)));
      }
      ModelReplica m = r.get("m");
      m.shareScansAbove(0); // a small table, shared as a large one would be
      ModelReplica.Header h = m.header();
      List<List<ScoredItem>> alone = new ArrayList<>();
      for (int j = 0; j < 16; j++) {
        alone.add(m.recommend(h, "u" + j, 5 + j, List.of("i" + j)).items());
      }
      int threads = 12;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(threads);
        List<java.util.concurrent.Future<Boolean>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          int first = t;
          done.add(pool.submit(() -> {
            start.await();
            for (int c = 0; c < 200; c++) {
              int j = (first + c) % 16;
              if (!alone.get(j).equals(m.recommend(h, "u" + j, 5 + j, List.of("i" + j)).items())) {
                return false;
              }
            }
            return true;
          }));
        }
        for (java.util.concurrent.Future<Boolean> f : done) {
          assertTrue(f.get(60, java.util.concurrent.TimeUnit.SECONDS), type + ": an answer changed");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void anInterruptedRequestShouldStillBeAnsweredAndKeepItsInterrupt() throws Exception {
    Replicas r = new Replicas(List.of("m"));
    header(r, ModelType.BIASED_MF, K, 1, 50);
    r.apply(0, userKey(0), row("u", 1, 0.5f, -0.25f, 0.1f));
    for (int j = 0; j < 50; j++) {
      r.apply(0, itemKey(j), row("i" + j, j / 50f, 0, 0, 0));
    }
    ModelReplica m = r.get("m");
    m.shareScansAbove(0);
    List<ScoredItem> alone = m.recommend(m.header(), "u", 5, List.of()).items();
    java.util.concurrent.atomic.AtomicReference<List<ScoredItem>> got =
        new java.util.concurrent.atomic.AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean stillInterrupted =
        new java.util.concurrent.atomic.AtomicBoolean();
    Thread t = new Thread(() -> {
      Thread.currentThread().interrupt();
      got.set(m.recommend(m.header(), "u", 5, List.of()).items());
      stillInterrupted.set(Thread.currentThread().isInterrupted());
    });
    t.start();
    t.join(10_000);
    assertEquals(alone, got.get());
    assertTrue(stillInterrupted.get(), "the interrupt is the caller's to see");
  }

  private static float[] values(Random rnd, int n) {
    float[] v = new float[n];
    for (int j = 0; j < n; j++) {
      v[j] = (float) rnd.nextGaussian();
    }
    return v;
  }

  private static void assertTopNEqualsPredictions(ModelReplica m, String when) {
    ModelReplica.Header h = m.header();
    List<ScoredItem> all = new ArrayList<>();
    for (String id : allItems(m)) {
      all.add(new ScoredItem(id, m.predict(h, "u", id).rating()));
    }
    all.sort(Comparator.comparingDouble((ScoredItem s) -> -s.rating())
        .thenComparing(ScoredItem::item));
    assertEquals(all, m.recommend(h, "u", all.size(), List.of()).items(), when); // every item
  }

  @Test
  void recordsOfOtherPartitionsShouldBeIgnoredAndUnreadableOnesRefused() {
    Replicas r = new Replicas(List.of("m"));
    r.apply(1, userKey(0), row("u", 1));
    r.apply(0, StateRecords.degradedKey(), new byte[0]);
    assertThrows(IllegalArgumentException.class, () -> r.apply(0, new byte[] {3, 0}, new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> r.apply(0, userKey(0), new byte[3]));
    byte[] future = row("u", 1);
    future[0] = 99;
    assertThrows(IllegalArgumentException.class, () -> r.apply(0, userKey(0), future));
    assertThrows(IllegalArgumentException.class, () -> r.apply(0, denseKey(7), dense(1)));
    assertThrows(IllegalArgumentException.class, () -> r.apply(0, countersKey(), new byte[5]));
    assertThrows(IllegalArgumentException.class, () -> r.apply(0, configKey(), new byte[] {'x'}));
    assertThrows(IllegalArgumentException.class, () -> r.applySeen(0, new byte[3], null));
    assertThrows(IllegalArgumentException.class,
        () -> r.applySeen(0, SeenItemsCodec.key("u", 0), new byte[] {9, 0}));
    assertEquals(0, r.get("m").users(), "nothing changed");
    assertEquals(0, r.seenPairs());
  }

  @Test
  void hostileRecordsShouldBeRefusedBeforeAnythingChanges() {
    Replicas r = new Replicas(List.of("m"));
    header(r, ModelType.PLAIN_MF, K, 1, 1);
    r.apply(0, userKey(0), row("u", 1, 2, 3));
    byte[] manyTables = row("x", 1, 2, 3);
    manyTables[3] = (byte) 0xFF; // 255 tables, not -1
    byte[] wide = row("x", 1, 2, 3);
    wide[4] = (byte) 0xFF; // a width of 65,535+ floats, in a record of a few bytes
    byte[] negativeRow = java.nio.ByteBuffer.wrap(userKey(0)).putInt(2, -1).array();
    byte[] nanMean = new io.mfstream.train.ModelStateFormat.Counters(1, 1, Double.NaN, 1, 1, 0,
        0, 0, 0, 0, 1, 1, 0).encode();
    byte[] negativeVersion = new io.mfstream.train.ModelStateFormat.Counters(-1, 1, 3, 1, 1, 0,
        0, 0, 0, 0, 1, 1, 0).encode();
    List<Runnable> hostile = List.of(
        () -> r.apply(0, userKey(1), manyTables),
        () -> r.apply(0, userKey(1), wide),
        () -> r.apply(0, negativeRow, row("y", 9, 9)), // another width too: a reset's signal
        () -> r.apply(0, userKey(1_000_000_000), row("z", 1, 2, 3)),
        () -> r.apply(0, userKey(1), row("e")),
        () -> r.apply(0, countersKey(), nanMean),
        () -> r.apply(0, countersKey(), negativeVersion));
    for (Runnable h : hostile) {
      assertThrows(IllegalArgumentException.class, h::run);
    }
    ModelReplica m = r.get("m");
    assertEquals(1, m.users(), "the row held before is still there");
    assertEquals(new ModelReplica.Header(ModelType.PLAIN_MF, K, 0, 7, 70, 3.5, 1, 1, null),
        m.header());
  }

  private static List<String> ids(ModelReplica.Recommended rec) {
    return rec.items().stream().map(ScoredItem::item).toList();
  }
}
