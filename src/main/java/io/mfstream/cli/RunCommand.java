package io.mfstream.cli;

import io.mfstream.app.AppConfig;
import io.mfstream.app.Pipeline;
import io.mfstream.app.Service;
import io.mfstream.data.Rating;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.status.Tally;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** The streaming pipeline: embedded by default, or against a cluster by configuration. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run the streaming pipeline: ratings in, models learning test-then-train, "
        + "predictions, recommendations and rolling RMSE out (docs/CONFIGURATION.md).",
        "Without bootstrap.servers it starts a Kafka broker in-process, creates the topics "
            + "from topics/ and replays a dataset into 'ratings' (MovieLens 100K from "
            + "data/ml-100k/u.data when present, synthetic ratings otherwise).",
        "With a cluster it first checks that the cluster answers and has the topics: exit code "
            + "3 when it cannot be reached, 4 when topics are missing (and topics.create=false); "
            + "1 when the pipeline stops on an error.",
        "Prints a status line every few seconds; Ctrl-C stops it cleanly."})
final class RunCommand implements java.util.concurrent.Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--config", paramLabel = "FILE", description = "A properties file of "
      + "settings; MFSTREAM_* environment variables and the flags below override it.")
  Path configFile;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Run "
      + "against this cluster instead of the embedded broker.")
  String bootstrapServers;

  @Option(names = "--connect-timeout", paramLabel = "SECONDS", description = "With a cluster: "
      + "give up, naming the address and the likely cause (exit code 3), when it cannot be used "
      + "within this long (default: 15; the key connect.timeout.ms).")
  Double connectTimeout;

  @Option(names = "--models", paramLabel = "NAME[,...]", description = "The models to train "
      + "(default: biased-mf,mlp).")
  String models;

  @Option(names = "--data", paramLabel = "FILE", description = "Embedded default: the ratings "
      + "file to replay.")
  Path data;

  @Option(names = "--rate", paramLabel = "PER_SECOND", description = "Embedded default: "
      + "ratings/s to replay (default: 1000; 0 = as fast as possible).")
  Double rate;

  @Option(names = "--no-replay", description = "Embedded default: replay nothing (produce "
      + "ratings yourself).")
  boolean noReplay;

  @Option(names = "--http-port", paramLabel = "PORT", description = "Status page and metrics "
      + "port (default: 8080; 0 = off).")
  Integer httpPort;

  @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop after this long "
      + "(default: run until Ctrl-C).")
  Double duration;

  @Option(names = "--export-dir", paramLabel = "DIR", description = "On stop, write a "
      + "snapshot of every model to DIR/NAME.mfsnap (usable as model.NAME.warm.start).")
  Path exportDir;

  @Option(names = "--status-every", paramLabel = "SECONDS", defaultValue = "2", description =
      "Seconds between status lines (default: ${DEFAULT-VALUE}).")
  double statusEvery;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    AppConfig config = AppConfig.load(configFile, System.getenv(), flags());
    out.printf("mfstream: starting %s with models %s%n",
        config.embedded() ? "on an embedded Kafka broker" : "on " + config.get("bootstrap.servers"),
        config.modelNames());
    out.flush();
    if (!config.embedded()) {
      checkCluster(config);
    }
    StopSignal stop = new StopSignal();
    try (Service service = Service.start(config)) {
      stop.onCtrlC();
      Pipeline pipeline = service.pipeline();
      pipeline.awaitRunning(Duration.ofMinutes(5));
      printWhereToLook(service, out);
      Thread replay = pipeline.embedded() && !noReplay
          ? startReplay(config, pipeline.bootstrapServers(), out, err) : null;
      if (!reportUntilStopped(service, config, stop, out)) {
        err.println("mfstream: the pipeline stopped: " + pipeline.failure().getMessage());
        err.flush();
        return 1;
      }
      if (replay != null) {
        replay.interrupt();
      }
      exportSnapshots(pipeline, config, out);
      printSummary(service.board(), config, out);
      out.printf("mfstream: %s; stopping%n", stop.reason());
      out.flush();
      stop.noLongerOnCtrlC();
    } finally {
      stop.closed();
    }
    return 0;
  }

  /**
   * Before anything starts: the cluster answers, and has the topics unless they are to be
   * created; else one line that says why (exit code 3 or 4), within {@code connect.timeout.ms}.
   */
  private static void checkCluster(AppConfig config) throws InterruptedException {
    Map<String, Object> settings = new LinkedHashMap<>(config.kafkaClientSettings());
    settings.put("bootstrap.servers", config.get("bootstrap.servers"));
    BrokerCheck.require(settings, config.connectTimeout(), "bootstrap.servers from "
        + config.origin("bootstrap.servers"), config.createTopics() ? List.of()
        : Topics.ALL.stream().map(t -> t.name()).toList());
  }

  /** The flags that are settings, under their keys (they win over the file and environment). */
  private Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>();
    if (bootstrapServers != null) {
      flags.put("bootstrap.servers", bootstrapServers);
    }
    if (connectTimeout != null) {
      flags.put("connect.timeout.ms",
          Long.toString(ClientOptions.connectTimeout(connectTimeout).toMillis()));
    }
    if (models != null) {
      flags.put("models", models);
    }
    if (data != null) {
      flags.put("replay.data", data.toString());
    }
    if (rate != null) {
      flags.put("replay.rate", Double.toString(rate));
    }
    if (httpPort != null) {
      flags.put("http.port", Integer.toString(httpPort));
    }
    return flags;
  }

  private static void printWhereToLook(Service service, PrintWriter out) {
    String kafka = service.pipeline().bootstrapServers();
    out.printf("mfstream: running. Kafka at %s%n", kafka);
    if (service.httpPort() > 0) {
      out.printf("  status:  http://localhost:%d/   metrics: http://localhost:%d/metrics%n",
          service.httpPort(), service.httpPort());
    }
    out.printf("  ask:     java -jar target/mfstream.jar ask --bootstrap-servers %s --user 1 "
        + "--item 1%n", kafka);
    out.printf("  produce: java -jar target/mfstream.jar produce --bootstrap-servers %s%n", kafka);
    out.flush();
  }

  /**
   * Prints a status line every {@code --status-every} seconds until a stop (Ctrl-C, an interrupt,
   * or {@code --duration}); false if the pipeline failed first.
   */
  private boolean reportUntilStopped(Service service, AppConfig config, StopSignal stop,
      PrintWriter out) {
    Pipeline pipeline = service.pipeline();
    Tally tally = service.tally();
    long started = System.nanoTime();
    long deadline = duration == null ? Long.MAX_VALUE : started + (long) (duration * 1e9);
    long lastReceived = 0;
    long lastAt = started;
    long every = Math.max(100, (long) (statusEvery * 1000));
    while (!stop.await(Math.min(every, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)))) {
      if (pipeline.failure() != null) {
        return false;
      }
      long now = System.nanoTime();
      long received = tally.received();
      double perSecond = (received - lastReceived) / Math.max(1e-9, (now - lastAt) / 1e9);
      lastReceived = received;
      lastAt = now;
      out.println(statusLine((now - started) / 1e9, received, perSecond, service.board(),
          config.modelNames(), pipeline.maxLag(), service.rejections().total(),
          tally.answered()));
      out.flush();
      if (now >= deadline) {
        stop.stop("duration reached");
      }
    }
    return true;
  }

  private void exportSnapshots(Pipeline pipeline, AppConfig config, PrintWriter out)
      throws Exception {
    if (exportDir == null) {
      return;
    }
    Files.createDirectories(exportDir);
    for (String model : config.modelNames()) {
      Path file = pipeline.exportSnapshot(model, exportDir.resolve(model + ".mfsnap"),
          Duration.ofSeconds(30));
      out.printf("mfstream: exported %s to %s%n", model, file);
    }
  }

  private static void printSummary(StatusBoard board, AppConfig config, PrintWriter out) {
    for (String model : config.modelNames()) {
      ModelStatus s = board.get(model);
      if (s != null && s.scored() > 0) {
        out.printf("mfstream: %s: %,d ratings scored, prequential RMSE %.4f (rolling %.4f over "
            + "the last %,d), version %,d, %,d ratings learned%n", model, s.scored(),
            s.overallRmse(), s.rollingRmse(), Math.min(s.scored(), s.window()), s.version(),
            s.trained());
      }
    }
  }

  /**
   * Why and when {@code run} stops: Ctrl-C (a shutdown hook, which then keeps the JVM alive until
   * the pipeline has closed cleanly), an interrupt of the running thread, or {@code --duration}.
   */
  private static final class StopSignal {
    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicReference<String> reason = new AtomicReference<>("stopped");
    private final Thread hook = new Thread(this::onShutdown, "mfstream-shutdown");

    private void onShutdown() {
      stop("interrupted");
      try {
        closed.await(90, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    void onCtrlC() {
      Runtime.getRuntime().addShutdownHook(hook);
    }

    void noLongerOnCtrlC() {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the JVM is already shutting down (Ctrl-C): the hook has run
      }
    }

    void stop(String why) {
      reason.set(why);
      stop.countDown();
    }

    /** Waits up to {@code millis} for a stop; true once stopped. An interrupt is a stop too. */
    boolean await(long millis) {
      try {
        return stop.await(millis, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        reason.set("interrupted");
        return true;
      }
    }

    String reason() {
      return reason.get();
    }

    /** The pipeline has closed: Ctrl-C may let the JVM go. */
    void closed() {
      closed.countDown();
    }
  }

  static String statusLine(double seconds, long received, double perSecond, StatusBoard board,
      List<String> models, long lag, long rejected, long answered) {
    StringBuilder b = new StringBuilder();
    b.append(String.format("[%6.0fs] %,d ratings in (%,.0f/s)", seconds, received, perSecond));
    for (String m : models) {
      ModelStatus s = board.get(m);
      if (s == null) {
        b.append(String.format(" | %s starting", m));
      } else if (s.scored() == 0) {
        b.append(String.format(" | %s v%d, no rating yet", m, s.version()));
      } else {
        b.append(String.format(" | %s v%,d rmse %.4f", m, s.version(), s.rollingRmse()));
      }
    }
    b.append(String.format(" | lag %,d | rejected %,d | answered %,d", lag, rejected, answered));
    return b.toString();
  }

  private Thread startReplay(AppConfig config, String bootstrap, PrintWriter out,
      PrintWriter err) throws Exception {
    Path file = config.replayData();
    if (file == null && Files.isReadable(Path.of("data", "ml-100k", "u.data"))) {
      file = Path.of("data", "ml-100k", "u.data");
    }
    DataOptions options = new DataOptions();
    options.format = config.replayFormat();
    DataOptions.Loaded loaded = options.load(file, "timestamp", err);
    List<Rating> ratings = loaded.ratings();
    float min = config.pipeline().validator().minRating();
    float max = config.pipeline().validator().maxRating();
    if (file == null) {
      ratings = DataOptions.clip(ratings, min, max);
    }
    double rate = config.replayRate();
    out.printf("mfstream: replaying %s (%,d ratings, timestamp order) into 'ratings'%s%n",
        file == null ? "synthetic ratings (clipped to [" + min + ", " + max + "])"
            : loaded.source(), ratings.size(),
        rate > 0 ? String.format(" at %,.0f ratings/s", rate) : "");
    if (file == null) {
      out.println("mfstream: (run 'java -jar target/mfstream.jar download' first to replay "
          + "MovieLens 100K instead)");
    }
    out.flush();
    Replayer replayer = Replayer.builder(bootstrap).ratingsPerSecond(rate).build();
    List<Rating> toSend = ratings;
    Thread t = new Thread(() -> {
      try {
        Replayer.Result r = replayer.replay(toSend);
        out.printf("mfstream: replay done: %,d ratings in %.1f s%n", r.sent(), r.seconds());
        out.flush();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        err.println("mfstream: replay failed: " + e.getMessage());
        err.flush();
      }
    }, "mfstream-replay");
    t.setDaemon(true);
    t.start();
    return t;
  }
}
