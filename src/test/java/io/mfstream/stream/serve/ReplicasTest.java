package io.mfstream.stream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.ModelType;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.stream.train.ModelUpdates;
import io.mfstream.stream.train.ModelUpdates.Header;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The in-memory replicas, fed record by record as the global processor feeds them. */
class ReplicasTest {
  private static final int K = 3;

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.array();
  }

  private static Header header(ModelType type, int factors, int users, int items) {
    return new Header(type, factors, type.isMlp() ? 2 : 0, 7, 70, 3.5, users, items);
  }

  @Test
  void topNShouldEqualAFullSortWithTiesToTheSmallerIdAndSkipRatedItems() {
    Replicas r = new Replicas(List.of("m"));
    r.apply(ModelUpdates.headerKey("m"), header(ModelType.BIASED_MF, K, 1, 300).encode());
    r.apply(ModelUpdates.userKey("m", "u"), floats(1, 0.5f, -0.25f, 0.1f));
    Random rnd = new Random(3);
    List<String> rated = new ArrayList<>();
    for (int j = 0; j < 300; j++) {
      // Values from a small set, so that many scores tie exactly.
      float a = rnd.nextInt(4) / 4f;
      float bias = rnd.nextInt(3) / 2f;
      String id = "item-" + rnd.nextInt(100_000);
      r.apply(ModelUpdates.itemKey("m", id), floats(a, 0, 0, bias));
      if (j % 7 == 0) {
        r.apply(ModelUpdates.seenKey("u", id), new byte[0]);
        rated.add(id);
      }
    }
    ModelReplica m = r.get("m");
    Header h = m.header();
    List<String> seen = r.seen("u");
    assertEquals(Set.copyOf(rated), Set.copyOf(seen));
    for (int n : new int[] {1, 10, 50, 1000}) {
      List<ScoredItem> got = m.recommend(h, "u", n, seen).items();
      List<ScoredItem> all = new ArrayList<>();
      for (String id : allItems(r, m)) {
        if (!seen.contains(id)) {
          all.add(new ScoredItem(id, m.predict(h, "u", id).rating()));
        }
      }
      all.sort(Comparator.comparingDouble((ScoredItem s) -> -s.rating())
          .thenComparing(ScoredItem::item));
      assertEquals(all.subList(0, Math.min(n, all.size())), got, "n = " + n);
    }
  }

  private static List<String> allItems(Replicas r, ModelReplica m) {
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
  void tombstonesShouldRemoveRowsAndPairsAndFreedRowsBeReused() {
    Replicas r = new Replicas(List.of("m"));
    r.apply(ModelUpdates.headerKey("m"), header(ModelType.PLAIN_MF, K, 1, 3).encode());
    r.apply(ModelUpdates.userKey("m", "u/1"), floats(1, 0, 0));
    for (String id : List.of("a", "b/with/slashes", "c")) {
      r.apply(ModelUpdates.itemKey("m", id), floats(id.length(), 0, 0));
    }
    r.apply(ModelUpdates.seenKey("u/1", "b/with/slashes"), new byte[0]);
    r.apply(ModelUpdates.seenKey("u/1", "b/with/slashes"), new byte[0]); // rated twice
    assertEquals(List.of("b/with/slashes"), r.seen("u/1"));
    assertEquals(1, r.seenPairs());
    ModelReplica m = r.get("m");
    assertEquals(List.of("a", "c"), ids(m.recommend(m.header(), "u/1", 5, r.seen("u/1"))));

    r.apply(ModelUpdates.itemKey("m", "c"), null);
    r.apply(ModelUpdates.seenKey("u/1", "b/with/slashes"), null);
    assertEquals(List.of(), r.seen("u/1"));
    assertEquals(List.of("b/with/slashes", "a"),
        ids(m.recommend(m.header(), "u/1", 5, r.seen("u/1"))));
    assertTrue(m.predict(m.header(), "u/1", "c").coldStart(), "a removed item is unknown");
    assertEquals(2, m.items());
    r.apply(ModelUpdates.itemKey("m", "d"), floats(9, 0, 0));
    assertEquals(3, m.itemRows().size(), "the freed row was reused");
    assertEquals(List.of("b/with/slashes", "d", "a"),
        ids(m.recommend(m.header(), "u/1", 5, List.of())));
  }

  @Test
  void rowsOfAnotherWidthShouldStartTheTableAfreshAsAResetWithOtherFactorsDoes() {
    Replicas r = new Replicas(List.of("m"));
    r.apply(ModelUpdates.headerKey("m"), header(ModelType.PLAIN_MF, K, 1, 2).encode());
    r.apply(ModelUpdates.itemKey("m", "old"), floats(1, 1, 1));
    r.apply(ModelUpdates.headerKey("m"), header(ModelType.PLAIN_MF, 2, 1, 1).encode());
    r.apply(ModelUpdates.itemKey("m", "new"), floats(1, 1));
    r.apply(ModelUpdates.userKey("m", "u"), floats(2, 0));
    ModelReplica m = r.get("m");
    assertEquals(1, m.items());
    assertEquals(List.of("new"), ids(m.recommend(m.header(), "u", 5, List.of())));
    assertEquals(2f, m.predict(m.header(), "u", "new").rating());
  }

  @Test
  void anMlpWhoseLayersHaveNotArrivedShouldAnswerTheFallbackNotFail() {
    Replicas r = new Replicas(List.of("m"));
    Header h = header(ModelType.MLP, K, 1, 1);
    r.apply(ModelUpdates.headerKey("m"), h.encode());
    r.apply(ModelUpdates.userKey("m", "u"), floats(1, 1, 1));
    r.apply(ModelUpdates.itemKey("m", "i"), floats(1, 1, 1));
    ModelReplica m = r.get("m");
    ModelReplica.Score s = m.predict(m.header(), "u", "i");
    assertTrue(s.coldStart());
    assertEquals(3.5f, s.rating());
    assertTrue(m.recommend(m.header(), "u", 3, List.of()).items().isEmpty());
    // With its layers (k 3, hidden 2): FC(ReLU(e)) on both sides, then the dot product.
    r.apply(ModelUpdates.denseKey("m", "user-fc-weight"), floats(1, 0, 0, 1, 0, 0));
    r.apply(ModelUpdates.denseKey("m", "user-fc-bias"), floats(0, 0));
    r.apply(ModelUpdates.denseKey("m", "item-fc-weight"), floats(1, 0, 0, 1, 0, 0));
    r.apply(ModelUpdates.denseKey("m", "item-fc-bias"), floats(0.5f, 0));
    s = m.predict(m.header(), "u", "i");
    assertEquals(1 * 1.5f + 1 * 1, s.rating(), 1e-6);
    assertEquals(List.of("i"), ids(m.recommend(m.header(), "u", 3, List.of())));
  }

  @Test
  void recordsOfOtherModelsShouldBeIgnoredAndUnreadableOnesRefused() {
    Replicas r = new Replicas(List.of("m"));
    r.apply(ModelUpdates.userKey("gone", "u"), floats(1));
    assertNull(r.get("gone"));
    assertThrows(IllegalArgumentException.class, () -> r.apply("x", new byte[0]));
    assertThrows(IllegalArgumentException.class, () -> r.apply("q/m/u", new byte[4]));
    assertThrows(IllegalArgumentException.class, () -> r.apply("s/9:u/i", new byte[0]));
    assertThrows(IllegalArgumentException.class,
        () -> r.apply(ModelUpdates.userKey("m", "u"), new byte[3]));
    assertEquals(0, r.get("m").users(), "nothing changed");
  }

  private static List<String> ids(ModelReplica.Recommended rec) {
    return rec.items().stream().map(ScoredItem::item).toList();
  }
}
