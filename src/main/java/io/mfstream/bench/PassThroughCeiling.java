package io.mfstream.bench;

import io.mfstream.stream.serde.Topics;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * What Kafka itself costs per rating in the pipeline's shape, the ceiling {@code bench-stream}
 * compares the pipeline with: the same two read_committed hops under the same Streams settings,
 * and nothing else.
 *
 * <pre>
 * ratings ─► copy the bytes ─► ratings-valid (one copy per model,  ─► one put into a cached,
 *                                 to partitions 0 to models - 1)       changelogged store
 * </pre>
 *
 * The first hop writes as many copies of each rating as the pipeline fans out (one per model);
 * the second hop writes no topic: its store put (of a running count under one key, as the
 * trainer keeps its counters) and that store's changelog are all it does.
 */
public final class PassThroughCeiling implements AutoCloseable {
  static final String STORE = "ceiling-state";
  private static final Bytes COUNT_KEY = Bytes.wrap(new byte[] {1});

  private final KafkaStreams streams;
  private final AtomicLong processed = new AtomicLong();
  private final int copies;

  /**
   * Starts the pass-through on a cluster whose {@code ratings} and {@code ratings-valid} topics
   * exist, {@code ratings-valid} with at least {@code copies} partitions.
   *
   * @param props the pipeline's Streams properties; the application id gets a suffix
   * @param copies copies of each rating the first hop writes: the pipeline's number of models
   */
  public PassThroughCeiling(Properties props, int copies) {
    if (copies < 1) {
      throw new IllegalArgumentException("copies must be >= 1");
    }
    Properties p = new Properties();
    p.putAll(props);
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId(props));
    this.copies = copies;
    streams = new KafkaStreams(topology(processed, copies), p);
  }

  /** The application id the ceiling runs under, beside the pipeline's. */
  public static String applicationId(Properties pipelineProps) {
    return pipelineProps.getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-ceiling";
  }

  static Topology topology(AtomicLong processed, int copies) {
    Set<Integer> fanOut = java.util.stream.IntStream.range(0, copies).boxed()
        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    Topology t = new Topology();
    t.addSource("ceiling-ratings", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        Topics.RATINGS.name());
    t.addSink("ceiling-valid", Topics.RATINGS_VALID.name(), new ByteArraySerializer(),
        new ByteArraySerializer(),
        (topic, key, value, partitions) -> Optional.of(fanOut), "ceiling-ratings");
    t.addSource("ceiling-valid-source", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        Topics.RATINGS_VALID.name());
    t.addProcessor("ceiling-put", () -> new CountingPut(processed), "ceiling-valid-source");
    t.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(STORE),
        Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled(), "ceiling-put");
    return t;
  }

  public PassThroughCeiling start() {
    streams.start();
    return this;
  }

  /** Waits until Kafka Streams is RUNNING. */
  public void awaitRunning(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (streams.state() != KafkaStreams.State.RUNNING) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pass-through was not running after " + timeout
            + " (state " + streams.state() + ")");
      }
      Thread.sleep(20);
    }
  }

  /** Waits until the second hop has processed every copy of {@code ratings} ratings. */
  public void awaitProcessed(long ratings, Duration timeout) throws InterruptedException {
    long n = ratings * copies;
    long deadline = System.nanoTime() + timeout.toNanos();
    while (processed.get() < n) {
      KafkaStreams.State s = streams.state();
      if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.PENDING_ERROR
          || s == KafkaStreams.State.NOT_RUNNING) {
        throw new IllegalStateException("the pass-through stopped (" + s + ") after "
            + processed.get() + " of " + n + " records");
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the pass-through processed " + processed.get() + " of "
            + n + " records within " + timeout);
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
  }

  /** One cached store put per record: the count of records seen, under one key. */
  private static final class CountingPut implements Processor<byte[], byte[], Void, Void> {
    private final AtomicLong processed;
    private KeyValueStore<Bytes, byte[]> store;
    private long count;

    CountingPut(AtomicLong processed) {
      this.processed = processed;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
      store = context.getStateStore(STORE);
      byte[] v = store.get(COUNT_KEY);
      count = v == null ? 0 : ByteBuffer.wrap(v).getLong();
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
      count++;
      store.put(COUNT_KEY, ByteBuffer.allocate(8).putLong(count).array());
      processed.incrementAndGet();
    }
  }
}
