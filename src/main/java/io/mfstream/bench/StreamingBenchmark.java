package io.mfstream.bench;

import io.mfstream.app.AppConfig;
import io.mfstream.app.Pipeline;
import io.mfstream.data.Rating;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.stream.validate.RejectionCounts;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Throughput of the whole pipeline against its ceiling. For each variant (settings on top of a
 * base, for example Kafka consumer tuning), in this order and each on a fresh embedded broker:
 *
 * <ol>
 *   <li>the {@link PassThroughCeiling} under the variant's Streams settings: the ratings
 *       produced as fast as possible, timed until its second hop has processed all of them;
 *   <li>the pipeline: the same ratings, timed until every model has scored (and learned from)
 *       all of them; then, once its last transaction committed, the records and bytes it wrote to
 *       each topic ({@link TopicTally}).
 * </ol>
 *
 * The figure the streaming core is judged by is the pipeline's ratings/s over the ceiling's in
 * the same round (docs/BENCHMARKS.md).
 */
public final class StreamingBenchmark {
  /**
   * One variant's figures in one round.
   *
   * @param ceilingSeconds the pass-through's time for the same ratings, or NaN when not run
   * @param written committed records and bytes per topic, the input topic excluded
   */
  public record Result(String variant, long ratings, double seconds, double ceilingSeconds,
      Map<String, Long> steps, Map<String, TopicTally.Written> written) {
    public double ratingsPerSecond() {
      return ratings / seconds;
    }

    public double ceilingPerSecond() {
      return ratings / ceilingSeconds;
    }

    /** The pipeline's speed over the ceiling's. */
    public double ratio() {
      return ceilingSeconds / seconds;
    }

    /** Everything written except the validated copies on {@code ratings-valid}. */
    public TopicTally.Written besidesValid() {
      TopicTally.Written sum = new TopicTally.Written(0, 0);
      for (Map.Entry<String, TopicTally.Written> e : written.entrySet()) {
        if (!e.getKey().equals(Topics.RATINGS_VALID.name())) {
          sum = sum.plus(e.getValue());
        }
      }
      return sum;
    }
  }

  private static final Duration START = Duration.ofMinutes(2);
  private static final Duration RUN = Duration.ofHours(1);

  private StreamingBenchmark() {}

  /**
   * Runs each variant once, each after its ceiling when {@code ceiling} is set.
   *
   * @param ratings the ratings, in the order to replay them
   * @param base settings every variant starts from (models, batch size...)
   * @param variants name → settings added to the base
   */
  public static List<Result> run(List<Rating> ratings, Map<String, String> base,
      Map<String, Map<String, String>> variants, boolean ceiling, PrintWriter out)
      throws IOException, InterruptedException {
    List<Result> results = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> v : variants.entrySet()) {
      Map<String, String> settings = new LinkedHashMap<>(base);
      settings.putAll(v.getValue());
      double ceilingSeconds = Double.NaN;
      if (ceiling) {
        ceilingSeconds = runCeiling(ratings, settings);
        out.printf("%-28s %,9d ratings in %7.1f s: %,8.0f ratings/s (two hops, one store put "
            + "each)%n", "  ceiling", ratings.size(), ceilingSeconds,
            ratings.size() / ceilingSeconds);
        out.flush();
      }
      Result r = runPipeline(v.getKey(), ratings, settings, ceilingSeconds);
      results.add(r);
      out.printf("%-28s %,9d ratings in %7.1f s: %,8.0f ratings/s through every model %s%s%n",
          "  " + r.variant(), r.ratings(), r.seconds(), r.ratingsPerSecond(), r.steps().keySet(),
          ceiling ? String.format(", %.2f of the ceiling", r.ratio()) : "");
      printWritten(r, out);
      out.flush();
    }
    return results;
  }

  private static void printWritten(Result r, PrintWriter out) {
    out.printf("      %-40s %9s %9s%n", "written per rating (committed)", "records", "bytes");
    for (Map.Entry<String, TopicTally.Written> e : r.written().entrySet()) {
      out.printf("      %-40s %9.3f %9.1f%n", e.getKey(),
          (double) e.getValue().records() / r.ratings(),
          (double) e.getValue().bytes() / r.ratings());
    }
    TopicTally.Written besides = r.besidesValid();
    out.printf("      %-40s %9.3f %9.1f%n", "all but " + Topics.RATINGS_VALID.name(),
        (double) besides.records() / r.ratings(), (double) besides.bytes() / r.ratings());
  }

  private static double runCeiling(List<Rating> ratings, Map<String, String> settings)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mfstream-ceiling-");
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), Map.of()).start()) {
      AppConfig config = config(settings, kafka, dir);
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          kafka.bootstrapServers()))) {
        TopicCreator.createAll(admin, TopicDefinitions.load(config.topicsDir()), START);
      }
      Properties props = config.streamsProperties(kafka.bootstrapServers());
      int models = config.pipeline().models().size();
      // The pipeline's threads: one per task, as Pipeline gives them (the same shape).
      int validPartitions = TopicDefinitions.load(config.topicsDir()).stream()
          .filter(d -> d.name().equals(Topics.RATINGS_VALID.name())).findFirst().orElseThrow()
          .partitions();
      props.put(org.apache.kafka.streams.StreamsConfig.NUM_STREAM_THREADS_CONFIG,
          Integer.toString(config.streamThreads(validPartitions)));
      try (PassThroughCeiling c = new PassThroughCeiling(props, models).start()) {
        c.awaitRunning(START);
        long t0 = System.nanoTime();
        Replayer.builder(kafka.bootstrapServers()).build().replay(ratings);
        c.awaitProcessed(ratings.size(), RUN);
        return (System.nanoTime() - t0) / 1e9;
      }
    } finally {
      Pipeline.deleteQuietly(dir);
    }
  }

  private static Result runPipeline(String variant, List<Rating> ratings,
      Map<String, String> settings, double ceilingSeconds)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mfstream-bench-");
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), Map.of()).start()) {
      AppConfig config = config(settings, kafka, dir);
      StatusBoard board = new StatusBoard();
      try (Pipeline p = Pipeline.start(config, PipelineMetrics.NONE, board,
          new RejectionCounts())) {
        p.awaitRunning(START);
        long t0 = System.nanoTime();
        Replayer.builder(kafka.bootstrapServers()).build().replay(ratings);
        p.awaitScored(ratings.size(), RUN);
        double seconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Long> steps = new LinkedHashMap<>();
        for (String m : config.modelNames()) {
          steps.put(m, board.get(m).version());
        }
        TopicTally.awaitCaughtUp(kafka.bootstrapServers(), config.applicationId(),
            List.of(Topics.RATINGS.name(), Topics.RATINGS_VALID.name()), START);
        Map<String, TopicTally.Written> written = TopicTally.committed(kafka.bootstrapServers(),
            Set.of(Topics.RATINGS.name()));
        return new Result(variant, ratings.size(), seconds, ceilingSeconds, steps, written);
      }
    } finally {
      Pipeline.deleteQuietly(dir);
    }
  }

  private static AppConfig config(Map<String, String> settings, EmbeddedKafka kafka, Path dir)
      throws IOException {
    Map<String, String> s = new LinkedHashMap<>(settings);
    s.put("bootstrap.servers", kafka.bootstrapServers());
    s.put("state.dir", dir.resolve("state").toString());
    s.put("topics.create", "true");
    s.put("http.port", "0");
    return AppConfig.load(null, Map.of(), s);
  }
}
