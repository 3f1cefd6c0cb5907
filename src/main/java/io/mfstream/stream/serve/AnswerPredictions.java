package io.mfstream.stream.serve;

import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.status.PipelineMetrics;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each prediction request once per model, from the instance's in-memory replicas: one
 * {@link Prediction} per model, keyed by the request id, each stamped with the model's name,
 * version and ratings learned. A model that has not published yet answers nothing; when no model
 * has, the request gets no answer, is not counted as answered, and is logged (the first ten, then
 * every thousandth).
 */
public final class AnswerPredictions
    implements Processor<String, PredictionRequest, String, Prediction> {
  private static final Logger LOG = LoggerFactory.getLogger(AnswerPredictions.class);

  private final Replicas replicas;
  private final PipelineMetrics metrics;
  private long unanswered;
  private ProcessorContext<String, Prediction> context;

  public static ProcessorSupplier<String, PredictionRequest, String, Prediction> supplier(
      Replicas replicas, PipelineMetrics metrics) {
    return () -> new AnswerPredictions(replicas, metrics);
  }

  AnswerPredictions(Replicas replicas, PipelineMetrics metrics) {
    this.replicas = replicas;
    this.metrics = metrics;
  }

  @Override
  public void init(ProcessorContext<String, Prediction> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, PredictionRequest> record) {
    PredictionRequest q = record.value();
    if (q == null) {
      return;
    }
    long now = System.currentTimeMillis();
    boolean answered = false;
    for (ModelReplica r : replicas.models()) {
      Prediction answer = r.predict(q.requestId(), q.user(), q.item(), now);
      if (answer != null) {
        context.forward(new Record<>(q.requestId(), answer, record.timestamp()));
        answered = true;
      }
    }
    if (answered) {
      metrics.requestAnswered(PipelineMetrics.RequestKind.PREDICTION,
          Math.max(0, System.currentTimeMillis() - record.timestamp()));
    } else if (++unanswered <= 10 || unanswered % 1000 == 0) {
      LOG.warn("request {} not answered: no model has published parameters yet ({} so far)",
          q.requestId(), unanswered);
    }
  }
}
