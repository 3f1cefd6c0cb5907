package io.mfstream.stream.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.data.Rating;
import io.mfstream.stream.StreamTestSupport;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.SeenItemsCodec;
import io.mfstream.testing.UnitTest;
import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seen items recorded by the validation task: chunks per user, read back by a replica. */
@UnitTest
class RecordSeenItemsTest {
  @TempDir File dir;

  private MockProcessorContext<Void, Void> context(KeyValueStore<Bytes, byte[]> store) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, "seen-test");
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    MockProcessorContext<Void, Void> c = new MockProcessorContext<>(p, new TaskId(0, 0), dir);
    c.addStateStore(store);
    return c;
  }

  private static RecordSeenItems started(MockProcessorContext<Void, Void> c) {
    RecordSeenItems r = new RecordSeenItems();
    r.init(c);
    return r;
  }

  private static void rate(RecordSeenItems r, String user, String item) {
    r.process(new Record<>(null, RatingEvent.from(new Rating(user, item, 4, 1)), 0));
  }

  @Test
  void shouldKeepEachUsersItemsInChunksInTheOrderRatedAcrossARestart() {
    KeyValueStore<Bytes, byte[]> store = StreamTestSupport.memoryStore(SeenItemsStore.STORE);
    RecordSeenItems r = started(context(store));
    List<String> expected = new ArrayList<>();
    for (int j = 0; j < SeenItemsCodec.CHUNK + 5; j++) {
      rate(r, "u", "i" + j);
      expected.add("i" + j);
      rate(r, "v", "x");
    }
    // A new task on the same store (a restart) finds the user's last chunk and appends to it.
    RecordSeenItems again = started(context(store));
    rate(again, "u", "late");
    expected.add("late");

    Map<Bytes, byte[]> contents = StreamTestSupport.contents(store);
    assertEquals(2 + 2, contents.size(), "u and v: two chunks each");
    Replicas replicas = new Replicas(List.of("m"));
    contents.forEach((k, v) -> replicas.applySeen(0, k.get(), v));
    assertEquals(expected, replicas.seen("u"));
    assertEquals(SeenItemsCodec.CHUNK + 5, replicas.seen("v").size(), "an item rated again, again");
    assertEquals(6, SeenItemsCodec.count(store.get(Bytes.wrap(SeenItemsCodec.key("u", 1)))));
  }
}
