package io.mfstream.train;

/**
 * What the quality meters of a model ({@link QualityMeters}) measure beside the RMSE: where the
 * line between cold and established users and items lies, and which ratings the ranking metrics
 * are computed on.
 *
 * @param coldUserRatings a user is <em>cold</em> while the model has learned fewer than this many
 *     of its ratings (an unknown user has learned none), <em>established</em> from then on;
 *     at least 1
 * @param coldItemRatings the same for items; at least 1
 * @param positiveRating a rating at least this high is a <em>positive</em> one, the kind the
 *     ranking metrics try to find (4 on MovieLens's 1 to 5 scale); finite
 * @param rankingSample the fraction of users whose positive ratings are ranked, from 0 (ranking
 *     off) to 1 (every user); which users is decided by a hash of the user id alone
 *     ({@link QualityMeters#sampled}), so it is the same in every run and every model
 */
public record QualitySettings(int coldUserRatings, int coldItemRatings, float positiveRating,
    double rankingSample) {

  /**
   * The defaults: cold below 5 learned ratings, positive from 4, one user in 100 ranked. A
   * ranking costs a prediction per known item (about 0.5 ms with MovieLens 100K's 1,682 items
   * and biased MF, 1 ms with the MLP): at 1% of the users, 0.5% of MovieLens's ratings are
   * ranked, about 3 microseconds a rating on average for biased MF (docs/METRICS.md).
   */
  public static final QualitySettings DEFAULTS = new QualitySettings(5, 5, 4f, 0.01);

  public QualitySettings {
    if (coldUserRatings < 1 || coldItemRatings < 1) {
      throw new IllegalArgumentException("the cold thresholds must be at least 1 rating, got "
          + coldUserRatings + " (users) and " + coldItemRatings + " (items)");
    }
    if (!Float.isFinite(positiveRating)) {
      throw new IllegalArgumentException("the positive rating must be finite, got "
          + positiveRating);
    }
    if (!(rankingSample >= 0 && rankingSample <= 1)) {
      throw new IllegalArgumentException("the ranking sample must be a fraction from 0 to 1, got "
          + rankingSample);
    }
  }

  /** These settings with other cold thresholds. */
  public QualitySettings withCold(int users, int items) {
    return new QualitySettings(users, items, positiveRating, rankingSample);
  }

  /** These settings with another positive threshold and ranking sample. */
  public QualitySettings withRanking(float positive, double sample) {
    return new QualitySettings(coldUserRatings, coldItemRatings, positive, sample);
  }
}
