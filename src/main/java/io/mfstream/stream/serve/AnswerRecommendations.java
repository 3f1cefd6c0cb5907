package io.mfstream.stream.serve;

import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.train.ModelUpdates.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * Answers each recommendation request once per model: the top-n items by predicted rating that
 * the user has not rated (every rating the pipeline has seen counts as rated), best first.
 */
public final class AnswerRecommendations
    implements Processor<String, RecommendationRequest, String, Recommendation> {
  private final List<ModelReplica> replicas = new ArrayList<>();
  private final PipelineMetrics metrics;
  private ProcessorContext<String, Recommendation> context;
  private ReadOnlyKeyValueStore<String, byte[]> store;

  public static ProcessorSupplier<String, RecommendationRequest, String, Recommendation> supplier(
      List<String> models, PipelineMetrics metrics) {
    List<String> copy = List.copyOf(models);
    return () -> new AnswerRecommendations(copy, metrics);
  }

  AnswerRecommendations(List<String> models, PipelineMetrics metrics) {
    for (String m : models) {
      replicas.add(new ModelReplica(m));
    }
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Recommendation> context) {
    this.context = context;
    this.store = context.getStateStore(ReplicaUpdater.STORE);
  }

  @Override
  public void process(Record<String, RecommendationRequest> record) {
    RecommendationRequest q = record.value();
    if (q == null) {
      return;
    }
    Set<String> seen = ModelReplica.seen(store, q.user());
    long now = System.currentTimeMillis();
    for (ModelReplica r : replicas) {
      Header h = r.header(store);
      if (h == null) {
        continue;
      }
      ModelReplica.Recommended best = r.recommend(store, h, q.user(), q.n(), seen);
      context.forward(new Record<>(q.requestId(), new Recommendation(q.requestId(), q.user(),
          best.items(), r.model(), h.version(), h.trained(), best.coldStart(), now,
          h.isDegraded()),
          record.timestamp()));
    }
    metrics.requestAnswered(PipelineMetrics.RequestKind.RECOMMENDATION,
        Math.max(0, System.currentTimeMillis() - record.timestamp()));
  }
}
