package io.mfstream.stream;

import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.serde.Topics;
import io.mfstream.stream.serve.AnswerPredictions;
import io.mfstream.stream.serve.AnswerRecommendations;
import io.mfstream.stream.serve.RecordSeenItems;
import io.mfstream.stream.serve.ReplicaUpdater;
import io.mfstream.stream.serve.Replicas;
import io.mfstream.stream.serve.SeenItemsStore;
import io.mfstream.stream.status.PipelineMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.train.SnapshotRequests;
import io.mfstream.stream.train.TrainProcessor;
import io.mfstream.stream.validate.RejectionCounts;
import io.mfstream.stream.validate.ValidateRatings;
import io.mfstream.stream.validate.ValidationTopology;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.StreamPartitioner;
import org.apache.kafka.streams.state.Stores;

/**
 * The whole pipeline as one topology:
 *
 * <pre>
 * ratings ─► validate ─┬─ rejected ──────────────────────────────────────► ratings-dlq
 *                      ├─ valid, one copy per model ─► ratings-valid (partition i = model i)
 *                      └─ valid: (user, item) into the store seen-items
 * ratings-valid ─► train (store model-state) ─────────── every N ratings ─► rmse
 * model-state and seen-items changelogs ─► in-memory replicas of every model (every instance,
 *                                          global processors)
 * prediction-requests ─────► answer from the replica, once per model ─────► predictions
 * recommendation-requests ─► top-n unseen items, once per model ──────────► recommendations
 * </pre>
 *
 * It runs as two Kafka Streams applications in one process, {@link #core} (validation and
 * training) and {@link #serving} (the replicas and the answers, under the application id with
 * {@code -serving} appended, on threads of its own), so that a flood of requests cannot take the
 * trainers' threads. The serving application reads the core application's store changelogs,
 * so it needs the core's application id ({@link #changelog}). {@link #build} is both in one
 * topology, for {@code TopologyTestDriver}. Building starts nothing.
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

  /** The whole pipeline in one topology, run under {@code applicationId}. */
  public static Topology build(String applicationId, PipelineSettings settings,
      StatusBoard board, PipelineMetrics metrics, RejectionCounts counts) {
    return build(applicationId, settings, board, metrics, counts, new SnapshotRequests(),
        new Replicas(settings.modelNames()));
  }

  /**
   * The whole pipeline in one topology, run under {@code applicationId}, with trainers that also
   * serve snapshot exports from {@code snapshots}, and serving from {@code replicas}, which the
   * topology keeps up to date.
   */
  public static Topology build(String applicationId, PipelineSettings settings,
      StatusBoard board, PipelineMetrics metrics, RejectionCounts counts,
      SnapshotRequests snapshots, Replicas replicas) {
    Topology t = new Topology();
    addCore(t, settings, board, metrics, counts, snapshots);
    addServing(t, applicationId, replicas, metrics);
    return t;
  }

  /**
   * The changelog topic of a store of the core application {@code applicationId}: Kafka Streams
   * names it {@code <application.id>-<store>-changelog}.
   */
  public static String changelog(String applicationId, String store) {
    return applicationId + "-" + store + "-changelog";
  }

  /** Validation and training: ratings in, {@code rmse} and the stores' changelogs out. */
  public static Topology core(PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts, SnapshotRequests snapshots) {
    Topology t = new Topology();
    addCore(t, settings, board, metrics, counts, snapshots);
    return t;
  }

  /**
   * The replicas, kept from the stores' changelogs of the core application
   * {@code coreApplicationId}, and the answers to requests.
   */
  public static Topology serving(String coreApplicationId, Replicas replicas,
      PipelineMetrics metrics) {
    Topology t = new Topology();
    addServing(t, coreApplicationId, replicas, metrics);
    return t;
  }

  private static void addCore(Topology t, PipelineSettings settings, StatusBoard board,
      PipelineMetrics metrics, RejectionCounts counts, SnapshotRequests snapshots) {

    ValidationTopology.addTo(t, settings.validator(), Topics.RATINGS_VALID.name(),
        fanOut(settings.models().size()), counts, metrics, true);
    // The items each user rated: recorded by the validation task, which sees every valid rating
    // once, in order, on a thread of its own (not a trainer's).
    t.addProcessor(ValidateRatings.SEEN_CHILD, RecordSeenItems::new, VALIDATE);
    t.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(SeenItemsStore.STORE), Serdes.Bytes(),
        Serdes.ByteArray()).withCachingEnabled(), ValidateRatings.SEEN_CHILD);

    t.addSource(TRAIN_SOURCE, Topics.RATINGS_VALID.keySerde().deserializer(),
        Topics.RATINGS_VALID.valueSerde().deserializer(), Topics.RATINGS_VALID.name());
    t.addProcessor(TRAIN, TrainProcessor.supplier(settings.models(), settings.reportEvery(),
        settings.lingerMs(), settings.checkpointMs(), board, metrics, snapshots), TRAIN_SOURCE);
    // Cached: rows touched by consecutive steps, the counters, the RMSE ring and the pending
    // ratings are rewritten again and again; the cache keeps the latest value per key and writes
    // it to RocksDB and the changelog at the commit (docs/BENCHMARKS.md). The changelogs are
    // the serving replicas' feed.
    t.addStateStore(Stores.keyValueStoreBuilder(
        Stores.persistentKeyValueStore(TrainProcessor.STORE), Serdes.Bytes(),
        Serdes.ByteArray()).withCachingEnabled(), TRAIN);
    t.addSink(TrainProcessor.RMSE_CHILD, Topics.RMSE.name(), Topics.RMSE.keySerde().serializer(),
        Topics.RMSE.valueSerde().serializer(), TRAIN);
  }

  private static void addServing(Topology t, String coreApplicationId, Replicas replicas,
      PipelineMetrics metrics) {

    // In memory, so that every start restores them from the beginning, and through the
    // processors (Topology.addGlobalStore reprocesses on restore): the replicas are rebuilt
    // whole. The stores themselves stay empty.
    t.addGlobalStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ReplicaUpdater.MODELS_STORE), Serdes.ByteArray(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "model-state-feed", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        changelog(coreApplicationId, TrainProcessor.STORE), "model-replica-updater",
        () -> ReplicaUpdater.models(replicas));
    t.addGlobalStore(Stores.keyValueStoreBuilder(
            Stores.inMemoryKeyValueStore(ReplicaUpdater.SEEN_STORE), Serdes.ByteArray(),
            Serdes.ByteArray()).withLoggingDisabled(),
        "seen-items-feed", new ByteArrayDeserializer(), new ByteArrayDeserializer(),
        changelog(coreApplicationId, SeenItemsStore.STORE), "seen-items-replica-updater",
        () -> ReplicaUpdater.seenItems(replicas));

    t.addSource(PREDICTION_SOURCE, Topics.PREDICTION_REQUESTS.keySerde().deserializer(),
        Topics.PREDICTION_REQUESTS.valueSerde().deserializer(),
        Topics.PREDICTION_REQUESTS.name());
    t.addProcessor(PREDICT, AnswerPredictions.supplier(replicas, metrics),
        PREDICTION_SOURCE);
    t.addSink(PREDICTIONS_SINK, Topics.PREDICTIONS.name(),
        Topics.PREDICTIONS.keySerde().serializer(), Topics.PREDICTIONS.valueSerde().serializer(),
        PREDICT);

    t.addSource(RECOMMENDATION_SOURCE, Topics.RECOMMENDATION_REQUESTS.keySerde().deserializer(),
        Topics.RECOMMENDATION_REQUESTS.valueSerde().deserializer(),
        Topics.RECOMMENDATION_REQUESTS.name());
    t.addProcessor(RECOMMEND, AnswerRecommendations.supplier(replicas, metrics),
        RECOMMENDATION_SOURCE);
    t.addSink(RECOMMENDATIONS_SINK, Topics.RECOMMENDATIONS.name(),
        Topics.RECOMMENDATIONS.keySerde().serializer(),
        Topics.RECOMMENDATIONS.valueSerde().serializer(), RECOMMEND);
  }

  /**
   * Sends every valid rating to partitions 0 to models-1 of {@code ratings-valid}: one copy per
   * model. The topic must have at least that many partitions ({@link #checkPartitions}, at
   * start-up and here).
   */
  static StreamPartitioner<byte[], RatingEvent> fanOut(int models) {
    return (topic, key, value, numPartitions) -> {
      checkPartitions(topic, numPartitions, models);
      Set<Integer> all = new HashSet<>();
      for (int p = 0; p < models; p++) {
        all.add(p);
      }
      return Optional.of(all);
    };
  }

  /**
   * Refuses a {@code ratings-valid} of fewer partitions than models: each model trains on a
   * partition of its own.
   *
   * @throws IllegalStateException saying what to raise
   */
  public static void checkPartitions(String topic, int partitions, int models) {
    if (partitions < models) {
      throw new IllegalStateException("topic " + topic + " has " + partitions + " partitions but "
          + models + " models are configured: it needs one partition per model (raise its "
          + "partitions)");
    }
  }
}
