package io.mfstream.train;

/**
 * A batch's loss was not finite: that step was not applied, so the model keeps the parameters it
 * had before it. Usually the learning rate (or momentum) is too high for the batch size.
 */
public final class DivergedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;
  private final long step;

  DivergedException(long step, String model) {
    super("training diverged at step " + step + " of " + model + ": the loss is not finite; the "
        + "step was not applied. Lower the learning rate or momentum, or raise the batch size.");
    this.step = step;
  }

  /** The step whose loss was not finite. */
  public long step() {
    return step;
  }
}
