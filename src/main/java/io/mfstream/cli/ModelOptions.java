package io.mfstream.cli;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.train.ModelSettings;
import io.mfstream.train.OptimizerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The model and optimiser flags every training command shares. A flag left out takes the
 * command's defaults: {@code train} the tutorial's ({@link ModelSettings.Defaults#TUTORIAL}, plain
 * MF, batch 64), {@code prequential} the streaming pipeline's ({@link
 * ModelSettings.Defaults#STREAMING}, biased MF, {@code run}'s batch sizes).
 */
final class ModelOptions {
  @Option(names = "--model", paramLabel = "TYPE",
      description = "Network: plain-mf, biased-mf, mlp, dropout-mlp (default: plain-mf for "
          + "train, biased-mf for prequential).",
      converter = ModelTypeConverter.class)
  ModelType type;

  @Option(names = {"-k", "--factors"}, description = "Embedding width k (default: 64).")
  Integer factors;

  @Option(names = "--hidden", description = "MLP hidden width (default: 64).")
  Integer hidden;

  @Option(names = "--dropout", description = "Dropout probability for dropout-mlp "
      + "(default: 0.5).")
  Double dropout;

  @Option(names = "--init-scale", description = "New weights ~ Uniform(-s, s) (default: 0.01, "
      + "MXNet's, for train; 0.087 for prequential).")
  Double initScale;

  @Option(names = "--seed", description = "Seeds initialisation, dropout and shuffling "
      + "(default: 42).")
  Long seed;

  @Option(names = {"-b", "--batch-size"}, description = "Ratings per SGD step (default: 64 for "
      + "train; for prequential run's: 1 for plain-mf and biased-mf, 4 for the MLPs).")
  Integer batchSize;

  @Option(names = "--optimizer", description = "sgd (momentum), adam or adagrad (default: sgd "
      + "for train, adagrad for prequential).")
  String optimizer;

  @Option(names = "--lr", description = "Learning rate (default: 0.05 for sgd and adagrad, "
      + "0.001 for adam; 0.2 for plain-mf in prequential).")
  Double learningRate;

  @Option(names = "--bias-lr", description = "Learning rate of biased-mf's user and item biases "
      + "(default: --lr for train, 0.3 for prequential).")
  Double biasLearningRate;

  @Option(names = "--momentum", description = "SGD momentum (default: 0.9).")
  Double momentum;

  @Option(names = "--weight-decay", description = "L2 on weights, not biases (default: 1e-4 for "
      + "train, 0.05 for prequential).")
  Double weightDecay;

  @Option(names = "--bias-weight-decay", description = "L2 on biased-mf's user and item biases "
      + "(default: 0 for train, 0.05 for prequential).")
  Double biasWeightDecay;

  @Option(names = "--embeddings", paramLabel = "MODE", description = "dense (every row, every "
      + "step: the tutorial) or lazy (only the batch's rows: streaming). Default: dense for "
      + "train, lazy for prequential.")
  String embeddings;

  /** The network and its optimiser: the flags given, the rest from {@code defaults}. */
  ModelSettings settings(ModelSettings.Defaults defaults, ModelType defaultType) {
    ModelType t = type != null ? type : defaultType;
    Map<String, String> given = new LinkedHashMap<>();
    given.put("type", t.id());
    put(given, "factors", factors);
    put(given, "hidden", hidden);
    if (t == ModelType.DROPOUT_MLP) {
      put(given, "dropout", dropout);
    }
    put(given, "init.scale", initScale);
    put(given, "seed", seed);
    put(given, "optimizer", optimizer);
    put(given, "learning.rate", learningRate);
    put(given, "bias.learning.rate", biasLearningRate);
    put(given, "momentum", momentum);
    put(given, "weight.decay", weightDecay);
    put(given, "bias.weight.decay", biasWeightDecay);
    put(given, "embeddings", embeddings);
    return ModelSettings.parse(given, t, defaults,
        (key, why) -> new IllegalArgumentException(FLAGS.get(key) + " " + given.get(key) + ": "
            + why));
  }

  /** The batch size given, or the command's. */
  int batchSize(int commandDefault) {
    if (batchSize == null) {
      return commandDefault;
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("--batch-size " + batchSize + ": must be at least 1");
    }
    return batchSize;
  }

  private static void put(Map<String, String> given, String key, Object value) {
    if (value != null) {
      given.put(key, value.toString());
    }
  }

  /** The flag of each settings key, for messages. */
  private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("type", "--model"),
      Map.entry("factors", "--factors"), Map.entry("hidden", "--hidden"),
      Map.entry("dropout", "--dropout"), Map.entry("init.scale", "--init-scale"),
      Map.entry("seed", "--seed"), Map.entry("optimizer", "--optimizer"),
      Map.entry("learning.rate", "--lr"), Map.entry("bias.learning.rate", "--bias-lr"),
      Map.entry("momentum", "--momentum"), Map.entry("weight.decay", "--weight-decay"),
      Map.entry("bias.weight.decay", "--bias-weight-decay"),
      Map.entry("embeddings", "--embeddings"));

  static final class ModelTypeConverter implements picocli.CommandLine.ITypeConverter<ModelType> {
    @Override
    public ModelType convert(String value) {
      return ModelType.parse(value);
    }
  }
}
