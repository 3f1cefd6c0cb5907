package io.mfstream.stream.serve;

import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.status.PipelineMetrics;
import java.util.List;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each recommendation request once per model: the top-n items by predicted rating that
 * the user has not rated (every rating the pipeline has seen counts as rated), best first.
 */
public final class AnswerRecommendations
    implements Processor<String, RecommendationRequest, String, Recommendation> {
  private static final Logger LOG = LoggerFactory.getLogger(AnswerRecommendations.class);

  private final Replicas replicas;
  private final PipelineMetrics metrics;
  private long unanswered;
  private ProcessorContext<String, Recommendation> context;

  public static ProcessorSupplier<String, RecommendationRequest, String, Recommendation> supplier(
      Replicas replicas, PipelineMetrics metrics) {
    return () -> new AnswerRecommendations(replicas, metrics);
  }

  AnswerRecommendations(Replicas replicas, PipelineMetrics metrics) {
    this.replicas = replicas;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Recommendation> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, RecommendationRequest> record) {
    RecommendationRequest q = record.value();
    if (q == null) {
      return;
    }
    List<String> seen = replicas.seen(q.user());
    long now = System.currentTimeMillis();
    boolean answered = false;
    for (ModelReplica r : replicas.models()) {
      Recommendation answer = r.recommend(q.requestId(), q.user(), q.n(), seen, now);
      if (answer != null) {
        context.forward(new Record<>(q.requestId(), answer, record.timestamp()));
        answered = true;
      }
    }
    if (answered) {
      metrics.requestAnswered(PipelineMetrics.RequestKind.RECOMMENDATION,
          Math.max(0, System.currentTimeMillis() - record.timestamp()));
    } else if (++unanswered <= 10 || unanswered % 1000 == 0) {
      LOG.warn("request {} not answered: no model has published parameters yet ({} so far)",
          q.requestId(), unanswered);
    }
  }
}
