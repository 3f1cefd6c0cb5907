package io.mfstream.layering.violation.stream;

import org.nd4j.linalg.factory.Nd4j;

/** Breaks a layering rule on purpose (LayeringTest): a "stream" class that does ND4J maths. */
public final class StreamThatDoesMaths {
  private StreamThatDoesMaths() {}

  public static Object broken() {
    return Nd4j.zeros(2);
  }
}
