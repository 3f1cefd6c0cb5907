package io.mfstream.bench;

import io.mfstream.app.Pipeline;
import io.mfstream.stream.serve.ModelReplica;
import io.mfstream.stream.serve.Replicas;
import java.io.PrintWriter;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.streams.KafkaStreams;

/**
 * Where a running pipeline's bytes are, measured once its models have learned everything: the
 * models' own bytes and the trainers' tables (from the tables themselves), the replicas and the
 * seen set (counted from their arrays, their maps estimated), Kafka Streams' record cache and
 * RocksDB's memory (their own metrics), the heap after a full collection, a heap histogram,
 * native memory tracking and the resident set. {@link #print} writes the tables of
 * docs/BENCHMARKS.md's "Memory" section.
 *
 * @param trainers each model's trainer, in the configured order
 * @param replicas each model's replica on this instance
 * @param replicaMapBytes the replicas' id maps and id strings (estimate)
 * @param seen the seen set
 * @param seenMapBytes the seen set's maps, per-user objects and id strings (estimate)
 * @param recordCacheBytes Kafka Streams' record cache, summed over tasks ({@code
 *     cache-size-bytes-total}); -1 when the metric is not recorded (it needs DEBUG)
 * @param rocksDb RocksDB's memory by property ({@code block-cache-usage}, {@code
 *     size-all-mem-tables}, ...), summed over the stores; empty when no metric was found
 * @param rocksDbStores the stores the RocksDB figures cover
 * @param heap the heap after a full collection
 * @param nonHeapUsed the JVM's non-heap pools in use (metaspace, code cache)
 * @param directBuffers direct NIO buffers
 * @param nmt NMT's summary, {@code Total} first; empty when NMT is off
 * @param histogram the heap histogram's classes, largest first
 * @param resident the process's resident memory
 */
