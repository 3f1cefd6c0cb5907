package io.mfstream.stream.messages;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import java.io.IOException;

/**
 * Reads an id that may be a JSON string or a JSON integer ({@code "42"} and {@code 42} are the
 * same id, {@code "42"}). Anything else, including {@code 4.2}, {@code 1e3}, booleans, arrays and
 * objects, is an error: an id is a name, and a fractional or exponent number is almost surely a
 * mistake. Integers keep their exact decimal text, however large. Strings are taken as they are;
 * blank and length checks belong to the record or the validator.
 */
public final class IdDeserializer extends StdScalarDeserializer<String> {
  private static final long serialVersionUID = 1L;

  public IdDeserializer() {
    super(String.class);
  }

  @Override
  public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
    JsonToken token = p.currentToken();
    if (token == JsonToken.VALUE_STRING) {
      return p.getText();
    }
    if (token == JsonToken.VALUE_NUMBER_INT) {
      return p.getText();
    }
    return (String) ctxt.handleUnexpectedToken(
        String.class, token, p, "an id must be a JSON string or integer, not %s", token);
  }
}
