package io.mfstream.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mfstream.testing.UnitTest;
import org.junit.jupiter.api.Test;

@UnitTest
class HostKernelsTest {

  @Test
  void reluGateIsOneForExactlyThePositiveFloats() {
    for (float a : new float[] {Float.MIN_VALUE, 1e-38f, 1e-30f, 3.5f, Float.MAX_VALUE,
        Float.POSITIVE_INFINITY}) {
      assertEquals(1f, HostKernels.reluGate(a), "gate of " + a);
    }
    for (float a : new float[] {0f, -0f, -Float.MIN_VALUE, -1e-30f, Float.NEGATIVE_INFINITY}) {
      assertEquals(0f, HostKernels.reluGate(a), "gate of " + a);
      assertEquals(0, Float.floatToRawIntBits(HostKernels.reluGate(a)), "+0 for " + a);
    }
    assertEquals(Float.NaN, HostKernels.reluGate(Float.NaN));
  }

  @Test
  void shouldRejectRowOutsideTheTable() {
    var table = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 4,
        3);
    var out = org.nd4j.linalg.factory.Nd4j.create(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, 3);
    assertThrows(IndexOutOfBoundsException.class,
        () -> new HostKernels().gather(table, new int[] {1, 4}, 2, out));
  }
}
