package io.mfstream.model.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostKernelsTest {

  @Test
  void reluMaskKeepsExactlyPositiveFloats() {
    assertEquals(-1, HostKernels.reluMask(1e-30f));
    assertEquals(-1, HostKernels.reluMask(Float.MIN_VALUE));
    assertEquals(-1, HostKernels.reluMask(3.5f));
    assertEquals(-1, HostKernels.reluMask(Float.POSITIVE_INFINITY));
    assertEquals(0, HostKernels.reluMask(0f));
    assertEquals(0, HostKernels.reluMask(-0f));
    assertEquals(0, HostKernels.reluMask(-1e-30f));
    assertEquals(0, HostKernels.reluMask(Float.NEGATIVE_INFINITY));
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
