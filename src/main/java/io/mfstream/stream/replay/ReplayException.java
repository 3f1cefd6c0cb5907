package io.mfstream.stream.replay;

/** A replay stopped because the producer failed; says how many ratings were acknowledged. */
public final class ReplayException extends RuntimeException {

  private final long acknowledged;

  ReplayException(String message, long acknowledged, Throwable cause) {
    super(message, cause);
    this.acknowledged = acknowledged;
  }

  /** Ratings the broker acknowledged before the replay stopped. */
  public long acknowledged() {
    return acknowledged;
  }
}
