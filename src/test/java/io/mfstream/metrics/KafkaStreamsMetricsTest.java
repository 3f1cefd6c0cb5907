package io.mfstream.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.stream.validate.ValidationTopology;
import io.mfstream.stream.validate.ValidatorConfig;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MicrometerMetrics#bindKafkaStreams} on a real Kafka Streams application, on the embedded
 * broker: the validation topology (sharing its {@link RejectionCounts} with the metrics) plus a
 * step that counts valid ratings per item in a RocksDB store. The binding is made before the
 * application starts, as the pipeline will do, so the stream-thread, task and RocksDB metrics
 * that appear later must be picked up by its refresh.
 */
@BrokerTest
@Timeout(180)
class KafkaStreamsMetricsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String STORE = "item-counts";

  /** Ids that cannot occur in a metric by chance: none of them may ever be a label value. */
  private static final List<String> USERS = List.of("user-q7x1", "user-k2v9", "user-z3p8");
  private static final List<String> ITEMS = List.of("item-r4m2", "item-w8c5");

  @Test
  void shouldExposeKafkaStreamsConsumerProducerAndRocksDbMetrics(@TempDir Path stateDir)
      throws Exception {
    RejectionCounts rejections = new RejectionCounts();
    try (EmbeddedKafka kafka = new EmbeddedKafka().start();
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
            kafka.bootstrapServers()));
        MicrometerMetrics metrics = new MicrometerMetrics(new StatusBoard(), rejections)) {
      TopicCreator.createAll(admin, TopicDefinitions.load(TopicDefinitions.DEFAULT_DIR), TIMEOUT);
      if (!admin.listTopics().names().get().contains(Topics.RATINGS_VALID.name())) {
        // not (yet) declared in topics/ on this branch
        admin.createTopics(List.of(new NewTopic(Topics.RATINGS_VALID.name(), 1, (short) 1)))
            .all().get();
      }

      KafkaStreams streams = new KafkaStreams(topology(rejections), streamsConfig(kafka,
          stateDir));
      Set<String> threadsBefore = kafkaMetricsThreads();
      MicrometerMetrics.Binding binding =
          metrics.bindKafkaStreams(streams, Duration.ofMillis(500));
      try {
        streams.start();
        int valid = 0;
        int outOfRange = 0;
        try (KafkaProducer<byte[], byte[]> producer = producer(kafka)) {
          for (int i = 0; i < 30; i++) {
            String user = USERS.get(i % USERS.size());
            String item = ITEMS.get(i % ITEMS.size());
            float rating = i % 10 == 0 ? 9f : 1 + i % 5;
            String json = "{\"user\":\"" + user + "\",\"item\":\"" + item + "\",\"rating\":"
                + rating + "}";
            producer.send(new ProducerRecord<>(Topics.RATINGS.name(), bytes(user), bytes(json)));
            if (rating > 5) {
              outOfRange++;
            } else {
              valid++;
            }
          }
          producer.send(new ProducerRecord<>(Topics.RATINGS.name(), bytes(USERS.get(0)),
              bytes("{not json")));
          producer.flush();
        }
        int expectedOutOfRange = outOfRange;
        int expectedValid = valid;

        // The RocksDB metrics exist once the store is open and the refresh has bound them.
        PrometheusText scrape = awaitScrape(metrics, s ->
            s.value("mfstream_ratings_rejected_total", Map.of("reason", "out_of_range"))
                == expectedOutOfRange
                && s.value("mfstream_ratings_rejected_total", Map.of("reason", "not_json")) == 1
                // records processed by the thread: every record of ratings, every valid one again
                && sum(s, "kafka_stream_thread_process_total") >= 31 + expectedValid
                && !s.named("kafka_stream_state_estimate_num_keys").isEmpty());
        Files.writeString(Path.of("target", "kafka-streams-scrape.txt"), metrics.scrape());

        Set<String> families = scrape.names();
        for (String prefix : List.of("kafka_stream_thread_", "kafka_stream_task_",
            "kafka_stream_state_", "kafka_consumer_", "kafka_consumer_fetch_manager_",
            "kafka_producer_", "kafka_admin_client_")) {
          assertTrue(families.stream().anyMatch(f -> f.startsWith(prefix)),
              "no family starting with " + prefix + " in " + families);
        }
        for (String family : List.of("kafka_stream_alive_stream_threads",
            "kafka_stream_state_estimate_num_keys", "kafka_stream_state_size_all_mem_tables",
            "kafka_consumer_fetch_manager_records_consumed_total",
            "kafka_stream_thread_process_total")) {
          assertTrue(families.contains(family), "no " + family + " in " + families);
        }
        // The RocksDB store is a label value of its metrics: the store's name, not a key in it.
        assertTrue(scrape.named("kafka_stream_state_estimate_num_keys").stream()
                .anyMatch(s -> STORE.equals(s.labels().get("rocksdb_state_id"))),
            scrape.named("kafka_stream_state_estimate_num_keys").toString());
        assertEquals(1, scrape.value("kafka_stream_alive_stream_threads",
            scrape.named("kafka_stream_alive_stream_threads").get(0).labels()));

        Set<String> ids = new TreeSet<>(USERS);
        ids.addAll(ITEMS);
        for (PrometheusText.Sample sample : scrape.samples()) {
          for (String value : sample.labels().values()) {
            assertFalse(ids.stream().anyMatch(value::contains),
                "a user or item id in a label: " + sample);
          }
        }
      } finally {
        streams.close(TIMEOUT);
      }

      assertTrue(PrometheusText.parse(metrics.scrape()).names().stream()
          .anyMatch(f -> f.startsWith("kafka_")));
      binding.close();
      Set<String> left = PrometheusText.parse(metrics.scrape()).names().stream()
          .filter(f -> f.startsWith("kafka_")).collect(Collectors.toSet());
      assertEquals(Set.of(), left, "the binding's meters outlived it");
      metrics.close();
      Await.until(Duration.ofSeconds(10),
          () -> "the Kafka metrics refresh thread to end with close: " + kafkaMetricsThreads(),
          () -> kafkaMetricsThreads().equals(threadsBefore));
    }
  }

  private static Topology topology(RejectionCounts rejections) {
    Topology topology = ValidationTopology.buildValidationTopology(ValidatorConfig.defaults(),
        Topics.RATINGS_VALID.name(), rejections);
    topology.addSource("valid-source", Serdes.ByteArray().deserializer(),
        Topics.RATINGS_VALID.valueSerde().deserializer(), Topics.RATINGS_VALID.name());
    topology.addProcessor("count-items", CountItems::new, "valid-source");
    topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
        Serdes.String(), Serdes.Long()), "count-items");
    return topology;
  }

  /** Counts valid ratings per item in a RocksDB store. */
  private static final class CountItems implements Processor<byte[], RatingEvent, Void, Void> {
    private KeyValueStore<String, Long> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(STORE);
    }

    @Override
    public void process(Record<byte[], RatingEvent> record) {
      Long count = store.get(record.value().item());
      store.put(record.value().item(), count == null ? 1 : count + 1);
    }
  }

  private static Properties streamsConfig(EmbeddedKafka kafka, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "metrics-check-" + UUID.randomUUID());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    return props;
  }

  private static KafkaProducer<byte[], byte[]> producer(EmbeddedKafka kafka) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    return new KafkaProducer<>(props);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static double sum(PrometheusText scrape, String name) {
    return scrape.named(name).stream().mapToDouble(PrometheusText.Sample::value).sum();
  }

  private interface ScrapeCondition {
    boolean holds(PrometheusText scrape);
  }

  private static PrometheusText awaitScrape(MicrometerMetrics metrics, ScrapeCondition condition)
      throws java.io.IOException {
    List<String> errors = new ArrayList<>();
    AtomicReference<PrometheusText> last = new AtomicReference<>();
    try {
      return Await.result(TIMEOUT, () -> "the scrape to reach the expected state; last problem: "
          + (errors.isEmpty() ? "none" : errors.get(errors.size() - 1))
          + "\nfamilies: " + last.get().names(), () -> {
            PrometheusText scrape = PrometheusText.parse(metrics.scrape());
            last.set(scrape);
            try {
              return condition.holds(scrape) ? scrape : null;
            } catch (AssertionError e) {
              errors.add(e.getMessage());   // a sample that is not there yet
              return null;
            }
          });
    } catch (AssertionError timedOut) {
      Files.writeString(Path.of("target", "kafka-streams-scrape.txt"), metrics.scrape());
      throw timedOut;
    }
  }

  private static Set<String> kafkaMetricsThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().equals("mfstream-kafka-metrics"))
        .map(t -> t.getName() + "#" + t.getId())
        .collect(Collectors.toCollection(TreeSet::new));
  }
}
