package io.mfstream.train;

/**
 * RMSE over the last {@code window} errors (a ring of squared errors with a running sum, re-summed
 * exactly every full turn so floating-point drift cannot build up).
 */
public final class RollingRmse {
  private final double[] squares;
  private int next;
  private int filled;
  private double sum;

  public RollingRmse(int window) {
    if (window < 1) {
      throw new IllegalArgumentException("window must be >= 1, got " + window);
    }
    squares = new double[window];
  }

  public int window() {
    return squares.length;
  }

  /** Adds one error (prediction minus label). */
  public void add(double error) {
    double sq = error * error;
    sum += sq - squares[next];
    squares[next] = sq;
    next++;
    if (next == squares.length) {
      next = 0;
      double exact = 0;
      for (double s : squares) {
        exact += s;
      }
      sum = exact;
    }
    if (filled < squares.length) {
      filled++;
    }
  }

  /** Errors currently in the window. */
  public int count() {
    return filled;
  }

  /** The ring slot the next error goes to. */
  public int next() {
    return next;
  }

  /** The running sum of the squared errors in the window. */
  public double sum() {
    return sum;
  }

  /** The squared error held in ring slot {@code slot}. */
  public double squareAt(int slot) {
    return squares[slot];
  }

  /**
   * Restores the exact state of a window of the same size (from a state store), so that the
   * RMSE continues bit-identically.
   */
  public void restore(double[] ring, int nextSlot, int filledCount, double runningSum) {
    if (ring.length != squares.length) {
      throw new IllegalArgumentException(
          "window of " + ring.length + " restored into a window of " + squares.length);
    }
    if (nextSlot < 0 || nextSlot >= squares.length || filledCount < 0
        || filledCount > squares.length) {
      throw new IllegalArgumentException(
          "bad rolling state: next " + nextSlot + ", filled " + filledCount);
    }
    System.arraycopy(ring, 0, squares, 0, ring.length);
    next = nextSlot;
    filled = filledCount;
    sum = runningSum;
  }

  /** RMSE over the window, NaN when empty. */
  public double rmse() {
    return filled == 0 ? Double.NaN : Math.sqrt(Math.max(0, sum) / filled);
  }
}
