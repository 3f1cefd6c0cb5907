package io.mfstream.model;

import io.mfstream.model.kernel.Kernels;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The four networks of {@link ModelType} over an open vocabulary: forward pass, loss gradient and
 * backward pass. The optimiser is separate: after {@link #forwardBackward} each {@link ParamTable}
 * holds the summed gradient of the rows the batch touched and each {@link DenseParam} its gradient.
 *
 * <p>Loss: {@code L = 1/(2n) * sum_b (p_b - y_b)^2} over a batch of n ratings, so
 * {@code dL/dp_b = (p_b - y_b)/n}: MXNet's {@code LinearRegressionOutput} with the gradient rescaled
 * by 1/batch. Prediction: {@code p = <r_u, r_i>} where r is the embedding (MF) or
 * {@code FC(ReLU(embedding))} (MLP, with inverted dropout while training); biased MF adds
 * {@code mu + b_u + b_i}, where mu is the running mean of the ratings learned from.
 *
 * <p>One trainer owns a network. On the CPU backend its two sides run at the same time for
 * batches of {@link #MIN_PARALLEL_BATCH} or more, the item side on a {@link Lanes helper lane},
 * each with kernels of its own: they share nothing but read-only inputs until the dot product, so
 * the results are those of running them one after the other, bit for bit.
 */
public final class MfNetwork {
  private final ModelConfig config;
  private final Kernels kernels;
  private final int batchCapacity;
  /** Pairs per forward pass of {@link #predict}: the batch capacity, or more. */
  private final int scoreChunk;
  private final Side user;
  private final Side item;
  private final Kernels itemKernels;
  private final boolean parallelSides;
  private int lastBatch;

  /**
   * Batches smaller than this keep both sides on the caller: at a few microseconds of work per
   * side, handing one side over costs more than it saves (batch 1 ran 1.5x slower with lanes).
   */
  static final int MIN_PARALLEL_BATCH = 32;

  /**
   * Predictions run in chunks of at least this many pairs, whatever the batch size: scoring every
   * item for a user (a ranking) at batch 1 would otherwise take one forward pass per item. The
   * forward pass's work arrays hold a chunk; a step still takes at most the batch capacity.
   */
  static final int MIN_SCORE_CHUNK = 256;

  private final INDArray dot;
  private final INDArray errColumn;
  private final INDArray errVector;
  private final double[] dotHost;
  private final double[] userBiasHost;
  private final double[] itemBiasHost;
  private final double[] errHost;

  // Scratch for prediction with unknown ids.
  private final int[] knownUser;
  private final int[] knownItem;
  private final int[] knownAt;
  private final float[] knownOut;
  private final int[] oneRow = new int[1];
  private final double[] oneValue = new double[1];

  private double labelSum;
  private long labelCount;

  public MfNetwork(ModelConfig config, Kernels kernels, int batchCapacity) {
    this(config, kernels, batchCapacity, 1024);
  }

  public MfNetwork(ModelConfig config, Kernels kernels, int batchCapacity, int initialRows) {
    if (batchCapacity < 1) {
      throw new IllegalArgumentException("batch capacity must be >= 1");
    }
    this.config = config;
    this.kernels = kernels;
    this.batchCapacity = batchCapacity;
    this.scoreChunk = Math.max(batchCapacity, MIN_SCORE_CHUNK);
    Kernels other = config.dataType() == DataType.FLOAT ? kernels.forAnotherThread() : null;
    this.itemKernels = other != null ? other : kernels;
    this.parallelSides = other != null && Lanes.available();
    this.user = new Side("user", config, kernels, batchCapacity, scoreChunk, initialRows);
    this.item = new Side("item", config, itemKernels, batchCapacity, scoreChunk, initialRows);
    dot = Nd4j.create(config.dataType(), scoreChunk);
    errColumn = Nd4j.create(config.dataType(), batchCapacity, 1);
    errVector = errColumn.reshape(batchCapacity);
    dotHost = new double[scoreChunk];
    userBiasHost = new double[scoreChunk];
    itemBiasHost = new double[scoreChunk];
    errHost = new double[batchCapacity];
    knownUser = new int[scoreChunk];
    knownItem = new int[scoreChunk];
    knownAt = new int[scoreChunk];
    knownOut = new float[scoreChunk];
  }

  public ModelConfig config() {
    return config;
  }

  public Kernels kernels() {
    return kernels;
  }

  public int batchCapacity() {
    return batchCapacity;
  }

  public Vocabulary users() {
    return user.vocab;
  }

  public Vocabulary items() {
    return item.vocab;
  }

  /** Work on one side's parameters, with that side's kernels. */
  @FunctionalInterface
  public interface SideWork {
    void run(Kernels kernels, List<ParamTable> tables, List<DenseParam> denseParams);
  }

  /**
   * Runs {@code work} for the user side and for the item side, at the same time where the backend
   * allows and the last batch learned from was not small (see the class comment). The two calls
   * must touch only their own side's parameters.
   */
  public void forEachSide(SideWork work) {
    bothSides(lastBatch, () -> work.run(kernels, user.tables(), user.denseParams()),
        () -> work.run(itemKernels, item.tables(), item.denseParams()));
  }

  private void bothSides(int n, Runnable userWork, Runnable itemWork) {
    if (parallelSides && n >= MIN_PARALLEL_BATCH) {
      Lanes.both(itemWork, userWork);
    } else {
      userWork.run();
      itemWork.run();
    }
  }

  /** The user side's row-addressed parameters: the embedding, then the bias in biased MF. */
  public List<ParamTable> userTables() {
    return user.tables();
  }

  /** The item side's row-addressed parameters: the embedding, then the bias in biased MF. */
  public List<ParamTable> itemTables() {
    return item.tables();
  }

  /** Every row-addressed parameter: user side first, then item side. */
  public List<ParamTable> tables() {
    List<ParamTable> all = new ArrayList<>(user.tables());
    all.addAll(item.tables());
    return all;
  }

  /** Every dense parameter (MLP layers): user side first, then item side. */
  public List<DenseParam> denseParams() {
    List<DenseParam> all = new ArrayList<>(user.denseParams());
    all.addAll(item.denseParams());
    return all;
  }

  /** The running mean of the ratings learned from (0 before any). */
  public double globalMean() {
    return labelCount == 0 ? 0.0 : labelSum / labelCount;
  }

  public long labelCount() {
    return labelCount;
  }

  public double labelSum() {
    return labelSum;
  }

  /** Restores the running-mean statistics (snapshot load). */
  public void restoreMean(double sum, long count) {
    labelSum = sum;
    labelCount = count;
  }

  /** Rows for user ids; new ids get rows when {@code add}, else unknown ids map to -1. */
  public void userRows(String[] ids, int n, int[] out, boolean add) {
    user.rowsOf(ids, n, out, add);
  }

  /** Rows for item ids; new ids get rows when {@code add}, else unknown ids map to -1. */
  public void itemRows(String[] ids, int n, int[] out, boolean add) {
    item.rowsOf(ids, n, out, add);
  }

  /** Restores vocabularies from a snapshot; tables get rows (to be overwritten) for every id. */
  public void restoreVocabulary(List<String> userIds, List<String> itemIds) {
    for (String id : userIds) {
      user.vocab.getOrAdd(id);
    }
    for (String id : itemIds) {
      item.vocab.getOrAdd(id);
    }
    user.appendRows(userIds, 0);
    item.appendRows(itemIds, 0);
  }

  /**
   * Forward pass, loss gradient and backward pass of one batch of known rows (n <= capacity). The
   * gradients are left in the parameters; nothing is updated. Returns the batch's sum of squared
   * errors (of the predictions made before this step learns).
   *
   * @param step the optimiser step this batch is for (seeds the dropout masks)
   */
  public double forwardBackward(int[] userRows, int[] itemRows, float[] labels, int n, long step) {
    checkBatch(n);
    lastBatch = n;
    forward(userRows, itemRows, n, true, step);
    double mean = globalMean();
    double sse = 0;
    double scale = 1.0 / n;
    for (int b = 0; b < n; b++) {
      double p = prediction(b, mean);
      double e = (double) p - labels[b];
      sse += e * e;
      errHost[b] = e * scale;
    }
    kernels.upload(errHost, errColumn);
    bothSides(n,
        () -> user.backward(userRows, n, item.representation(), errVector, errColumn, true),
        () -> item.backward(itemRows, n, user.representation(), errVector, errColumn, true));
    return sse;
  }

  /** Adds the batch's labels to the running mean; call once a batch has been learned from. */
  public void observeLabels(float[] labels, int n) {
    for (int b = 0; b < n; b++) {
      labelSum += labels[b];
    }
    labelCount += n;
  }

  /**
   * Predictions (no dropout) for rows that may be unknown (-1). A pair with an unknown side gets a
   * fallback: the global mean, plus the known side's bias in biased MF; {@code coldStart[b]} (if
   * not null) says which answers are fallbacks. Any n: processed in chunks of {@link
   * #MIN_SCORE_CHUNK} pairs or the batch capacity, whichever is larger.
   */
  public void predict(int[] userRows, int[] itemRows, int n, float[] out, boolean[] coldStart) {
    double mean = globalMean();
    for (int start = 0; start < n; start += scoreChunk) {
      int len = Math.min(scoreChunk, n - start);
      predictChunk(userRows, itemRows, start, len, out, coldStart, mean);
    }
  }

  private void predictChunk(int[] userRows, int[] itemRows, int start, int len, float[] out,
      boolean[] coldStart, double mean) {
    int known = 0;
    for (int b = start; b < start + len; b++) {
      int u = userRows[b];
      int i = itemRows[b];
      boolean cold = u < 0 || i < 0;
      if (coldStart != null) {
        coldStart[b] = cold;
      }
      if (!cold) {
        knownUser[known] = u;
        knownItem[known] = i;
        knownAt[known] = b;
        known++;
      } else {
        out[b] = (float) fallback(u, i, mean);
      }
    }
    if (known == 0) {
      return;
    }
    forward(knownUser, knownItem, known, false, 0);
    for (int j = 0; j < known; j++) {
      knownOut[j] = (float) prediction(j, mean);
    }
    for (int j = 0; j < known; j++) {
      out[knownAt[j]] = knownOut[j];
    }
  }

  private double fallback(int userRow, int itemRow, double mean) {
    double p = mean;
    if (config.type() == ModelType.BIASED_MF) {
      p += biasOf(user, userRow) + biasOf(item, itemRow);
    }
    return p;
  }

  private double biasOf(Side side, int row) {
    if (row < 0) {
      return 0;
    }
    oneRow[0] = row;
    kernels.gather(side.bias.values(), oneRow, 1, side.gatheredBias);
    kernels.download(side.gatheredBias, 1, oneValue);
    return oneValue[0];
  }

  private void forward(int[] userRows, int[] itemRows, int n, boolean training, long step) {
    bothSides(n, () -> user.forward(userRows, n, training, step),
        () -> item.forward(itemRows, n, training, step));
    kernels.rowDot(user.representation(), item.representation(), n, dot);
    kernels.download(dot, n, dotHost);
    if (config.type() == ModelType.BIASED_MF) {
      kernels.download(user.gatheredBias, n, userBiasHost);
      kernels.download(item.gatheredBias, n, itemBiasHost);
    }
  }

  private double prediction(int b, double mean) {
    if (config.type() == ModelType.BIASED_MF) {
      return mean + userBiasHost[b] + itemBiasHost[b] + dotHost[b];
    }
    return dotHost[b];
  }

  private void checkBatch(int n) {
    if (n < 1 || n > batchCapacity) {
      throw new IllegalArgumentException(
          "batch of " + n + " ratings; this network takes 1 to " + batchCapacity);
    }
  }
}
