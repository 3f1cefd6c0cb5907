package io.mfstream.stream.serde;

import io.mfstream.stream.messages.RatingEvent;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The compact binary form of a {@link RatingEvent} on the internal {@code ratings-valid} topic,
 * which only mfstream writes and reads; people type JSON into {@code ratings}, and the validation
 * step re-encodes what it accepts in this form. All numbers big-endian:
 *
 * <pre>
 *   u8      format, {@value #FORMAT}: checked on read
 *   f32     rating
 *   u8      flags: bit 0 set when a timestamp follows
 *   i64     timestamp, seconds since the epoch (only with flag bit 0)
 *   varint  user id length in bytes, then the id in UTF-8
 *   varint  item id length in bytes, then the id in UTF-8
 * </pre>
 *
 * Lengths are unsigned LEB128 varints (7 bits a byte, low bits first). A record of another
 * format, a truncated one, trailing bytes or ids that are not UTF-8 are a
 * {@link SerializationException} that says which.
 *
 * <p>Builds before this form wrote {@code ratings-valid} as {@link RatingEvent} JSON. A record
 * that starts with <code>{</code> (byte 0x7b, never a format byte) is read as that JSON, so an
 * upgrade with records of the older build still in the topic learns from them as well.
 */
public final class RatingEventCodec implements Serde<RatingEvent>, Serializer<RatingEvent>,
    Deserializer<RatingEvent> {
  /** The format this build writes and reads. */
  public static final int FORMAT = 1;
  private static final int HAS_TIMESTAMP = 1;
  private static final int LEGACY_JSON = '{';
  private static final JsonSerde<RatingEvent> LEGACY = JsonSerde.of(RatingEvent.class);

  @Override
  public byte[] serialize(String topic, RatingEvent e) {
    if (e == null) {
      return null;
    }
    byte[] user = e.user().getBytes(StandardCharsets.UTF_8);
    byte[] item = e.item().getBytes(StandardCharsets.UTF_8);
    boolean ts = e.timestamp() != null;
    ByteBuffer b = ByteBuffer.allocate(1 + 4 + 1 + (ts ? 8 : 0) + varintSize(user.length)
        + user.length + varintSize(item.length) + item.length);
    b.put((byte) FORMAT).putFloat(e.rating()).put((byte) (ts ? HAS_TIMESTAMP : 0));
    if (ts) {
      b.putLong(e.timestamp());
    }
    putVarint(b, user.length);
    b.put(user);
    putVarint(b, item.length);
    b.put(item);
    return b.array();
  }

  @Override
  public RatingEvent deserialize(String topic, byte[] data) {
    if (data == null) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    try {
      int format = b.get() & 0xff;
      if (format == LEGACY_JSON) {
        return legacy(topic, data);
      }
      if (format != FORMAT) {
        throw new SerializationException(topic + ": rating record format " + format
            + "; this build reads format " + FORMAT);
      }
      float rating = b.getFloat();
      int flags = b.get() & 0xff;
      if ((flags & ~HAS_TIMESTAMP) != 0) {
        throw new SerializationException(topic + ": rating record with unknown flags " + flags);
      }
      Long timestamp = (flags & HAS_TIMESTAMP) != 0 ? b.getLong() : null;
      String user = string(b, topic, "user");
      String item = string(b, topic, "item");
      if (b.hasRemaining()) {
        throw new SerializationException(topic + ": " + b.remaining()
            + " bytes after a rating record");
      }
      return new RatingEvent(user, item, rating, timestamp);
    } catch (BufferUnderflowException e) {
      throw new SerializationException(topic + ": truncated rating record (" + data.length
          + " bytes)", e);
    } catch (IllegalArgumentException e) {
      throw new SerializationException(topic + ": invalid rating record: " + e.getMessage(), e);
    }
  }

  private static RatingEvent legacy(String topic, byte[] data) {
    try {
      return LEGACY.fromBytes(data);
    } catch (SerializationException e) {
      throw new SerializationException(topic + ": " + e.getMessage(), e);
    }
  }

  private static String string(ByteBuffer b, String topic, String field) {
    int n;
    try {
      n = getVarint(b);
    } catch (SerializationException e) {
      throw new SerializationException(topic + ": rating record's " + field + " id length: "
          + e.getMessage());
    }
    if (n > b.remaining()) {
      throw new SerializationException(topic + ": rating record's " + field + " id of " + n
          + " bytes, " + b.remaining() + " left");
    }
    ByteBuffer slice = b.slice(b.position(), n);
    b.position(b.position() + n);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
    } catch (CharacterCodingException e) {
      throw new SerializationException(topic + ": rating record's " + field
          + " id is not UTF-8", e);
    }
  }

  static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7f) != 0) {
      v >>>= 7;
      n++;
    }
    return n;
  }

  static void putVarint(ByteBuffer b, int v) {
    while ((v & ~0x7f) != 0) {
      b.put((byte) ((v & 0x7f) | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
  }

  /**
   * Reads a non-negative int written by {@link #putVarint}: at most five bytes, the fifth holding
   * the top three bits, and no trailing zero groups (each length has one encoding).
   */
  static int getVarint(ByteBuffer b) {
    int v = 0;
    for (int shift = 0; shift < 32; shift += 7) {
      int x = b.get() & 0xff;
      if (shift == 28 && x > 0x07) {
        throw new SerializationException("a length varint out of range");
      }
      if (shift > 0 && x == 0) {
        throw new SerializationException("a length varint with a needless zero byte");
      }
      v |= (x & 0x7f) << shift;
      if ((x & 0x80) == 0) {
        return v;
      }
    }
    throw new SerializationException("a length varint out of range"); // not reached
  }

  @Override
  public void configure(java.util.Map<String, ?> configs, boolean isKey) {}

  @Override
  public void close() {}

  @Override
  public Serializer<RatingEvent> serializer() {
    return this;
  }

  @Override
  public Deserializer<RatingEvent> deserializer() {
    return this;
  }
}
