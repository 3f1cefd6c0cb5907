package io.mfstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.cli.Main;
import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.stream.serve.ModelReplica;
import io.mfstream.testing.BrokerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * bench-memory on a real in-process broker: the models' bytes are what their shapes and the
 * ids learned make them, the replicas and the seen set hold every id and pair, and the printed
 * breakdown (from a child JVM with native memory tracking) adds up.
 */
@BrokerTest
@Timeout(600)
class MemoryBenchmarkTest {
  /** Small shapes, so that the expected bytes are easy to state: k 8, hidden 4, AdaGrad. */
  private static final Map<String, String> SETTINGS = Map.of("models", "biased-mf,mlp",
      "model.biased-mf.factors", "8", "model.mlp.factors", "8", "model.mlp.hidden", "4",
      "model.biased-mf.optimizer", "adagrad", "model.mlp.optimizer", "adagrad");

  /** biased MF: (k + 1) floats a row, twice (AdaGrad's one slot); the MLP: k a row, the layers. */
  private static long expectedModelBytes(long users, long items) {
    long biased = (users + items) * (8 + 1) * 4 * 2;
    long mlp = (users + items) * 8 * 4 * 2 + 2L * (8 * 4 + 4) * 4 * 2;
    return biased + mlp;
  }

  private static List<Rating> ratings(int users, int items, int n) {
    List<Rating> r = SyntheticRatings.builder().users(users).items(items).ratings(n).seed(7)
        .build().ratings();
    List<Rating> clipped = new ArrayList<>();
    for (Rating x : r) {
      clipped.add(new Rating(x.user(), x.item(), Math.max(1f, Math.min(5f, x.rating())),
          x.timestamp()));
    }
    return clipped;
  }

  @Test
  void shouldMeasureModelBytesFromTheTablesAndEveryIdAndPairInTheReplicas() throws Exception {
    List<Rating> ratings = ratings(120, 80, 1500);
    Set<String> users = new HashSet<>();
    Set<String> items = new HashSet<>();
    ratings.forEach(r -> {
      users.add(r.user());
      items.add(r.item());
    });
    StringWriter text = new StringWriter();
    MemoryBreakdown b = MemoryBenchmark.runInProcess(ratings, SETTINGS, new PrintWriter(text),
        5);

    assertEquals(expectedModelBytes(users.size(), items.size()), b.modelBytes(), text::toString);
    assertEquals(2, b.trainers().size());
    for (TrainerMemory t : b.trainers()) {
      assertEquals(users.size(), t.users(), t.toString());
      assertEquals(items.size(), t.items(), t.toString());
      assertEquals(ratings.size(), t.trained(), t.toString());
      assertEquals(2 * t.valueBytes(), t.modelBytes(), t.toString()); // one state slot
      assertTrue(t.allocatedBytes() >= t.modelBytes(), t.toString());
      assertTrue(t.vocabularyBytes() > 0, t.toString());
    }
    for (ModelReplica.Footprint f : b.replicas()) {
      assertEquals(users.size(), f.userRows(), f.toString());
      assertEquals(items.size(), f.itemRows(), f.toString());
    }
    // The replicas hold the values only: at least the parameters, at capacity.
    assertTrue(b.replicaArrayBytes() >= b.modelBytes() / 2, text::toString);
    assertEquals(MemoryBenchmark.distinctPairs(ratings), b.seen().pairs());
    assertEquals(users.size(), b.seen().users());
    assertEquals(items.size(), b.seen().items());
    assertTrue(b.seen().arrayBytes() >= 4 * b.seen().pairs(), b.seen().toString());
    assertTrue(b.heapOfModels() > 0 && b.heapOfModels() <= b.liveHeapBytes(), text::toString);
    assertTrue(b.recordCacheBytes() >= 0, "the record cache's metric is recorded (DEBUG)");
    assertTrue(b.rocksDbStores().size() >= 3, b.rocksDbStores().toString()); // 2 models, seen
    for (long v : b.rocksDb().values()) {
      assertTrue(v >= 0, b.rocksDb().toString());
    }
    assertTrue(b.rocksDb().get("size-all-mem-tables") > 0, b.rocksDb().toString());
    assertTrue(b.resident().rss() > b.heap().getUsed(), b.resident().toString());
    assertTrue(b.histogram().get(0).bytes() > 0);
  }

  private static final Pattern LINE = Pattern.compile(
      "^  (heap|native|NMT|process)\\s+(.+?)\\s+(-?[\\d,]+\\.\\d) MiB  ");

  @Test
  void shouldPrintABreakdownThatAddsUpFromAChildJvmWithNativeMemoryTracking() {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> args = new ArrayList<>(List.of("bench-memory", "--users", "90", "--items", "60",
        "--ratings", "900", "--seed", "7", "--histogram", "3"));
    SETTINGS.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
    int code = Main.run(args.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    String text = out.toString();
    assertEquals(0, code, () -> text + "\n" + err);

    List<Rating> ratings = new ArrayList<>(SyntheticRatings.builder().users(90).items(60)
        .ratings(900).seed(7).build().ratings());
    Set<String> users = new HashSet<>();
    Set<String> items = new HashSet<>();
    ratings.forEach(r -> {
      users.add(r.user());
      items.add(r.item());
    });
    Matcher models = Pattern.compile("the models \\(parameters \\+ optimiser state\\)\\s+"
        + "[\\d.,]+ MiB \\(([\\d,]+) bytes\\)").matcher(text);
    assertTrue(models.find(), text);
    assertEquals(expectedModelBytes(users.size(), items.size()),
        Long.parseLong(models.group(1).replace(",", "")), text);

    Map<String, Double> mib = new java.util.LinkedHashMap<>();
    for (String line : text.split("\n")) {
      Matcher m = LINE.matcher(line);
      if (m.find()) {
        mib.put(m.group(1) + " " + m.group(2), Double.parseDouble(m.group(3).replace(",", "")));
      }
    }
    for (Map.Entry<String, Double> e : mib.entrySet()) {
      if (!e.getKey().equals("native not seen by NMT")) {
        assertTrue(e.getValue() >= 0, e.getKey() + " in\n" + text);
      }
    }
    // The heap's lines add up to the live objects (each rounded to 0.1 MiB).
    double parts = 0;
    for (String k : List.of("trainers' vocabularies", "replicas' rows, towers, layers",
        "replicas' id maps and ids", "record cache (Kafka Streams)",
        "everything else on the heap")) {
      assertTrue(mib.containsKey("heap " + k), k + " in\n" + text);
      parts += mib.get("heap " + k);
    }
    parts += mib.entrySet().stream().filter(e -> e.getKey().startsWith("heap seen set"))
        .mapToDouble(Map.Entry::getValue).sum();
    assertEquals(mib.get("heap live objects"), parts, 0.35, text);
    // NMT ran in the child: its total, and the heap NMT saw is what the JVM committed.
    assertTrue(mib.get("NMT Total (committed)") > mib.get("NMT Java Heap (committed)"), text);
    assertTrue(mib.get("process resident set (VmRSS)") > 0, text);
    assertTrue(text.contains("the parent process (pid"), text);
    assertTrue(text.contains("(parent) replayed 900 ratings"), text);
  }
}
