package io.mfstream.train;

import io.mfstream.data.Rating;
import io.mfstream.model.MfNetwork;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ranking metrics of a trained model on a test set (the offline form of {@link QualityMeters}'s
 * ranking): each positive test rating (at least {@link QualitySettings#positiveRating}) of a user
 * in the sample ({@link QualityMeters#sampled}) is ranked among every item the model has a row
 * for, the items of the user's <em>training</em> ratings left out, ties counted against the test
 * item; an item the model has no row for is a miss. Hit rate and NDCG at {@link QualityMeters#K}
 * as in {@link QualityMeters}.
 */
public final class HeldOutRanking {
  private HeldOutRanking() {}

  /**
   * The figures of a test set.
   *
   * @param positives positive test ratings of sampled users: how many were ranked
   * @param hits how many ranked within K
   * @param ndcgSum their summed NDCG at K
   */
  public record Result(long positives, long hits, double ndcgSum) {
    public double hitRate() {
      return positives == 0 ? Double.NaN : (double) hits / positives;
    }

    public double ndcg() {
      return positives == 0 ? Double.NaN : ndcgSum / positives;
    }
  }

  /** Ranks the positive test ratings of the sampled users with the trainer's model as it is. */
  public static Result run(Trainer trainer, List<Rating> train, List<Rating> test,
      float positiveRating, double sample) {
    if (!(sample >= 0 && sample <= 1)) {
      throw new IllegalArgumentException("the ranking sample must be a fraction from 0 to 1, got "
          + sample);
    }
    MfNetwork net = trainer.network();
    Map<String, int[]> seen = new HashMap<>();
    Map<String, Integer> seenCount = new HashMap<>();
    for (Rating r : train) {
      int item = net.items().find(r.item());
      if (item < 0 || sample == 0 || !QualityMeters.sampled(r.user(), sample)) {
        continue;
      }
      int n = seenCount.getOrDefault(r.user(), 0);
      int[] rows = seen.get(r.user());
      if (rows == null || n == rows.length) {
        rows = rows == null ? new int[8] : java.util.Arrays.copyOf(rows, 2 * n);
        seen.put(r.user(), rows);
      }
      rows[n] = item;
      seenCount.put(r.user(), n + 1);
    }
    QualityMeters.Ranker ranker = new QualityMeters.Ranker();
    long positives = 0;
    long hits = 0;
    double ndcg = 0;
    for (Rating r : test) {
      if (sample == 0 || r.rating() < positiveRating
          || !QualityMeters.sampled(r.user(), sample)) {
        continue;
      }
      int rank = ranker.rank(net, net.users().find(r.user()), net.items().find(r.item()),
          seen.get(r.user()), seenCount.getOrDefault(r.user(), 0));
      positives++;
      if (rank <= QualityMeters.K) {
        hits++;
        ndcg += QualityMeters.ndcg(rank);
      }
    }
    return new Result(positives, hits, ndcg);
  }
}
