package io.mfstream.stream.validate;

import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.status.PipelineMetrics;
import java.util.Objects;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;

/**
 * The validation step as a topology of its own: {@code ratings} (raw bytes) →
 * {@link ValidateRatings} → valid ratings as {@link io.mfstream.stream.messages.RatingEvent} JSON
 * on an output topic, rejected records on {@code ratings-dlq}. Building it starts nothing, so the
 * same topology runs in {@code TopologyTestDriver}, against an embedded broker and in production.
 */
public final class ValidationTopology {

  public static final String SOURCE = "ratings-source";
  public static final String PROCESSOR = "validate-ratings";

  private ValidationTopology() {}

  /**
   * Validation from {@code ratings} to {@code ratings-valid} and {@code ratings-dlq}, with counters
   * nobody reads; use the other overload to observe them.
   */
  public static Topology buildValidationTopology(ValidatorConfig config) {
    return buildValidationTopology(config, Topics.RATINGS_VALID.name(), new RejectionCounts());
  }

  /**
   * Validation from {@code ratings} to {@code validTopic} and {@code ratings-dlq}.
   *
   * @param config the validator's limits
   * @param validTopic where valid ratings go, as {@code RatingEvent} JSON with the original key
   * @param counts where rejections are counted, per reason
   */
  public static Topology buildValidationTopology(
      ValidatorConfig config, String validTopic, RejectionCounts counts) {
    Objects.requireNonNull(validTopic, "validTopic");
    Topology topology = new Topology();
    addTo(topology, config, validTopic, null, counts, PipelineMetrics.NONE, false);
    return topology;
  }

  /**
   * Adds the validation step to a topology: {@code ratings} → {@link ValidateRatings} → valid
   * ratings on {@code validTopic}, rejected records on {@code ratings-dlq}.
   *
   * @param partitioner where valid ratings go in {@code validTopic}, or null for the producer's
   *     default (by key)
   * @param metrics told of every record read
   * @param seenChild whether the validation step also forwards valid ratings to a child named
   *     {@link ValidateRatings#SEEN_CHILD}, which the caller adds
   */
  public static void addTo(Topology topology, ValidatorConfig config, String validTopic,
      StreamPartitioner<byte[], RatingEvent> partitioner, RejectionCounts counts,
      PipelineMetrics metrics, boolean seenChild) {
    topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        Topics.RATINGS.name());
    topology.addProcessor(PROCESSOR,
        new ValidateRatings.Supplier(new RatingValidator(config), counts, metrics, seenChild),
        SOURCE);
    topology.addSink(ValidateRatings.VALID_CHILD, validTopic, new ByteArraySerializer(),
        Topics.RATINGS_VALID.valueSerde().serializer(), partitioner, PROCESSOR);
    topology.addSink(ValidateRatings.DLQ_CHILD, Topics.RATINGS_DLQ.name(),
        new ByteArraySerializer(), new ByteArraySerializer(), PROCESSOR);
  }
}
