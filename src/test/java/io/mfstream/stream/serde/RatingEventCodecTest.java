package io.mfstream.stream.serde;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

@UnitTest
class RatingEventCodecTest {
  private final RatingEventCodec codec = new RatingEventCodec();

  @Test
  void shouldEncodeFormatOneExactlyAsTheGoldenFile() throws IOException {
    byte[] golden = golden("golden/rating-event-v1.hex");
    RatingEvent e = new RatingEvent("196", "242", 3.5f, 881250949L);
    assertArrayEquals(golden, codec.serialize("ratings-valid", e));
    assertEquals(e, codec.deserialize("ratings-valid", golden));
  }

  @Test
  void shouldRoundTripEventsWithAndWithoutTimestampAndAnyIds() {
    String longId = "x".repeat(300) + "é🎬"; // a two-byte length varint, multi-byte UTF-8
    for (RatingEvent e : new RatingEvent[] {
        new RatingEvent("u", "i", 0.5f, null),
        new RatingEvent(longId, "item/with/slashes", 5f, -1L),
        new RatingEvent("ユーザー", longId, 4.25f, Long.MAX_VALUE)}) {
      assertEquals(e, codec.deserialize("t", codec.serialize("t", e)));
    }
    assertNull(codec.serialize("t", null));
    assertNull(codec.deserialize("t", null));
  }

  @Test
  void shouldReadTheJsonOfOlderBuildsAndSayWhatIsWrongWithBadJson() {
    // What builds before the binary form wrote to ratings-valid (JsonSerde of RatingEvent).
    byte[] json = "{\"user\":\"196\",\"item\":\"242\",\"rating\":3.0,\"timestamp\":881250949}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(new RatingEvent("196", "242", 3f, 881250949L),
        codec.deserialize("ratings-valid", json));
    assertEquals(new RatingEvent("196", "242", 3f, 881250949L), codec.deserialize("ratings-valid",
        JsonSerde.of(RatingEvent.class).toBytes(new RatingEvent("196", "242", 3f, 881250949L))));
    assertMessage("{\"user\":".getBytes(StandardCharsets.UTF_8), "not a valid RatingEvent");
  }

  @Test
  void shouldRefuseAnotherFormatTruncationTrailingBytesAndBadIds() throws IOException {
    byte[] good = golden("golden/rating-event-v1.hex");

    byte[] v2 = good.clone();
    v2[0] = 2;
    assertMessage(v2, "format 2; this build reads format 1");
    assertMessage(Arrays.copyOf(good, good.length - 2), "item id of 3 bytes, 1 left");
    assertMessage(Arrays.copyOf(good, 7), "truncated");
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertMessage(trailing, "1 bytes after a rating record");
    byte[] badUtf8 = good.clone();
    badUtf8[good.length - 1] = (byte) 0xff;
    assertMessage(badUtf8, "item id is not UTF-8");
    byte[] flags = good.clone();
    flags[5] = 3;
    assertMessage(flags, "unknown flags 3");
    // The user id's length (after format, rating, flags and timestamp) in needless or too many
    // bytes.
    int at = 1 + 4 + 1 + 8;
    byte[] overlong = new byte[good.length + 1];
    System.arraycopy(good, 0, overlong, 0, at);
    overlong[at] = (byte) (good[at] | 0x80);
    overlong[at + 1] = 0;
    System.arraycopy(good, at + 1, overlong, at + 2, good.length - at - 1);
    assertExactly(overlong, "user id length: a length varint with a needless zero byte");
    byte[] huge = Arrays.copyOf(good, at + 5);
    for (int j = 0; j < 4; j++) {
      huge[at + j] = (byte) 0xff;
    }
    huge[at + 4] = 0x10; // bits 32 and up: no int length has them
    assertExactly(huge, "user id length: a length varint out of range");
    byte[] blank = codec.serialize("t", new RatingEvent("u", "i", 1f, null));
    blank[blank.length - 1] = ' ';
    assertMessage(blank, "invalid rating record");
  }

  private void assertExactly(byte[] data, String part) {
    SerializationException e = assertThrows(SerializationException.class,
        () -> codec.deserialize("ratings-valid", data));
    assertTrue(e.getMessage().contains(part), e.getMessage() + " should say " + part);
  }

  private void assertMessage(byte[] data, String part) {
    SerializationException e = assertThrows(SerializationException.class,
        () -> codec.deserialize("ratings-valid", data));
    assertTrue(e.getMessage().contains(part) || e.getMessage().contains("truncated"),
        e.getMessage() + " should say " + part);
    assertTrue(e.getMessage().startsWith("ratings-valid: "), e.getMessage());
  }

  static byte[] golden(String resource) throws IOException {
    try (InputStream in = RatingEventCodecTest.class.getClassLoader()
        .getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      String hex = text.lines().filter(l -> !l.startsWith("#")).reduce("", String::concat);
      return HexFormat.of().parseHex(hex.strip());
    }
  }
}
