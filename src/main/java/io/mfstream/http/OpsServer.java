package io.mfstream.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mfstream.json.JsonMappers;
import io.mfstream.stream.serve.ModelReplica;
import io.mfstream.stream.serve.Replicas;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.StatusBoard;
import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's HTTP endpoints, on Undertow (chosen over the JDK's own server, Jetty and Netty
 * by measurement on this workload: docs/BENCHMARKS.md, "Serving under load"):
 *
 * <table>
 *   <caption>endpoints</caption>
 *   <tr><td>{@code /}</td><td>the status page (HTML; it polls {@code /api/status})</td></tr>
 *   <tr><td>{@code /metrics}</td><td>Prometheus text format 0.0.4</td></tr>
 *   <tr><td>{@code /api/status}</td><td>JSON: each model's latest status and its recent rolling
 *       RMSE; {@code ?since=MILLIS} limits the history to samples taken after that time</td></tr>
 *   <tr><td>{@code /healthz}</td><td>200 while the pipeline is {@linkplain Health.State#live()
 *       live}, else 503</td></tr>
 *   <tr><td>{@code /readyz}</td><td>200 when it is {@linkplain Health.State#ready() ready}, else
 *       503</td></tr>
 *   <tr><td>{@code /api/predict}, {@code /api/recommend}</td><td>predictions and
 *       recommendations from the instance's replicas ({@link PredictionApi}, docs/HTTP-API.md)
 *       </td></tr>
 * </table>
 *
 * <p>Every endpoint answers GET and HEAD ({@code /api/predict} also POST, a batch); other methods
 * get 405, other paths 404. Predictions, recommendations, the status and the probes are answered
 * on Undertow's I/O threads ({@value #IO_THREADS}): they only read memory, a prediction in tens of
 * microseconds, and a hand-over to another thread would cost more than the work. A batch (its
 * body is read blocking) and {@code /metrics} (a scrape walks every meter) run on its worker
 * threads. A daemon thread
 * samples the {@link StatusBoard} every {@link Options#sampleInterval()} into a
 * {@link StatusHistory} of {@link Options#historySize()} samples per model. {@link #close()}
 * stops the server and its threads.
 */
public final class OpsServer implements AutoCloseable {

  /** The content type of {@code /metrics}. */
  public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final String HTML = "text/html; charset=utf-8";
  static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";
  static final String STATUS_PAGE = "status-page.html";
  /** Undertow's I/O threads: one per core of the machines this runs on. */
  static final int IO_THREADS = 2;
  /**
   * Threads for the blocking work (batches, scrapes) and for recommendations over large
   * catalogues, which share scans of the item table up to {@link ModelReplica#MAX_SHARED} at a
   * time: as many as one scan shares.
   */
  static final int WORKER_THREADS = ModelReplica.MAX_SHARED;

  static {
    // Undertow logs through JBoss Logging, which would pick java.util.logging here; the
    // application logs through SLF4J.
    if (System.getProperty("org.jboss.logging.provider") == null) {
      System.setProperty("org.jboss.logging.provider", "slf4j");
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(OpsServer.class);
  private static final ObjectMapper MAPPER = JsonMappers.mapper();

  /**
   * How the server samples the board.
   *
   * @param sampleInterval how often the board is sampled into the history
   * @param historySize samples kept per model (3600 at one a second: the last hour)
   */
  public record Options(Duration sampleInterval, int historySize) {
    /** One sample a second, the last hour of them. */
    public static final Options DEFAULTS = new Options(Duration.ofSeconds(1), 3600);

    public Options {
      Objects.requireNonNull(sampleInterval, "sampleInterval");
      if (sampleInterval.toMillis() < 1) {
        throw new IllegalArgumentException("sampleInterval must be at least 1 ms: "
            + sampleInterval);
      }
      if (historySize < 1) {
        throw new IllegalArgumentException("historySize must be at least 1: " + historySize);
      }
    }
  }

  private final StatusBoard board;
  private final Supplier<String> metrics;
  private final Health health;
  private final Options options;
  private final LongSupplier clock;
  private final StatusHistory history;
  private final byte[] page;
  private final Undertow server;
  /** Where it listens, as bound (the actual port when asked for port 0); set by start. */
  private volatile InetSocketAddress bound;
  private final ScheduledExecutorService sampler;
  private volatile boolean closed;
  private final PredictionApi api = new PredictionApi(MAPPER);

  private OpsServer(InetSocketAddress address, StatusBoard board, Supplier<String> metrics,
      Health health, Options options, LongSupplier clock) throws IOException {
    this.board = Objects.requireNonNull(board, "board");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.health = Objects.requireNonNull(health, "health");
    this.options = Objects.requireNonNull(options, "options");
    this.clock = clock;
    this.history = new StatusHistory(options.historySize());
    this.page = loadPage();
    this.server = Undertow.builder()
        .addHttpListener(address.getPort(), address.getHostString())
        .setIoThreads(IO_THREADS)
        .setWorkerThreads(WORKER_THREADS)
        .setWorkerOption(org.xnio.Options.WORKER_NAME, "mfstream-http") // its threads' names
        .setHandler(this::handle)
        .build();
    this.sampler = Executors.newSingleThreadScheduledExecutor(daemonThreads("mfstream-status-sampler"));
  }

  /**
   * Starts a server on all interfaces.
   *
   * @param port the port; 0 for any free one (see {@link #port()})
   * @param board whose models are shown
   * @param metrics the Prometheus text for {@code /metrics}, e.g. {@code
   *     MicrometerMetrics::scrape}
   * @param health the pipeline's state for {@code /healthz} and {@code /readyz}
   * @throws IOException if the port cannot be bound
   */
  public static OpsServer start(int port, StatusBoard board, Supplier<String> metrics,
      Health health) throws IOException {
    return start(new InetSocketAddress(port), board, metrics, health, Options.DEFAULTS);
  }

  /** Starts a server on {@code address}; see {@link #start(int, StatusBoard, Supplier, Health)}. */
  public static OpsServer start(InetSocketAddress address, StatusBoard board,
      Supplier<String> metrics, Health health, Options options) throws IOException {
    return start(address, board, metrics, health, options, System::currentTimeMillis);
  }

  static OpsServer start(InetSocketAddress address, StatusBoard board, Supplier<String> metrics,
      Health health, Options options, LongSupplier clock) throws IOException {
    OpsServer ops = new OpsServer(address, board, metrics, health, options, clock);
    ops.sample();   // the first sample now, so the history is never empty once a model reported
    try {
      ops.server.start();
    } catch (RuntimeException e) {
      ops.sampler.shutdownNow();
      // Undertow wraps the bind failure; callers expect the IOException of a busy port.
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw cause instanceof IOException io ? io
          : new IOException("cannot listen on " + address + ": " + cause.getMessage(), cause);
    }
    ops.bound = (InetSocketAddress) ops.server.getListenerInfo().get(0).getAddress();
    long interval = options.sampleInterval().toMillis();
    // Fixed delay, not rate: after a pause (GC, a suspended VM) no burst of catch-up samples.
    ops.sampler.scheduleWithFixedDelay(ops::sample, interval, interval, TimeUnit.MILLISECONDS);
    LOG.info("HTTP server listening on port {}", ops.port());
    return ops;
  }

  /** The bound port (the actual one when started with port 0). */
  public int port() {
    return address().getPort();
  }

  private InetSocketAddress address() {
    return bound;
  }

  /** The base address, {@code http://127.0.0.1:PORT/} when bound to all interfaces. */
  public URI uri() {
    InetSocketAddress address = address();
    String host = address.getAddress().isAnyLocalAddress()
        ? "127.0.0.1" : address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort() + "/");
  }

  /** The history the server samples into. */
  public StatusHistory history() {
    return history;
  }

  /** Stops accepting requests, the handler threads and the sampler. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    sampler.shutdownNow();
    server.stop();
    try {
      sampler.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One sample of every model that reported. Never throws: that would end the schedule. */
  void sample() {
    try {
      history.record(board.all(), clock.getAsLong());
    } catch (RuntimeException e) {
      LOG.warn("Could not sample the status board", e);
    }
  }

  private void handle(HttpServerExchange exchange) {
    String path = exchange.getRequestPath();
    Route route = Route.of(path);
    String method = exchange.getRequestMethod().toString();
    boolean post = route == Route.PREDICT && method.equals("POST");
    boolean blocking = post || route == Route.METRICS
        || route == Route.RECOMMEND && api.scansAreLong();
    if (blocking && exchange.isInIoThread()) {
      // Off the I/O threads: blocking reads, and scans that would hold up every connection of
      // an I/O thread (and that workers waiting together can share).
      exchange.dispatch(this::handle);
      return;
    }
    try {
      if (route == null) {
        send(exchange, 404, TEXT, "not found: " + path + "\n");
        return;
      }
      if (!post && !method.equals("GET") && !method.equals("HEAD")) {
        exchange.getResponseHeaders().put(Headers.ALLOW, route == Route.PREDICT
            ? "GET, HEAD, POST" : "GET, HEAD");
        send(exchange, 405, TEXT, "method not allowed: " + method + "\n");
        return;
      }
      switch (route) {
        case PREDICT -> {
          if (post) {
            exchange.startBlocking();
            answer(exchange, api.predictBatch(exchange.getInputStream()));
          } else {
            answer(exchange, api.predict(exchange.getQueryString()));
          }
        }
        case RECOMMEND -> answer(exchange, api.recommend(exchange.getQueryString()));
        case PAGE -> send(exchange, 200, HTML, page);
        case METRICS -> send(exchange, 200, METRICS_CONTENT_TYPE, metrics.get());
        case STATUS -> status(exchange);
        case HEALTH -> probe(exchange, true);
        case READY -> probe(exchange, false);
      }
    } catch (IOException e) {
      LOG.debug("Could not answer {} {}", method, path, e);
      exchange.endExchange();
    } catch (RuntimeException e) {
      LOG.warn("Failed to answer {} {}", method, path, e);
      if (!exchange.isResponseStarted()) {
        send(exchange, 500, TEXT, "internal error: " + e + "\n");
      } else {
        exchange.endExchange(); // the headers were sent already: the client sees a cut response
      }
    }
  }

  private enum Route {
    PAGE, METRICS, STATUS, HEALTH, READY, PREDICT, RECOMMEND;

    static Route of(String path) {
      return switch (path) {
        case "/", "/index.html" -> PAGE;
        case "/metrics" -> METRICS;
        case "/api/status" -> STATUS;
        case "/healthz" -> HEALTH;
        case "/readyz" -> READY;
        case "/api/predict" -> PREDICT;
        case "/api/recommend" -> RECOMMEND;
        default -> null;
      };
    }
  }

  private static void answer(HttpServerExchange exchange, PredictionApi.Answer a) {
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    send(exchange, a.status(), JSON, a.body());
  }

  /**
   * Starts answering {@code /api/predict} and {@code /api/recommend} from {@code replicas}
   * (docs/HTTP-API.md); until then they answer 503.
   */
  public void serve(Replicas replicas) {
    api.serve(replicas);
  }

  private void status(HttpServerExchange exchange) throws IOException {
    long since = Long.MIN_VALUE;
    String query = exchange.getQueryString();
    if (query != null && !query.isEmpty()) {
      for (String parameter : query.split("&")) {
        if (parameter.startsWith("since=")) {
          try {
            since = Long.parseLong(parameter.substring("since=".length()));
          } catch (NumberFormatException e) {
            send(exchange, 400, TEXT, "since must be an integer (milliseconds since the epoch)\n");
            return;
          }
        }
      }
    }
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    send(exchange, 200, JSON, MAPPER.writeValueAsBytes(statusJson(since)));
  }

  /**
   * The body of {@code /api/status}:
   *
   * <pre>{@code
   * {"time": NOW_MILLIS, "sampleIntervalMs": 1000, "historySize": 3600,
   *  "health": {"state": "RUNNING", "live": true, "ready": true},
   *  "models": [ModelStatus fields, NaN as null, ...],      (those that reported, by name)
   *  "waiting": ["mlp"],                                     (declared, not reported yet)
   *  "history": {"biased-mf": {"time": [..], "version": [..], "trained": [..],
   *                            "rollingRmse": [.., null, ..]}}}
   * }</pre>
   */
  ObjectNode statusJson(long since) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("time", clock.getAsLong());
    root.put("sampleIntervalMs", options.sampleInterval().toMillis());
    root.put("historySize", options.historySize());
    Health.State state = currentState();
    ObjectNode healthNode = root.putObject("health");
    healthNode.put("state", state.name());
    healthNode.put("live", state.live());
    healthNode.put("ready", state.ready());

    List<ModelStatus> statuses = board.all();
    ArrayNode models = root.putArray("models");
    TreeSet<String> waiting = new TreeSet<>(board.declared());
    for (ModelStatus status : statuses) {
      waiting.remove(status.model());
      ObjectNode model = models.addObject();
      model.put("model", status.model());
      model.put("type", status.type());
      model.put("version", status.version());
      model.put("trained", status.trained());
      model.put("scored", status.scored());
      model.put("pending", status.pending());
      model.put("users", status.users());
      model.put("items", status.items());
      model.put("window", status.window());
      putNumber(model, "rollingRmse", status.rollingRmse());
      putNumber(model, "overallRmse", status.overallRmse());
      model.put("coldStarts", status.coldStarts());
      putNumber(model, "coldStartShare", status.coldStartShare());
      putQuality(model.putObject("quality"), status.quality());
      model.put("updatedAt", status.updatedAt());
      model.put("degraded", status.isDegraded());
      if (status.isDegraded()) {
        model.put("degradedReason", status.degraded());
      }
    }
    ArrayNode waitingNode = root.putArray("waiting");
    waiting.forEach(waitingNode::add);

    ObjectNode historyNode = root.putObject("history");
    for (String model : history.models()) {
      List<StatusHistory.Sample> samples = history.samplesAfter(model, since);
      ObjectNode series = historyNode.putObject(model);
      ArrayNode time = series.putArray("time");
      ArrayNode version = series.putArray("version");
      ArrayNode trained = series.putArray("trained");
      ArrayNode rmse = series.putArray("rollingRmse");
      for (StatusHistory.Sample sample : samples) {
        time.add(sample.time());
        version.add(sample.version());
        trained.add(sample.trained());
        if (Double.isFinite(sample.rollingRmse())) {
          rmse.add(sample.rollingRmse());
        } else {
          rmse.addNull();
        }
      }
    }
    return root;
  }

  /**
   * A model's quality figures: {@code segments} (per side, cold and established: ratings scored
   * and RMSE, null before the first) and {@code ranking} (k, ratings ranked, hit rate and NDCG,
   * null before the first).
   */
  private static void putQuality(ObjectNode node, ModelStatus.Quality q) {
    ObjectNode segments = node.putObject("segments");
    ObjectNode users = segments.putObject("users");
    putSegment(users.putObject("cold"), q.coldUsers(), q.coldUsersRmse());
    putSegment(users.putObject("established"), q.establishedUsers(), q.establishedUsersRmse());
    ObjectNode items = segments.putObject("items");
    putSegment(items.putObject("cold"), q.coldItems(), q.coldItemsRmse());
    putSegment(items.putObject("established"), q.establishedItems(), q.establishedItemsRmse());
    ObjectNode ranking = node.putObject("ranking");
    ranking.put("k", ModelStatus.Quality.K);
    ranking.put("ranked", q.ranked());
    putNumber(ranking, "hitRate", q.hitRate());
    putNumber(ranking, "ndcg", q.ndcg());
  }

  private static void putSegment(ObjectNode node, long scored, double rmse) {
    node.put("scored", scored);
    putNumber(node, "rmse", rmse);
  }

  private static void putNumber(ObjectNode node, String field, double value) {
    if (Double.isFinite(value)) {
      node.put(field, value);
    } else {
      node.putNull(field);
    }
  }

  private void probe(HttpServerExchange exchange, boolean liveness) throws IOException {
    Health.State state = currentState();
    boolean ok = liveness ? state.live() : state.ready();
    exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    ObjectNode body = MAPPER.createObjectNode();
    body.put("status", ok ? "UP" : "DOWN");
    body.put("state", state.name());
    send(exchange, ok ? 200 : 503, JSON, MAPPER.writeValueAsBytes(body));
  }

  private Health.State currentState() {
    try {
      Health.State state = health.state();
      return state == null ? Health.State.UNKNOWN : state;
    } catch (RuntimeException e) {
      LOG.warn("Could not read the pipeline's state", e);
      return Health.State.UNKNOWN;
    }
  }

  private static void send(HttpServerExchange exchange, int code, String contentType,
      String body) {
    send(exchange, code, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  private static void send(HttpServerExchange exchange, int code, String contentType,
      byte[] body) {
    exchange.setStatusCode(code);
    exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, contentType);
    exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    if (exchange.getRequestMethod().equals(HEAD)) {
      exchange.endExchange();
      return;
    }
    exchange.getResponseSender().send(ByteBuffer.wrap(body));
  }

  private static final HttpString HEAD = HttpString.tryFromString("HEAD");

  private static byte[] loadPage() {
    try (InputStream in = OpsServer.class.getResourceAsStream(STATUS_PAGE)) {
      if (in == null) {
        throw new IllegalStateException("the status page resource is missing: "
            + OpsServer.class.getPackageName().replace('.', '/') + "/" + STATUS_PAGE);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the status page resource", e);
    }
  }

  private static ThreadFactory daemonThreads(String name) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
