package io.mfstream.cli;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.mfstream.json.JsonMappers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** JSON output of summaries. NaN and infinities become null (JSON has no such numbers). */
final class Json {
  private static final ObjectWriter PRETTY = JsonMappers.pretty();

  private Json() {}

  static Double number(double d) {
    return Double.isFinite(d) ? d : null;
  }

  static String write(Object value) {
    try {
      return PRETTY.writeValueAsString(value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void write(Object value, Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, write(value) + System.lineSeparator());
  }
}
