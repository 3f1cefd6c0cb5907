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
    String degraded) {

  /** The status of a model that learns. */
  public ModelStatus(String model, String type, long version, long trained, long scored,
      int pending, int users, int items, int window, double rollingRmse, double overallRmse,
      long coldStarts, long updatedAt) {
    this(model, type, version, trained, scored, pending, users, items, window, rollingRmse,
        overallRmse, coldStarts, updatedAt, null);
  }

  public boolean isDegraded() {
    return degraded != null;
  }
}
