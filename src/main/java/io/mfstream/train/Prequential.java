package io.mfstream.train;

import io.mfstream.data.Rating;
import java.util.List;

/**
 * Progressive validation (test, then train): one pass over ratings in order; each batch is first
 * scored by the current model (unknown ids get the model's fallback), its errors feed the overall
 * and the rolling RMSE, and only then does the model learn from it. The honest online metric
 * (Blum, Kalai and Langford 1999; River's {@code progressive_val_score}).
 */
public final class Prequential {

  /**
   * The result of a pass.
   *
   * @param quality the RMSE by segment and the ranking metrics ({@link QualityMeters})
   */
  public record Result(long count, double rmse, double rollingRmse, int window, long coldStarts,
      long steps, double seconds, QualityMeters.Figures quality) {}

  /** Called every {@code reportEvery} ratings with the running figures. */
  @FunctionalInterface
  public interface Listener {
    void onProgress(long seen, double rmse, double rollingRmse);
  }

  private Prequential() {}

  /** {@link #run(Trainer, List, int, long, Listener, QualitySettings)} with the defaults. */
  public static Result run(Trainer trainer, List<Rating> ordered, int window, long reportEvery,
      Listener listener) {
    return run(trainer, ordered, window, reportEvery, listener, QualitySettings.DEFAULTS);
  }

  /**
   * One pass; the quality meters measure by {@code quality}, on each batch before it is learned,
   * as {@link OnlineLearner} does (so the streaming trainer's figures are these).
   */
  public static Result run(Trainer trainer, List<Rating> ordered, int window, long reportEvery,
      Listener listener, QualitySettings quality) {
    QualityMeters meters = new QualityMeters(quality, trainer.network().users().size(),
        trainer.network().items().size());
    int bs = trainer.batchSize();
    float[] out = new float[bs];
    boolean[] cold = new boolean[bs];
    RmseMeter all = new RmseMeter();
    RollingRmse rolling = new RollingRmse(window);
    long coldStarts = 0;
    long nextReport = reportEvery;
    long t0 = System.nanoTime();
    for (int from = 0; from < ordered.size(); from += bs) {
      int n = Math.min(bs, ordered.size() - from);
      trainer.predict(ordered, from, n, out, cold);
      for (int b = 0; b < n; b++) {
        double e = (double) out[b] - ordered.get(from + b).rating();
        all.add(e);
        rolling.add(e);
        if (cold[b]) {
          coldStarts++;
        }
        Rating r = ordered.get(from + b);
        meters.scored(meters.cellOf(trainer.network(), r), e);
        meters.rank(trainer.network(), r);
      }
      trainer.trainBatch(ordered, from, n);
      meters.learned(trainer.network(), ordered, from, n);
      if (listener != null && reportEvery > 0 && all.count() >= nextReport) {
        listener.onProgress(all.count(), all.rmse(), rolling.rmse());
        nextReport += reportEvery;
      }
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Result(all.count(), all.rmse(), rolling.rmse(), window, coldStarts,
        trainer.version(), seconds, meters.figures());
  }
}
