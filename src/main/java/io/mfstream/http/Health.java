package io.mfstream.http;

import java.util.Locale;

/**
 * Where {@code /healthz} and {@code /readyz} get the pipeline's state from. In the pipeline it is
 * Kafka Streams' state, passed by name so that this package needs no Kafka:
 *
 * <pre>{@code Health health = () -> Health.State.named(streams.state().name());}</pre>
 *
 * <p>Called on the HTTP server's threads; must be thread-safe and quick ({@code
 * KafkaStreams.state()} is both).
 */
@FunctionalInterface
public interface Health {

  /**
   * The states of Kafka Streams ({@code KafkaStreams.State}), by the same names, and what they
   * mean for the probes (docs/CONFIGURATION.md): live unless {@code ERROR} or {@code NOT_RUNNING};
   * ready only when {@code RUNNING}.
   */
  enum State {
    CREATED,
    REBALANCING,
    RUNNING,
    PENDING_SHUTDOWN,
    NOT_RUNNING,
    PENDING_ERROR,
    ERROR,
    /**
     * A state this enum does not know (from a newer Kafka Streams), or none: live (it is neither
     * {@code ERROR} nor {@code NOT_RUNNING}) but not ready.
     */
    UNKNOWN;

    /** Whether the process should be left running ({@code /healthz} answers 200). */
    public boolean live() {
      return this != ERROR && this != NOT_RUNNING;
    }

    /** Whether it should receive traffic ({@code /readyz} answers 200). */
    public boolean ready() {
      return this == RUNNING;
    }

    /**
     * The state of this name, e.g. {@code KafkaStreams.State.RUNNING.name()}; {@link #UNKNOWN}
     * for null or a name it does not know.
     */
    public static State named(String name) {
      if (name == null) {
        return UNKNOWN;
      }
      try {
        return valueOf(name.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return UNKNOWN;
      }
    }
  }

  /** The pipeline's current state; null counts as {@link State#UNKNOWN}. */
  State state();
}
