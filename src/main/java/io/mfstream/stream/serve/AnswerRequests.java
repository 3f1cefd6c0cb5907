package io.mfstream.stream.serve;

import io.mfstream.stream.status.PipelineMetrics;
import java.util.Locale;
import java.util.function.Function;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers each request once per model, from the instance's in-memory replicas: one answer per
 * model, keyed by the request id, each stamped by the model with its name, version and ratings
 * learned. A model that has not published yet answers nothing; when no model has, the request
 * gets no answer, is not counted as answered, and is logged (the first ten, then every
 * thousandth).
 *
 * @param <Q> the request
 * @param <A> one model's answer
 */
abstract class AnswerRequests<Q, A> implements Processor<String, Q, String, A> {
  private static final Logger LOG = LoggerFactory.getLogger(AnswerRequests.class);

  final Replicas replicas;
  private final PipelineMetrics metrics;
  private final PipelineMetrics.RequestKind kind;
  private long unanswered;
  private ProcessorContext<String, A> context;

  AnswerRequests(Replicas replicas, PipelineMetrics metrics, PipelineMetrics.RequestKind kind) {
    this.replicas = replicas;
    this.metrics = metrics;
    this.kind = kind;
  }

  /** The request's id, the key of its answers. */
  abstract String requestId(Q request);

  /** How one model answers {@code request} (null: it has not published yet). */
  abstract Function<ModelReplica, A> answerer(Q request, long now);

  @Override
  public void init(ProcessorContext<String, A> context) {
    this.context = context;
  }

  @Override
  public void process(Record<String, Q> record) {
    Q q = record.value();
    if (q == null) {
      return;
    }
    Function<ModelReplica, A> answer = answerer(q, System.currentTimeMillis());
    boolean answered = false;
    for (ModelReplica r : replicas.models()) {
      A a = answer.apply(r);
      if (a != null) {
        context.forward(new Record<>(requestId(q), a, record.timestamp()));
        answered = true;
      }
    }
    if (answered) {
      metrics.requestAnswered(kind, Math.max(0, System.currentTimeMillis() - record.timestamp()));
    } else if (++unanswered <= 10 || unanswered % 1000 == 0) {
      LOG.warn("{} request {} not answered: no model has published parameters yet ({} so far)",
          kind.name().toLowerCase(Locale.ROOT), requestId(q), unanswered);
    }
  }
}
