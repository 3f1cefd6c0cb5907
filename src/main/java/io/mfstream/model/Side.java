package io.mfstream.model;

import io.mfstream.model.kernel.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One side of the network (users or items): its vocabulary, embedding table, optional bias column,
 * optional fully connected layer, and the batch work arrays of its forward and backward pass.
 */
final class Side {
  final String name;
  final Vocabulary vocab = new Vocabulary();
  final ParamTable embedding;
  final ParamTable bias;
  final DenseParam weight;
  final DenseParam fcBias;
  private final ModelConfig config;
  private final Kernels kernels;
  private final double dropout;

  // Work arrays, [capacity, width]; n leading rows in use. The forward pass's (gathered to
  // hidden, and the dropout mask) hold a scoring chunk, the backward pass's a batch.
  final INDArray gathered;
  final INDArray gatheredBias;
  final INDArray activated;
  final INDArray hidden;
  final INDArray mask;
  final INDArray repGrad;
  final INDArray activatedGrad;
  private final double[] maskHost;

  // Batch-local de-duplication of rows: slots[b] is the unique index of rows[b].
  final int[] slots;
  private final int[] hashStamp;
  private final int[] hashRow;
  private final int[] hashSlot;
  private final int hashShift;
  private int epoch;

  // Scratch for appending rows.
  private final int[] appendRows;
  private final double[] appendValues;

  Side(String name, ModelConfig config, Kernels kernels, int batchCapacity, int forwardCapacity,
      int initialRows) {
    this.name = name;
    this.config = config;
    this.kernels = kernels;
    DataType dt = config.dataType();
    int k = config.factors();
    int h = config.hidden();
    embedding = new ParamTable(name + "-embedding", k, false, dt, initialRows, batchCapacity,
        kernels);
    bias = config.type() == ModelType.BIASED_MF
        ? new ParamTable(name + "-bias", 1, true, dt, initialRows, batchCapacity, kernels)
        : null;
    boolean mlp = config.type().isMlp();
    weight = mlp ? new DenseParam(name + "-fc-weight", false, dt, config.seed(),
        config.initScale(), k, h) : null;
    fcBias = mlp ? new DenseParam(name + "-fc-bias", true, dt, config.seed(), 0, h) : null;
    dropout = config.dropout();

    int rep = mlp ? h : k;
    gathered = mlp ? null : Nd4j.create(dt, forwardCapacity, k);
    gatheredBias = bias != null ? Nd4j.create(dt, forwardCapacity, 1) : null;
    activated = mlp ? Nd4j.create(dt, forwardCapacity, k) : null;
    hidden = mlp ? Nd4j.create(dt, forwardCapacity, h) : null;
    mask = dropout > 0 ? Nd4j.create(dt, forwardCapacity, h) : null;
    maskHost = dropout > 0 ? new double[forwardCapacity * h] : null;
    repGrad = mlp ? Nd4j.create(dt, batchCapacity, rep) : null;
    activatedGrad = mlp ? Nd4j.create(dt, batchCapacity, k) : null;
    slots = new int[batchCapacity];
    int hashSize = Integer.highestOneBit(Math.max(2, batchCapacity) * 2 - 1) * 2;
    hashStamp = new int[hashSize];
    hashRow = new int[hashSize];
    hashSlot = new int[hashSize];
    hashShift = 32 - Integer.numberOfTrailingZeros(hashSize);
    appendRows = new int[256];
    appendValues = new double[256 * k];
  }

  List<ParamTable> tables() {
    return bias == null ? List.of(embedding) : List.of(embedding, bias);
  }

  List<DenseParam> denseParams() {
    return weight == null ? List.of() : List.of(weight, fcBias);
  }

  /** The rows of the ids; new ids are added (and their rows initialised) when {@code add}. */
  void rowsOf(String[] ids, int n, int[] out, boolean add) {
    if (!add) {
      for (int b = 0; b < n; b++) {
        out[b] = vocab.find(ids[b]);
      }
      return;
    }
    int before = vocab.size();
    List<String> fresh = null;
    for (int b = 0; b < n; b++) {
      int size = vocab.size();
      int r = vocab.getOrAdd(ids[b]);
      if (r == size) {
        if (fresh == null) {
          fresh = new ArrayList<>();
        }
        fresh.add(ids[b]);
      }
      out[b] = r;
    }
    if (fresh != null) {
      appendRows(fresh, before);
    }
  }

  /** Adds rows for ids already added to the vocabulary (also used when restoring). */
  void appendRows(List<String> fresh, int firstRow) {
    for (ParamTable t : tables()) {
      t.append(fresh, firstRow, config.seed(), config.initScale(), kernels, appendRows,
          appendValues);
    }
  }

