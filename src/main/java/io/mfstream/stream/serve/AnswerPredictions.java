package io.mfstream.stream.serve;

import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.status.PipelineMetrics;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * Answers each prediction request once per model ({@link AnswerRequests}): one {@link
 * Prediction} per model, the predicted rating of the pair.
 */
public final class AnswerPredictions extends AnswerRequests<PredictionRequest, Prediction> {

  public static ProcessorSupplier<String, PredictionRequest, String, Prediction> supplier(
      Replicas replicas, PipelineMetrics metrics) {
    return () -> new AnswerPredictions(replicas, metrics);
  }

  AnswerPredictions(Replicas replicas, PipelineMetrics metrics) {
    super(replicas, metrics, PipelineMetrics.RequestKind.PREDICTION);
  }

  @Override
  String requestId(PredictionRequest q) {
    return q.requestId();
  }

  @Override
  Function<ModelReplica, Prediction> answerer(PredictionRequest q, long now) {
    return r -> r.predict(q.requestId(), q.user(), q.item(), now);
  }
}
