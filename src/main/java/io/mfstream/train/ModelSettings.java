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
 * init.scale}, {@code seed}, {@code optimizer} ({@code sgd}, {@code adam} or {@code adagrad}),
 * {@code learning.rate}, {@code bias.learning.rate} (biased MF's user and item biases), {@code
 * momentum} (SGD's only), {@code weight.decay}, {@code bias.weight.decay}, {@code embeddings}
 * ({@code dense} or {@code lazy}). What is absent comes from the caller's {@link Defaults}.
 *
 * @param model the network
 * @param optimizer its optimiser
 */
public record ModelSettings(ModelConfig model, OptimizerConfig optimizer) {
  /** The keys, in the order {@link #toMap} prints them. */
  public static final List<String> KEYS = List.of("type", "factors", "hidden", "dropout",
      "init.scale", "seed", "optimizer", "learning.rate", "bias.learning.rate", "momentum",
      "weight.decay", "bias.weight.decay", "embeddings");

  /** Where the values of absent keys come from. */
  public enum Defaults {
    /**
     * The MXNet tutorial's, which {@code train} reproduces: SGD with lr 0.05, momentum 0.9 and
     * weight decay 1e-4 (none on biases), Uniform(&plusmn;0.01) initialisation, dense embedding
     * updates; Adam and AdaGrad, when named, at their own defaults.
     */
    TUTORIAL,
    /**
     * The defaults of {@code run} and {@code prequential}, chosen by measuring one pass over
     * MovieLens 100K in timestamp order one lever at a time (docs/REPRODUCTION.md, section 3):
     * lazy AdaGrad for every network, lr 0.05 (plain MF: 0.2), weight decay 0.05; for biased MF's
     * user and item biases a rate of their own, 0.3, and weight decay 0.05; initialisation
     * Uniform(&plusmn;0.087) (standard deviation 0.05), but biased MF's stays the tutorial's
     * 0.01; {@link #batchSize} ratings per step. Naming another optimiser gives that optimiser's
     * own defaults.
     */
    STREAMING;

    /**
     * Ratings per SGD step when none is configured: 64 for the tutorial; for streaming, 1 for MF
     * (a step costs what one rating touches, so a rating learned at once costs no more than one
     * learned in a batch, and each is scored by a model that has learned every rating before it)
     * and 4 for the MLPs (whose dense layers make a step cost the same at 1 and at 4).
     */
    public int batchSize(ModelType type) {
      if (this == TUTORIAL) {
        return 64;
      }
      return type.isMlp() ? 4 : 1;
    }

    /** The network's settings before any key is read. */
    ModelConfig model(ModelType type) {
      ModelConfig m = ModelConfig.defaults(type);
      return this == STREAMING && type != ModelType.BIASED_MF ? m.withInitScale(0.087) : m;
    }

    /** The optimiser named by {@code kind} (null: this profile's own) before any key is read. */
    OptimizerConfig optimizer(ModelType type, String kind) {
      if (this == STREAMING && (kind == null || kind.equals("adagrad"))) {
        OptimizerConfig o = OptimizerConfig.adagrad().withWeightDecay(0.05);
        return switch (type) {
          case BIASED_MF -> o.withBiasLearningRate(0.3).withBiasWeightDecay(0.05);
          case PLAIN_MF -> o.withLearningRate(0.2);
          default -> o;
        };
      }
      OptimizerConfig.EmbeddingUpdates mode = this == TUTORIAL
          ? OptimizerConfig.EmbeddingUpdates.DENSE
          : OptimizerConfig.EmbeddingUpdates.LAZY;
      String named = kind == null ? "sgd" : kind;
      return switch (named) {
        case "sgd" -> OptimizerConfig.tutorial().withEmbeddings(mode);
        case "adam" -> OptimizerConfig.adam().withEmbeddings(mode);
        case "adagrad" -> OptimizerConfig.adagrad().withEmbeddings(mode);
        default -> null;
      };
    }
  }

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
    ModelConfig m = defaults.model(type);
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
    String kind = r.has("optimizer") ? values.get("optimizer").trim().toLowerCase(Locale.ROOT)
        : null;
    OptimizerConfig o = defaults.optimizer(type, kind);
    if (o == null) {
      throw bad.about("optimizer", "must be sgd, adam or adagrad");
    }
    if (r.has("learning.rate")) {
      double lr = r.doubleValue("learning.rate");
      if (!(lr > 0)) {
        throw bad.about("learning.rate", "must be positive");
      }
      // The biases' rate follows the rate, unless the defaults give them a rate of their own.
      double biasLr = o.biasLearningRate() == o.learningRate() ? lr : o.biasLearningRate();
      o = o.withLearningRate(lr).withBiasLearningRate(biasLr);
    }
    if (r.has("bias.learning.rate")) {
      double lr = r.doubleValue("bias.learning.rate");
      if (!(lr > 0)) {
        throw bad.about("bias.learning.rate", "must be positive");
      }
      o = o.withBiasLearningRate(lr);
    }
    if (r.has("momentum")) {
      double mu = r.doubleValue("momentum");
      if (o.kind() != OptimizerConfig.Kind.SGD) {
        throw bad.about("momentum", "is SGD's; " + o.kind().name().toLowerCase(Locale.ROOT)
            + " has none");
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
    if (r.has("bias.weight.decay")) {
      double wd = r.doubleValue("bias.weight.decay");
      if (wd < 0) {
        throw bad.about("bias.weight.decay", "must be at least 0");
      }
      o = o.withBiasWeightDecay(wd);
    }
    if (r.has("embeddings")) {
      try {
        o = o.withEmbeddings(OptimizerConfig.EmbeddingUpdates.parse(values.get("embeddings")));
      } catch (IllegalArgumentException x) {
        throw bad.about("embeddings", "must be dense or lazy");
      }
    }
    return new ModelSettings(m, o);
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
    if (model.type() == ModelType.BIASED_MF) {
      out.put("bias.learning.rate", Double.toString(optimizer.biasLearningRate()));
    }
    if (optimizer.kind() == OptimizerConfig.Kind.SGD) {
      out.put("momentum", Double.toString(optimizer.momentum()));
    }
    out.put("weight.decay", Double.toString(optimizer.weightDecay()));
    if (model.type() == ModelType.BIASED_MF) {
      out.put("bias.weight.decay", Double.toString(optimizer.biasWeightDecay()));
    }
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
