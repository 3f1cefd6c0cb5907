package io.mfstream.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.testing.UnitTest;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The branch-free dropout decision must drop exactly the elements that
 * {@code rnd.nextDouble() < p} drops, draw for draw, so masks (and so training) stay what they
 * were for every rate, not only for rates with a short binary expansion.
 */
@UnitTest
class DropoutMaskTest {

  @ParameterizedTest
  @ValueSource(doubles = {0.0, 1e-12, 0.1, 0.3, 0.5, 0.7, 0.9, 0.999999, 0x1p-53, 1 - 0x1p-53})
  void branchFreeDecisionShouldMatchNextDoubleBelowTheRate(double p) {
    SplittableRandom reference = new SplittableRandom(7);
    SplittableRandom draws = new SplittableRandom(7);
    long below = Side.dropBelow(p);
    long dropped = 0;
    for (int i = 0; i < 200_000; i++) {
      boolean drop = reference.nextDouble() < p;
      long kept = Side.kept(draws.nextLong(), below);
      assertEquals(drop ? 0 : 1, kept, "draw " + i + " at rate " + p);
      dropped += 1 - kept;
    }
    // And the rate is what it says (a loose check; the equality above is the real one).
    assertEquals(p, dropped / 200_000.0, 0.01);
  }

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L << 11, (1L << 11) - 1, -1L, Long.MIN_VALUE, Long.MAX_VALUE})
  void decisionShouldBeExactAtTheThreshold(long nextLong) {
    double value = (nextLong >>> 11) * 0x1.0p-53;
    for (double p : new double[] {value, Math.nextUp(value), Math.nextDown(value)}) {
      if (p < 0 || p >= 1) {
        continue;
      }
      assertEquals(value < p ? 0 : 1, Side.kept(nextLong, Side.dropBelow(p)), "p=" + p);
    }
  }
}
