package io.mfstream.bench;

import io.mfstream.data.Rating;
import io.mfstream.http.Health;
import io.mfstream.http.OpsServer;
import io.mfstream.app.AppConfig;
import io.mfstream.app.Pipeline;
import io.mfstream.bench.TopicTally;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topic;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.validate.RejectionCounts;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Serving under load while the models learn: on a fresh embedded broker, the pipeline first
 * learns the ratings once as fast as it can (so that the whole catalogue is served), then, for
 * each kind of request and each offered rate, a phase in which
 *
 * <ul>
 *   <li>the ratings are replayed again at a fixed training rate, and
 *   <li>requests are produced at the offered rate (or as fast as possible, a flood) for a fixed
 *       time, and their answers read back,
 * </ul>
 *
 * each phase starting once the one before has been read to its end (requests and ratings), and
 * prints, per phase, the requests answered per second (a request is answered when every model
 * has answered it), the latency from sending a request to its last answer (p50, p99, p99.9), and
 * the learning delay of the ratings learned during the phase (from producing a rating to the
 * step that learned from it), with the ratings learned per second, so that a phase shows both
 * how fast answers come and whether training kept up.
 */
public final class ServingBenchmark {
  /** The kinds of request a phase offers. */
  public enum Kind {
    /** One (user, item) pair. */
    PREDICTION,
    /** A batch of pairs in one request: over HTTP only ({@code POST /api/predict}). */
    BATCH,
    /** The top n items for a user. */
    RECOMMENDATION
  }

  /** How requests reach the instance. */
  public enum Via {
    /** Produced to the request topics, answers read back from the answer topics. */
    TOPICS,
    /** The HTTP API ({@code GET /api/predict}, {@code POST /api/predict}, {@code /api/recommend}). */
    HTTP
  }

  /**
   * One phase's figures.
   *
   * @param offered requests per second offered, 0 for a flood
   * @param sent requests sent during the phase
   * @param answered requests answered by every model within the phase
   * @param unanswered requests still not answered by every model after the drain
   * @param latencyMillis p50, p99, p99.9 of send-to-last-answer, over the answered requests
   * @param learned ratings learned (summed over models) during the phase
   * @param delayMillis p50, p99 of the learning delay of those ratings
   */
  public record Phase(Via via, Kind kind, int pairs, double offered, double seconds, long sent,
      long answered, long unanswered, double[] latencyMillis, long learned, double[] delayMillis) {
    public double answeredPerSecond() {
      return answered / seconds;
    }

    /** Pairs answered per second: {@code pairs} per request in a batch, else the requests. */
    public double pairsPerSecond() {
      return answered * (double) pairs / seconds;
    }

    public double learnedPerSecond() {
      return learned / seconds;
    }
  }

  private static final Duration START = Duration.ofMinutes(2);
  private static final Duration DRAIN = Duration.ofSeconds(10);
  private static final Duration SETTLE = Duration.ofMinutes(10);
  /** An unmeasured flood of each kind over HTTP before its first phase. */
  private static final double WARM_UP_SECONDS = 2;

  private ServingBenchmark() {}

