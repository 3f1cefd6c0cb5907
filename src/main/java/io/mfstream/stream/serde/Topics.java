package io.mfstream.stream.serde;

import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.messages.RmseReport;
import java.util.List;
import org.apache.kafka.common.serialization.Serdes;

/**
 * Every topic mfstream declares, with its serdes. {@code docs/TOPICS.md} describes each one (key,
 * value, writer, reader); the broker-side definitions live in {@code topics/}.
 *
 * <p>Two more topics are not declared here: the core application's store changelogs, which Kafka
 * Streams owns and names ({@code <application.id>-model-state-changelog} and
 * {@code <application.id>-seen-items-changelog}, see
 * {@link io.mfstream.stream.PipelineTopology#changelog}) and which the serving replicas read. Their
 * records are {@link io.mfstream.train.ModelStateFormat}'s and {@link SeenItemsCodec}'s.
 */
public final class Topics {
  private Topics() {}

  /**
   * Incoming ratings, as raw bytes: they are parsed by the validation step, never by a
   * deserializer, so that bad input cannot fail the consumer. Values are {@link RatingEvent} JSON
   * when well formed; keys are whatever the producer chose (often the user id, or none).
   */
  public static final Topic<byte[], byte[]> RATINGS =
      new Topic<>("ratings", Serdes.ByteArray(), Serdes.ByteArray());

  /**
   * Ratings the validation step rejected: the original key and value bytes, unchanged, with the
   * reason and the source position in {@code mfstream.dlq.*} headers.
   */
  public static final Topic<byte[], byte[]> RATINGS_DLQ =
      new Topic<>("ratings-dlq", Serdes.ByteArray(), Serdes.ByteArray());

  /**
   * Ratings that passed validation, re-encoded in the compact binary {@link RatingEventCodec}
   * form, with the original key bytes. Written and read by mfstream itself: JSON costs a parse
   * per model per rating here, and nobody types into this topic.
   */
  public static final Topic<byte[], RatingEvent> RATINGS_VALID =
      new Topic<>("ratings-valid", Serdes.ByteArray(), new RatingEventCodec());

  /** Prediction requests; the key is the client's choice and is not used. */
  public static final Topic<String, PredictionRequest> PREDICTION_REQUESTS =
      new Topic<>("prediction-requests", Serdes.String(), JsonSerde.of(PredictionRequest.class));

  /** Predictions, keyed by request id. */
  public static final Topic<String, Prediction> PREDICTIONS =
      new Topic<>("predictions", Serdes.String(), JsonSerde.of(Prediction.class));

  /** Recommendation requests; the key is the client's choice and is not used. */
  public static final Topic<String, RecommendationRequest> RECOMMENDATION_REQUESTS =
      new Topic<>("recommendation-requests", Serdes.String(),
          JsonSerde.of(RecommendationRequest.class));

  /** Recommendations, keyed by request id. */
  public static final Topic<String, Recommendation> RECOMMENDATIONS =
      new Topic<>("recommendations", Serdes.String(), JsonSerde.of(Recommendation.class));

  /** Rolling prequential RMSE reports, keyed by model name. */
  public static final Topic<String, RmseReport> RMSE =
      new Topic<>("rmse", Serdes.String(), JsonSerde.of(RmseReport.class));

  /** Every topic above: the ones a running pipeline needs to find on the cluster. */
  public static final List<Topic<?, ?>> ALL = List.of(RATINGS, RATINGS_DLQ, RATINGS_VALID,
      PREDICTION_REQUESTS, PREDICTIONS, RECOMMENDATION_REQUESTS, RECOMMENDATIONS, RMSE);
}
