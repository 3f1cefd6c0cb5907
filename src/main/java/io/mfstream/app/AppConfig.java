package io.mfstream.app;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.stream.PipelineSettings;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.stream.validate.ValidatorConfig;
import io.mfstream.train.ModelSettings;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.QualitySettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The run command's settings (docs/CONFIGURATION.md): defaults, then a properties file, then
 * {@code MFSTREAM_*} environment variables, then explicit overrides (command-line flags). Every
 * key is checked: an unknown key or a bad value is an {@link IllegalArgumentException} that names
 * the key and where it came from, so a typo cannot silently fall back to a default.
 */
public final class AppConfig {
  public static final String ENV_PREFIX = "MFSTREAM_";

  private static final Set<String> KEYS = Set.of("bootstrap.servers", "application.id",
      "state.dir", "topics.dir", "topics.create", "models", "batch.size", "linger.ms",
      "checkpoint.interval.ms", "rmse.window", "rmse.report.every", "quality.cold.user.ratings",
      "quality.cold.item.ratings", "ranking.positive.rating", "ranking.sample", "rating.min",
      "rating.max", "http.port", "replay.data", "replay.format", "replay.rate", "embedded.port",
      "serving.threads", "connect.timeout.ms");
  /**
   * The {@code model.NAME.*} keys: the model settings' own ({@link ModelSettings#KEYS}, but the
   * embedding mode, which streams only lazily), and the pipeline's.
   */
  private static final Set<String> MODEL_KEYS = Stream.concat(
      ModelSettings.KEYS.stream().filter(k -> !k.equals("embeddings")),
      Stream.of("batch.size", "warm.start", "reset")).collect(Collectors.toUnmodifiableSet());
  private static final Pattern MODEL_KEY = Pattern.compile("model\\.([^.]+)\\.(.+)");

  private static final Map<String, String> DEFAULTS = Map.ofEntries(
      Map.entry("application.id", "mfstream"),
      Map.entry("state.dir", "state"),
      Map.entry("topics.dir", "topics"),
      Map.entry("models", "biased-mf,mlp"),
      Map.entry("linger.ms", "0"),
      Map.entry("checkpoint.interval.ms",
          Long.toString(PipelineSettings.DEFAULT_CHECKPOINT_MS)),
      Map.entry("rmse.window", "1000"),
      Map.entry("rmse.report.every", "1000"),
      Map.entry("quality.cold.user.ratings",
          Integer.toString(QualitySettings.DEFAULTS.coldUserRatings())),
      Map.entry("quality.cold.item.ratings",
          Integer.toString(QualitySettings.DEFAULTS.coldItemRatings())),
      Map.entry("ranking.positive.rating",
          Float.toString(QualitySettings.DEFAULTS.positiveRating())),
      Map.entry("ranking.sample", Double.toString(QualitySettings.DEFAULTS.rankingSample())),
      Map.entry("rating.min", Float.toString(ValidatorConfig.DEFAULT_MIN_RATING)),
      Map.entry("rating.max", Float.toString(ValidatorConfig.DEFAULT_MAX_RATING)),
      Map.entry("http.port", "8080"),
      Map.entry("replay.format", "auto"),
      Map.entry("replay.rate", "1000"),
      Map.entry("embedded.port", "9092"),
      Map.entry("serving.threads", "1"),
      Map.entry("connect.timeout.ms", "15000"));

  private final Map<String, String> values;
  private final Map<String, String> origins;
  /** The topology's settings, parsed and checked once, by {@link #load}. */
  private PipelineSettings pipeline;

  private AppConfig(Map<String, String> values, Map<String, String> origins) {
    this.values = values;
    this.origins = origins;
  }

