package io.mfstream.cli;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.train.ModelSettings;
import io.mfstream.train.OptimizerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The model and optimiser flags every training command shares. */
final class ModelOptions {
  @Option(names = "--model", paramLabel = "TYPE",
      description = "Network: plain-mf, biased-mf, mlp, dropout-mlp (default: ${DEFAULT-VALUE}).",
      converter = ModelTypeConverter.class, defaultValue = "plain-mf")
  ModelType type;

  @Option(names = {"-k", "--factors"}, description = "Embedding width k (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int factors;

  @Option(names = "--hidden", description = "MLP hidden width (default: ${DEFAULT-VALUE}).",
      defaultValue = "64")
  int hidden;

  @Option(names = "--dropout", description = "Dropout probability for dropout-mlp "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "0.5")
  double dropout;

  @Option(names = "--init-scale", description = "New weights ~ Uniform(-s, s) "
      + "(default: ${DEFAULT-VALUE}, MXNet's).", defaultValue = "0.01")
  double initScale;

  @Option(names = "--seed", description = "Seeds initialisation, dropout and shuffling "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "42")
  long seed;

  @Option(names = {"-b", "--batch-size"}, description = "Ratings per SGD step "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "64")
  int batchSize;

  @Option(names = "--optimizer", description = "sgd (momentum) or adam (default: ${DEFAULT-VALUE}).",
      defaultValue = "sgd")
  String optimizer;

  @Option(names = "--lr", description = "Learning rate (default: 0.05 for sgd, 0.001 for adam).")
  Double learningRate;

  @Option(names = "--momentum", description = "SGD momentum (default: 0.9).")
  Double momentum;

  @Option(names = "--weight-decay", description = "L2 on weights, not biases "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "1e-4")
  double weightDecay;

  @Option(names = "--embeddings", paramLabel = "MODE", description = "dense (every row, every "
      + "step: the tutorial) or lazy (only the batch's rows: streaming). Default: the command's.")
  String embeddings;

  ModelConfig modelConfig() {
    return settings(OptimizerConfig.EmbeddingUpdates.LAZY).model();
  }

  OptimizerConfig optimizerConfig(OptimizerConfig.EmbeddingUpdates defaultMode) {
    return settings(defaultMode).optimizer();
  }

  /** The flags read by the one parser of model settings, under its keys. */
  private ModelSettings settings(OptimizerConfig.EmbeddingUpdates defaultMode) {
    Map<String, String> given = new LinkedHashMap<>();
    given.put("type", type.id());
    given.put("factors", Integer.toString(factors));
    given.put("hidden", Integer.toString(hidden));
    if (type == ModelType.DROPOUT_MLP) {
      given.put("dropout", Double.toString(dropout));
    }
    given.put("init.scale", Double.toString(initScale));
    given.put("seed", Long.toString(seed));
    given.put("optimizer", optimizer);
    if (learningRate != null) {
      given.put("learning.rate", Double.toString(learningRate));
    }
    if (momentum != null) {
      given.put("momentum", Double.toString(momentum));
    }
    given.put("weight.decay", Double.toString(weightDecay));
    if (embeddings != null) {
      given.put("embeddings", embeddings);
    }
    return ModelSettings.parse(given, type, new ModelSettings.Defaults(false, defaultMode),
        (key, why) -> new IllegalArgumentException(FLAGS.get(key) + " " + given.get(key) + ": "
            + why));
  }

  /** The flag of each settings key, for messages. */
  private static final Map<String, String> FLAGS = Map.ofEntries(Map.entry("type", "--model"),
      Map.entry("factors", "--factors"), Map.entry("hidden", "--hidden"),
      Map.entry("dropout", "--dropout"), Map.entry("init.scale", "--init-scale"),
      Map.entry("seed", "--seed"), Map.entry("optimizer", "--optimizer"),
      Map.entry("learning.rate", "--lr"), Map.entry("momentum", "--momentum"),
      Map.entry("weight.decay", "--weight-decay"), Map.entry("embeddings", "--embeddings"));

  static final class ModelTypeConverter implements picocli.CommandLine.ITypeConverter<ModelType> {
    @Override
    public ModelType convert(String value) {
      return ModelType.parse(value);
    }
  }
}
