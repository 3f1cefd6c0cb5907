package io.mfstream.json;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration of the application: messages on the topics, the HTTP API, the
 * state store's and snapshots' JSON records, the commands' summaries.
 *
 * <p>Reading is strict: anything but one complete JSON value (trailing tokens), {@code NaN} and
 * infinities, a field given twice, a scalar of the wrong JSON type (no coercion, no fraction
 * truncated into an integer, no {@code null} for a primitive) is refused. Unknown properties are
 * ignored (the tolerant-reader rule: a producer may add a field). {@code
 * io.mfstream.stream.serde.JsonSerde} says what this means for each message.
 */
public final class JsonMappers {
  private static final ObjectMapper STRICT = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
      .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
      .build();

  private static final ObjectWriter PRETTY = STRICT.writerWithDefaultPrettyPrinter();

  private JsonMappers() {}

  /** The shared mapper. Thread-safe; never reconfigure it ({@link ObjectMapper#copy()} first). */
  public static ObjectMapper mapper() {
    return STRICT;
  }

  /** The shared mapper's writer, indented: for what people read (summaries, reports). */
  public static ObjectWriter pretty() {
    return PRETTY;
  }
}
