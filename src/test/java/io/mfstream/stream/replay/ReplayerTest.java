package io.mfstream.stream.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.JsonSerde;
import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/**
 * One real in-process broker for the class, with the topics of {@code topics/}. Every test writes
 * to a topic of its own, shaped like {@code ratings} (same partitions and configs). Every wait is
 * on a condition with a deadline.
 */
@BrokerTest
@Timeout(120)
class ReplayerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final JsonSerde<RatingEvent> VALUES = JsonSerde.of(RatingEvent.class);

  private static EmbeddedKafka kafka;
  private static Admin admin;
  private static TopicDefinition ratingsTopic;

  @BeforeAll
  static void startBrokerAndCreateTopics() throws Exception {
    kafka = new EmbeddedKafka().start();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()));
    List<TopicDefinition> definitions = TopicDefinitions.load(TopicDefinitions.DEFAULT_DIR);
    TopicCreator.createAll(admin, definitions, TIMEOUT);
    ratingsTopic = definitions.stream().filter(d -> d.name().equals("ratings")).findFirst()
        .orElseThrow();
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close(TIMEOUT);
    }
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldSendEveryRatingOnceKeyedByUserAndInOrderPerUser(TestInfo test) throws Exception {
    String topic = newRatingsTopic(test);
    List<Rating> ratings = new ArrayList<>(ratings(120));
    ratings.add(new Rating("u-no-time", "i1", 4.5f)); // no timestamp: none in the JSON either
    ratings.add(new Rating("\u00fcser \u4e00", "i2", 0.5f, 881250949L)); // non-ASCII key

    Replayer.Result result = Replayer.builder(kafka.bootstrapServers()).topic(topic).build()
        .replay(ratings);

    assertEquals(ratings.size(), result.sent());
    assertTrue(result.seconds() > 0, "seconds: " + result.seconds());
    assertEquals(ratings.size(), recordsIn(topic), "records on the topic");
    List<ConsumerRecord<byte[], byte[]>> records = consume(topic, ratings.size());
    Map<String, List<Rating>> consumedByUser = new LinkedHashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      Rating rating = VALUES.fromBytes(record.value()).toRating();
      assertEquals(rating.user(), new String(record.key(), StandardCharsets.UTF_8), "key");
      consumedByUser.computeIfAbsent(rating.user(), u -> new ArrayList<>()).add(rating);
    }
    Map<String, List<Rating>> sentByUser =
        ratings.stream().collect(Collectors.groupingBy(Rating::user));
    assertEquals(sentByUser.keySet(), consumedByUser.keySet());
    sentByUser.forEach((user, sent) -> assertEquals(sent, consumedByUser.get(user), user));
    assertTrue(new String(records.stream().filter(r -> "u-no-time".equals(
            new String(r.key(), StandardCharsets.UTF_8))).findFirst().orElseThrow().value(),
        StandardCharsets.UTF_8).indexOf("timestamp") < 0, "a rating without a timestamp");
  }

  @Test
  void shouldSendOnlyTheFirstLimitRatings(TestInfo test) throws Exception {
    String topic = newRatingsTopic(test);
    List<Rating> ratings = ratings(50);

    Replayer.Result result = Replayer.builder(kafka.bootstrapServers()).topic(topic).limit(10)
        .build().replay(ratings);

    assertEquals(10, result.sent());
    assertEquals(10, recordsIn(topic), "records on the topic");
    List<Rating> consumed = consume(topic, 10).stream()
        .map(r -> VALUES.fromBytes(r.value()).toRating()).toList();
    assertEquals(Set.copyOf(ratings.subList(0, 10)), Set.copyOf(consumed));
  }

  @Test
  void shouldTakeAtLeastTheTimeTheRateAllows(TestInfo test) throws Exception {
    String topic = newRatingsTopic(test);
    long start = System.nanoTime();

    Replayer.Result result = Replayer.builder(kafka.bootstrapServers()).topic(topic)
        .ratingsPerSecond(500).build().replay(ratings(50));

    double wall = (System.nanoTime() - start) / 1e9;
    assertEquals(50, result.sent());
    // 50 ratings at 500/s: the last may go 49/500 = 0.098 s after the first. A lower bound only.
    assertTrue(result.seconds() >= 0.09, "seconds: " + result.seconds());
    assertTrue(wall >= 0.09, "wall seconds: " + wall);
  }

  @Test
  void shouldReportProgressEveryNRatings(TestInfo test) throws Exception {
    String topic = newRatingsTopic(test);
    List<Long> reported = new ArrayList<>();

    Replayer.builder(kafka.bootstrapServers()).topic(topic)
        .progress(10, (sent, seconds) -> reported.add(sent)).build().replay(ratings(25));

    assertEquals(List.of(10L, 20L), reported);
  }

  @Test
  @Timeout(60)
  void shouldFailClearlyWhenTheBrokerIsUnreachable() throws Exception {
    String nobody = "127.0.0.1:" + unusedPort();
    Replayer replayer = Replayer.builder(nobody).producerConfig(Map.of(
        ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 1_000,
        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 2_000)).build();
    long start = System.nanoTime();

    ReplayException e = assertThrows(ReplayException.class, () -> replayer.replay(ratings(5)));

    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(0, e.acknowledged());
    assertTrue(e.getMessage().contains("0 of 5 ratings acknowledged"), e.getMessage());
    assertTrue(e.getMessage().contains(nobody), e.getMessage());
    assertTrue(seconds < 30, "took " + seconds + " s");
  }

  @Test
  void shouldRefuseANegativeRateOrLimit() {
    Replayer.Builder builder = Replayer.builder("127.0.0.1:9092");
    assertThrows(IllegalArgumentException.class, () -> builder.ratingsPerSecond(-1));
    assertThrows(IllegalArgumentException.class, () -> builder.limit(-1));
  }

  private static List<Rating> ratings(int n) {
    return SyntheticRatings.builder().users(7).items(40).ratings(n).seed(n).build().ratings();
  }

  /** A new topic shaped like {@code ratings}, named after the test. */
  private static String newRatingsTopic(TestInfo test) throws Exception {
    String name = "ratings-" + test.getTestMethod().orElseThrow().getName() + "-"
        + UUID.randomUUID().toString().substring(0, 8);
    TopicDefinition definition = new TopicDefinition(name, ratingsTopic.partitions(),
        ratingsTopic.replicationFactor(), ratingsTopic.configs());
    admin.createTopics(List.of(definition.toNewTopic())).all().get();
    return name;
  }

  /** Records on {@code topic}: the sum of its partitions' end offsets. */
  private static long recordsIn(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic, TIMEOUT).stream()
          .map(p -> new TopicPartition(topic, p.partition())).toList();
      return consumer.endOffsets(partitions, TIMEOUT).values().stream()
          .mapToLong(Long::longValue).sum();
    }
  }

  /** Polls {@code topic} from the start until {@code n} records arrived, or fails after a while. */
  private static List<ConsumerRecord<byte[], byte[]>> consume(String topic, int n) {
    List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
      consumer.subscribe(List.of(topic));
      Await.until(TIMEOUT, () -> n + " records; got " + records.size(), () -> {
        if (records.size() >= n) {
          return true;
        }
        consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        return records.size() >= n;
      });
    }
    return records;
  }

  private static KafkaConsumer<byte[], byte[]> consumer() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return new KafkaConsumer<>(props);
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
