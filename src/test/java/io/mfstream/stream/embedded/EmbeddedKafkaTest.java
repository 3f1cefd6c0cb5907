package io.mfstream.stream.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real in-process broker for the whole class. The project's topics are created once, in
 * {@link #startBrokerAndCreateTopics()}; tests that write use their own consumer group, and the
 * transaction and Streams tests their own topics. Every wait is on a condition with a deadline.
 */
@BrokerTest
@Timeout(120)
class EmbeddedKafkaTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private static EmbeddedKafka kafka;
  private static Admin admin;
  private static List<TopicDefinition> definitions;
  private static TopicCreator.Result firstCreation;

  @BeforeAll
  static void startBrokerAndCreateTopics() throws Exception {
    kafka = new EmbeddedKafka().start();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()));
    definitions = TopicDefinitions.load(TopicDefinitions.DEFAULT_DIR);
    firstCreation = TopicCreator.createAll(admin, definitions, TIMEOUT);
  }

  @AfterAll
  static void stopBroker() {
    if (admin != null) {
      admin.close(TIMEOUT);
    }
    if (kafka != null) {
      Path logDir = kafka.logDir();
      kafka.close();
      assertFalse(Files.exists(logDir), "the temporary log dir is still there: " + logDir);
    }
  }

  @Test
  void shouldListenOnLoopbackOnly() {
    assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
  }

  @Test
  void shouldCreateEveryDefinedTopicWithItsPartitionsAndCleanupPolicy() throws Exception {
    List<String> names = definitions.stream().map(TopicDefinition::name).toList();
    assertEquals(names, firstCreation.created());
    assertEquals(List.of(), firstCreation.existing());

    Map<String, TopicDescription> described =
        admin.describeTopics(names).allTopicNames().get();
    List<ConfigResource> resources = names.stream()
        .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
    for (TopicDefinition definition : definitions) {
      String name = definition.name();
      assertEquals(definition.partitions(), described.get(name).partitions().size(), name);
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name));
      assertEquals(definition.configs().get(TopicConfig.CLEANUP_POLICY_CONFIG),
          config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value(), name);
      String retention = definition.configs().get(TopicConfig.RETENTION_MS_CONFIG);
      if (retention != null) {
        assertEquals(retention, config.get(TopicConfig.RETENTION_MS_CONFIG).value(), name);
      }
    }
  }

  @Test
  void shouldLeaveExistingTopicsAloneWhenCreatingAgain() throws Exception {
    TopicCreator.Result again = TopicCreator.createAll(admin, definitions, TIMEOUT);
    assertEquals(List.of(), again.created());
    assertEquals(definitions.stream().map(TopicDefinition::name).toList(), again.existing());
    assertEquals(List.of(), again.partitionMismatches());
  }

  @Test
  void shouldReportAnExistingTopicWhosePartitionCountDiffers() throws Exception {
    TopicDefinition ratingsWithFive = new TopicDefinition("ratings", 5, (short) 1, Map.of());
    TopicCreator.Result result = TopicCreator.createAll(admin, List.of(ratingsWithFive), TIMEOUT);
    int defined = definitions.stream().filter(d -> d.name().equals("ratings")).findFirst()
        .orElseThrow().partitions();
    assertEquals(List.of(new TopicCreator.PartitionMismatch("ratings", 5, defined)),
        result.partitionMismatches());
    assertEquals(defined, admin.describeTopics(List.of("ratings")).allTopicNames().get()
        .get("ratings").partitions().size(), "the existing topic was changed");
  }

  @Test
  void shouldListTheTopicsItCreatedAsSoonAsItReturns() throws Exception {
    // The broker answers CreateTopics before its own metadata has caught up (tens of ms): a
    // listing right after a bare createTopics misses the new topics nearly every time, and the
    // pipeline, which checks its topics right after creating them, then refuses to start.
    for (int round = 0; round < 10; round++) {
      List<TopicDefinition> fresh = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        fresh.add(new TopicDefinition("listed-" + round + "-" + i, 1, (short) 1, Map.of()));
      }
      List<String> names = fresh.stream().map(TopicDefinition::name).toList();
      assertEquals(names, TopicCreator.createAll(admin, fresh, TIMEOUT).created());
      Set<String> listed = admin.listTopics().names().get();
      assertTrue(listed.containsAll(names), "round " + round + ": created " + names
          + " but the broker lists " + listed);
    }
  }

  @Test
  void shouldConsumeARatingThatWasProducedToTheRatingsTopic() throws Exception {
    String value = "user-1,item-7,4.5," + UUID.randomUUID();
    try (KafkaProducer<String, String> producer = producer(Map.of())) {
      producer.send(new ProducerRecord<>("ratings", "user-1", value)).get();
    }
    try (KafkaConsumer<String, String> consumer = consumer(Map.of())) {
      consumer.subscribe(List.of("ratings"));
      List<String> seen = pollUntil(consumer, values -> values.contains(value));
      assertTrue(seen.contains(value), "not consumed: " + value + "; saw " + seen);
    }
  }

  @Test
  void shouldShowACommittedTransactionButNotAnAbortedOneToAReadCommittedConsumer()
      throws Exception {
    String topic = "eos-check";
    admin.createTopics(List.of(new TopicDefinition(topic, 1, (short) 1, Map.of()).toNewTopic()))
        .all().get();
    try (KafkaProducer<String, String> producer = producer(Map.of(
        ProducerConfig.TRANSACTIONAL_ID_CONFIG, "eos-check-" + UUID.randomUUID()))) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed"));
      producer.commitTransaction();
    }
    try (KafkaConsumer<String, String> consumer = consumer(Map.of(
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
      consumer.subscribe(List.of(topic));
      List<String> seen = pollUntil(consumer, values -> values.contains("committed"));
      assertEquals(List.of("committed"), seen);
    }
  }

  @Test
  void shouldRunAStatefulExactlyOnceV2StreamsAppOnTheSingleNode(@TempDir Path stateDir)
      throws Exception {
    String in = "eos-streams-in";
    String out = "eos-streams-out";
    admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1)))
        .all().get();
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .count(Materialized.as("eos-check-counts"))
        .toStream()
        .mapValues(String::valueOf)
        .to(out, Produced.with(Serdes.String(), Serdes.String()));
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "eos-check-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    try {
      streams.start();
      try (KafkaProducer<String, String> producer = producer(Map.of())) {
        for (int i = 0; i < 3; i++) {
          producer.send(new ProducerRecord<>(in, "user-1", "rating-" + i)).get();
        }
      }
      try (KafkaConsumer<String, String> consumer = consumer(Map.of(
          ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
        consumer.subscribe(List.of(out));
        List<String> counts = pollUntil(consumer, values -> values.contains("3"));
        assertEquals("3", counts.get(counts.size() - 1), "counts seen: " + counts);
      }
    } finally {
      streams.close(TIMEOUT);
    }
  }

  @Test
  void shouldRefuseToStartTwice() {
    assertThrows(IllegalStateException.class, () -> kafka.start());
  }

  /** Polls until {@code done} holds for the values seen so far, or fails after {@link #TIMEOUT}. */
  private static List<String> pollUntil(
      KafkaConsumer<String, String> consumer,
      Predicate<List<String>> done) {
    List<String> values = new ArrayList<>();
    Await.until(TIMEOUT, () -> "the condition on the values; saw " + values, () -> {
      if (done.test(values)) {
        return true;
      }
      for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(200))) {
        values.add(record.value());
      }
      return done.test(values);
    });
    return values;
  }

  private static KafkaProducer<String, String> producer(Map<String, Object> extra) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.putAll(extra);
    return new KafkaProducer<>(props);
  }

  private static KafkaConsumer<String, String> consumer(Map<String, Object> extra) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.putAll(extra);
    return new KafkaConsumer<>(props);
  }
}
