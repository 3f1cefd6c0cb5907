package io.mfstream.train;

import io.mfstream.data.Rating;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.Kernels;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One model being trained: a network, its optimiser, and the counters that say how fresh it is
 * (the version, i.e. SGD steps, and the number of ratings learned from). Takes ratings with string
 * ids; new ids get rows when they are learned from, never when they are only scored.
 *
 * <p>Not thread-safe: one owner drives it.
 */
public final class Trainer {
  private final MfNetwork network;
  private final Optimizer optimizer;
  private final int batchSize;
  private final String[] users;
  private final String[] items;
  private final int[] userRows;
  private final int[] itemRows;
  private final float[] labels;
  private long trained;

  public Trainer(ModelConfig model, OptimizerConfig optimizer, int batchSize) {
    this(model, optimizer, batchSize, Kernels.forCurrentBackend());
  }

  public Trainer(ModelConfig model, OptimizerConfig optimizer, int batchSize, Kernels kernels) {
    this.network = new MfNetwork(model, kernels, batchSize);
    this.optimizer = new Optimizer(optimizer);
    this.optimizer.attach(network);
    this.batchSize = batchSize;
    users = new String[batchSize];
    items = new String[batchSize];
    userRows = new int[batchSize];
    itemRows = new int[batchSize];
    labels = new float[batchSize];
  }

  public MfNetwork network() {
    return network;
  }

  public Optimizer optimizer() {
    return optimizer;
  }

  public ModelConfig modelConfig() {
    return network.config();
  }

  public int batchSize() {
    return batchSize;
  }

  /** The model version: SGD steps taken. */
  public long version() {
    return optimizer.step();
  }

  /** Ratings learned from. */
  public long trained() {
    return trained;
  }

  /** Restores the counters (snapshot load). */
  /**
   * A trainer of the same network with the parameters, vocabulary, running mean and ratings
   * learned of this one, and a fresh optimiser: its state zeroed, its step count 0.
   */
  public Trainer withFreshOptimizer(OptimizerConfig config, int batch, Kernels kernels) {
    Trainer fresh = new Trainer(modelConfig(), config, batch, kernels);
    MfNetwork a = network();
    MfNetwork b = fresh.network();
    b.restoreVocabulary(a.users().ids(), a.items().ids());
    for (int t = 0; t < a.tables().size(); t++) {
      ParamTable src = a.tables().get(t);
      ParamTable dst = b.tables().get(t);
      INDArray values = src.valueRows(0, src.rows());
      INDArray[] zeros = new INDArray[dst.stateSlots()];
      for (int s = 0; s < zeros.length; s++) {
        zeros[s] = Nd4j.zeros(values.dataType(), values.shape());
      }
      dst.restore(src.rows(), values, zeros);
    }
    for (int d = 0; d < a.denseParams().size(); d++) {
      b.denseParams().get(d).value().assign(a.denseParams().get(d).value());
    }
    b.restoreMean(a.labelSum(), a.labelCount());
    fresh.restoreCounters(0, trained());
    return fresh;
  }

  public void restoreCounters(long version, long trainedCount) {
    optimizer.restoreStep(version);
    trained = trainedCount;
  }

  /**
   * One SGD step on {@code ratings[from, from+n)} (n at most the batch size). Returns the sum of
   * squared errors of the predictions the step made before it learned.
   */
  public double trainBatch(List<Rating> ratings, int from, int n) {
    if (n < 1 || n > batchSize) {
      throw new IllegalArgumentException("batch of " + n + "; batch size is " + batchSize);
    }
    for (int b = 0; b < n; b++) {
      Rating r = ratings.get(from + b);
      users[b] = r.user();
      items[b] = r.item();
      labels[b] = r.rating();
    }
    network.userRows(users, n, userRows, true);
    network.itemRows(items, n, itemRows, true);
    double sse = network.forwardBackward(userRows, itemRows, labels, n, optimizer.step() + 1);
    if (!Double.isFinite(sse)) {
      throw new DivergedException(optimizer.step() + 1, network.config().describe());
    }
    optimizer.apply(network);
    network.observeLabels(labels, n);
    trained += n;
    return sse;
  }

  /** {@link #trainBatch(List, int, int)} on a whole list. */
  public double trainBatch(List<Rating> batch) {
    return trainBatch(batch, 0, batch.size());
  }

  /**
   * Scores {@code ratings[from, from+n)} with the current model without learning or adding ids;
   * {@code coldStart} (optional) marks fallback answers for unknown ids.
   */
  public void predict(List<Rating> ratings, int from, int n, float[] out, boolean[] coldStart) {
    for (int start = 0; start < n; start += batchSize) {
      int len = Math.min(batchSize, n - start);
      for (int b = 0; b < len; b++) {
        Rating r = ratings.get(from + start + b);
        users[b] = r.user();
        items[b] = r.item();
      }
      network.userRows(users, len, userRows, false);
      network.itemRows(items, len, itemRows, false);
      float[] chunk = start == 0 ? out : new float[len];
      boolean[] coldChunk = coldStart == null ? null : start == 0 ? coldStart : new boolean[len];
      network.predict(userRows, itemRows, len, chunk, coldChunk);
      if (start != 0) {
        System.arraycopy(chunk, 0, out, start, len);
        if (coldStart != null) {
          System.arraycopy(coldChunk, 0, coldStart, start, len);
        }
      }
    }
  }

  /** Root mean squared error of the current model on a list of ratings. */
  public double rmse(List<Rating> ratings) {
    RmseMeter meter = new RmseMeter();
    float[] out = new float[batchSize];
    for (int start = 0; start < ratings.size(); start += batchSize) {
      int len = Math.min(batchSize, ratings.size() - start);
      predict(ratings, start, len, out, null);
      for (int b = 0; b < len; b++) {
        meter.add(out[b] - ratings.get(start + b).rating());
      }
    }
    return meter.rmse();
  }
}
