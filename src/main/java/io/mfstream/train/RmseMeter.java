package io.mfstream.train;

/** Root mean squared error over everything added. */
public final class RmseMeter {
  private double sse;
  private long count;

  /** Adds one error (prediction minus label). */
  public void add(double error) {
    sse += error * error;
    count++;
  }

  /** Adds a sum of squared errors over n predictions. */
  public void addSquared(double sumSquared, long n) {
    sse += sumSquared;
    count += n;
  }

  /** Restores the exact state (from a state store). */
  public void restore(double sumSquared, long n) {
    sse = sumSquared;
    count = n;
  }

  public long count() {
    return count;
  }

  public double sumSquared() {
    return sse;
  }

  /** RMSE so far, NaN before anything was added. */
  public double rmse() {
    return count == 0 ? Double.NaN : Math.sqrt(sse / count);
  }
}
