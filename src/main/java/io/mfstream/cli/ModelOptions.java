package io.mfstream.cli;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.train.OptimizerConfig;
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

  @Option(names = "--momentum", description = "SGD momentum (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.9")
  double momentum;

  @Option(names = "--weight-decay", description = "L2 on weights, not biases "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "1e-4")
  double weightDecay;

  @Option(names = "--embeddings", paramLabel = "MODE", description = "dense (every row, every "
      + "step: the tutorial) or lazy (only the batch's rows: streaming). Default: the command's.")
  String embeddings;

  ModelConfig modelConfig() {
    return ModelConfig.defaults(type).withFactors(factors).withHidden(hidden)
        .withDropout(type == ModelType.DROPOUT_MLP ? dropout : 0).withInitScale(initScale)
        .withSeed(seed);
  }

  OptimizerConfig optimizerConfig(OptimizerConfig.EmbeddingUpdates defaultMode) {
    OptimizerConfig.Kind kind = OptimizerConfig.Kind.parse(optimizer);
    OptimizerConfig base = kind == OptimizerConfig.Kind.ADAM
        ? OptimizerConfig.adam()
        : OptimizerConfig.tutorial().withMomentum(momentum);
    if (learningRate != null) {
      base = base.withLearningRate(learningRate);
    }
    OptimizerConfig.EmbeddingUpdates mode = embeddings == null
        ? defaultMode
        : OptimizerConfig.EmbeddingUpdates.parse(embeddings);
    return base.withWeightDecay(weightDecay).withEmbeddings(mode);
  }

  static final class ModelTypeConverter implements picocli.CommandLine.ITypeConverter<ModelType> {
    @Override
    public ModelType convert(String value) {
      return ModelType.parse(value);
    }
  }
}
