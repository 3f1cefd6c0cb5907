package io.mfstream.data;

import java.io.IOException;
import java.util.Objects;

/**
 * A dataset download failed for a reason worth telling apart: the server refused, the bytes are not
 * the published archive, or the archive is broken or unsafe to unpack. Plain I/O failures
 * (connection refused, disk full) stay ordinary {@link IOException}s.
 */
public final class DownloadException extends IOException {

  /** Why the download failed. */
  public enum Reason {
    /** The server answered with a status other than 200. */
    HTTP_STATUS,
    /** The archive's MD5 is not the expected one. */
    CHECKSUM_MISMATCH,
    /** The archive is not a readable zip file. */
    CORRUPT_ARCHIVE,
    /** An entry would unpack outside the target (zip slip: {@code ..} or an absolute path). */
    UNSAFE_ENTRY,
    /** The archive lacks the ratings file, or it has the wrong number of lines. */
    MISSING_CONTENT
  }

  private final Reason reason;

  public DownloadException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public DownloadException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
