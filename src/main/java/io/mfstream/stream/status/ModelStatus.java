package io.mfstream.stream.status;

/**
 * What one model's trainer last reported about itself: a value, safe to hand to other threads.
 *
 * @param model the model's name, e.g. {@code biased-mf}
 * @param type the network type id ({@code plain-mf}, {@code biased-mf}, {@code mlp},
 *     {@code dropout-mlp})
 * @param version SGD steps taken
 * @param trained ratings learned from
 * @param scored ratings scored (prequentially) so far
 * @param pending ratings scored but not yet learned from (the open batch)
 * @param users user ids the model has rows for
 * @param items item ids the model has rows for
 * @param window the rolling RMSE's window, in ratings
 * @param rollingRmse RMSE over the last {@code window} scored ratings, NaN before the first
 * @param overallRmse RMSE over every rating scored, NaN before the first
 * @param coldStarts scored ratings whose user or item was unknown at the time
 * @param updatedAt when this status was made, milliseconds since the epoch
 * @param degraded why the model stopped learning (it serves its last good parameters until the
 *     operator resets it), or null while it learns
 * @param quality the RMSE by segment and the ranking metrics (docs/METRICS.md)
 */
public record ModelStatus(
    String model,
    String type,
    long version,
    long trained,
    long scored,
    int pending,
    int users,
    int items,
    int window,
    double rollingRmse,
    double overallRmse,
    long coldStarts,
    long updatedAt,
    String degraded,
    Quality quality) {

  /**
   * A model's prequential quality beyond its RMSE, over every rating scored: per segment (the
   * user, or the item, cold or established when the rating was scored) how many ratings and their
   * summed squared error, and the ranking metrics at {@link #K} over the positive ratings ranked.
   */
  public record Quality(long coldUsers, double coldUsersSse, long establishedUsers,
      double establishedUsersSse, long coldItems, double coldItemsSse, long establishedItems,
      double establishedItemsSse, long ranked, long hits, double ndcgSum) {

    /** The cut-off of the ranking metrics. */
    public static final int K = 10;

    /** Nothing measured yet. */
    public static final Quality NONE = new Quality(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** RMSE of the ratings scored while their user was cold; NaN when none. */
    public double coldUsersRmse() {
      return rmse(coldUsersSse, coldUsers);
    }

    public double establishedUsersRmse() {
      return rmse(establishedUsersSse, establishedUsers);
    }

    public double coldItemsRmse() {
      return rmse(coldItemsSse, coldItems);
    }

    public double establishedItemsRmse() {
      return rmse(establishedItemsSse, establishedItems);
    }

    /** Hit rate at K; NaN before the first ranking. */
    public double hitRate() {
      return ranked == 0 ? Double.NaN : (double) hits / ranked;
    }

    /** NDCG at K; NaN before the first ranking. */
    public double ndcg() {
      return ranked == 0 ? Double.NaN : ndcgSum / ranked;
    }

    private static double rmse(double sse, long n) {
      return n == 0 ? Double.NaN : Math.sqrt(sse / n);
    }
  }

  /** A status without quality figures. */
  public ModelStatus(String model, String type, long version, long trained, long scored,
      int pending, int users, int items, int window, double rollingRmse, double overallRmse,
      long coldStarts, long updatedAt, String degraded) {
    this(model, type, version, trained, scored, pending, users, items, window, rollingRmse,
        overallRmse, coldStarts, updatedAt, degraded, Quality.NONE);
  }

  /** The status of a model that learns. */
  public ModelStatus(String model, String type, long version, long trained, long scored,
      int pending, int users, int items, int window, double rollingRmse, double overallRmse,
      long coldStarts, long updatedAt) {
    this(model, type, version, trained, scored, pending, users, items, window, rollingRmse,
        overallRmse, coldStarts, updatedAt, null);
  }

  /** The share of scored ratings answered with a fallback (cold start); NaN before any. */
  public double coldStartShare() {
    return scored == 0 ? Double.NaN : (double) coldStarts / scored;
  }

  public boolean isDegraded() {
    return degraded != null;
  }
}
