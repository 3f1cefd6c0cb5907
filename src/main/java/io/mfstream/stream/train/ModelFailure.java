package io.mfstream.stream.train;

/**
 * A model's own arithmetic failed on a rating: its loss or its prediction went non-finite, or
 * its code threw. Thrown by {@link ModelStore#observe} and {@link ModelStore#flush} before they
 * write anything of the rating, so the store still holds the model as it was before it; the
 * model in memory is not to be used after it ({@link ModelStore#stopLearning} gives it back from
 * the store).
 */
public final class ModelFailure extends Exception {
  private static final long serialVersionUID = 1L;

  ModelFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** The failure in one line, as stored with the model and shown in its answers. */
  public String reason() {
    Throwable c = getCause();
    return c == null ? getMessage() : c.getClass().getSimpleName() + ": " + c.getMessage();
  }
}
