package io.mfstream.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.testing.UnitTest;
import org.junit.jupiter.api.Test;

/** The statistics the benchmark prints (its timings are not tested: see docs/BENCHMARKS.md). */
@UnitTest
class TrainingBenchmarkTest {

  @Test
  void ratioToTheReferenceShouldPairRoundsBeforeTakingTheMedian() {
    // Per round: 2x, 1x, 3x the reference. The ratio of the medians would be 4 / 3.
    double[] rates = {2, 4, 9};
    double[] reference = {1, 4, 3};
    assertEquals(2.0, TrainingBenchmark.medianRatio(rates, reference), 0.0);
  }

  @Test
  void medianShouldBeTheMiddleValueAndTheUpperOneForAnEvenCount() {
    assertEquals(5.0, TrainingBenchmark.median(new double[] {9, 1, 5}), 0.0);
    assertEquals(7.0, TrainingBenchmark.median(new double[] {7, 1, 9, 3}), 0.0);
  }
}