  /** Forward pass of this side: leaves its representation in {@link #representation()}. */
  void forward(int[] rows, int n, boolean training, long step) {
    if (bias != null) {
      kernels.gather(bias.values(), rows, n, gatheredBias);
    }
    if (weight == null) {
      kernels.gather(embedding.values(), rows, n, gathered);
      return;
    }
    kernels.gatherRelu(embedding.values(), rows, n, activated);
    kernels.matmul(activated, false, weight.value(), false, n, hidden);
    boolean drop = training && mask != null;
    if (drop) {
      fillMask(n, step);
    }
    kernels.addBiasAndMask(hidden, fcBias.value(), drop ? mask : null, n);
  }

  /** Inverted dropout: keep with probability 1-p and scale by 1/(1-p); from (seed, side, step). */
  private void fillMask(int n, long step) {
    var rnd = RowInit.forStep(config.seed(), name + "-dropout", step);
    double keep = 1.0 / (1.0 - dropout);
    long below = dropBelow(dropout);
    int len = n * config.hidden();
    for (int i = 0; i < len; i++) {
      maskHost[i] = keep * kept(rnd.nextLong(), below);
    }
    Arrays.fill(maskHost, len, maskHost.length, 0.0);
    kernels.upload(maskHost, mask);
  }

  /**
   * Dropout decides {@code rnd.nextDouble() < p} for every element, but without that comparison's
   * branch, which mispredicts on every other element at p = 0.5 (it was most of the dropout MLP's
   * extra cost): {@code nextDouble()} is {@code (nextLong() >>> 11) * 2^-53}, below p exactly
   * when that 53-bit integer is below {@code ceil(p * 2^53)}, this threshold.
   */
  static long dropBelow(double p) {
    return (long) Math.ceil(p * 0x1p53);
  }

  /** 1 if the element whose draw is {@code nextLong} is kept, 0 if dropped; branch-free. */
  static long kept(long nextLong, long dropBelow) {
    return (((nextLong >>> 11) - dropBelow) >>> 63) ^ 1;
  }

  /** The vector that enters the dot product: the embedding (MF) or the hidden layer (MLP). */
  INDArray representation() {
    return weight == null ? gathered : hidden;
  }

  /**
   * Backward pass, given the other side's representation and the loss gradient per rating
   * ({@code dLoss/dPrediction}, as a vector and as a column): fills this side's gradients.
   */
  void backward(int[] rows, int n, INDArray otherRep, INDArray errVector, INDArray errColumn,
      boolean training) {
    int u = dedupe(rows, n, embedding.gradRows);
    embedding.gradCount = u;
    if (weight == null) {
      // MF: the embedding's gradient is err * other side's embedding, summed per unique row.
      kernels.scaledSegmentSum(otherRep, errVector, slots, n, embedding.grad, u);
    } else {
      kernels.dotBackward(otherRep, errVector, training ? mask : null, n, repGrad, fcBias.grad());
      kernels.matmul(activated, true, repGrad, false, n, weight.grad());
      kernels.matmul(repGrad, false, weight.value(), true, n, activatedGrad);
      kernels.reluBackwardSegmentSum(activatedGrad, activated, slots, n, embedding.grad, u);
    }
    if (bias != null) {
      System.arraycopy(embedding.gradRows, 0, bias.gradRows, 0, u);
      bias.gradCount = u;
      kernels.segmentSum(errColumn, slots, n, bias.grad, u);
    }
  }

  /**
   * Unique rows in order of first appearance, and each rating's slot among them. An open-addressing
   * table sized for the batch, not for the vocabulary, so it stays in the core's cache: arrays
   * indexed by row would add two cache misses per rating on large tables.
   */
  private int dedupe(int[] rows, int n, int[] unique) {
    if (++epoch == 0) {
      Arrays.fill(hashStamp, 0);
      epoch = 1;
    }
    int mask = hashRow.length - 1;
    int u = 0;
    for (int b = 0; b < n; b++) {
      int r = rows[b];
      int h = (r * 0x9E3779B9) >>> hashShift;
      while (true) {
        if (hashStamp[h] != epoch) {
          hashStamp[h] = epoch;
          hashRow[h] = r;
          hashSlot[h] = u;
          unique[u] = r;
          slots[b] = u++;
          break;
        }
        if (hashRow[h] == r) {
          slots[b] = hashSlot[h];
          break;
        }
        h = (h + 1) & mask;
      }
    }
    return u;
  }
}
