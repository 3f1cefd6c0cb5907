package io.mfstream.train;

import java.io.IOException;

/**
 * A model snapshot could not be read: it is not a snapshot, has a format version this build does
 * not read, is truncated or corrupt, or does not fit the network its own header describes.
 */
public class SnapshotFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public SnapshotFormatException(String message) {
    super(message);
  }

  public SnapshotFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
