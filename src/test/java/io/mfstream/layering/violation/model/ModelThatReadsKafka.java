package io.mfstream.layering.violation.model;

import io.mfstream.layering.violation.stream.StreamThatDoesMaths;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Breaks two layering rules on purpose (LayeringTest): a "model" class that uses Kafka and the
 * "stream" layer beside it. Never used.
 */
final class ModelThatReadsKafka {
  private ModelThatReadsKafka() {}

  static Object broken() {
    return Serdes.String() + String.valueOf(StreamThatDoesMaths.broken());
  }
}
