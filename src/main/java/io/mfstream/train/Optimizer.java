package io.mfstream.train;

import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.Kernels;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Applies one {@link OptimizerConfig} rule to a network's gradients.
 *
 * <p>Life cycle: {@link #attach} once (allocates the state arrays beside each parameter, zeroed);
 * then, after every {@link MfNetwork#forwardBackward}, one {@link #apply}, which advances the step
 * count by one. The state (arrays and step count) is persisted with the model; the config is not
 * state.
 *
 * <p>SGD follows MXNet: {@code v = momentum*v - lr*(g + wd*w); w += v}. Adam adds {@code wd*w} to
 * the gradient likewise and uses the bias-corrected rate {@code lr*sqrt(1-b2^t)/(1-b1^t)} (Kingma
 * and Ba 2015, section 2). AdaGrad adds it likewise: {@code s += g^2; w -= lr*g/(sqrt(s)+eps)}.
 * The user and item biases of biased MF take the bias rate and bias weight decay of the config
 * (by default the same rate and no decay, as MXNet); the other biases (the MLP layers') take the
 * rate and no decay. In DENSE embedding mode the
 * batch's row gradients are written into a zeroed full-size gradient and every row is updated, as
 * MXNet's dense embedding gradient does; in LAZY mode only the batch's rows are. The user and
 * item sides are updated through {@link MfNetwork#forEachSide}, at the same time on the CPU
 * backend.
 */
public final class Optimizer {
  private final OptimizerConfig config;
  // Written from both sides' threads (MfNetwork.forEachSide); keys are identity-hashed tables.
  private final Map<ParamTable, INDArray> denseGrads = new ConcurrentHashMap<>();
  private long step;

  public Optimizer(OptimizerConfig config) {
    this.config = config;
  }

  public OptimizerConfig config() {
    return config;
  }

  /** Steps applied so far (the model version). */
  public long step() {
    return step;
  }

  /** Restores the step count (snapshot load). */
  public void restoreStep(long s) {
    this.step = s;
  }

  /** Allocates zeroed state for every parameter of the network. */
  public void attach(MfNetwork net) {
    int slots = config.stateSlots();
    for (ParamTable t : net.tables()) {
      t.allocateState(slots);
    }
    for (DenseParam p : net.denseParams()) {
      p.allocateState(slots);
    }
  }

  /** Applies the gradients left by the last forward/backward pass, and advances the step. */
  public void apply(MfNetwork net) {
    step++;
    double correction = config.kind() == OptimizerConfig.Kind.ADAM
        ? Math.sqrt(1 - Math.pow(config.beta2(), step)) / (1 - Math.pow(config.beta1(), step))
        : 1;
    double lrT = config.learningRate() * correction;
    double biasLrT = config.biasLearningRate() * correction;
    net.forEachSide((k, tables, denseParams) -> {
      for (ParamTable t : tables) {
        double rate = t.isBias() ? biasLrT : lrT;
        double wd = t.isBias() ? config.biasWeightDecay() : config.weightDecay();
        if (config.embeddings() == OptimizerConfig.EmbeddingUpdates.LAZY) {
          updateRows(k, t, rate, wd);
        } else {
          updateAllRows(k, t, rate, wd);
        }
      }
      for (DenseParam p : denseParams) {
        double wd = p.isBias() ? 0 : config.weightDecay();
        update(k, p.value(), p.grad(), p.state(0), config.stateSlots() > 1 ? p.state(1) : null,
            lrT, wd);
      }
    });
  }

  private void updateRows(Kernels k, ParamTable t, double lrT, double wd) {
    switch (config.kind()) {
      case SGD -> k.momentumRows(t.values(), t.state(0), t.gradRows(), t.gradCount(), t.grad(),
          lrT, config.momentum(), wd);
      case ADAM -> k.adamRows(t.values(), t.state(0), t.state(1), t.gradRows(), t.gradCount(),
          t.grad(), lrT, config.beta1(), config.beta2(), config.epsilon(), wd);
      case ADAGRAD -> k.adagradRows(t.values(), t.state(0), t.gradRows(), t.gradCount(),
          t.grad(), lrT, config.epsilon(), wd);
    }
  }

  private void updateAllRows(Kernels k, ParamTable t, double lrT, double wd) {
    int rows = t.rows();
    if (rows == 0) {
      return;
    }
    if (config.kind() == OptimizerConfig.Kind.SGD) {
      k.momentumAllRows(t.values(), t.state(0), t.gradRows(), t.gradCount(), t.grad(), rows, lrT,
          config.momentum(), wd);
      return;
    }
    INDArray full = denseGrads.get(t);
    if (full == null || full.rows() < t.capacity()) {
      full = Nd4j.create(t.values().dataType(), t.capacity(), t.width());
      denseGrads.put(t, full);
    }
    INDArray g = head(full, rows);
    g.assign(0);
    k.scatter(t.grad(), t.gradRows(), t.gradCount(), full);
    update(k, t.valueRows(0, rows), g, t.stateRows(0, 0, rows),
        config.stateSlots() > 1 ? t.stateRows(1, 0, rows) : null, lrT, wd);
  }

  private void update(Kernels k, INDArray w, INDArray g, INDArray s0, INDArray s1, double lrT,
      double wd) {
    switch (config.kind()) {
      case SGD -> k.momentumDense(w, s0, g, lrT, config.momentum(), wd);
      case ADAM -> k.adamDense(w, s0, s1, g, lrT, config.beta1(), config.beta2(),
          config.epsilon(), wd);
      case ADAGRAD -> k.adagradDense(w, s0, g, lrT, config.epsilon(), wd);
    }
  }

  private static INDArray head(INDArray a, int rows) {
    return a.get(NDArrayIndex.interval(0, rows), NDArrayIndex.all());
  }
}
