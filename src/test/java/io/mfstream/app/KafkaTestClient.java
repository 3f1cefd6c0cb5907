package io.mfstream.app;

import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.serde.Topic;
import io.mfstream.stream.serde.Topics;
import io.mfstream.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** A producer and read-committed consumers for the pipeline's request and answer topics. */
final class KafkaTestClient implements AutoCloseable {
  private final String bootstrap;
  private final KafkaProducer<String, PredictionRequest> producer;

  KafkaTestClient(String bootstrap) {
    this.bootstrap = bootstrap;
    this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ProducerConfig.ACKS_CONFIG, "all"), Topics.PREDICTION_REQUESTS.keySerde().serializer(),
        Topics.PREDICTION_REQUESTS.valueSerde().serializer());
  }

  private <K, V> KafkaConsumer<K, V> consumer(Topic<K, V> topic) {
    KafkaConsumer<K, V> c = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"),
        topic.keySerde().deserializer(), topic.valueSerde().deserializer());
    List<TopicPartition> parts = c.partitionsFor(topic.name()).stream()
        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
    c.assign(parts);
    c.seekToBeginning(parts);
    return c;
  }

  /**
   * Sends the request (again, with a fresh id, every 2 s) until {@code expected} answers to one
   * id all satisfy {@code accept}; returns them.
   */
  List<Prediction> askUntil(PredictionRequest request, int expected, Predicate<Prediction> accept,
      Duration timeout) throws Exception {
    try (KafkaConsumer<String, Prediction> c = consumer(Topics.PREDICTIONS)) {
      int[] attempt = {0};
      List<List<Prediction>> last = new ArrayList<>(List.of(List.of()));
      return Await.result(timeout, () -> "acceptable answers; last: " + last.get(0), () -> {
        String id = request.requestId() + "-" + attempt[0]++;
        producer.send(new ProducerRecord<>(Topics.PREDICTION_REQUESTS.name(), id,
            new PredictionRequest(id, request.user(), request.item()))).get();
        List<Prediction> answers = new ArrayList<>();
        // the answers to this id, for at most 2 s; then the request goes again
        long until = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < until && answers.size() < expected) {
          for (ConsumerRecord<String, Prediction> r : c.poll(Duration.ofMillis(100))) {
            if (r.value().requestId().equals(id)) {
              answers.add(r.value());
            }
          }
        }
        last.set(0, answers);
        return answers.size() == expected && answers.stream().allMatch(accept) ? answers : null;
      });
    }
  }

  /** Reads a topic from the beginning until {@code atLeast} records arrived. */
  <V> List<V> readAll(Topic<String, V> topic, int atLeast, Duration timeout) {
    List<V> out = new ArrayList<>();
    try (KafkaConsumer<String, V> c = consumer(topic)) {
      Await.until(timeout, () -> atLeast + " records on " + topic.name() + "; only " + out.size(),
          () -> {
            for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
              out.add(r.value());
            }
            return out.size() >= atLeast;
          });
      // drain what else is there (duplicates would show up here)
      for (int i = 0; i < 5; i++) {
        for (ConsumerRecord<String, V> r : c.poll(Duration.ofMillis(200))) {
          out.add(r.value());
        }
      }
      return out;
    }
  }

  @Override
  public void close() {
    producer.close();
  }
}
