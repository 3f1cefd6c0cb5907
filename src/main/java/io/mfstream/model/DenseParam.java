package io.mfstream.model;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A dense parameter (a fully connected layer's weight or bias) with its gradient and optimiser
 * state. Weights start Uniform(-scale, scale) from (seed, name); biases start at zero and get no
 * weight decay.
 */
public final class DenseParam {
  private final String name;
  private final boolean bias;
  private final INDArray value;
  private final INDArray grad;
  private INDArray[] state = new INDArray[0];

  DenseParam(String name, boolean bias, DataType dataType, long seed, double scale, long... shape) {
    this.name = name;
    this.bias = bias;
    this.value = Nd4j.create(dataType, shape);
    this.grad = Nd4j.create(dataType, shape);
    if (!bias) {
      SplittableRandom rnd = RowInit.forLayer(seed, name);
      double[] v = new double[(int) value.length()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (rnd.nextDouble() * 2 - 1) * scale;
      }
      value.assign(Nd4j.createFromArray(v).reshape(shape).castTo(dataType));
    }
  }

  public String name() {
    return name;
  }

  public boolean isBias() {
    return bias;
  }

  public INDArray value() {
    return value;
  }

  public INDArray grad() {
    return grad;
  }

  public INDArray state(int i) {
    return state[i];
  }

  public int stateSlots() {
    return state.length;
  }

  public void allocateState(int slots) {
    state = new INDArray[slots];
    for (int i = 0; i < slots; i++) {
      state[i] = Nd4j.create(value.dataType(), value.shape());
    }
  }
}
