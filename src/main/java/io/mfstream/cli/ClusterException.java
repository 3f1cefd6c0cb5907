package io.mfstream.cli;

/**
 * The cluster cannot be used: unreachable, not Kafka, refusing the client's security settings
 * ({@link Main#EXIT_UNREACHABLE}), or without the topics a command needs
 * ({@link Main#EXIT_TOPICS_MISSING}). The message is the one line the user sees.
 */
final class ClusterException extends RuntimeException {
  private final int exitCode;

  ClusterException(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  ClusterException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  int exitCode() {
    return exitCode;
  }
}
