package io.mfstream.data;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A deterministic train/test split of ratings in which every user and item of the test set also
 * appears in the training set, so a matrix-factorisation model has a learned vector for every
 * test pair (no cold start in the evaluation).
 *
 * @param train the training ratings, in the input order
 * @param test the test ratings, in the input order
 */
public record TrainTestSplit(List<Rating> train, List<Rating> test) {

  public TrainTestSplit {
    train = List.copyOf(train);
    test = List.copyOf(test);
  }

  /**
   * Splits {@code ratings}: visits them in an order shuffled by {@code seed} and moves a rating to
   * the test set while its user and its item each keep at least one rating in training, until
   * {@code round(testFraction * n)} ratings are in test. Where users or items have very few
   * ratings, the test set can come out smaller than asked. Same input and seed, same split.
   *
   * @param testFraction in [0, 1)
   */
  public static TrainTestSplit of(List<Rating> ratings, double testFraction, long seed) {
    if (!(testFraction >= 0 && testFraction < 1)) {
      throw new IllegalArgumentException("test fraction must be in [0, 1): " + testFraction);
    }
    int n = ratings.size();
    long wanted = Math.round(testFraction * n);
    Map<String, Integer> userLeft = new HashMap<>();
    Map<String, Integer> itemLeft = new HashMap<>();
    for (Rating r : ratings) {
      userLeft.merge(r.user(), 1, Integer::sum);
      itemLeft.merge(r.item(), 1, Integer::sum);
    }
    int[] order = shuffled(n, new SplittableRandom(seed));
    boolean[] inTest = new boolean[n];
    long taken = 0;
    for (int k = 0; k < n && taken < wanted; k++) {
      Rating r = ratings.get(order[k]);
      if (userLeft.get(r.user()) > 1 && itemLeft.get(r.item()) > 1) {
        userLeft.merge(r.user(), -1, Integer::sum);
        itemLeft.merge(r.item(), -1, Integer::sum);
        inTest[order[k]] = true;
        taken++;
      }
    }
    List<Rating> train = new ArrayList<>(n - (int) taken);
    List<Rating> test = new ArrayList<>((int) taken);
    for (int k = 0; k < n; k++) {
      (inTest[k] ? test : train).add(ratings.get(k));
    }
    return new TrainTestSplit(train, test);
  }

  /** 0..n-1 in a Fisher-Yates order. */
  private static int[] shuffled(int n, SplittableRandom random) {
    int[] order = new int[n];
    for (int k = 0; k < n; k++) {
      order[k] = k;
    }
    for (int k = n - 1; k > 0; k--) {
      int j = random.nextInt(k + 1);
      int t = order[k];
      order[k] = order[j];
      order[j] = t;
    }
    return order;
  }
}
