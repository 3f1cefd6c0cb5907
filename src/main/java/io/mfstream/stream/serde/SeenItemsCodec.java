package io.mfstream.stream.serde;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Records of the {@code seen-items} store (and so of its changelog, which the serving replicas
 * read): the items each user has rated, in chunks of {@value #CHUNK} in the order they were
 * rated, so that a rating rewrites one small record, its user's last chunk.
 *
 * <pre>
 *   key    user length(2) user(UTF-8) chunk(4)            big-endian; chunk c holds the user's
 *                                                         items c * CHUNK to c * CHUNK + CHUNK - 1
 *   value  FORMAT(1) count(1), then count times: item length(2) item(UTF-8)
 * </pre>
 *
 * An item rated twice appears twice. Readers check the format byte.
 */
public final class SeenItemsCodec {
  private SeenItemsCodec() {}

  public static final byte FORMAT = 1;
  /** Items per chunk. */
  public static final int CHUNK = 16;

  /** A decoded key. */
  public record Key(String user, int chunk) {}

  public static byte[] key(String user, int chunk) {
    byte[] u = utf8(user);
    return ByteBuffer.allocate(2 + u.length + 4).putShort((short) u.length).put(u).putInt(chunk)
        .array();
  }

  public static Key decodeKey(byte[] key) {
    if (key.length < 6) {
      throw new IllegalArgumentException("a seen-items key of " + key.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(key);
    int n = b.getShort() & 0xFFFF;
    if (key.length != 2 + n + 4) {
      throw new IllegalArgumentException("a seen-items key of " + key.length + " bytes for a "
          + n + "-byte user");
    }
    String user = new String(key, 2, n, StandardCharsets.UTF_8);
    return new Key(user, b.getInt(2 + n));
  }

  /** How many items a chunk holds. */
  public static int count(byte[] value) {
    checkFormat(value);
    return value[1] & 0xFF;
  }

  /** The chunk {@code value} (null: an empty one) with {@code item} appended. */
  public static byte[] append(byte[] value, String item) {
    byte[] i = utf8(item);
    if (value == null) {
      return ByteBuffer.allocate(2 + 2 + i.length).put(FORMAT).put((byte) 1)
          .putShort((short) i.length).put(i).array();
    }
    int count = count(value);
    if (count >= CHUNK) {
      throw new IllegalArgumentException("a full chunk");
    }
    ByteBuffer b = ByteBuffer.allocate(value.length + 2 + i.length);
    b.put(value).putShort((short) i.length).put(i);
    b.put(1, (byte) (count + 1));
    return b.array();
  }

  public static List<String> items(byte[] value) {
    int count = count(value);
    List<String> out = new ArrayList<>(count);
    ByteBuffer b = ByteBuffer.wrap(value, 2, value.length - 2);
    for (int j = 0; j < count; j++) {
      if (b.remaining() < 2) {
        throw new IllegalArgumentException("a seen-items chunk cut short at item " + j);
      }
      int n = b.getShort() & 0xFFFF;
      if (n > b.remaining()) {
        throw new IllegalArgumentException("a seen-items chunk cut short at item " + j);
      }
      out.add(new String(value, b.position(), n, StandardCharsets.UTF_8));
      b.position(b.position() + n);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("a seen-items chunk with " + b.remaining()
          + " bytes to spare");
    }
    return out;
  }

  private static void checkFormat(byte[] value) {
    if (value.length < 2 || value[0] != FORMAT) {
      throw new IllegalArgumentException(value.length < 2 ? "a seen-items chunk of "
          + value.length + " bytes" : "a seen-items chunk of format " + value[0]
          + "; this build reads " + FORMAT);
    }
  }

  private static byte[] utf8(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    if (b.length > 0xFFFF) {
      throw new IllegalArgumentException("an id of " + b.length + " bytes (at most 65535)");
    }
    return b;
  }
}
