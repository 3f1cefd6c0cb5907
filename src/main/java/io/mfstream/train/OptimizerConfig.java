package io.mfstream.train;

import java.util.Locale;

/**
 * How parameters are updated. Immutable; the arrays the rule keeps (momentum, Adam moments) are the
 * optimiser's state and live beside the parameters.
 *
 * @param kind SGD with momentum (the tutorial's), Adam, or AdaGrad
 * @param learningRate lr (the tutorial's 0.05)
 * @param momentum SGD momentum (0.9)
 * @param weightDecay L2 coefficient added to the gradient of weights, not of biases (1e-4)
 * @param biasLearningRate the rate of the user and item biases of biased MF (Koren's separate
 *     rate for biases; the tutorial has one rate for all, so by default the same as lr)
 * @param biasWeightDecay the L2 coefficient of the user and item biases (MXNet: 0)
 * @param beta1 Adam's first-moment decay
 * @param beta2 Adam's second-moment decay
 * @param epsilon Adam's denominator guard
 * @param embeddings how embedding tables are updated: every row at every step (DENSE, the
 *     tutorial's semantics) or only the rows in the batch (LAZY, cost independent of table size)
 */
public record OptimizerConfig(
    Kind kind,
    double learningRate,
    double momentum,
    double weightDecay,
    double biasLearningRate,
    double biasWeightDecay,
    double beta1,
    double beta2,
    double epsilon,
    EmbeddingUpdates embeddings) {

  /** The update rule. */
  public enum Kind {
    SGD,
    ADAM,
    /**
     * Per-parameter rates from the summed squared gradients (Duchi, Hazan and Singer 2011):
     * {@code s += g^2; w -= lr * g / (sqrt(s) + eps)}. With lazy updates the sum of a row grows
     * only when the row is learned from, so a new row takes large steps and a row seen often
     * small ones: what a single pass over a stream of new users and items needs.
     */
    ADAGRAD;

    public static Kind parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  /** Which rows of an embedding table a step updates. */
  public enum EmbeddingUpdates {
    /** Every row decays and keeps its momentum at every step, as MXNet's dense gradients. */
    DENSE,
    /** Only the rows the batch touched; the streaming default. */
    LAZY;

    public static EmbeddingUpdates parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    }
  }

  public OptimizerConfig {
    if (kind == null || embeddings == null) {
      throw new IllegalArgumentException("optimizer kind and embedding update mode are required");
    }
    if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
    if (!(biasLearningRate > 0) || Double.isInfinite(biasLearningRate)) {
      throw new IllegalArgumentException("bias learning rate must be positive, got "
          + biasLearningRate);
    }
    if (!(biasWeightDecay >= 0) || Double.isInfinite(biasWeightDecay)) {
      throw new IllegalArgumentException("bias weight decay must be >= 0, got " + biasWeightDecay);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("Adam betas must be in [0, 1)");
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
    }
  }

  /** The tutorial's optimiser: SGD, lr 0.05, momentum 0.9, weight decay 1e-4, dense embeddings. */
  public static OptimizerConfig tutorial() {
    return new OptimizerConfig(Kind.SGD, 0.05, 0.9, 1e-4, 0.05, 0, 0.9, 0.999, 1e-8,
        EmbeddingUpdates.DENSE);
  }

  /** The tutorial's SGD with lazy embedding updates. */
  public static OptimizerConfig lazySgd() {
    return tutorial().withEmbeddings(EmbeddingUpdates.LAZY);
  }

  /** Lazy Adam, lr 0.001 by default. */
  public static OptimizerConfig adam() {
    return new OptimizerConfig(Kind.ADAM, 0.001, 0.0, 1e-4, 0.001, 0, 0.9, 0.999, 1e-8,
        EmbeddingUpdates.LAZY);
  }

  /** Lazy AdaGrad, lr 0.05 by default. */
  public static OptimizerConfig adagrad() {
    return new OptimizerConfig(Kind.ADAGRAD, 0.05, 0.0, 1e-4, 0.05, 0, 0.9, 0.999, 1e-8,
        EmbeddingUpdates.LAZY);
  }

  public OptimizerConfig withEmbeddings(EmbeddingUpdates e) {
    return new OptimizerConfig(kind, learningRate, momentum, weightDecay, biasLearningRate,
        biasWeightDecay, beta1, beta2, epsilon, e);
  }

  /** The rate of every parameter, the biases' too (set theirs after with withBiasLearningRate). */
  public OptimizerConfig withLearningRate(double lr) {
    return new OptimizerConfig(kind, lr, momentum, weightDecay, lr, biasWeightDecay, beta1, beta2,
        epsilon, embeddings);
  }

  public OptimizerConfig withBiasLearningRate(double lr) {
    return new OptimizerConfig(kind, learningRate, momentum, weightDecay, lr, biasWeightDecay,
        beta1, beta2, epsilon, embeddings);
  }

  public OptimizerConfig withWeightDecay(double wd) {
    return new OptimizerConfig(kind, learningRate, momentum, wd, biasLearningRate,
        biasWeightDecay, beta1, beta2, epsilon, embeddings);
  }

  public OptimizerConfig withBiasWeightDecay(double wd) {
    return new OptimizerConfig(kind, learningRate, momentum, weightDecay, biasLearningRate, wd,
        beta1, beta2, epsilon, embeddings);
  }

  public OptimizerConfig withMomentum(double m) {
    return new OptimizerConfig(kind, learningRate, m, weightDecay, biasLearningRate,
        biasWeightDecay, beta1, beta2, epsilon, embeddings);
  }

  /** Number of state arrays the rule keeps per parameter. */
  public int stateSlots() {
    return kind == Kind.ADAM ? 2 : 1;
  }
}
