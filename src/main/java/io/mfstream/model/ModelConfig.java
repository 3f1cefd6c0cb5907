package io.mfstream.model;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The shape and initialisation of one network. Immutable.
 *
 * @param type which network
 * @param factors k, the embedding width
 * @param hidden width of the fully connected layer (MLP types only; ignored otherwise)
 * @param dropout drop probability (dropout MLP only), in [0, 1)
 * @param initScale new weights are drawn from Uniform(-initScale, initScale); biases start at 0
 *     (the tutorial's MXNet default is 0.01)
 * @param seed seeds row initialisation (from seed and id) and dropout masks (from seed and step)
 * @param dataType FLOAT for training; DOUBLE for gradient checks
 */
public record ModelConfig(
    ModelType type,
    int factors,
    int hidden,
    double dropout,
    double initScale,
    long seed,
    DataType dataType) {

  public ModelConfig {
    if (type == null) {
      throw new IllegalArgumentException("model type is required");
    }
    if (factors < 1) {
      throw new IllegalArgumentException("factors (k) must be >= 1, got " + factors);
    }
    if (type.isMlp() && hidden < 1) {
      throw new IllegalArgumentException("hidden must be >= 1 for " + type + ", got " + hidden);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }
    if (!(initScale > 0) || Double.isInfinite(initScale)) {
      throw new IllegalArgumentException("initScale must be a positive number, got " + initScale);
    }
    if (dataType != DataType.FLOAT && dataType != DataType.DOUBLE) {
      throw new IllegalArgumentException("dataType must be FLOAT or DOUBLE, got " + dataType);
    }
    if (!type.isMlp()) {
      hidden = 0;
    }
    if (type != ModelType.DROPOUT_MLP) {
      dropout = 0;
    }
  }

  /** The tutorial's defaults for a type: k=64, hidden=64, dropout 0.5, init 0.01, float32. */
  public static ModelConfig defaults(ModelType type) {
    return new ModelConfig(type, 64, 64, 0.5, 0.01, 42L, DataType.FLOAT);
  }

  public ModelConfig withFactors(int k) {
    return new ModelConfig(type, k, hidden, dropout, initScale, seed, dataType);
  }

  public ModelConfig withHidden(int h) {
    return new ModelConfig(type, factors, h, dropout, initScale, seed, dataType);
  }

  public ModelConfig withDropout(double p) {
    return new ModelConfig(type, factors, hidden, p, initScale, seed, dataType);
  }

  public ModelConfig withInitScale(double s) {
    return new ModelConfig(type, factors, hidden, dropout, s, seed, dataType);
  }

  public ModelConfig withSeed(long s) {
    return new ModelConfig(type, factors, hidden, dropout, initScale, s, dataType);
  }

  public ModelConfig withDataType(DataType d) {
    return new ModelConfig(type, factors, hidden, dropout, initScale, seed, d);
  }

  /** A short human description, e.g. {@code mlp(k=64,hidden=64)}. */
  public String describe() {
    return switch (type) {
      case PLAIN_MF, BIASED_MF -> type.id() + "(k=" + factors + ")";
      case MLP -> type.id() + "(k=" + factors + ",hidden=" + hidden + ")";
      case DROPOUT_MLP ->
          type.id() + "(k=" + factors + ",hidden=" + hidden + ",p=" + dropout + ")";
    };
  }
}