  /**
   * Runs every kind at every rate, in that order, on one pipeline.
   *
   * @param ratings learned once as fast as possible, then replayed during each phase
   * @param settings the pipeline's settings (run's keys)
   * @param trainRate ratings per second replayed during the phases
   * @param rates requests per second offered per phase; 0 = flood
   * @param seconds each phase's length
   * @param n items per recommendation request
   * @param paths the ways requests come in, in this order
   * @param connections HTTP connections, one load thread each
   * @param batch pairs per batch request
   */
  public static List<Phase> run(List<Rating> ratings, Map<String, String> settings,
      double trainRate, List<Kind> kinds, List<Double> rates, double seconds, int n,
      List<Via> paths, int connections, int batch, PrintWriter out)
      throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("mfstream-bench-serve-");
    RecordingMetrics metrics = new RecordingMetrics();
    List<Phase> phases = new ArrayList<>();
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka"), Map.of()).start()) {
      Map<String, String> s = new LinkedHashMap<>(settings);
      s.put("bootstrap.servers", kafka.bootstrapServers());
      s.put("state.dir", dir.resolve("state").toString());
      s.put("topics.create", "true");
      s.put("http.port", "0");
      AppConfig config = AppConfig.load(null, Map.of(), s);
      int models = config.modelNames().size();
      try (Pipeline p = Pipeline.start(config, metrics, new StatusBoard(),
          new RejectionCounts());
          OpsServer http = OpsServer.start(new InetSocketAddress("127.0.0.1", 0),
              new StatusBoard(), () -> "", () -> Health.State.named(p.state().name()),
              OpsServer.Options.DEFAULTS)) {
        http.serve(p.replicas());
        p.awaitRunning(START);
        long t0 = System.nanoTime();
        Replayer.builder(kafka.bootstrapServers()).clientId("bench-serve-warm").build()
            .replay(ratings);
        p.awaitScored(ratings.size(), Duration.ofHours(1));
        out.printf("learned %,d ratings in %.1f s; models %s%n", ratings.size(),
            (System.nanoTime() - t0) / 1e9, config.modelNames());
        out.printf("  %-6s %-15s %9s %9s %9s %9s %9s %9s %9s %11s %9s %9s%n", "path", "kind",
            "offered/s", "sent", "answered", "answers/s", "p50 ms", "p99 ms", "p99.9 ms",
            "learned/s", "delay p50", "delay p99");
        out.flush();
        Random random = new Random(42);
        String[] users = ratings.stream().map(Rating::user).distinct().toArray(String[]::new);
        String[] items = ratings.stream().map(Rating::item).distinct().toArray(String[]::new);
        int phaseNo = 0;
        for (Via path : paths) {
        for (Kind kind : kinds) {
          if (path == Via.TOPICS && kind == Kind.BATCH) {
            continue; // the topics take one pair a request
          }
          for (double rate : rates) {
            String tag = "p" + phaseNo++;
            Phase ph = path == Via.TOPICS
                ? topicsPhase(kafka.bootstrapServers(), tag, kind, rate, seconds, n, models,
                    ratings, trainRate, users, items, random, metrics)
                : httpPhase(kafka.bootstrapServers(), tag,
                    new InetSocketAddress("127.0.0.1", http.port()), connections, kind,
                    batch, rate, seconds, n, ratings, trainRate, users, items, random,
                    metrics, rate == rates.get(0));
            // The next phase starts on an idle pipeline: no request or rating left unread.
            TopicTally.awaitCaughtUp(kafka.bootstrapServers(), config.applicationId(),
                List.of(Topics.RATINGS.name(), Topics.RATINGS_VALID.name()), SETTLE);
            TopicTally.awaitCaughtUp(kafka.bootstrapServers(), config.servingApplicationId(),
                List.of(Topics.PREDICTION_REQUESTS.name(), Topics.RECOMMENDATION_REQUESTS.name()),
                SETTLE);
            phases.add(ph);
            out.printf("  %-6s %-15s %9s %,9d %,9d %,9.0f %9.1f %9.1f %9.1f %,11.0f %9.0f %9.0f%s%s%n",
                path.name().toLowerCase(), kind.name().toLowerCase()
                    + (kind == Kind.BATCH ? " x" + batch : ""),
                rate == 0 ? "flood" : String.format("%,.0f", rate),
                ph.sent(), ph.answered(), ph.answeredPerSecond(), ph.latencyMillis()[0],
                ph.latencyMillis()[1], ph.latencyMillis()[2], ph.learnedPerSecond(),
                ph.delayMillis()[0], ph.delayMillis()[1],
                kind == Kind.BATCH ? String.format("  (%,.0f pairs/s)", ph.pairsPerSecond()) : "",
                ph.unanswered() > 0 ? "  (" + ph.unanswered() + " unanswered)" : "");
            out.flush();
          }
        }
        }
      }
    } finally {
      Pipeline.deleteQuietly(dir);
    }
    return phases;
  }

  /**
   * A phase over HTTP: the load of {@link HttpLoad} on {@code connections} connections while the
   * ratings are replayed at {@code trainRate}.
   */
  private static Phase httpPhase(String bootstrap, String tag, InetSocketAddress server,
      int connections, Kind kind, int batch, double rate, double seconds, int n,
      List<Rating> ratings, double trainRate, String[] users, String[] items, Random random,
      RecordingMetrics metrics, boolean warmUp) throws InterruptedException {
    Thread training = training(bootstrap, tag, ratings, trainRate, seconds);
    // Requests drawn in advance, so that the load threads only send.
    int distinct = 4096;
    byte[][] requests = new byte[distinct][];
    for (int r = 0; r < distinct; r++) {
      String user = users[random.nextInt(users.length)];
      requests[r] = switch (kind) {
        case PREDICTION -> HttpLoad.get("/api/predict?user=" + url(user) + "&item="
            + url(items[random.nextInt(items.length)]));
        case RECOMMENDATION -> HttpLoad.get("/api/recommend?user=" + url(user) + "&n=" + n);
        case BATCH -> {
          StringBuilder b = new StringBuilder("{\"pairs\":[");
          for (int j = 0; j < batch; j++) {
            b.append(j == 0 ? "" : ",").append("{\"user\":").append(json(users[
                random.nextInt(users.length)])).append(",\"item\":")
                .append(json(items[random.nextInt(items.length)])).append('}');
          }
          yield HttpLoad.post("/api/predict", b.append("]}").toString());
        }
      };
    }
    if (warmUp) { // the JIT's first compilations and first answers, unmeasured
      new HttpLoad(server, connections).run(0, WARM_UP_SECONDS, i -> requests[(int) (i % distinct)]);
    }
    long learnedBefore = metrics.learned.get();
    metrics.record(true);
    training.start();
    HttpLoad.Result r = new HttpLoad(server, connections).run(rate, seconds,
        i -> requests[(int) (i % distinct)]);
    metrics.record(false);
    long learned = metrics.learned.get() - learnedBefore;
    long[] delays = metrics.takeDelays();
    training.join();
    long[] lat = r.latencyNanos();
    return new Phase(Via.HTTP, kind, kind == Kind.BATCH ? batch : 1, rate, r.seconds(),
        r.completed() + r.failed(), r.completed(), r.failed(),
        new double[] {percentile(lat, 0.5) / 1e6, percentile(lat, 0.99) / 1e6,
            percentile(lat, 0.999) / 1e6},
        learned, new double[] {percentile(delays, 0.5), percentile(delays, 0.99)});
  }

  private static String url(String s) {
    return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** The replay of {@code trainRate} ratings per second for the phase, not started. */
  private static Thread training(String bootstrap, String tag, List<Rating> ratings,
      double trainRate, double seconds) {
    return new Thread(() -> {
      try {
        Replayer.builder(bootstrap).clientId("bench-serve-train-" + tag)
            .ratingsPerSecond(trainRate).build()
            .replay(cycle(ratings, (long) Math.ceil(trainRate * seconds)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "bench-serve-training");
  }

  private static Phase topicsPhase(String bootstrap, String tag, Kind kind, double rate,
      double seconds, int n, int models, List<Rating> ratings, double trainRate, String[] users,
      String[] items, Random random, RecordingMetrics metrics) throws InterruptedException {
    Map<String, long[]> inFlight = new ConcurrentHashMap<>(); // id -> {sent nanos, answers}
    List<Long> latencies = java.util.Collections.synchronizedList(new ArrayList<>());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong answeredInPhase = new AtomicLong();
    long phaseNanos = (long) (seconds * 1e9);

    Thread training = training(bootstrap, tag, ratings, trainRate, seconds);

    Topic<String, ?> answers = kind == Kind.PREDICTION ? Topics.PREDICTIONS
        : Topics.RECOMMENDATIONS;
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    cp.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    cp.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    cp.put(ConsumerConfig.GROUP_ID_CONFIG, "bench-serve-" + tag);
    long[] phaseEnd = {Long.MAX_VALUE};
    Thread reader;
    try (KafkaConsumer<String, ?> consumer = consumer(cp, answers)) {
      consumer.subscribe(List.of(answers.name()));
      while (consumer.assignment().isEmpty()) {
        consumer.poll(Duration.ofMillis(100));
      }
      consumer.seekToEnd(consumer.assignment());
      consumer.assignment().forEach(consumer::position);
      reader = new Thread(() -> {
        while (!stop.get() || !inFlight.isEmpty()) {
          for (ConsumerRecord<String, ?> r : consumer.poll(Duration.ofMillis(50))) {
            long now = System.nanoTime();
            long[] f = inFlight.get(r.key());
            if (f != null && ++f[1] == models) {
              inFlight.remove(r.key());
              latencies.add(now - f[0]);
              if (now <= phaseEnd[0]) {
                answeredInPhase.incrementAndGet();
              }
            }
          }
        }
      }, "bench-serve-answers");
      reader.start();

      long learnedBefore = metrics.learned.get();
      metrics.record(true);
      training.start();
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      pp.put(ProducerConfig.LINGER_MS_CONFIG, "1");
      pp.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-serve-requests-" + tag);
      long sent = 0;
      long start = System.nanoTime();
      long end = start + phaseNanos;
      phaseEnd[0] = end;
      try (KafkaProducer<String, Object> producer = new KafkaProducer<>(pp,
          new StringSerializer(), (topic, v) -> kind == Kind.PREDICTION
              ? Topics.PREDICTION_REQUESTS.valueSerde().serializer()
                  .serialize(topic, (PredictionRequest) v)
              : Topics.RECOMMENDATION_REQUESTS.valueSerde().serializer()
                  .serialize(topic, (RecommendationRequest) v))) {
        String topic = kind == Kind.PREDICTION ? Topics.PREDICTION_REQUESTS.name()
            : Topics.RECOMMENDATION_REQUESTS.name();
        while (true) {
          long due = rate == 0 ? System.nanoTime() : start + (long) (sent * 1e9 / rate);
          if (due >= end) {
            break;
          }
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          if (rate == 0 && inFlight.size() >= 20_000) {
            LockSupport.parkNanos(1_000_000); // a flood, but bounded in memory
            if (System.nanoTime() >= end) {
              break;
            }
            continue;
          }
          String id = tag + "-" + sent;
          String user = users[random.nextInt(users.length)];
          Object request = kind == Kind.PREDICTION
              ? new PredictionRequest(id, user, items[random.nextInt(items.length)])
              : new RecommendationRequest(id, user, n);
          inFlight.put(id, new long[] {System.nanoTime(), 0});
          producer.send(new ProducerRecord<>(topic, id, request));
          sent++;
        }
      }
      double elapsed = (System.nanoTime() - start) / 1e9;
      metrics.record(false);
      long learned = metrics.learned.get() - learnedBefore;
      long[] delays = metrics.takeDelays();
      long drainUntil = System.nanoTime() + DRAIN.toNanos();
      while (!inFlight.isEmpty() && System.nanoTime() < drainUntil) {
        Thread.sleep(20);
      }
      long unanswered = inFlight.size();
      inFlight.clear();
      stop.set(true);
      reader.join();
      training.join();
      long[] lat;
      synchronized (latencies) {
        lat = latencies.stream().mapToLong(Long::longValue).toArray();
      }
      return new Phase(Via.TOPICS, kind, 1, rate, elapsed, sent, answeredInPhase.get(),
          unanswered,
          new double[] {percentile(lat, 0.5) / 1e6, percentile(lat, 0.99) / 1e6,
              percentile(lat, 0.999) / 1e6},
          learned, new double[] {percentile(delays, 0.5), percentile(delays, 0.99)});
    }
  }

  private static <V> KafkaConsumer<String, V> consumer(Properties p, Topic<String, V> topic) {
    return new KafkaConsumer<>(p, new StringDeserializer(), topic.valueSerde().deserializer());
  }

  /** The first {@code count} ratings of the list repeated as often as needed. */
  static List<Rating> cycle(List<Rating> ratings, long count) {
    List<Rating> out = new ArrayList<>((int) count);
    for (long i = 0; i < count; i++) {
      out.add(ratings.get((int) (i % ratings.size())));
    }
    return out;
  }

  /** The nearest-rank percentile, NaN for no values. */
  static double percentile(long[] values, double q) {
    if (values.length == 0) {
      return Double.NaN;
    }
    long[] v = values.clone();
    Arrays.sort(v);
    int rank = (int) Math.ceil(q * v.length);
    return v[Math.max(0, Math.min(v.length - 1, rank - 1))];
  }

  /** Learning delays, kept while a phase records. */
  private static final class RecordingMetrics implements PipelineMetrics {
    final AtomicLong learned = new AtomicLong();
    private volatile boolean recording;
    private long[] delays = new long[1 << 16];
    private int count;

    void record(boolean on) {
      recording = on;
    }

    synchronized long[] takeDelays() {
      long[] out = Arrays.copyOf(delays, count);
      count = 0;
      return out;
    }

    @Override
    public void ratingReceived() {}

    @Override
    public void stepTaken(String model, int batchSize, long nanos) {}

    @Override
    public void ratingLearned(String model, long delayMillis) {
      if (!recording) {
        return;
      }
      learned.incrementAndGet();
      synchronized (this) {
        if (count == delays.length) {
          delays = Arrays.copyOf(delays, count * 2);
        }
        delays[count++] = delayMillis;
      }
    }

    @Override
    public void requestAnswered(RequestKind kind, long latencyMillis) {}
  }
}
