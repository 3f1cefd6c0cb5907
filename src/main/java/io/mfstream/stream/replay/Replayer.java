package io.mfstream.stream.replay;

import io.mfstream.data.Rating;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.JsonSerde;
import io.mfstream.stream.serde.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends ratings to a topic, in list order, as {@link RatingEvent} JSON values (written by {@link
 * JsonSerde}) keyed by the user id in UTF-8, so that one user's ratings land in one partition and
 * stay in order there.
 *
 * <p>The producer is idempotent with {@code acks=all} and a short linger; {@link
 * Builder#producerConfig} adds or replaces settings (security settings for an external cluster,
 * say), except the serializers. The Kafka record timestamp is the time of sending, not the
 * rating's: MovieLens timestamps are decades old and the topic's retention would delete them at
 * once. The rating's own timestamp travels in the JSON value.
 *
 * <p>Pacing: with a rate r, rating k (0-based) is sent no earlier than {@code start + k/r}; the
 * deadlines come from the start, so a slow send does not make the rest late (no drift). Rate 0
 * sends as fast as the producer accepts.
 *
 * <p>The first failed send (reported to its callback, or thrown by {@code send}) stops the replay
 * with a {@link ReplayException} naming how many ratings were acknowledged. One instance may
 * replay many times, one replay at a time; each replay has its own producer.
 */
public final class Replayer {

  /** The client id unless {@link Builder#clientId} says otherwise. */
  public static final String DEFAULT_CLIENT_ID = "mfstream-replay";
  /** How long the producer may wait to fill a batch. */
  static final int LINGER_MS = 5;

  private static final JsonSerde<RatingEvent> VALUES = JsonSerde.of(RatingEvent.class);

  private final String bootstrapServers;
  private final String topic;
  private final String clientId;
  private final double ratingsPerSecond;
  private final long limit;
  private final Map<String, Object> producerConfig;
  private final long progressEvery;
  private final ProgressListener progress;

  /** Told every N ratings handed to the producer; see {@link Builder#progress}. */
  @FunctionalInterface
  public interface ProgressListener {
    /**
     * @param sent ratings handed to the producer so far
     * @param seconds since the replay started
     */
    void progress(long sent, double seconds);
  }

  /**
   * What a finished replay did.
   *
   * @param sent ratings sent and acknowledged
   * @param seconds from the first send until the last acknowledgement
   */
  public record Result(long sent, double seconds) {
    /** The achieved rate; 0 when no time passed. */
    public double ratingsPerSecond() {
      return seconds > 0 ? sent / seconds : 0;
    }
  }

  private Replayer(Builder b) {
    this.bootstrapServers = b.bootstrapServers;
    this.topic = b.topic;
    this.clientId = b.clientId;
    this.ratingsPerSecond = b.ratingsPerSecond;
    this.limit = b.limit;
    this.producerConfig = Map.copyOf(b.producerConfig);
    this.progressEvery = b.progressEvery;
    this.progress = b.progress;
  }

  /** A replayer to the cluster at {@code bootstrapServers}, with {@link Builder}'s defaults. */
  public static Builder builder(String bootstrapServers) {
    return new Builder(bootstrapServers);
  }

