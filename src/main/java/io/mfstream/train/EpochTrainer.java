package io.mfstream.train;

import io.mfstream.data.Rating;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The tutorial's protocol: epochs of mini-batch SGD over a training set, test RMSE after each.
 * Optionally the first epoch in file order (as the tutorial's iterator) and later ones shuffled
 * with a seeded generator; the last partial batch dropped or kept.
 */
public final class EpochTrainer {

  /** Options of a run. */
  public record Options(int epochs, long shuffleSeed, boolean firstEpochInOrder,
      boolean dropLastPartialBatch) {
    public Options {
      if (epochs < 1) {
        throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
      }
    }

    /** The tutorial's: first epoch in file order, then shuffled; partial batches dropped. */
    public static Options tutorial(int epochs, long seed) {
      return new Options(epochs, seed, true, true);
    }
  }

  /** What one epoch did. */
  public record EpochResult(int epoch, double trainRmse, double testRmse, long steps,
      double seconds, double ratingsPerSecond) {}

  /** Called after each epoch. */
  @FunctionalInterface
  public interface Listener {
    void onEpoch(EpochResult result);
  }

  /** Called after each step, for progress display: steps done of steps in the epoch. */
  @FunctionalInterface
  public interface Progress {
    void onStep(int epoch, long stepInEpoch, long stepsInEpoch);
  }

  private EpochTrainer() {}

  public static List<EpochResult> run(Trainer trainer, List<Rating> train, List<Rating> test,
      Options options, Listener listener, Progress progress) {
    List<Rating> order = new ArrayList<>(train);
    Random shuffler = new Random(options.shuffleSeed());
    int bs = trainer.batchSize();
    List<EpochResult> results = new ArrayList<>();
    for (int epoch = 1; epoch <= options.epochs(); epoch++) {
      if (epoch > 1 || !options.firstEpochInOrder()) {
        Collections.shuffle(order, shuffler);
      }
      long steps = options.dropLastPartialBatch()
          ? order.size() / bs
          : (order.size() + bs - 1) / bs;
      RmseMeter trainMeter = new RmseMeter();
      long t0 = System.nanoTime();
      for (long s = 0; s < steps; s++) {
        int from = (int) (s * bs);
        int n = Math.min(bs, order.size() - from);
        trainMeter.addSquared(trainer.trainBatch(order, from, n), n);
        if (progress != null) {
          progress.onStep(epoch, s + 1, steps);
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      double testRmse = test == null || test.isEmpty() ? Double.NaN : trainer.rmse(test);
      EpochResult r = new EpochResult(epoch, trainMeter.rmse(), testRmse, steps, seconds,
          trainMeter.count() / Math.max(seconds, 1e-9));
      results.add(r);
      if (listener != null) {
        listener.onEpoch(r);
      }
    }
    return results;
  }
}
