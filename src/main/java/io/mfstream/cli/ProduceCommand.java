package io.mfstream.cli;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** A console producer: each line typed (or read from a file) becomes one record. */
@Command(name = "produce", mixinStandardHelpOptions = true,
    description = {"A console producer: sends every non-blank line of standard input (or "
        + "--file) as one record's value, unchanged, to a topic ('ratings' by default), and "
        + "says where it went. Lines are not checked here: the pipeline's validation does that, "
        + "and sends bad ones to ratings-dlq.",
        "Example line: {\"user\": \"196\", \"item\": \"242\", \"rating\": 5}",
        "Exit code 3 when the cluster cannot be reached, 4 when the topic does not exist."})
final class ProduceCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClientOptions client;

  @Option(names = "--topic", defaultValue = "ratings", description = "Default: "
      + "${DEFAULT-VALUE}.")
  String topic;

  @Option(names = "--file", paramLabel = "FILE", description = "Read lines from FILE instead "
      + "of standard input.")
  Path file;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Map<String, Object> settings = client.reachableSettings(java.util.List.of(topic));
    settings.put(ProducerConfig.ACKS_CONFIG, "all");
    settings.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    long sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(settings,
        new ByteArraySerializer(), new ByteArraySerializer());
        BufferedReader in = file == null
            ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
            : Files.newBufferedReader(file)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        RecordMetadata m = producer.send(new ProducerRecord<>(topic, null,
            line.strip().getBytes(StandardCharsets.UTF_8))).get();
        sent++;
        out.printf("sent to %s-%d@%d%n", m.topic(), m.partition(), m.offset());
        out.flush();
      }
    }
    out.printf("%,d records sent to %s%n", sent, topic);
    return 0;
  }
}