public record MemoryBreakdown(List<TrainerMemory> trainers, List<ModelReplica.Footprint> replicas,
    long replicaMapBytes, Replicas.SeenFootprint seen, long seenMapBytes, long recordCacheBytes,
    Map<String, Long> rocksDb, List<String> rocksDbStores, MemoryUsage heap, long nonHeapUsed,
    long directBuffers, List<JvmMemory.NmtCategory> nmt, List<JvmMemory.ClassBytes> histogram,
    JvmMemory.Resident resident) {

  /** The RocksDB properties read, as Kafka Streams names their metrics. */
  public static final List<String> ROCKSDB_PROPERTIES = List.of("block-cache-usage",
      "block-cache-pinned-usage", "size-all-mem-tables", "estimate-table-readers-mem");

  /** Reads everything from {@code p}; its models must have stopped learning. */
  public static MemoryBreakdown measure(Pipeline p, List<String> models, Duration timeout)
      throws InterruptedException {
    List<TrainerMemory> trainers = new ArrayList<>();
    for (String m : models) {
      try {
        trainers.add(p.snapshotRequests().inspect(m, t -> TrainerMemory.of(m, t))
            .get(timeout.toMillis(), TimeUnit.MILLISECONDS));
      } catch (ExecutionException | TimeoutException e) {
        throw new IllegalStateException("could not read " + m + "'s trainer: "
            + Pipeline.rootMessage(e), e);
      }
    }
    List<ModelReplica.Footprint> replicas = new ArrayList<>();
    long replicaMaps = 0;
    for (ModelReplica r : p.replicas().models()) {
      ModelReplica.Footprint f = r.footprint();
      replicas.add(f);
      long ids = (long) f.userRows() + f.itemRows();
      // Two ConcurrentHashMaps (node 32, boxed row 16, table), their id strings.
      replicaMaps += TrainerMemory.mapBytes(f.userRows()) + TrainerMemory.mapBytes(f.itemRows())
          + strings(ids, f.idChars());
    }
    Replicas.SeenFootprint seen = p.replicas().seenFootprint();
    // Users: a map entry (32), a User (16) and a Segment (24) each; items: an entry and a boxed
    // number (32 + 16); the id strings of both.
    long seenMaps = TrainerMemory.mapBytes(seen.users()) - 16 * seen.users()
        + seen.users() * (16 + 24) + TrainerMemory.mapBytes(seen.items())
        + strings(seen.users() + seen.items(), seen.idChars());
    long cache = -1;
    Map<String, Long> rocks = new LinkedHashMap<>();
    List<String> stores = new ArrayList<>();
    for (KafkaStreams k : List.of(p.streams(), p.serving())) {
      for (Map.Entry<MetricName, ? extends Metric> e : k.metrics().entrySet()) {
        MetricName n = e.getKey();
        if (!(e.getValue().metricValue() instanceof Number v) || !Double.isFinite(
            v.doubleValue())) {
          continue;
        }
        if (n.name().equals("cache-size-bytes-total")) {
          cache = Math.max(cache, 0) + v.longValue();
        } else if (n.group().equals("stream-state-metrics")
            && ROCKSDB_PROPERTIES.contains(n.name())) {
          rocks.merge(n.name(), v.longValue(), Long::sum);
          String store = storeOf(n);
          if (!stores.contains(store)) {
            stores.add(store);
          }
        }
      }
    }
    MemoryUsage heap = JvmMemory.heapAfterGc();
    JvmMemory.awaitSettled(Duration.ofSeconds(20));
    return new MemoryBreakdown(trainers, replicas, replicaMaps, seen, seenMaps, cache, rocks,
        stores, heap, JvmMemory.nonHeapUsed(), JvmMemory.directBuffers(), JvmMemory.nativeMemory(),
        JvmMemory.histogram(), JvmMemory.resident());
  }

  private static String storeOf(MetricName n) {
    String store = "?";
    for (Map.Entry<String, String> t : n.tags().entrySet()) {
      if (t.getKey().endsWith("-state-id")) {
        store = t.getValue();
      }
    }
    return store + " (task " + n.tags().getOrDefault("task-id", "?") + ")";
  }

  /** Estimated bytes of {@code count} Latin-1 strings of {@code chars} characters in all. */
  private static long strings(long count, long chars) {
    // Each: the String (24) and a byte[] (16 + length, padded to 8: 4 bytes on average).
    return count * (24 + 16 + 4) + chars;
  }

  /** The models' own bytes: parameters and optimiser state. */
  public long modelBytes() {
    return trainers.stream().mapToLong(TrainerMemory::modelBytes).sum();
  }

  /** The trainers' tables and layers as allocated (off-heap). */
  public long trainerAllocatedBytes() {
    return trainers.stream().mapToLong(TrainerMemory::allocatedBytes).sum();
  }

  public long trainerVocabularyBytes() {
    return trainers.stream().mapToLong(TrainerMemory::vocabularyBytes).sum();
  }

  /** The replicas' arrays: rows, towers and layers, counted. */
  public long replicaArrayBytes() {
    return replicas.stream().mapToLong(f -> f.rowBytes() + f.towerBytes() + f.denseBytes())
        .sum();
  }

  /** What the heap holds of the models and the seen set (counted and estimated). */
  public long heapOfModels() {
    return replicaArrayBytes() + replicaMapBytes + seen.arrayBytes() + seenMapBytes
        + trainerVocabularyBytes();
  }

  /** The live objects' bytes: the heap histogram's total, taken after a full collection. */
  public long liveHeapBytes() {
    return histogram.stream().mapToLong(JvmMemory.ClassBytes::bytes).sum();
  }

  public long rocksDbBytes() {
    return rocksDb.getOrDefault("block-cache-usage", 0L)
        + rocksDb.getOrDefault("size-all-mem-tables", 0L)
        + rocksDb.getOrDefault("estimate-table-readers-mem", 0L);
  }

  /** NMT's committed total, or -1 when NMT is off. */
  public long nmtCommitted() {
    return nmt.isEmpty() ? -1 : nmt.get(0).committed();
  }

  /**
   * The resident set less NMT's committed total, or -1 without NMT: what NMT does not see (ND4J,
   * RocksDB, OpenBLAS, malloc) plus resident file mappings, less committed memory that is not
   * resident (so it may be negative).
   */
  public long untrackedNative() {
    return nmt.isEmpty() || resident.rss() < 0 ? -1 : resident.rss() - nmtCommitted();
  }

  /** Prints the tables. */
  public void print(PrintWriter out, int histogramLines) {
    out.printf("%nthe models (from the trainers' tables)%n");
    out.printf("  %-12s %9s %9s %10s %14s %14s %16s%n", "model", "users", "items", "learned",
        "parameters", "+ opt. state", "tables alloc.");
    for (TrainerMemory t : trainers) {
      out.printf("  %-12s %,9d %,9d %,10d %10s MiB %10s MiB %12s MiB%n", t.model(), t.users(),
          t.items(), t.trained(), JvmMemory.mib(t.valueBytes()), JvmMemory.mib(t.modelBytes()),
          JvmMemory.mib(t.allocatedBytes()));
    }
    out.printf("  %-45s %10s MiB (%,d bytes)%n", "the models (parameters + optimiser state)",
        JvmMemory.mib(modelBytes()), modelBytes());
    out.printf("%nwhere the bytes are%n");
    line(out, "heap", "trainers' vocabularies", trainerVocabularyBytes(),
        "estimate: per id a HashMap node, a boxed row, the id string, a list slot");
    line(out, "heap", "replicas' rows, towers, layers", replicaArrayBytes(),
        "counted: float columns at capacity, row-to-id arrays");
    line(out, "heap", "replicas' id maps and ids", replicaMapBytes,
        "estimate: ConcurrentHashMap entries, boxed rows, id strings");
    line(out, "heap", String.format("seen set (%,d pairs)", seen.pairs()),
        seen.arrayBytes() + seenMapBytes, String.format("counted %s MiB of arrays; maps and ids "
            + "estimated", JvmMemory.mib(seen.arrayBytes())));
    line(out, "heap", "record cache (Kafka Streams)", recordCacheBytes,
        "metric cache-size-bytes-total, summed over tasks");
    line(out, "heap", "everything else on the heap",
        liveHeapBytes() - heapOfModels() - Math.max(0, recordCacheBytes),
        "live objects less the lines above (Kafka clients, Streams, buffers...)");
    line(out, "heap", "live objects", liveHeapBytes(), "the heap histogram's total");
    line(out, "heap", "heap used after a full GC", heap.getUsed(),
        String.format("G1's count, by region; committed %s MiB, max %s MiB",
            JvmMemory.mib(heap.getCommitted()), JvmMemory.mib(heap.getMax())));
    line(out, "native", "trainers' tables and layers", trainerAllocatedBytes(),
        "counted: ND4J arrays at capacity (values + optimiser state), gradients");
    for (String prop : ROCKSDB_PROPERTIES) {
      line(out, "native", "RocksDB " + prop, rocksDb.getOrDefault(prop, -1L),
          "RocksDB property, summed over " + rocksDbStores.size() + " store(s)");
    }
    out.printf("  %-7s %-38s %s%n", "", "(RocksDB stores)", String.join(", ", rocksDbStores));
    line(out, "native", "direct NIO buffers", directBuffers, "BufferPoolMXBean 'direct'");
    line(out, "native", "JVM non-heap in use", nonHeapUsed, "metaspace, code cache");
    if (nmt.isEmpty()) {
      out.printf("  %-7s %-38s %12s      %s%n", "native", "NMT", "n/a",
          "start the JVM with -XX:NativeMemoryTracking=summary");
    } else {
      for (JvmMemory.NmtCategory c : nmt) {
        if (c.committed() >= 1 << 20 || c.name().equals("Total")) {
          line(out, "NMT", c.name() + " (committed)", c.committed(), String.format(
              "reserved %s MiB", JvmMemory.mib(c.reserved())));
        }
      }
      line(out, "native", "not seen by NMT", untrackedNative(),
          "resident set less NMT's committed: ND4J, RocksDB, OpenBLAS, malloc, mapped files, "
              + "less what is committed but not resident");
    }
    line(out, "process", "resident set (VmRSS)", resident.rss(), String.format(
        "anonymous %s MiB, files %s MiB, peak %s MiB", JvmMemory.mib(resident.anon()),
        JvmMemory.mib(resident.file()), JvmMemory.mib(resident.peakRss())));
    out.printf("%nheap histogram after a full GC, the %d largest classes%n", histogramLines);
    for (JvmMemory.ClassBytes c : histogram.subList(0, Math.min(histogramLines,
        histogram.size()))) {
      out.printf("  %12s MiB %,12d  %s%n", JvmMemory.mib(c.bytes()), c.instances(),
          c.className());
    }
    out.flush();
  }

  private static void line(PrintWriter out, String where, String what, long bytes,
      String how) {
    out.printf("  %-7s %-38s %12s MiB  %s%n", where, what, JvmMemory.mib(bytes), how);
  }
}
