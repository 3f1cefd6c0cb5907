package io.mfstream.stream.serde;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.mfstream.json.JsonMappers;
import java.io.IOException;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A serde between a Java type (a message record) and UTF-8 JSON, using the application's one
 * strictly configured {@link ObjectMapper} ({@link JsonMappers#mapper()}).
 *
 * <p>What is rejected, with a {@link SerializationException}:
 *
 * <ul>
 *   <li>anything that is not one complete JSON value: malformed JSON, trailing garbage after it
 *       ({@code {"n":1} x}), empty input, and the literal {@code null};
 *   <li>{@code NaN} and {@code Infinity} (not JSON; Jackson's default already refuses them);
 *   <li>a field given twice ({@code {"rating":1,"rating":5}}: which one was meant?);
 *   <li>a scalar of the wrong JSON type: no string-to-number or number-to-boolean coercion, no
 *       fractional number truncated into an integer field, no {@code null} for a primitive;
 *   <li>a missing required field, and anything the record's constructor refuses (a blank id, a
 *       non-finite rating, {@code n} out of range).
 * </ul>
 *
 * <p><b>Unknown properties are ignored.</b> This is the tolerant-reader rule: a producer may add a
 * field (a source tag, a trace id) without every older consumer turning its messages into errors.
 * The cost is that a misspelt <em>optional</em> field ({@code "timestmap"}) goes unnoticed; a
 * misspelt required field is still caught, as missing.
 *
 * <p>A {@code null} byte array (a tombstone) deserializes to {@code null} and {@code null}
 * serializes to {@code null}, as Kafka's own serdes do. Id fields of the message records accept
 * JSON integers as well as strings (see {@link io.mfstream.stream.messages.IdDeserializer}).
 * Instances are immutable and thread-safe; {@code configure} and {@code close} do nothing.
 *
 * @param <T> the value type
 */
public final class JsonSerde<T> implements Serde<T> {

  private static final ObjectMapper MAPPER = JsonMappers.mapper();

  private final Class<T> type;
  private final ObjectReader reader;
  private final ObjectWriter writer;

  private JsonSerde(Class<T> type) {
    this.type = Objects.requireNonNull(type, "type");
    this.reader = MAPPER.readerFor(type);
    this.writer = MAPPER.writerFor(type);
  }

  /** A serde for {@code type}. */
  public static <T> JsonSerde<T> of(Class<T> type) {
    return new JsonSerde<>(type);
  }

  /** {@code value} as JSON bytes, or {@code null} for {@code null}. */
  public byte[] toBytes(T value) {
    if (value == null) {
      return null;
    }
    try {
      return writer.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new SerializationException(
          "cannot write " + type.getSimpleName() + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The value in {@code json}, or {@code null} for {@code null} bytes. */
  public T fromBytes(byte[] json) {
    if (json == null) {
      return null;
    }
    T value;
    try {
      value = reader.readValue(json);
    } catch (JsonProcessingException e) {
      throw new SerializationException("not a valid " + type.getSimpleName() + " in JSON: "
          + describe(e), e);
    } catch (IOException e) {
      throw new SerializationException("cannot read " + type.getSimpleName() + ": " + e, e);
    }
    if (value == null) {
      throw new SerializationException("JSON null is not a " + type.getSimpleName());
    }
    return value;
  }

  /** Jackson's message without a source excerpt, and where in the input it happened. */
  static String describe(JsonProcessingException e) {
    String message = e.getOriginalMessage();
    if (e.getLocation() != null && e.getLocation().getLineNr() > 0) {
      message += " (line " + e.getLocation().getLineNr() + ", column "
          + e.getLocation().getColumnNr() + ")";
    }
    return message;
  }

  @Override
  public Serializer<T> serializer() {
    return (topic, value) -> toBytes(value);
  }

  @Override
  public Deserializer<T> deserializer() {
    return (topic, data) -> fromBytes(data);
  }
}
