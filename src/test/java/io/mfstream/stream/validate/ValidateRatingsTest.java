package io.mfstream.stream.validate;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.Topics;
import io.mfstream.testing.TopologyTest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@TopologyTest
class ValidateRatingsTest {

  private static final String VALID_TOPIC = "ratings-valid-test";
  private static final Instant T0 = Instant.ofEpochMilli(1_735_689_600_000L);

  private RejectionCounts counts;
  private TopologyTestDriver driver;
  private TestInputTopic<byte[], byte[]> ratings;
  private TestOutputTopic<byte[], RatingEvent> valid;
  private TestOutputTopic<byte[], byte[]> dlq;

  @BeforeEach
  void setUp() {
    counts = new RejectionCounts();
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "validate-ratings-test");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    driver = new TopologyTestDriver(
        ValidationTopology.buildValidationTopology(ValidatorConfig.defaults(), VALID_TOPIC, counts),
        props);
    ratings = driver.createInputTopic(Topics.RATINGS.name(), new ByteArraySerializer(),
        new ByteArraySerializer(), T0, java.time.Duration.ofMillis(1));
    valid = driver.createOutputTopic(VALID_TOPIC, new ByteArrayDeserializer(),
        Topics.RATINGS_VALID.valueSerde().deserializer());
    dlq = driver.createOutputTopic(Topics.RATINGS_DLQ.name(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
  }

  @AfterEach
  void tearDown() {
    driver.close();
  }

  private static byte[] bytes(String text) {
    return text == null ? null : text.getBytes(UTF_8);
  }

  private static String header(Headers headers, String name) {
    Header h = headers.lastHeader(name);
    assertNotNull(h, "missing header " + name);
    return new String(h.value(), UTF_8);
  }

  @Test
  void shouldSendGoodRatingsOnInOrderAndBadOnesToTheDlqWithOriginalBytesAndHeaders() {
    String good1 = "{\"user\":\"196\",\"item\":\"242\",\"rating\":3,\"timestamp\":881250949}";
    String bad1 = "{\"user\":\"u\",\"item\":\"i\",\"rating\":9}";
    String good2 = "{\"user\":186,\"item\":302,\"rating\":3}";
    String bad2 = "not json at all";
    String good3 = "{\"user\":\"22\",\"item\":\"377\",\"rating\":1,\"extra\":true}";
    String bad3 = "{\"user\":\"u\",\"item\":\"i\",\"rating\":\"4\"}";

    ratings.pipeInput(bytes("k1"), bytes(good1));
    ratings.pipeInput(bytes("k2"), bytes(bad1));
    ratings.pipeInput(bytes("k3"), bytes(good2));
    ratings.pipeInput(new TestRecord<>(bytes("k4"), bytes(bad2),
        new RecordHeaders().add("trace-id", bytes("abc")), T0.plusSeconds(60)));
    ratings.pipeInput((byte[]) null, bytes(good3));
    ratings.pipeInput(bytes("k6"), bytes(bad3));
    ratings.pipeInput(bytes("k7"), (byte[]) null);

    List<TestRecord<byte[], RatingEvent>> goods = valid.readRecordsToList();
    assertEquals(List.of(new RatingEvent("196", "242", 3f, 881250949L),
            new RatingEvent("186", "302", 3f, null), new RatingEvent("22", "377", 1f, null)),
        goods.stream().map(TestRecord::value).toList());
    assertArrayEquals(bytes("k1"), goods.get(0).key());
    assertArrayEquals(bytes("k3"), goods.get(1).key());
    assertNull(goods.get(2).key());

    List<TestRecord<byte[], byte[]>> bads = dlq.readRecordsToList();
    assertEquals(4, bads.size());
    String[][] expected = {
        {"k2", bad1, "OUT_OF_RANGE", "1"},
        {"k4", bad2, "NOT_JSON", "3"},
        {"k6", bad3, "NOT_A_NUMBER", "5"},
        {"k7", null, "NO_VALUE", "6"}};
    for (int i = 0; i < expected.length; i++) {
      TestRecord<byte[], byte[]> dead = bads.get(i);
      assertArrayEquals(bytes(expected[i][0]), dead.key(), "key " + i);
      assertArrayEquals(bytes(expected[i][1]), dead.value(), "value " + i);
      assertEquals(expected[i][2], header(dead.headers(), ValidateRatings.HEADER_REASON));
      assertTrue(!header(dead.headers(), ValidateRatings.HEADER_MESSAGE).isBlank());
      assertEquals("ratings", header(dead.headers(), ValidateRatings.HEADER_TOPIC));
      assertEquals("0", header(dead.headers(), ValidateRatings.HEADER_PARTITION));
      assertEquals(expected[i][3], header(dead.headers(), ValidateRatings.HEADER_OFFSET));
      assertEquals(Long.toString(dead.timestamp()),
          header(dead.headers(), ValidateRatings.HEADER_TIMESTAMP));
    }
    assertEquals("rating 9 is outside [0.5, 5.0]",
        header(bads.get(0).headers(), ValidateRatings.HEADER_MESSAGE));
    assertEquals(T0.plusSeconds(60).toEpochMilli(), bads.get(1).timestamp());
    assertEquals("abc", header(bads.get(1).headers(), "trace-id"));

    assertEquals(1, counts.get(Reason.OUT_OF_RANGE));
    assertEquals(1, counts.get(Reason.NOT_JSON));
    assertEquals(1, counts.get(Reason.NOT_A_NUMBER));
    assertEquals(1, counts.get(Reason.NO_VALUE));
    assertEquals(0, counts.get(Reason.BAD_TIMESTAMP));
    assertEquals(4, counts.total());
  }

  @Test
  void shouldNotStopOrReorderGoodRatingsAroundAPoisonRecord() {
    byte[] poison = {(byte) 0xFF, (byte) 0xFE, 0, '{', '"', (byte) 0xC3};
    for (int i = 0; i < 5; i++) {
      ratings.pipeInput(bytes("u" + i), bytes("{\"user\":\"u" + i + "\",\"item\":\"i\",\"rating\":4}"));
    }
    ratings.pipeInput(bytes("poison"), poison);
    for (int i = 5; i < 10; i++) {
      ratings.pipeInput(bytes("u" + i), bytes("{\"user\":\"u" + i + "\",\"item\":\"i\",\"rating\":4}"));
    }

    List<String> users = valid.readValuesToList().stream().map(RatingEvent::user).toList();
    assertEquals(List.of("u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"), users);
    TestRecord<byte[], byte[]> dead = dlq.readRecord();
    assertArrayEquals(poison, dead.value());
    assertEquals("NOT_JSON", header(dead.headers(), ValidateRatings.HEADER_REASON));
    assertEquals("5", header(dead.headers(), ValidateRatings.HEADER_OFFSET));
    assertTrue(dlq.isEmpty());
    assertEquals(Map.of(Reason.NOT_JSON, 1L), nonZero(counts));
  }

  @Test
  void shouldReplaceStaleDlqHeadersWhenARejectedRecordIsReplayed() {
    Headers stale = new RecordHeaders()
        .add(ValidateRatings.HEADER_REASON, bytes("NOT_JSON"))
        .add(ValidateRatings.HEADER_OFFSET, bytes("999"));
    ratings.pipeInput(new TestRecord<>(bytes("k"), bytes("{\"user\":\"u\",\"item\":\"i\"}"),
        stale, T0));
    Headers headers = dlq.readRecord().headers();
    assertEquals(6, headers.toArray().length, "each mfstream.dlq header once");
    assertEquals("MISSING_FIELD", header(headers, ValidateRatings.HEADER_REASON));
    assertEquals("0", header(headers, ValidateRatings.HEADER_OFFSET));
  }

  @Test
  void shouldDescribeATopologyFromRatingsToBothSinks() {
    String description =
        ValidationTopology.buildValidationTopology(ValidatorConfig.defaults()).describe().toString();
    assertTrue(description.contains("topics: [ratings]"), description);
    assertTrue(description.contains("topic: ratings-valid"), description);
    assertTrue(description.contains("topic: ratings-dlq"), description);
  }

  @Test
  void shouldForwardToTheNamedChildrenWhenDrivenByAMockContext() {
    ValidateRatings.Supplier supplier = ValidateRatings.supplier(ValidatorConfig.defaults());
    var processor = supplier.get();
    MockProcessorContext<byte[], Object> context = new MockProcessorContext<>();
    context.setRecordMetadata("ratings", 2, 41L);
    processor.init(context);

    processor.process(new Record<>(bytes("k"), bytes("{\"user\":\"u\",\"item\":\"i\",\"rating\":2}"), 5L));
    processor.process(new Record<>(bytes("k"), bytes("{\"user\":\"u\",\"item\":\"i\",\"rating\":\"x\"}"), 6L));

    List<MockProcessorContext.CapturedForward<? extends byte[], ?>> forwarded = context.forwarded();
    assertEquals(2, forwarded.size());
    assertEquals(ValidateRatings.VALID_CHILD, forwarded.get(0).childName().orElseThrow());
    assertEquals(new RatingEvent("u", "i", 2f, null), forwarded.get(0).record().value());
    assertEquals(ValidateRatings.DLQ_CHILD, forwarded.get(1).childName().orElseThrow());
    Headers headers = forwarded.get(1).record().headers();
    assertEquals("2", header(headers, ValidateRatings.HEADER_PARTITION));
    assertEquals("41", header(headers, ValidateRatings.HEADER_OFFSET));
    assertEquals("6", header(headers, ValidateRatings.HEADER_TIMESTAMP));
    assertEquals(1, supplier.counts().get(Reason.NOT_A_NUMBER));
  }

  private static Map<Reason, Long> nonZero(RejectionCounts counts) {
    java.util.Map<Reason, Long> result = new java.util.EnumMap<>(Reason.class);
    counts.snapshot().forEach((reason, n) -> {
      if (n > 0) {
        result.put(reason, n);
      }
    });
    return result;
  }
}
