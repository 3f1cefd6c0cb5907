package io.mfstream.stream.serve;

import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.status.PipelineMetrics;
import java.util.List;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;

/**
 * Answers each recommendation request once per model ({@link AnswerRequests}): the top-n items by
 * predicted rating that the user has not rated (every rating the pipeline has seen counts as
 * rated), best first.
 */
public final class AnswerRecommendations
    extends AnswerRequests<RecommendationRequest, Recommendation> {

  public static ProcessorSupplier<String, RecommendationRequest, String, Recommendation> supplier(
      Replicas replicas, PipelineMetrics metrics) {
    return () -> new AnswerRecommendations(replicas, metrics);
  }

  AnswerRecommendations(Replicas replicas, PipelineMetrics metrics) {
    super(replicas, metrics, PipelineMetrics.RequestKind.RECOMMENDATION);
  }

  @Override
  String requestId(RecommendationRequest q) {
    return q.requestId();
  }

  @Override
  Function<ModelReplica, Recommendation> answerer(RecommendationRequest q, long now) {
    List<String> seen = replicas.seen(q.user()); // once for every model
    return r -> r.recommend(q.requestId(), q.user(), q.n(), seen, now);
  }
}
