package io.mfstream.cli;

import java.io.PrintWriter;

/** A one-line progress bar on the error stream, redrawn at most five times a second. */
final class Progress {
  private final PrintWriter err;
  private final boolean enabled;
  private long lastDraw;
  private boolean drawn;

  Progress(PrintWriter err, boolean enabled) {
    this.err = err;
    this.enabled = enabled;
  }

  void update(String label, long done, long total) {
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (done < total && now - lastDraw < 200_000_000L) {
      return;
    }
    lastDraw = now;
    int width = 30;
    int filled = total == 0 ? width : (int) (width * done / total);
    err.printf("\r%s [%s%s] %3d%%", label, "#".repeat(filled), ".".repeat(width - filled),
        total == 0 ? 100 : 100 * done / total);
    err.flush();
    drawn = true;
  }

  void clear() {
    if (drawn) {
      err.print("\r" + " ".repeat(60) + "\r");
      err.flush();
      drawn = false;
    }
  }
}
