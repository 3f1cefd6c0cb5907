package io.mfstream.stream.status;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The latest {@link ModelStatus} of every model, written by the trainer tasks (stream threads) and
 * read by whoever shows it: metrics gauges, the status page, the command line's status line.
 * Thread-safe; readers see each model's latest complete status, never a torn one.
 */
public final class StatusBoard {
  private final Map<String, ModelStatus> latest = new ConcurrentSkipListMap<>();
  private final Map<String, Boolean> declared = new ConcurrentHashMap<>();

  /** Records a model's latest status, replacing the previous one. */
  public void publish(ModelStatus status) {
    latest.put(status.model(), status);
  }

  /** The latest status of a model, or null before its trainer reported anything. */
  public ModelStatus get(String model) {
    return latest.get(model);
  }

  /** The latest status of every model that reported, ordered by model name. */
  public List<ModelStatus> all() {
    return List.copyOf(latest.values());
  }

  /** Declares a model that will report (so readers can list it before its first rating). */
  public void declare(String model) {
    declared.put(model, Boolean.TRUE);
  }

  /** Every model declared, in no particular order. */
  public List<String> declared() {
    return List.copyOf(declared.keySet());
  }
}