  /**
   * Sends {@code ratings} (at most the limit, from the front), flushes, and closes the producer.
   *
   * @throws ReplayException if a send failed; the message says how many were acknowledged
   * @throws KafkaException if the producer could not be created (a bad setting or address)
   * @throws InterruptedException if interrupted while pacing
   */
  public Result replay(List<Rating> ratings) throws InterruptedException {
    long total = Math.min(ratings.size(), limit);
    AtomicLong acknowledged = new AtomicLong();
    AtomicReference<Exception> failure = new AtomicReference<>();
    boolean clean = false;
    Producer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties());
    try {
      long start = System.nanoTime();
      try {
        awaitLeaders(producer);
      } catch (KafkaException e) {
        failure.set(e);
      }
      Pacer pacer = new Pacer(ratingsPerSecond, start);
      for (long k = 0; k < total && failure.get() == null; k++) {
        pacer.awaitTurn(k);
        Rating rating = ratings.get((int) k);
        byte[] key = rating.user().getBytes(StandardCharsets.UTF_8);
        byte[] value = VALUES.toBytes(RatingEvent.from(rating));
        ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(topic, key, value);
        try {
          producer.send(record, (metadata, e) -> {
            if (e == null) {
              acknowledged.incrementAndGet();
            } else {
              failure.compareAndSet(null, e);
            }
          });
        } catch (KafkaException e) {
          failure.compareAndSet(null, e);
        }
        if (progressEvery > 0 && (k + 1) % progressEvery == 0) {
          progress.progress(k + 1, seconds(start));
        }
      }
      if (failure.get() == null) {
        producer.flush();
      }
      Exception e = failure.get();
      if (e != null) {
        long acked = acknowledged.get();
        throw new ReplayException(String.format("replay to topic '%s' at %s stopped: %,d of %,d "
            + "ratings acknowledged; first failure: %s", topic, bootstrapServers, acked, total,
            describe(e)), acked, e);
      }
      clean = true;
      return new Result(acknowledged.get(), seconds(start));
    } finally {
      // After a failure, do not wait for the records still in flight.
      producer.close(clean ? Duration.ofSeconds(30) : Duration.ZERO);
    }
  }

  /**
   * Waits until every partition of the topic has a leader. A topic created a moment ago (as the
   * embedded default does) may not have one yet, and an idempotent producer that writes into
   * that window was seen here to get OUT_OF_ORDER_SEQUENCE_NUMBER and retry until its delivery
   * timeout. Bounded by the producer's {@code max.block.ms} for the metadata and by
   * {@link #LEADER_WAIT} for the leaders.
   */
  private void awaitLeaders(Producer<byte[], byte[]> producer) {
    long deadline = System.nanoTime() + LEADER_WAIT.toNanos();
    while (true) {
      List<PartitionInfo> partitions = producer.partitionsFor(topic);
      boolean ready = !partitions.isEmpty();
      for (PartitionInfo p : partitions) {
        if (p.leader() == null || p.leader().isEmpty()) {
          ready = false;
        }
      }
      if (ready) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new KafkaException("topic '" + topic + "' has partitions without a leader after "
            + LEADER_WAIT.toSeconds() + " s");
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
    }
  }

  /** How long {@link #awaitLeaders} waits for partition leaders. */
  static final Duration LEADER_WAIT = Duration.ofSeconds(30);

  /** The producer's settings: defaults, then {@link Builder#producerConfig}, then serializers. */
  Map<String, Object> producerProperties() {
    Map<String, Object> props = new LinkedHashMap<>();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.LINGER_MS_CONFIG, LINGER_MS);
    // Fail a stuck send within a minute (Kafka's default is two) with a clear ReplayException.
    props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    // One batch in flight: sequences can never arrive out of order (seen here once against a
    // fresh single-node topic: OUT_OF_ORDER_SEQUENCE_NUMBER retried until the timeout). Replays
    // are usually paced; --producer-config can raise it.
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    props.putAll(producerConfig);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    return props;
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  private static String describe(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank()
        ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + message;
  }

  /** Settings of a {@link Replayer}; every setter returns this builder. */
  public static final class Builder {
    private final String bootstrapServers;
    private String topic = Topics.RATINGS.name();
    private String clientId = DEFAULT_CLIENT_ID;
    private double ratingsPerSecond;
    private long limit = Long.MAX_VALUE;
    private final Map<String, Object> producerConfig = new LinkedHashMap<>();
    private long progressEvery;
    private ProgressListener progress = (sent, seconds) -> { };

    private Builder(String bootstrapServers) {
      Objects.requireNonNull(bootstrapServers, "bootstrapServers");
      if (bootstrapServers.isBlank()) {
        throw new IllegalArgumentException("bootstrap servers are blank");
      }
      this.bootstrapServers = bootstrapServers;
    }

    /** The topic to write (default {@code ratings}). */
    public Builder topic(String topic) {
      Objects.requireNonNull(topic, "topic");
      if (topic.isBlank()) {
        throw new IllegalArgumentException("topic name is blank");
      }
      this.topic = topic;
      return this;
    }

    /** The producer's {@code client.id} (default {@value #DEFAULT_CLIENT_ID}). */
    public Builder clientId(String clientId) {
      this.clientId = Objects.requireNonNull(clientId, "clientId");
      return this;
    }

    /** Ratings per second, finite and at least 0 (default 0: as fast as possible). */
    public Builder ratingsPerSecond(double ratingsPerSecond) {
      this.ratingsPerSecond = Pacer.checkRate(ratingsPerSecond);
      return this;
    }

    /** Send at most this many ratings, from the front of the list (default: all). */
    public Builder limit(long limit) {
      if (limit < 0) {
        throw new IllegalArgumentException("limit must be >= 0: " + limit);
      }
      this.limit = limit;
      return this;
    }

    /**
     * Extra producer settings by Kafka's names, added to and replacing the defaults ({@code
     * acks=all}, idempotence, linger, client id); the serializers cannot be replaced.
     */
    public Builder producerConfig(Map<String, ?> settings) {
      producerConfig.putAll(settings);
      return this;
    }

    /** Calls {@code listener} after every {@code every} ratings sent (0 = never, the default). */
    public Builder progress(long every, ProgressListener listener) {
      if (every < 0) {
        throw new IllegalArgumentException("progress interval must be >= 0: " + every);
      }
      this.progressEvery = every;
      this.progress = Objects.requireNonNull(listener, "listener");
      return this;
    }

    public Replayer build() {
      return new Replayer(this);
    }
  }
}
