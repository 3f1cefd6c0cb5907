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
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.ModelType;
import io.mfstream.stream.serde.SeenItemsCodec;
import io.mfstream.testing.UnitTest;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global processors that keep an instance's replicas equal to the trainers' changelogs:
 * where each record goes, tombstones, and what they do with records they cannot read.
 */
@UnitTest
class ReplicaUpdaterTest {
  private static final String MODEL_STATE = "serve-test-model-state-changelog";
  private static final String SEEN_ITEMS = "serve-test-seen-items-changelog";

  @TempDir File dir;
  private long offset;

  private MockProcessorContext<Void, Void> context() {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "serve-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    return new MockProcessorContext<>(p, new TaskId(0, 0), dir);
  }

  private static ReplicaUpdater started(ReplicaUpdater u, MockProcessorContext<Void, Void> c) {
    u.init(c);
    return u;
  }

  /** Delivers one record of {@code topic}'s partition {@code partition}, as the consumer does. */
  private void deliver(ReplicaUpdater u, MockProcessorContext<Void, Void> c, String topic,
      int partition, byte[] key, byte[] value) {
    c.setRecordMetadata(topic, partition, offset++);
    u.process(new Record<>(key, value, offset));
  }

  /** A biased MF model (k 2, version 12, 192 ratings, mean 3.5) knowing u1 and i1. */
  private void biasedMf(ReplicaUpdater u, MockProcessorContext<Void, Void> c, int partition) {
    deliver(u, c, MODEL_STATE, partition, configKey(), config(ModelType.BIASED_MF, 2, 0));
    deliver(u, c, MODEL_STATE, partition, countersKey(), counters(12, 192, 3.5, 1, 1));
    deliver(u, c, MODEL_STATE, partition, userKey(0), row("u1", 1, 0, 0.25f));
    deliver(u, c, MODEL_STATE, partition, itemKey(0), row("i1", 1, 0, 0));
  }

  /** A seen-items chunk holding {@code items}. */
  private static byte[] chunk(String... items) {
    byte[] value = null;
    for (String item : items) {
      value = SeenItemsCodec.append(value, item);
    }
    return value;
  }

