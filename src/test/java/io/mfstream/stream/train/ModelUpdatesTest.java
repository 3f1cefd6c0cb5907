package io.mfstream.stream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.ModelType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The model-updates header's bytes, pinned by a golden file, and its format check. */
class ModelUpdatesTest {
  private static final ModelUpdates.Header LEARNING = new ModelUpdates.Header(
      ModelType.BIASED_MF, 64, 0, 1520, 97280, 3.53, 943, 1682);
  private static final ModelUpdates.Header DEGRADED = new ModelUpdates.Header(
      ModelType.BIASED_MF, 64, 0, 1520, 97280, 3.53, 943, 1682,
      "DivergedException: loss is NaN");

  @Test
  void shouldEncodeFormatTwoExactlyAsTheGoldenFile() throws IOException {
    List<byte[]> golden = golden("golden/model-updates-header-v2.hex");
    assertArrayEquals(golden.get(0), LEARNING.encode());
    assertArrayEquals(golden.get(1), DEGRADED.encode());
    assertEquals(LEARNING, ModelUpdates.Header.decode(golden.get(0)));
    assertEquals(DEGRADED, ModelUpdates.Header.decode(golden.get(1)));
  }

  @Test
  void shouldReadFormatOneAsAnOlderBuildWroteIt() throws IOException {
    // Replicas of this build read headers an older trainer left in model-updates.
    assertEquals(LEARNING, ModelUpdates.Header.decode(
        golden("golden/model-updates-header-v1.hex").get(0)));
  }

  @Test
  void shouldRefuseAnotherFormat() {
    byte[] v3 = LEARNING.encode();
    v3[3] = 3;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelUpdates.Header.decode(v3));
    assertTrue(e.getMessage().contains("format 3; this build reads 1 and 2"), e.getMessage());
  }

  private static List<byte[]> golden(String resource) throws IOException {
    try (InputStream in = ModelUpdatesTest.class.getClassLoader().getResourceAsStream(resource)) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines()
          .filter(l -> !l.startsWith("#") && !l.isBlank())
          .map(l -> HexFormat.of().parseHex(l.strip())).toList();
    }
  }
}
