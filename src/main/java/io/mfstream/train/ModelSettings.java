package io.mfstream.train;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A model's settings read from text, the one way: the network ({@link ModelConfig}) and its
 * optimiser ({@link OptimizerConfig}) from keys and values, as the properties file and the
 * environment give them ({@code model.<name>.<key>}) and as the training commands' flags do.
 * {@link #toMap} prints them back under the same keys.
 *
 * <p>Keys (all optional): {@code type}, {@code factors}, {@code hidden}, {@code dropout}, {@code
 * init.scale}, {@code seed}, {@code optimizer} ({@code sgd} or {@code adam}), {@code
 * learning.rate}, {@code momentum} (SGD's only), {@code weight.decay}, {@code embeddings}
 * ({@code dense} or {@code lazy}). What is absent comes from {@link ModelConfig#defaults} and
 * from the optimiser's own defaults ({@link OptimizerConfig#tutorial}, {@link
 * OptimizerConfig#adam}).
 *
 * @param model the network
 * @param optimizer its optimiser
 */
public record ModelSettings(ModelConfig model, OptimizerConfig optimizer) {
  /** The keys, in the order {@link #toMap} prints them. */
  public static final List<String> KEYS = List.of("type", "factors", "hidden", "dropout",
      "init.scale", "seed", "optimizer", "learning.rate", "momentum", "weight.decay",
      "embeddings");

  /**
   * What the caller settles when a key is absent.
   *
   * @param adamForMlps name no optimiser and the MLPs get Adam, MF gets SGD (the streaming
   *     default); otherwise SGD for all
   * @param embeddings the embedding update mode when {@code embeddings} is absent
   */
  public record Defaults(boolean adamForMlps, OptimizerConfig.EmbeddingUpdates embeddings) {}

  /** How the caller names a key in its messages, and builds the error for a bad value. */
  @FunctionalInterface
  public interface Complaint {
    IllegalArgumentException about(String key, String why);
  }

  /**
   * Reads the settings of one model.
   *
   * @param values values by key (absent: the default)
   * @param type the network when {@code type} is absent
   * @param defaults the caller's defaults
   * @param bad builds the error for a key whose value is refused
   * @throws IllegalArgumentException (from {@code bad}) for a value that is not allowed
   */
  public static ModelSettings parse(Map<String, String> values, ModelType type, Defaults defaults,
      Complaint bad) {
    Reader r = new Reader(values, bad);
    if (values.containsKey("type")) {
      try {
        type = ModelType.parse(values.get("type"));
      } catch (IllegalArgumentException e) {
        throw bad.about("type", e.getMessage());
      }
    }
    if (type == null) {
      throw bad.about("type", "is required (plain-mf, biased-mf, mlp or dropout-mlp)");
    }
    ModelConfig m = ModelConfig.defaults(type);
    if (r.has("factors")) {
      m = m.withFactors(r.intValue("factors", 1, 4096));
    }
    if (r.has("hidden")) {
      m = m.withHidden(r.intValue("hidden", 1, 65536));
    }
    if (r.has("dropout")) {
      double d = r.doubleValue("dropout");
      if (d < 0 || d >= 1) {
        throw bad.about("dropout", "must be in [0, 1)");
      }
      m = m.withDropout(d);
    }
    if (r.has("init.scale")) {
      double s = r.doubleValue("init.scale");
      if (!(s > 0)) {
        throw bad.about("init.scale", "must be positive");
      }
      m = m.withInitScale(s);
    }
    if (r.has("seed")) {
      m = m.withSeed(r.longValue("seed"));
    }
    String kind = values.getOrDefault("optimizer",
        defaults.adamForMlps() && type.isMlp() ? "adam" : "sgd").trim().toLowerCase(Locale.ROOT);
    OptimizerConfig o = switch (kind) {
      case "sgd" -> OptimizerConfig.tutorial();
      case "adam" -> OptimizerConfig.adam();
      default -> throw bad.about("optimizer", "must be sgd or adam");
    };
    if (r.has("learning.rate")) {
      double lr = r.doubleValue("learning.rate");
      if (!(lr > 0)) {
        throw bad.about("learning.rate", "must be positive");
      }
      o = o.withLearningRate(lr);
    }
    if (r.has("momentum")) {
      double mu = r.doubleValue("momentum");
      if (o.kind() != OptimizerConfig.Kind.SGD) {
        throw bad.about("momentum", "is SGD's; " + kind + " has none");
      }
      if (mu < 0 || mu >= 1) {
        throw bad.about("momentum", "must be in [0, 1)");
      }
      o = o.withMomentum(mu);
    }
    if (r.has("weight.decay")) {
      double wd = r.doubleValue("weight.decay");
      if (wd < 0) {
        throw bad.about("weight.decay", "must be at least 0");
      }
      o = o.withWeightDecay(wd);
    }
    OptimizerConfig.EmbeddingUpdates e = defaults.embeddings();
    if (r.has("embeddings")) {
      try {
        e = OptimizerConfig.EmbeddingUpdates.parse(values.get("embeddings"));
      } catch (IllegalArgumentException x) {
        throw bad.about("embeddings", "must be dense or lazy");
      }
    }
    return new ModelSettings(m, o.withEmbeddings(e));
  }

  /** Every key with its value, in {@link #KEYS} order (what the network does not use left out). */
  public Map<String, String> toMap() {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("type", model.type().id());
    out.put("factors", Integer.toString(model.factors()));
    if (model.type().isMlp()) {
      out.put("hidden", Integer.toString(model.hidden()));
    }
    if (model.type() == ModelType.DROPOUT_MLP) {
      out.put("dropout", Double.toString(model.dropout()));
    }
    out.put("init.scale", Double.toString(model.initScale()));
    out.put("seed", Long.toString(model.seed()));
    out.put("optimizer", optimizer.kind().name().toLowerCase(Locale.ROOT));
    out.put("learning.rate", Double.toString(optimizer.learningRate()));
    if (optimizer.kind() == OptimizerConfig.Kind.SGD) {
      out.put("momentum", Double.toString(optimizer.momentum()));
    }
    out.put("weight.decay", Double.toString(optimizer.weightDecay()));
    out.put("embeddings", optimizer.embeddings().name().toLowerCase(Locale.ROOT));
    return out;
  }

  /** Numbers from the values, refused through the caller's complaint. */
  private record Reader(Map<String, String> values, Complaint bad) {
    boolean has(String key) {
      String v = values.get(key);
      return v != null && !v.isBlank();
    }

    int intValue(String key, int min, int max) {
      try {
        int v = Integer.parseInt(values.get(key).trim());
        if (v < min || v > max) {
          throw bad.about(key, "must be between " + min + " and " + max);
        }
        return v;
      } catch (NumberFormatException e) {
        throw bad.about(key, "is not a whole number");
      }
    }

    long longValue(String key) {
      try {
        return Long.parseLong(values.get(key).trim());
      } catch (NumberFormatException e) {
        throw bad.about(key, "is not a whole number");
      }
    }

    double doubleValue(String key) {
      try {
        double v = Double.parseDouble(values.get(key).trim());
        if (!Double.isFinite(v)) {
          throw bad.about(key, "is not finite");
        }
        return v;
      } catch (NumberFormatException e) {
        throw bad.about(key, "is not a number");
      }
    }
  }
}
