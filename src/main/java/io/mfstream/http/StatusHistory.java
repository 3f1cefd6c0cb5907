package io.mfstream.http;

import io.mfstream.stream.status.ModelStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The recent past of every model's status, for the status page's curves: one {@link Sample} per
 * model each time {@link #record} is called, at most {@link #capacity()} per model (the oldest is
 * dropped first). Memory is bounded by capacity times the number of models. Thread-safe.
 */
public final class StatusHistory {

  /**
   * One model at one instant.
   *
   * @param time when the sample was taken, milliseconds since the epoch
   * @param version SGD steps taken
   * @param trained ratings learned from
   * @param rollingRmse the rolling RMSE, NaN before the first scored rating
   */
  public record Sample(long time, long version, long trained, double rollingRmse) {}

  private final int capacity;
  private final Map<String, Ring> rings = new TreeMap<>();

  /** A history keeping the last {@code capacity} samples of each model. */
  public StatusHistory(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
  }

  /** The most samples kept per model. */
  public int capacity() {
    return capacity;
  }

  /** Appends one sample at {@code time} for each of {@code statuses}. */
  public synchronized void record(Collection<ModelStatus> statuses, long time) {
    for (ModelStatus status : statuses) {
      rings.computeIfAbsent(status.model(), model -> new Ring(capacity))
          .add(new Sample(time, status.version(), status.trained(), status.rollingRmse()));
    }
  }

  /** The models with at least one sample, by name. */
  public synchronized List<String> models() {
    return List.copyOf(rings.keySet());
  }

  /** Every sample kept for {@code model}, oldest first; empty for an unknown model. */
  public List<Sample> samples(String model) {
    return samplesAfter(model, Long.MIN_VALUE);
  }

  /** The samples kept for {@code model} taken strictly after {@code time}, oldest first. */
  public synchronized List<Sample> samplesAfter(String model, long time) {
    Ring ring = rings.get(model);
    return ring == null ? List.of() : ring.after(time);
  }

  /** A fixed-size circular buffer: no allocation per sample once full. */
  private static final class Ring {
    private final Sample[] samples;
    private int start;
    private int size;

    Ring(int capacity) {
      samples = new Sample[capacity];
    }

    void add(Sample sample) {
      if (size < samples.length) {
        samples[(start + size) % samples.length] = sample;
        size++;
      } else {
        samples[start] = sample;
        start = (start + 1) % samples.length;
      }
    }

    List<Sample> after(long time) {
      List<Sample> out = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        Sample sample = samples[(start + i) % samples.length];
        if (sample.time() > time) {
          out.add(sample);
        }
      }
      return out;
    }
  }
}
