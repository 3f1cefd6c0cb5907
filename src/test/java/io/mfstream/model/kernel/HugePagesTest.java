package io.mfstream.model.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Large tables come zeroed, and on Linux 6.1+ with THP not disabled, on huge pages. */
class HugePagesTest {

  @Test
  void aLargeTableShouldBeZeroedAndOnHugePages() throws IOException {
    INDArray t = HugePages.zeros(DataType.FLOAT, 8192, 1024);
    assertArrayEquals(new long[] {8192, 1024}, t.shape());
    assertEquals(0.0, t.amaxNumber().doubleValue(), "zeroed");

    assumeTrue(HugePages.available(), "no transparent huge pages here");
    assumeTrue(kernelAtLeast(6, 1), "MADV_COLLAPSE needs Linux 6.1");
    long kb = anonHugePagesKb(t.data().address(), t.length() * 4);
    assertTrue(kb >= 16 * 1024, "32 MiB table: " + kb + " kB of it on huge pages");
  }

  @Test
  void aSmallTableShouldBeAnOrdinaryZeroedArray() {
    INDArray t = HugePages.zeros(DataType.FLOAT, 16, 4);
    assertEquals(0.0, t.amaxNumber().doubleValue());
  }

  /**
   * AnonHugePages of the mappings of /proc/self/smaps that overlap {@code [address, address +
   * bytes)} (the advice splits the array's mapping at the first 2 MiB boundary).
   */
  private static long anonHugePagesKb(long address, long bytes) throws IOException {
    List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
    boolean inside = false;
    long kb = 0;
    for (String line : lines) {
      if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
        String[] range = line.substring(0, line.indexOf(' ')).split("-");
        inside = Long.parseUnsignedLong(range[0], 16) < address + bytes
            && address < Long.parseUnsignedLong(range[1], 16);
      } else if (inside && line.startsWith("AnonHugePages:")) {
        kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return kb;
  }

  private static boolean kernelAtLeast(int major, int minor) {
    String[] v = System.getProperty("os.version", "0.0").split("[.-]");
    try {
      int a = Integer.parseInt(v[0]);
      int b = v.length > 1 ? Integer.parseInt(v[1]) : 0;
      return a > major || (a == major && b >= minor);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
