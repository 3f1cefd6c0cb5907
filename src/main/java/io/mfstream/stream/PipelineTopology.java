package io.mfstream.stream;

import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.serve.AnswerPredictions;
import io.mfstream.stream.serve.AnswerRecommendations;
import io.mfstream.stream.serve.ReplicaUpdater;
import io.mfstream.stream.serve.Replicas;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.train.SnapshotRequests;
import io.mfstream.stream.train.TrainProcessor;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.stream.validate.ValidationTopology;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole pipeline as one topology:
 *
 * <pre>
 * ratings ─► validate ─┬─ rejected ──────────────────────────────────────► ratings-dlq
 *                      └─ valid, one copy per model ─► ratings-valid (partition i = model i)
 * ratings-valid ─► train (store model-state) ─┬─ every N ratings ─────────► rmse
 *                                             └─ after each step ─────────► model-updates
 * model-updates ─► in-memory replicas of every model (every instance, global processor)
 * prediction-requests ─────► answer from the replica, once per model ─────► predictions
 * recommendation-requests ─► top-n unseen items, once per model ──────────► recommendations
 * </pre>
 *
 * It runs as two Kafka Streams applications in one process, {@link #core} (validation and
 * training) and {@link #serving} (the replicas and the answers, under the application id with
 * {@code -serving} appended, on threads of its own), so that a flood of requests cannot take the
 * trainers' threads. {@link #build} is both in one topology, for {@code TopologyTestDriver}.
 * Building starts nothing.
 */
public final class PipelineTopology {
  public static final String RATINGS_SOURCE = ValidationTopology.SOURCE;
  public static final String VALIDATE = ValidationTopology.PROCESSOR;
  public static final String TRAIN_SOURCE = "ratings-valid-source";
  public static final String TRAIN = "train";
  public static final String PREDICTION_SOURCE = "prediction-requests-source";
  public static final String PREDICT = "answer-predictions";
  public static final String PREDICTIONS_SINK = "predictions-sink";
  public static final String RECOMMENDATION_SOURCE = "recommendation-requests-source";
  public static final String RECOMMEND = "answer-recommendations";
  public static final String RECOMMENDATIONS_SINK = "recommendations-sink";

  private PipelineTopology() {}

  public static Topology build(PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts) {
    return build(settings, board, metrics, counts, new SnapshotRequests(),
        new Replicas(settings.modelNames()));
  }

  /**
   * The whole pipeline in one topology, with trainers that also serve snapshot exports from
   * {@code snapshots}, and serving from {@code replicas}, which the topology keeps up to date.
   */
  public static Topology build(PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts, SnapshotRequests snapshots,
      Replicas replicas) {
    Topology t = new Topology();
    addCore(t, settings, board, metrics, counts, snapshots);
    addServing(t, replicas, metrics);
    return t;
  }

  /** Validation and training: ratings in, {@code rmse} and {@code model-updates} out. */
  public static Topology core(PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts, SnapshotRequests snapshots) {
    Topology t = new Topology();
    addCore(t, settings, board, metrics, counts, snapshots);
    return t;
  }

  /** The replicas, kept from {@code model-updates}, and the answers to requests. */
  public static Topology serving(Replicas replicas, PipelineMetrics metrics) {
    Topology t = new Topology();
    addServing(t, replicas, metrics);
    return t;
  }

  private static void addCore(Topology t, PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts, SnapshotRequests snapshots) {

    ValidationTopology.addTo(t, settings.validator(), Topics.RATINGS_VALID.name(),
        fanOut(settings.models().size()), counts, metrics);

    t.addSource(TRAIN_SOURCE, new ByteArrayDeserializer(),
        Topics.RATINGS_VALID.valueSerde().deserializer(), Topics.RATINGS_VALID.name());
    t.addProcessor(TRAIN, TrainProcessor.supplier(settings.models(), settings.reportEvery(),
        settings.lingerMs(), board, metrics, snapshots), TRAIN_SOURCE);
    // Cached: the counters, RMSE ring slot and pending ratings are rewritten for every rating;
    // the cache keeps the latest value per key and writes it to RocksDB and the changelog at the
    // commit (docs/BENCHMARKS.md).
    t.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(TrainProcessor.STORE), Serdes.Bytes(), Serdes.ByteArray())
        .withCachingEnabled(), TRAIN);
    t.addSink(TrainProcessor.RMSE_CHILD, Topics.RMSE.name(), new StringSerializer(),
        Topics.RMSE.valueSerde().serializer(), TRAIN);
    t.addSink(TrainProcessor.UPDATES_CHILD, Topics.MODEL_UPDATES.name(), new StringSerializer(),
        new ByteArraySerializer(), TRAIN);
  }

  private static void addServing(Topology t, Replicas replicas, PipelineMetrics metrics) {

    // In memory, so that every start restores it from the beginning, and through the processor
    // (Topology.addGlobalStore reprocesses on restore): the replicas are rebuilt whole. The
    // store itself stays empty.
    t.addGlobalStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ReplicaUpdater.STORE), Serdes.String(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "model-updates-source", new StringDeserializer(), new ByteArrayDeserializer(),
        Topics.MODEL_UPDATES.name(), "replica-updater", () -> new ReplicaUpdater(replicas));

    t.addSource(PREDICTION_SOURCE, new StringDeserializer(),
        Topics.PREDICTION_REQUESTS.valueSerde().deserializer(),
        Topics.PREDICTION_REQUESTS.name());
    t.addProcessor(PREDICT, AnswerPredictions.supplier(replicas, metrics),
        PREDICTION_SOURCE);
    t.addSink(PREDICTIONS_SINK, Topics.PREDICTIONS.name(), new StringSerializer(),
        Topics.PREDICTIONS.valueSerde().serializer(), PREDICT);

    t.addSource(RECOMMENDATION_SOURCE, new StringDeserializer(),
        Topics.RECOMMENDATION_REQUESTS.valueSerde().deserializer(),
        Topics.RECOMMENDATION_REQUESTS.name());
    t.addProcessor(RECOMMEND, AnswerRecommendations.supplier(replicas, metrics),
        RECOMMENDATION_SOURCE);
    t.addSink(RECOMMENDATIONS_SINK, Topics.RECOMMENDATIONS.name(), new StringSerializer(),
        Topics.RECOMMENDATIONS.valueSerde().serializer(), RECOMMEND);
  }

  /**
   * Sends every valid rating to partitions 0 to models-1 of {@code ratings-valid}: one copy per
   * model. The topic must have at least that many partitions (checked at start-up).
   */
  static StreamPartitioner<byte[], RatingEvent> fanOut(int models) {
    return (topic, key, value, numPartitions) -> {
      if (numPartitions < models) {
        throw new IllegalStateException(topic + " has " + numPartitions + " partitions but "
            + models + " models are configured: it needs one partition per model");
      }
      Set<Integer> all = new HashSet<>();
      for (int p = 0; p < models; p++) {
        all.add(p);
      }
      return Optional.of(all);
    };
  }
}
