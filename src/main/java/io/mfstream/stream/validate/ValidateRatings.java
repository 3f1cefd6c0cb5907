package io.mfstream.stream.validate;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.status.PipelineMetrics;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates each raw record of topic {@code ratings} with a {@link RatingValidator}. It works on
 * {@code byte[]} keys and values, so unparsable bytes never reach (and never fail) a deserializer.
 *
 * <ul>
 *   <li>A valid rating is forwarded to the child named {@value #VALID_CHILD} as a
 *       {@link RatingEvent}, with the record's key, timestamp and headers, and, when the supplier
 *       says so, to the child named {@value #SEEN_CHILD} too (the pipeline records there which
 *       items each user rated).
 *   <li>A rejected record is counted in {@link RejectionCounts} and forwarded to the child named
 *       {@value #DLQ_CHILD} with its original key and value bytes unchanged, its original headers,
 *       and these headers added (UTF-8 text; any earlier ones of the same name are replaced):
 *       {@value #HEADER_REASON} (the {@link Reason} name), {@value #HEADER_MESSAGE},
 *       {@value #HEADER_TOPIC}, {@value #HEADER_PARTITION}, {@value #HEADER_OFFSET} (where the
 *       record was read; left out when Kafka Streams does not know, which does not happen for
 *       records read from a topic) and {@value #HEADER_TIMESTAMP} (the record's timestamp, epoch
 *       milliseconds).
 * </ul>
 *
 * <p>The key is never changed, so nothing downstream is repartitioned by this step. It keeps no
 * state besides the shared counters.
 */
public final class ValidateRatings implements Processor<byte[], byte[], byte[], Object> {

  /** The child that receives valid ratings. */
  public static final String VALID_CHILD = "valid-ratings-sink";
  /** The child that receives rejected records. */
  public static final String DLQ_CHILD = "ratings-dlq-sink";
  /** The child that also receives valid ratings, when there is one (see the supplier). */
  public static final String SEEN_CHILD = "record-seen-items";

  public static final String HEADER_REASON = "mfstream.dlq.reason";
  public static final String HEADER_MESSAGE = "mfstream.dlq.message";
  public static final String HEADER_TOPIC = "mfstream.dlq.topic";
  public static final String HEADER_PARTITION = "mfstream.dlq.partition";
  public static final String HEADER_OFFSET = "mfstream.dlq.offset";
  public static final String HEADER_TIMESTAMP = "mfstream.dlq.timestamp";

  /** The longest message header written, in characters. */
  static final int MAX_MESSAGE_CHARS = 1000;

  private static final Logger LOG = LoggerFactory.getLogger(ValidateRatings.class);

  private final RatingValidator validator;
  private final RejectionCounts counts;
  private final PipelineMetrics metrics;
  private final boolean seenChild;
  private ProcessorContext<byte[], Object> context;

  public ValidateRatings(RatingValidator validator, RejectionCounts counts) {
    this(validator, counts, PipelineMetrics.NONE, false);
  }

  /**
   * A validator that also reports every record it reads to {@code metrics}, and forwards valid
   * ratings to {@link #SEEN_CHILD} as well when {@code seenChild}.
   */
  public ValidateRatings(RatingValidator validator, RejectionCounts counts,
      PipelineMetrics metrics, boolean seenChild) {
    this.validator = Objects.requireNonNull(validator, "validator");
    this.counts = Objects.requireNonNull(counts, "counts");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.seenChild = seenChild;
  }

  /** A supplier of processors that share one validator and one set of counters. */
  public static Supplier supplier(ValidatorConfig config) {
    return new Supplier(new RatingValidator(config), new RejectionCounts());
  }

  @Override
  public void init(ProcessorContext<byte[], Object> context) {
    this.context = context;
  }

  @Override
  public void process(Record<byte[], byte[]> record) {
    metrics.ratingReceived();
    RatingValidator.Result result = validator.validate(record.key(), record.value());
    if (result instanceof RatingValidator.Valid valid) {
      Record<byte[], Object> event = record.withValue(RatingEvent.from(valid.rating()));
      context.forward(event, VALID_CHILD);
      if (seenChild) {
        context.forward(event, SEEN_CHILD);
      }
      return;
    }
    RatingValidator.Rejection rejection = (RatingValidator.Rejection) result;
    counts.increment(rejection.reason());
    Optional<RecordMetadata> source = context.recordMetadata();
    if (LOG.isDebugEnabled()) {
      LOG.debug("rejected {} at {}: {}", rejection.reason(),
          source.map(m -> m.topic() + "-" + m.partition() + "@" + m.offset()).orElse("?"),
          rejection.message());
    }
    Headers headers = new RecordHeaders(record.headers().toArray());
    put(headers, HEADER_REASON, rejection.reason().name());
    put(headers, HEADER_MESSAGE, truncate(rejection.message()));
    if (source.isPresent()) {
      put(headers, HEADER_TOPIC, source.get().topic());
      put(headers, HEADER_PARTITION, Integer.toString(source.get().partition()));
      put(headers, HEADER_OFFSET, Long.toString(source.get().offset()));
    }
    put(headers, HEADER_TIMESTAMP, Long.toString(record.timestamp()));
    context.forward(record.<Object>withValue(record.value()).withHeaders(headers), DLQ_CHILD);
  }

  private static void put(Headers headers, String name, String value) {
    headers.remove(name);
    headers.add(name, value.getBytes(UTF_8));
  }

  private static String truncate(String message) {
    return message.length() <= MAX_MESSAGE_CHARS
        ? message
        : message.substring(0, MAX_MESSAGE_CHARS - 3) + "...";
  }

  /** Makes {@link ValidateRatings} processors and exposes the counters they share. */
  public static final class Supplier
      implements ProcessorSupplier<byte[], byte[], byte[], Object> {
    private final RatingValidator validator;
    private final RejectionCounts counts;
    private final PipelineMetrics metrics;
    private final boolean seenChild;

    public Supplier(RatingValidator validator, RejectionCounts counts) {
      this(validator, counts, PipelineMetrics.NONE, false);
    }

    /** Processors as {@link ValidateRatings#ValidateRatings(RatingValidator, RejectionCounts,
     * PipelineMetrics, boolean)} makes them. */
    public Supplier(RatingValidator validator, RejectionCounts counts, PipelineMetrics metrics,
        boolean seenChild) {
      this.validator = Objects.requireNonNull(validator, "validator");
      this.counts = Objects.requireNonNull(counts, "counts");
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      this.seenChild = seenChild;
    }

    /** Rejections counted by every processor this supplier made. */
    public RejectionCounts counts() {
      return counts;
    }

    @Override
    public Processor<byte[], byte[], byte[], Object> get() {
      return new ValidateRatings(validator, counts, metrics, seenChild);
    }
  }
}
