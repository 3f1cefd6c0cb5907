package io.mfstream.cli;

import io.mfstream.data.Rating;
import io.mfstream.stream.replay.Replayer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Produces a ratings dataset into a Kafka topic. */
@Command(name = "replay", mixinStandardHelpOptions = true,
    description = {"Send ratings to a Kafka topic as RatingEvent JSON, keyed by user id (so one "
        + "user's ratings stay in order), with an idempotent acks=all producer, optionally "
        + "paced to a rate. Prints a one-line summary.",
        "Without --data it sends synthetic ratings from a planted low-rank model.",
        "Exit code 3 when the cluster cannot be reached, 4 when the topic does not exist."})
final class ReplayCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      defaultValue = "127.0.0.1:9092", description = "The Kafka cluster "
      + "(default: ${DEFAULT-VALUE}).")
  String bootstrapServers;

  @Option(names = "--topic", defaultValue = "ratings", description = "Default: "
      + "${DEFAULT-VALUE}.")
  String topic;

  @Option(names = "--data", paramLabel = "FILE", description = "Ratings (e.g. u.data). Without "
      + "it, synthetic data with a planted low-rank model.")
  Path dataFile;

  @Mixin
  DataOptions data;

  @Option(names = "--order", description = "file or timestamp (stable sort; ties keep file "
      + "order) (default: ${DEFAULT-VALUE}).", defaultValue = "timestamp")
  String order;

  @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0", description =
      "Ratings per second (default: ${DEFAULT-VALUE} = as fast as possible).")
  double rate;

  @Option(names = "--limit", paramLabel = "N", description = "Send at most N ratings, the "
      + "first in the chosen order (default: all).")
  Long limit;

  @Option(names = "--producer-config", paramLabel = "FILE", description = "A properties file "
      + "of extra producer settings (e.g. security.protocol, sasl.*, ssl.*); they replace the "
      + "defaults (acks=all, enable.idempotence=true, linger.ms=5).")
  Path producerConfig;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", defaultValue = "15",
      description = "Give up, naming the address and the likely cause (exit code 3), when the "
      + "cluster cannot be used within this long (default: ${DEFAULT-VALUE}).")
  double connectTimeout;

  @Option(names = "--report-every", paramLabel = "N", defaultValue = "10000", description =
      "Print progress every N ratings (default: ${DEFAULT-VALUE}; 0 = never).")
  long reportEvery;

  @Override
  public Integer call() throws Exception {
    String sortOrder = DataOptions.checkOrder(order);
    java.time.Duration timeout = ClientOptions.connectTimeout(connectTimeout);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Replayer.Builder builder = Replayer.builder(bootstrapServers).topic(topic)
        .ratingsPerSecond(rate)
        .progress(reportEvery, (sent, seconds) -> {
          out.printf("%,10d ratings sent  %.1f s%n", sent, seconds);
          out.flush();
        });
    if (limit != null) {
      builder.limit(limit);
    }
    if (producerConfig != null) {
      builder.producerConfig(ClientOptions.readProperties(producerConfig));
    }
    Map<String, Object> check = new java.util.HashMap<>(ClientOptions.readProperties(producerConfig));
    check.put(org.apache.kafka.clients.CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG,
        bootstrapServers);
    BrokerCheck.require(check, timeout, "--bootstrap-servers", List.of(topic));
    Replayer replayer = builder.build();

    DataOptions.Loaded loaded = data.load(dataFile, sortOrder, err);
    List<Rating> ratings = loaded.ratings();
    String source = loaded.source();
    out.printf("replaying %s (%,d ratings, %s order) to topic %s at %s%s%n", source,
        ratings.size(), sortOrder, topic, bootstrapServers,
        rate > 0 ? String.format(" at %,.0f ratings/s", rate) : "");
    out.flush();
    Replayer.Result r = replayer.replay(ratings);
    out.printf("sent %,d ratings to %s in %.2f s (%,.0f ratings/s)%n", r.sent(), topic,
        r.seconds(), r.ratingsPerSecond());
    return 0;
  }
}
