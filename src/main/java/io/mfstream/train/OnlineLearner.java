package io.mfstream.train;

import io.mfstream.data.Rating;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Test-then-train, one rating at a time: the core the streaming trainer wraps. Each rating is
 * first scored by the current model (unknown ids get the fallback, flagged cold start), its error
 * feeds the overall and the rolling RMSE, and only then is it buffered; when the buffer holds a
 * full batch, one SGD step learns from it. Batch boundaries are by count, so the same ratings in
 * the same order give bit-identical parameters however they arrive.
 *
 * <p>Within a batch no step happens, so every rating of a batch is scored by the same model, which
 * makes this compute exactly what {@link Prequential} computes over a file (OnlineLearnerTest).
 *
 * <p>The buffer is state: a caller that persists the model must persist {@link #pending()} too,
 * and give it back with {@link #restorePending} after restoring the model. Not thread-safe.
 */
public final class OnlineLearner {
  private final Trainer trainer;
  private final List<Rating> pending;
  private final RmseMeter overall = new RmseMeter();
  private final RollingRmse rolling;
  private long coldStarts;
  private final QualityMeters quality;
  private final float[] one = new float[1];
  private final boolean[] oneCold = new boolean[1];

  /** What observing one rating did. */
  public record Observation(float prediction, double error, boolean coldStart, boolean stepTaken) {}

  /** A learner with the default {@link QualitySettings}. */
  public OnlineLearner(Trainer trainer, int window) {
    this(trainer, window, QualitySettings.DEFAULTS);
  }

  /**
   * A learner whose {@link QualityMeters} measure by {@code quality}; the rows the trainer has
   * already (a warm start) count as of unknown history.
   */
  public OnlineLearner(Trainer trainer, int window, QualitySettings quality) {
    this.trainer = trainer;
    this.pending = new ArrayList<>(trainer.batchSize());
    this.rolling = new RollingRmse(window);
    this.quality = new QualityMeters(quality, trainer.network().users().size(),
        trainer.network().items().size());
  }

  public Trainer trainer() {
    return trainer;
  }

  /**
   * Scores the rating, records its error (by segment too), ranks it if it is in the ranking
   * sample, buffers it, and trains when a batch is full.
   */
  public Observation observe(Rating rating) {
    List<Rating> single = List.of(rating);
    trainer.predict(single, 0, 1, one, oneCold);
    double error = (double) one[0] - rating.rating();
    overall.add(error);
    rolling.add(error);
    if (oneCold[0]) {
      coldStarts++;
    }
    quality.scored(quality.cellOf(trainer.network(), rating), error);
    quality.rank(trainer.network(), rating);
    pending.add(rating);
    boolean step = false;
    if (pending.size() == trainer.batchSize()) {
      trainPending();
      step = true;
    }
    return new Observation(one[0], error, oneCold[0], step);
  }

  /**
   * Learns from a partial batch now (a time-based flush for low traffic). Returns whether a step
   * was taken. Flushing makes batch boundaries depend on timing: leave it off where bit-identical
   * replays matter.
   */
  public boolean flush() {
    if (pending.isEmpty()) {
      return false;
    }
    trainPending();
    return true;
  }

  private void trainPending() {
    trainer.trainBatch(pending, 0, pending.size());
    quality.learned(trainer.network(), pending, 0, pending.size());
    pending.clear();
  }

  /** Ratings scored but not yet learned from, in arrival order (read-only). */
  public List<Rating> pending() {
    return Collections.unmodifiableList(pending);
  }

  /** Puts back the not-yet-learned ratings of a restored model (at most a batch less one). */
  public void restorePending(List<Rating> ratings) {
    if (ratings.size() >= trainer.batchSize()) {
      throw new IllegalArgumentException(ratings.size() + " pending ratings for a batch size of "
          + trainer.batchSize() + ": a full batch would already have been learned from");
    }
    pending.clear();
    pending.addAll(ratings);
  }

  /** The overall RMSE meter (for persisting its state). */
  public RmseMeter overallMeter() {
    return overall;
  }

  /** The quality meters: RMSE by segment and ranking (for reading and persisting them). */
  public QualityMeters quality() {
    return quality;
  }

  /** The rolling RMSE window (for persisting its state). */
  public RollingRmse rollingMeter() {
    return rolling;
  }

  /** Restores the cold-start count (the meters restore through their own accessors). */
  public void restoreColdStarts(long count) {
    coldStarts = count;
  }

  /** Ratings scored so far. */
  public long scored() {
    return overall.count();
  }

  public double rmse() {
    return overall.rmse();
  }

  public double rollingRmse() {
    return rolling.rmse();
  }

  public int window() {
    return rolling.window();
  }

  public long coldStarts() {
    return coldStarts;
  }
}
