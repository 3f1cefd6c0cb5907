package io.mfstream.stream.serve;

import io.mfstream.model.ModelType;
import io.mfstream.stream.serde.SeenItemsCodec;
import io.mfstream.train.ModelStateFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Records of a trainer's state store written by hand, byte by byte as {@link ModelStateFormat}
 * documents them, to feed replicas with chosen values.
 */
public final class StateRecords {
  private StateRecords() {}

  public static byte[] configKey() {
    return ModelStateFormat.key(ModelStateFormat.CONFIG);
  }

  /** A configuration record: only what a replica reads of it. */
  public static byte[] config(ModelType type, int factors, int hidden) {
    return ("{\"name\":\"m\",\"model\":{\"type\":\"" + type.id() + "\",\"factors\":" + factors
        + ",\"hidden\":" + hidden + "}}").getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] countersKey() {
    return ModelStateFormat.key(ModelStateFormat.COUNTERS);
  }

  /** Counters whose mean is {@code mean} (over {@code trained} ratings). */
  public static byte[] counters(long version, long trained, double mean, int users, int items) {
    return new ModelStateFormat.Counters(version, trained, mean * trained, trained, trained, 0, 0,
        0, 0, 0, users, items, 0).encode();
  }

  public static byte[] userKey(int row) {
    return ModelStateFormat.rowKey(ModelStateFormat.USERS, row);
  }

  public static byte[] itemKey(int row) {
    return ModelStateFormat.rowKey(ModelStateFormat.ITEMS, row);
  }

  /**
   * A row of one float32 table of the values' width with one optimiser slot (filled with 9s, which
   * a replica must not read).
   */
  public static byte[] row(String id, float... values) {
    byte[] u = id.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(4 + 2 + 2 + u.length + 2 * 4 * values.length);
    b.put((byte) ModelStateFormat.FORMAT).put((byte) 4).put((byte) 1).put((byte) 1);
    b.putShort((short) values.length).putShort((short) u.length).put(u);
    for (float v : values) {
      b.putFloat(v);
    }
    for (int j = 0; j < values.length; j++) {
      b.putFloat(9f);
    }
    return b.array();
  }

  public static byte[] denseKey(int index) {
    return ModelStateFormat.key(ModelStateFormat.DENSE, index);
  }

  /** A float32 dense parameter without optimiser state. */
  public static byte[] dense(float... values) {
    ByteBuffer b = ByteBuffer.allocate(7 + 4 * values.length);
    b.put((byte) ModelStateFormat.FORMAT).put((byte) 4).put((byte) 0).putInt(values.length);
    for (float v : values) {
      b.putFloat(v);
    }
    return b.array();
  }

  public static byte[] degradedKey() {
    return ModelStateFormat.key(ModelStateFormat.DEGRADED);
  }

  /** Feeds a whole model: configuration, counters, then rows (ids with their values). */
  public static void model(Replicas r, int model, ModelType type, int factors, int hidden,
      long version, long trained, double mean, List<String> users, List<float[]> userRows,
      List<String> items, List<float[]> itemRows) {
    r.apply(model, configKey(), config(type, factors, hidden));
    r.apply(model, countersKey(), counters(version, trained, mean, users.size(), items.size()));
    for (int j = 0; j < users.size(); j++) {
      r.apply(model, userKey(j), row(users.get(j), userRows.get(j)));
    }
    for (int j = 0; j < items.size(); j++) {
      r.apply(model, itemKey(j), row(items.get(j), itemRows.get(j)));
    }
  }

  /** Feeds that {@code user} rated {@code items}, from the user's first chunk on. */
  public static void seen(Replicas r, String user, String... items) {
    byte[] chunk = null;
    int c = 0;
    for (String item : items) {
      if (chunk != null && SeenItemsCodec.count(chunk) == SeenItemsCodec.CHUNK) {
        c++;
        chunk = null;
      }
      chunk = SeenItemsCodec.append(chunk, item);
      r.applySeen(0, SeenItemsCodec.key(user, c), chunk);
    }
  }
}
