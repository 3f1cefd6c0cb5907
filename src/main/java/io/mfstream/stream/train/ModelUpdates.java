package io.mfstream.stream.train;

import io.mfstream.model.ModelType;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys and values of the compacted {@code model-updates} topic: what a trainer publishes after each
 * step so that serving replicas can rebuild every model. Compaction keeps the latest record of
 * each key, so the topic always holds a whole model.
 *
 * <p>Keys are strings that start with a kind; model names never contain '/':
 *
 * <pre>
 *   m/MODEL              the model's header: type, sizes, version, ratings learned, mean
 *   u/MODEL/USER         a user's row: embedding, then bias (biased-mf)
 *   i/MODEL/ITEM         an item's row: embedding, then bias (biased-mf)
 *   d/MODEL/PARAM        a dense parameter (MLP layers), row-major
 *   s/LEN:USER/ITEM      USER (LEN chars long) has rated ITEM; the value is empty
 * </pre>
 *
 * Row and parameter values are big-endian float32 arrays; the header's layout is in
 * {@link Header}. The user id in seen-pair keys is length-prefixed so that one user's pairs are
 * exactly the keys that start with {@link #seenPrefix}, whatever characters ids hold.
 */
public final class ModelUpdates {
  private ModelUpdates() {}

  public static final int FORMAT = 2;

  public static String headerKey(String model) {
    return "m/" + model;
  }

  public static String userKey(String model, String user) {
    return "u/" + model + "/" + user;
  }

  public static String itemKey(String model, String item) {
    return "i/" + model + "/" + item;
  }

  /** The prefix of every item row of a model. */
  public static String itemPrefix(String model) {
    return "i/" + model + "/";
  }

  public static String denseKey(String model, String param) {
    return "d/" + model + "/" + param;
  }

  public static String seenKey(String user, String item) {
    return seenPrefix(user) + item;
  }

  /** The prefix of every seen-pair key of a user. */
  public static String seenPrefix(String user) {
    return "s/" + user.length() + ":" + user + "/";
  }

  /**
   * A model's header.
   *
   * @param type the network
   * @param factors embedding width
   * @param hidden MLP hidden width (0 for MF)
   * @param version SGD steps taken
   * @param trained ratings learned from
   * @param mean the running mean of the ratings learned from (the fallback answer)
   * @param users user rows
   * @param items item rows
   * @param degraded why the model stopped learning, or null while it learns: its rows are its
   *     last good parameters
   */
  public record Header(ModelType type, int factors, int hidden, long version, long trained,
      double mean, int users, int items, String degraded) {

    /** A header of a model that learns. */
    public Header(ModelType type, int factors, int hidden, long version, long trained,
        double mean, int users, int items) {
      this(type, factors, hidden, version, trained, mean, users, items, null);
    }

    public boolean isDegraded() {
      return degraded != null;
    }

    public byte[] encode() {
      byte[] t = type.id().getBytes(StandardCharsets.UTF_8);
      byte[] d = degraded == null ? new byte[0] : degraded.getBytes(StandardCharsets.UTF_8);
      ByteBuffer b = ByteBuffer.allocate(4 + 4 + t.length + 4 + 4 + 8 + 8 + 8 + 4 + 4 + 1 + 4
          + d.length);
      b.putInt(FORMAT).putInt(t.length).put(t).putInt(factors).putInt(hidden);
      b.putLong(version).putLong(trained).putDouble(mean).putInt(users).putInt(items);
      b.put((byte) (degraded == null ? 0 : 1)).putInt(d.length).put(d);
      return b.array();
    }

    public static Header decode(byte[] bytes) {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      int format = b.getInt();
      if (format != FORMAT && format != 1) {
        throw new IllegalArgumentException("model-updates header format " + format
            + "; this build reads 1 and " + FORMAT);
      }
      byte[] t = new byte[b.getInt()];
      b.get(t);
      ModelType type = ModelType.parse(new String(t, StandardCharsets.UTF_8));
      int factors = b.getInt();
      int hidden = b.getInt();
      long version = b.getLong();
      long trained = b.getLong();
      double mean = b.getDouble();
      int users = b.getInt();
      int items = b.getInt();
      if (format == 1) { // an older build's: it had no failure to report
        return new Header(type, factors, hidden, version, trained, mean, users, items, null);
      }
      boolean isDegraded = b.get() != 0;
      byte[] d = new byte[b.getInt()];
      b.get(d);
      return new Header(type, factors, hidden, version, trained, mean, users, items,
          isDegraded ? new String(d, StandardCharsets.UTF_8) : null);
    }
  }

  /** Decodes a float32 array value. */
  public static float[] floats(byte[] value) {
    if (value.length % 4 != 0) {
      throw new IllegalArgumentException("a float32 array of " + value.length + " bytes");
    }
    float[] out = new float[value.length / 4];
    ByteBuffer.wrap(value).asFloatBuffer().get(out);
    return out;
  }
}