  /**
   * Merges the sources and checks every key.
   *
   * @param file a properties file, or null
   * @param env the environment (only {@code MFSTREAM_*} variables are read)
   * @param overrides settings that win over everything (command-line flags)
   */
  public static AppConfig load(Path file, Map<String, String> env, Map<String, String> overrides)
      throws IOException {
    Map<String, String> values = new TreeMap<>(DEFAULTS);
    Map<String, String> origins = new TreeMap<>();
    DEFAULTS.keySet().forEach(k -> origins.put(k, "default"));
    if (file != null) {
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(file)) {
        p.load(r);
      }
      for (String k : p.stringPropertyNames()) {
        values.put(k, p.getProperty(k).trim());
        origins.put(k, file.toString());
      }
    }
    for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
      if (e.getKey().startsWith(ENV_PREFIX) && e.getKey().length() > ENV_PREFIX.length()) {
        String key = envToKey(e.getKey());
        values.put(key, e.getValue().trim());
        origins.put(key, "environment variable " + e.getKey());
      }
    }
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      values.put(e.getKey(), e.getValue().trim());
      origins.put(e.getKey(), "command line");
    }
    AppConfig c = new AppConfig(values, origins);
    c.check();
    return c;
  }

  /** {@code MFSTREAM_KAFKA_SASL_JAAS_CONFIG} → {@code kafka.sasl.jaas.config}. */
  static String envToKey(String variable) {
    return variable.substring(ENV_PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '.');
  }

  private void check() {
    List<String> models = modelNames();
    for (String key : values.keySet()) {
      if (KEYS.contains(key) || key.startsWith("kafka.")) {
        continue;
      }
      Matcher m = MODEL_KEY.matcher(key);
      if (m.matches() && MODEL_KEYS.contains(m.group(2))) {
        if (!models.contains(m.group(1))) {
          throw bad(key, "configures model '" + m.group(1) + "', which is not in models ("
              + String.join(",", models) + ")");
        }
        continue;
      }
      throw new IllegalArgumentException("unknown setting '" + key + "' (from " + origin(key)
          + "); see docs/CONFIGURATION.md");
    }
    pipeline = parsePipeline(); // checks every model and number, once
    httpPort();
    embeddedPort();
    streamsProperties("check:9092");
    servingThreads();
    connectTimeout();
  }

  /** Where a key's value came from: "default", a file, an environment variable, the command line. */
  public String origin(String key) {
    return origins.getOrDefault(key, "default");
  }

  private IllegalArgumentException bad(String key, String why) {
    return new IllegalArgumentException("setting " + key + "=" + values.get(key) + " (from "
        + origin(key) + ") " + why);
  }

  /** True when a key was set by a file, the environment or the command line. */
  public boolean isExplicit(String key) {
    return origins.containsKey(key) && !origins.get(key).equals("default");
  }

  /** The raw value of a key, or null. */
  public String get(String key) {
    String v = values.get(key);
    return v == null || v.isEmpty() ? null : v;
  }

  private int intValue(String key, int min, int max) {
    try {
      int v = Integer.parseInt(values.get(key));
      if (v < min || v > max) {
        throw bad(key, "must be between " + min + " and " + max);
      }
      return v;
    } catch (NumberFormatException e) {
      throw bad(key, "is not a whole number");
    }
  }

  private long longValue(String key, long min) {
    try {
      long v = Long.parseLong(values.get(key));
      if (v < min) {
        throw bad(key, "must be at least " + min);
      }
      return v;
    } catch (NumberFormatException e) {
      throw bad(key, "is not a whole number");
    }
  }

  private double doubleValue(String key) {
    try {
      double v = Double.parseDouble(values.get(key));
      if (!Double.isFinite(v)) {
        throw bad(key, "is not finite");
      }
      return v;
    } catch (NumberFormatException e) {
      throw bad(key, "is not a number");
    }
  }

  /** True when no bootstrap servers are configured: run the embedded broker. */
  public boolean embedded() {
    return get("bootstrap.servers") == null;
  }

  public String applicationId() {
    return get("application.id");
  }

  public Path stateDir() {
    return Path.of(values.get("state.dir"));
  }

  public Path topicsDir() {
    return Path.of(values.get("topics.dir"));
  }

  /** Whether to create missing topics at start: by default only on the embedded broker. */
  public boolean createTopics() {
    String v = get("topics.create");
    if (v == null) {
      return embedded();
    }
    if (!v.equals("true") && !v.equals("false")) {
      throw bad("topics.create", "must be true or false");
    }
    return v.equals("true");
  }

  /** The embedded broker's preferred client port (a free one when taken; 0 = any free one). */
  public int embeddedPort() {
    return intValue("embedded.port", 0, 65535);
  }

  /**
   * How long checking an external cluster at start may take before {@code run} gives up, naming
   * the address and the likely cause ({@code connect.timeout.ms}, 1 ms to a day).
   */
  public java.time.Duration connectTimeout() {
    return java.time.Duration.ofMillis(intValue("connect.timeout.ms", 1, 86_400_000));
  }

  public int httpPort() {
    return intValue("http.port", 0, 65535);
  }

  public Path replayData() {
    String v = get("replay.data");
    return v == null ? null : Path.of(v);
  }

  public String replayFormat() {
    return values.get("replay.format");
  }

  public double replayRate() {
    double r = doubleValue("replay.rate");
    if (r < 0) {
      throw bad("replay.rate", "must be >= 0");
    }
    return r;
  }

  /** The model names, in order. */
  public List<String> modelNames() {
    List<String> names = new ArrayList<>();
    for (String n : values.getOrDefault("models", "").split(",")) {
      if (!n.isBlank()) {
        names.add(n.trim());
      }
    }
    if (names.isEmpty()) {
      throw bad("models", "names no model");
    }
    return names;
  }

  /** The topology's settings (parsed when the configuration was loaded). */
  public PipelineSettings pipeline() {
    return pipeline;
  }

  private PipelineSettings parsePipeline() {
    int window = intValue("rmse.window", 1, 1 << 24);
    double sample = doubleValue("ranking.sample");
    if (sample < 0 || sample > 1) {
      throw bad("ranking.sample", "must be a fraction from 0 to 1");
    }
    QualitySettings quality = new QualitySettings(
        intValue("quality.cold.user.ratings", 1, Integer.MAX_VALUE),
        intValue("quality.cold.item.ratings", 1, Integer.MAX_VALUE),
        (float) doubleValue("ranking.positive.rating"), sample);
    List<ModelSpec> specs = new ArrayList<>();
    for (String name : modelNames()) {
      specs.add(modelSpec(name, window).withQuality(quality));
    }
    float min = (float) doubleValue("rating.min");
    float max = (float) doubleValue("rating.max");
    if (!(min < max)) {
      throw bad("rating.max", "must be greater than rating.min (" + min + ")");
    }
    ValidatorConfig validator = ValidatorConfig.defaults().withRange(min, max);
    try {
      return new PipelineSettings(specs, intValue("rmse.report.every", 1, Integer.MAX_VALUE),
          longValue("linger.ms", 0), validator, longValue("checkpoint.interval.ms", 10));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("settings: " + e.getMessage(), e);
    }
  }

  private ModelSpec modelSpec(String name, int window) {
    String p = "model." + name + ".";
    ModelType named;
    try {
      named = ModelType.parse(name);
    } catch (IllegalArgumentException e) {
      named = null;
    }
    if (named == null && get(p + "type") == null) {
      throw new IllegalArgumentException("model '" + name + "' is not a network type, so it "
          + "needs " + p + "type (plain-mf, biased-mf, mlp or dropout-mlp)");
    }
    Map<String, String> given = new LinkedHashMap<>();
    for (String key : ModelSettings.KEYS) {
      if (get(p + key) != null) {
        given.put(key, get(p + key));
      }
    }
    // The streaming defaults: lazy AdaGrad for every network, chosen by one-pass measurements
    // (docs/REPRODUCTION.md, section 3). Lazy: a step costs what its batch touches, not the size
    // of the tables.
    ModelSettings settings = ModelSettings.parse(given, named, ModelSettings.Defaults.STREAMING,
        (key, why) -> bad(p + key, why));
    ModelConfig m = settings.model();
    OptimizerConfig o = settings.optimizer();
    // The model's own batch size, else the pipeline's, else its network's streaming default.
    int batch = get(p + "batch.size") != null ? intValue(p + "batch.size", 1, 1 << 20)
        : get("batch.size") != null ? intValue("batch.size", 1, 1 << 20)
        : ModelSettings.Defaults.STREAMING.batchSize(m.type());
    String warm = get(p + "warm.start");
    Path warmPath = warm == null ? null : Path.of(warm);
    if (warmPath != null && !Files.isReadable(warmPath)) {
      throw bad(p + "warm.start", "is not a readable file");
    }
    try {
      long reset = get(p + "reset") == null ? 0 : longValue(p + "reset", 0);
      return new ModelSpec(name, m, o, batch, window, warmPath, reset);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("model " + name + ": " + e.getMessage(), e);
    }
  }

  /** Settings for every Kafka client: the {@code kafka.*} keys without the prefix. */
  public Map<String, Object> kafkaClientSettings() {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (e.getKey().startsWith("kafka.")) {
        out.put(e.getKey().substring("kafka.".length()), e.getValue());
      }
    }
    return out;
  }

  /**
   * The serving application's properties: {@link #streamsProperties} under the application id
   * with {@code -serving} appended, with {@code serving.threads} stream threads.
   */
  public Properties servingStreamsProperties(String bootstrapServers) {
    Properties p = streamsProperties(bootstrapServers);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, servingApplicationId());
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(servingThreads()));
    return p;
  }

  /** The serving application's id: the application id with {@code -serving} appended. */
  public String servingApplicationId() {
    return applicationId() + "-serving";
  }

  /** Stream threads that answer requests, beside the trainers' ({@code serving.threads}). */
  public int servingThreads() {
    return intValue("serving.threads", 1, 64);
  }

  /**
   * The core application's stream threads: {@code kafka.num.stream.threads} when set, else one
   * per task, so that validation and each model's trainer run on threads of their own whatever
   * Kafka Streams' assignor does: the validation task of {@code ratings} and a trainer task per
   * partition of {@code ratings-valid} ({@code validPartitions}; those past the models' are idle
   * and cost nothing). With fewer threads the assignor may put two trainers, or validation and
   * the busiest trainer, on one thread (docs/BENCHMARKS.md).
   */
  public int streamThreads(int validPartitions) {
    String explicit = kafkaClientSettings().containsKey(StreamsConfig.NUM_STREAM_THREADS_CONFIG)
        ? String.valueOf(kafkaClientSettings().get(StreamsConfig.NUM_STREAM_THREADS_CONFIG))
        : null;
    return explicit != null ? Integer.parseInt(explicit.trim()) : 1 + validPartitions;
  }

  /** Kafka Streams' properties for a cluster: exactly-once, our defaults, then {@code kafka.*}. */
  public Properties streamsProperties(String bootstrapServers) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir().toAbsolutePath().toString());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.toString(streamThreads(
        modelNames().size())));
    p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
        org.apache.kafka.streams.errors.LogAndContinueExceptionHandler.class.getName());
    p.put(StreamsConfig.METRICS_RECORDING_LEVEL_CONFIG, "INFO");
    // Throughput (docs/BENCHMARKS.md, bench-stream): a read_committed fetch that finds nothing
    // past the last stable offset waits fetch.max.wait.ms (500 ms by default) before it returns,
    // and each model's ratings take two such hops (ratings -> ratings-valid -> trainer). Larger
    // polls and buffers let a trainer task work through more ratings per poll.
    p.put("fetch.max.wait.ms", "50");
    p.put("max.poll.records", "5000");
    p.put("buffered.records.per.partition", "10000");
    p.putAll(kafkaClientSettings());
    if (!StreamsConfig.EXACTLY_ONCE_V2.equals(p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))) {
      throw bad("kafka.processing.guarantee", "would break exactly-once learning: the model "
          + "state commits with the input offsets only under exactly_once_v2");
    }
    return p;
  }

  /** Every setting with where it came from, for the start-up log; secrets are masked. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : values.entrySet()) {
      String k = e.getKey();
      boolean secret = k.contains("password") || k.contains("jaas") || k.contains("secret")
          || k.contains("key");
      out.put(k, (secret ? "****" : e.getValue()) + "  (" + origin(k) + ")");
    }
    return out;
  }
}