  @Test
  void modelsShouldApplyEachRecordToTheModelOfItsPartition() {
    Replicas r = new Replicas(List.of("a", "b"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater u = started(ReplicaUpdater.models(r), c);

    biasedMf(u, c, 1);
    assertNull(r.get("a").header(), "partition 1 is model b's");
    assertEquals(0, r.get("a").users());
    assertEquals(new ModelReplica.Header(ModelType.BIASED_MF, 2, 0, 12, 192, 3.5, 1, 1, null),
        r.get("b").header());
    assertEquals(1, r.get("b").users());
    assertEquals(1, r.get("b").items());
    ModelReplica.Score s = r.get("b").predict(r.get("b").header(), "u1", "i1");
    assertEquals(3.5f + 0.25f + 1, s.rating(), "the rows as written");
    assertFalse(s.coldStart());

    deliver(u, c, MODEL_STATE, 0, configKey(), config(ModelType.PLAIN_MF, 3, 0));
    deliver(u, c, MODEL_STATE, 0, countersKey(), counters(3, 48, 4, 0, 0));
    assertEquals(3, r.get("a").header().version());
    assertEquals(ModelType.PLAIN_MF, r.get("a").header().type());
    assertEquals(12, r.get("b").header().version(), "b untouched");
    assertEquals(0, r.seenPairs(), "the models' processor writes no seen items");
  }

  @Test
  void modelsShouldApplyTombstonesAndTheDegradedFlag() {
    Replicas r = new Replicas(List.of("m"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater u = started(ReplicaUpdater.models(r), c);
    biasedMf(u, c, 0);
    ModelReplica m = r.get("m");

    deliver(u, c, MODEL_STATE, 0, StateRecords.degradedKey(),
        "diverged".getBytes(StandardCharsets.UTF_8));
    assertTrue(m.header().isDegraded());
    assertEquals("diverged", m.header().degraded());
    deliver(u, c, MODEL_STATE, 0, userKey(0), null);
    assertEquals(0, m.users());
    assertTrue(m.predict(m.header(), "u1", "i1").coldStart(), "u1's row deleted");
    deliver(u, c, MODEL_STATE, 0, configKey(), null);
    assertNull(m.header(), "a reset in progress: nothing to serve");
    assertNull(m.predict("q", "u1", "i1", 0), "and so no answer");
  }

  @Test
  void modelsShouldIgnoreRecordsOfAPartitionWithoutAModelOrWithoutAPartition() {
    Replicas r = new Replicas(List.of("a", "b"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater u = started(ReplicaUpdater.models(r), c);
    // No record metadata at all (the context has none yet): no partition, no model.
    u.process(new Record<>(configKey(), config(ModelType.PLAIN_MF, 2, 0), 1L));
    u.process(new Record<>(countersKey(), counters(1, 1, 3, 0, 0), 1L));
    biasedMf(u, c, 2); // more partitions than models
    for (ModelReplica m : r.models()) {
      assertNull(m.header(), m.model());
      assertEquals(0, m.users(), m.model());
      assertEquals(0, m.items(), m.model());
    }
  }

  @Test
  void modelsShouldSkipRecordsTheyCannotReadAndApplyTheNext() {
    Replicas r = new Replicas(List.of("m"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater u = started(ReplicaUpdater.models(r), c);
    byte[] future = row("u1", 1, 0, 0.25f);
    future[0] = 99; // a row of a format this build does not read
    List<byte[][]> unreadable = List.of(
        new byte[][] {configKey(), "not json".getBytes(StandardCharsets.UTF_8)},
        new byte[][] {countersKey(), new byte[5]},
        new byte[][] {userKey(0), future},
        new byte[][] {userKey(0), new byte[3]},
        new byte[][] {new byte[] {3, 0}, row("u1", 1)},
        new byte[][] {denseKey(7), dense(1)});
    assertDoesNotThrow(() -> {
      // More than a thousand, past the first ten warnings and the thousandth.
      for (int n = 0; n < 1_002; n++) {
        byte[][] kv = unreadable.get(n % unreadable.size());
        deliver(u, c, MODEL_STATE, 0, kv[0], kv[1]);
      }
    });
    assertNull(r.get("m").header(), "nothing applied");
    assertEquals(0, r.get("m").users());

    biasedMf(u, c, 0);
    assertEquals(12, r.get("m").header().version(), "the records after them are applied");
    assertDoesNotThrow(() -> deliver(u, c, MODEL_STATE, 0, countersKey(), new byte[5]));
    assertEquals(new ModelReplica.Header(ModelType.BIASED_MF, 2, 0, 12, 192, 3.5, 1, 1, null),
        r.get("m").header(), "a skipped record changes nothing");
    assertEquals(1, r.get("m").users());
  }

  @Test
  void seenItemsShouldKeepEachPartitionsChunksOfAUserApart() {
    Replicas r = new Replicas(List.of("m"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater u = started(ReplicaUpdater.seenItems(r), c);
    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 0), chunk("i1", "i2"));
    deliver(u, c, SEEN_ITEMS, 3, SeenItemsCodec.key("u1", 0), chunk("i9"));
    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u2", 0), chunk("i1"));
    assertEquals(List.of("i1", "i2", "i9"), r.seen("u1"),
        "chunk 0 of two validation tasks: both kept");
    assertEquals(List.of("i1"), r.seen("u2"));
    assertEquals(4, r.seenPairs());

    String[] full = new String[SeenItemsCodec.CHUNK];
    for (int j = 0; j < full.length; j++) {
      full[j] = "x" + j;
    }
    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 1), chunk("i3"));
    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 0), chunk(full));
    List<String> seen = r.seen("u1");
    assertEquals(SeenItemsCodec.CHUNK + 2, seen.size(), "partition 0's two chunks, then 3's");
    assertEquals(List.of("x15", "i3", "i9"),
        seen.subList(SeenItemsCodec.CHUNK - 1, SeenItemsCodec.CHUNK + 2));

    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 0), null);
    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 1), null);
    assertEquals(List.of("i9"), r.seen("u1"), "tombstones empty partition 0's chunks only");
    assertEquals(2, r.seenPairs());
    assertNull(r.get("m").header(), "the seen items' processor writes no model");
  }

  @Test
  void seenItemsShouldSkipRecordsTheyCannotReadAndApplyTheNext() {
    Replicas r = new Replicas(List.of("m"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater u = started(ReplicaUpdater.seenItems(r), c);
    byte[] cutShort = chunk("i1", "i2");
    byte[] cut = Arrays.copyOf(cutShort, cutShort.length - 1);
    assertDoesNotThrow(() -> {
      // No record metadata yet: no partition to keep the chunk under.
      u.process(new Record<>(SeenItemsCodec.key("u1", 0), chunk("i1"), 1L));
      deliver(u, c, SEEN_ITEMS, 0, new byte[3], chunk("i1"));
      deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 0), new byte[] {9, 0});
      deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 0), cut);
      deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", -1), chunk("i1"));
      deliver(u, c, SEEN_ITEMS, 0, configKey(), config(ModelType.PLAIN_MF, 2, 0));
    });
    assertEquals(0, r.seenPairs(), "nothing applied");
    deliver(u, c, SEEN_ITEMS, 0, SeenItemsCodec.key("u1", 0), chunk("i1"));
    assertEquals(List.of("i1"), r.seen("u1"), "the records after them are applied");
  }

  @Test
  void bothShouldIgnoreRecordsWithoutAKey() {
    Replicas r = new Replicas(List.of("m"));
    MockProcessorContext<Void, Void> c = context();
    ReplicaUpdater models = started(ReplicaUpdater.models(r), c);
    ReplicaUpdater seen = started(ReplicaUpdater.seenItems(r), c);
    assertDoesNotThrow(() -> {
      deliver(models, c, MODEL_STATE, 0, null, config(ModelType.PLAIN_MF, 2, 0));
      deliver(models, c, MODEL_STATE, 0, null, null);
      deliver(seen, c, SEEN_ITEMS, 0, null, chunk("i1"));
      deliver(seen, c, SEEN_ITEMS, 0, null, null);
    });
    assertNull(r.get("m").header());
    assertEquals(0, r.seenPairs());
  }
}
