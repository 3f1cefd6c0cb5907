package io.mfstream.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.kernel.HostKernels;
import io.mfstream.testing.UnitTest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Growth and state allocation keep every row's values and state, in both layouts. */
@UnitTest
class ParamTableTest {

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void valuesAndStateShouldSurviveStateAllocationAndGrowth(boolean interleaved) {
    HostKernels kernels = new HostKernels(interleaved);
    ParamTable t = new ParamTable("user-embedding", 4, false, DataType.FLOAT, 16, 8, kernels);
    append(t, kernels, 0, 10);
    float[] before = rows(t.values(), 10);
    t.allocateState(2);
    assertEquals(interleaved, t.values().isView(), "interleaved tables are views of one array");
    assertArrayEquals(before, rows(t.values(), 10), "values kept by allocateState");
    t.state(0).get(NDArrayIndex.interval(0, 10), NDArrayIndex.all()).assign(7);
    t.state(1).get(NDArrayIndex.interval(0, 10), NDArrayIndex.all()).assign(-3);

    append(t, kernels, 10, 30);
    assertTrue(t.capacity() >= 40, "grown to " + t.capacity());
    assertArrayEquals(before, rows(t.values(), 10), "values kept by growth");
    for (float f : rows(t.state(0), 10)) {
      assertEquals(7f, f);
    }
    for (float f : rows(t.state(1), 10)) {
      assertEquals(-3f, f);
    }
    float[] fresh = t.state(0).get(NDArrayIndex.interval(10, 40), NDArrayIndex.all()).dup()
        .data().asFloat();
    for (float f : fresh) {
      assertEquals(0f, f, "new rows start with zero state");
    }
    float[] newValues = rows(t.values(), 40);
    int nonZero = 0;
    for (int i = 40; i < newValues.length; i++) {
      nonZero += newValues[i] != 0 ? 1 : 0;
    }
    assertTrue(nonZero > 100, "new rows are initialised");
  }

  private static void append(ParamTable t, HostKernels kernels, int from, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add("u" + (from + i));
    }
    t.append(ids, from, 42, 0.1, kernels, new int[4], new double[16]);
  }

  private static float[] rows(INDArray a, int n) {
    return a.get(NDArrayIndex.interval(0, n), NDArrayIndex.all()).dup().data().asFloat();
  }
}
