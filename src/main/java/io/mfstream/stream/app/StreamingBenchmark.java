package io.mfstream.stream.app;

import io.mfstream.data.Rating;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
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

/**
 * Throughput of the whole pipeline: a fresh embedded broker per variant, the ratings produced as
 * fast as possible, and the time until every model has scored (and learned from) all of them.
 * Variants are settings on top of a base (for example Kafka consumer tuning), run one after the
 * other in the same process so that they can be compared side by side.
 */
public final class StreamingBenchmark {
  /** One variant's figures. */
  public record Result(String variant, long ratings, double seconds, Map<String, Long> steps) {
    public double ratingsPerSecond() {
      return ratings / seconds;
    }
  }

  private StreamingBenchmark() {}

  /**
   * Runs each variant once.
   *
   * @param ratings the ratings, in the order to replay them
   * @param base settings every variant starts from (models, batch size...)
   * @param variants name → settings added to the base
   */
  public static List<Result> run(List<Rating> ratings, Map<String, String> base,
      Map<String, Map<String, String>> variants, PrintWriter out)
      throws IOException, InterruptedException {
    List<Result> results = new ArrayList<>();
    for (Map.Entry<String, Map<String, String>> v : variants.entrySet()) {
      Path dir = Files.createTempDirectory("mfstream-bench-");
      try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), Map.of()).start()) {
        Map<String, String> settings = new LinkedHashMap<>(base);
        settings.putAll(v.getValue());
        settings.put("bootstrap.servers", kafka.bootstrapServers());
        settings.put("state.dir", dir.resolve("state").toString());
        settings.put("topics.create", "true");
        settings.put("http.port", "0");
        AppConfig config = AppConfig.load(null, Map.of(), settings);
        StatusBoard board = new StatusBoard();
        try (Pipeline p = Pipeline.start(config, PipelineMetrics.NONE, board,
            new RejectionCounts())) {
          p.awaitRunning(Duration.ofMinutes(2));
          long t0 = System.nanoTime();
          Replayer.builder(kafka.bootstrapServers()).build().replay(ratings);
          p.awaitScored(ratings.size(), Duration.ofHours(1));
          double seconds = (System.nanoTime() - t0) / 1e9;
          Map<String, Long> steps = new LinkedHashMap<>();
          for (String m : config.modelNames()) {
            steps.put(m, board.get(m).version());
          }
          Result r = new Result(v.getKey(), ratings.size(), seconds, steps);
          results.add(r);
          out.printf("%-28s %,9d ratings in %7.1f s: %,8.0f ratings/s through every model %s%n",
              r.variant(), r.ratings(), r.seconds(), r.ratingsPerSecond(), config.modelNames());
          out.flush();
        }
      } finally {
        Pipeline.deleteQuietly(dir);
      }
    }
    return results;
  }
}
