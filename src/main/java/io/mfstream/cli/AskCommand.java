package io.mfstream.cli;

import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.stream.serde.JsonSerde;
import io.mfstream.stream.serde.Topic;
import io.mfstream.stream.serde.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Sends one prediction or recommendation request and prints the answers. */
@Command(name = "ask", mixinStandardHelpOptions = true,
    description = {"Ask the running pipeline for a predicted rating (--item) or the top-N "
        + "unrated items (--top) of a user, and print every model's answer with its version "
        + "and the ratings it has learned from.",
        "Exit code 1 when no answer arrives in time, 3 when the cluster cannot be reached, 4 "
            + "when its topics are missing."})
final class AskCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Option(names = "--user", required = true, description = "The user id.")
  String user;

  @ArgGroup(exclusive = true, multiplicity = "1")
  What what;

  static final class What {
    @Option(names = "--item", description = "Predict this item's rating.")
    String item;

    @Option(names = "--top", paramLabel = "N", description = "Recommend the N best unrated "
        + "items.")
    Integer top;
  }

  @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "15", description =
      "How long to wait for the first answer (default: ${DEFAULT-VALUE}).")
  double timeout;

  @Option(names = "--json", description = "Print the answers as JSON lines.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (what.top != null && what.top < 1) {
      throw new IllegalArgumentException("--top must be at least 1");
    }
    Map<String, Object> common = client.reachableSettings(what.item != null
        ? List.of(Topics.PREDICTION_REQUESTS.name(), Topics.PREDICTIONS.name())
        : List.of(Topics.RECOMMENDATION_REQUESTS.name(), Topics.RECOMMENDATIONS.name()));
    int waitMs = (int) Math.max(1000, timeout * 1000);
    common.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, waitMs);
    common.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(waitMs, 2000));
    common.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(waitMs, 1999));
    common.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, waitMs);
    String id = "ask-" + UUID.randomUUID();
    List<String> lines;
    if (what.item != null) {
      lines = ask(common, Topics.PREDICTION_REQUESTS.name(),
          JsonSerde.of(PredictionRequest.class).serializer().serialize("",
              new PredictionRequest(id, user, what.item)),
          Topics.PREDICTIONS, Prediction::requestId, id, this::format);
    } else {
      lines = ask(common, Topics.RECOMMENDATION_REQUESTS.name(),
          JsonSerde.of(RecommendationRequest.class).serializer().serialize("",
              new RecommendationRequest(id, user, what.top)),
          Topics.RECOMMENDATIONS, Recommendation::requestId, id, this::format);
    }
    if (lines.isEmpty()) {
      spec.commandLine().getErr().printf("mfstream: no answer within %.0f s: is the pipeline "
          + "running on %s, and has a model learned from any rating yet?%n", timeout,
          client.bootstrapServers);
      return 1;
    }
    lines.forEach(out::println);
    out.flush();
    return 0;
  }

  private <V> List<String> ask(Map<String, Object> common, String requestTopic, byte[] request,
      Topic<String, V> answers, Function<V, String> idOf, String id, Function<V, String> format)
      throws Exception {
    Map<String, Object> c = new HashMap<>(common);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> lines = new ArrayList<>();
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(c,
        answers.keySerde().deserializer(), answers.valueSerde().deserializer());
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(common,
            new org.apache.kafka.common.serialization.StringSerializer(),
            new org.apache.kafka.common.serialization.ByteArraySerializer())) {
      List<TopicPartition> parts = consumer.partitionsFor(answers.name()).stream()
          .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
      consumer.assign(parts);
      consumer.seekToEnd(parts);
      parts.forEach(consumer::position); // fix the start before the request goes out
      producer.send(new ProducerRecord<>(requestTopic, user, request)).get();
      long deadline = System.nanoTime() + (long) (timeout * 1e9);
      long quietUntil = Long.MAX_VALUE;
      while (System.nanoTime() < Math.min(deadline, quietUntil)) {
        for (ConsumerRecord<String, V> r : consumer.poll(Duration.ofMillis(100))) {
          if (r.value() != null && id.equals(idOf.apply(r.value()))) {
            lines.add(format.apply(r.value()));
            // other models' answers follow within moments
            quietUntil = System.nanoTime() + 1_000_000_000L;
          }
        }
      }
    }
    return lines;
  }

  private String format(Prediction p) {
    if (json) {
      return new String(JsonSerde.of(Prediction.class).serializer().serialize("", p),
          java.nio.charset.StandardCharsets.UTF_8);
    }
    return String.format("%-12s %s x %s -> %.3f%s  (version %,d, %,d ratings learned)",
        p.model(), p.user(), p.item(), p.rating(), p.coldStart() ? " cold start" : "",
        p.modelVersion(), p.ratingsLearned());
  }

  private String format(Recommendation r) {
    if (json) {
      return new String(JsonSerde.of(Recommendation.class).serializer().serialize("", r),
          java.nio.charset.StandardCharsets.UTF_8);
    }
    StringBuilder b = new StringBuilder(String.format("%-12s for %s%s (version %,d, %,d ratings "
        + "learned):", r.model(), r.user(), r.coldStart() ? " (cold start)" : "",
        r.modelVersion(), r.ratingsLearned()));
    for (ScoredItem i : r.items()) {
      b.append(String.format(" %s %.3f,", i.item(), i.rating()));
    }
    if (!r.items().isEmpty()) {
      b.setLength(b.length() - 1);
    } else {
      b.append(" nothing to recommend");
    }
    return b.toString();
  }
}
