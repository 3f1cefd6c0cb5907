package io.mfstream.bench;

import io.mfstream.app.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * What an application wrote to Kafka: the committed records of each topic, and their key plus
 * value bytes, read back with a read_committed consumer (aborted records and transaction markers
 * are not counted). {@code bench-stream} divides them by the ratings replayed.
 */
public final class TopicTally {
  /** Committed records of one topic and their key plus value bytes. */
  public record Written(long records, long bytes) {
    public Written plus(Written o) {
      return new Written(records + o.records, bytes + o.bytes);
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private TopicTally() {}

  /**
   * Waits until consumer group {@code group} has committed every partition of {@code topics} up
   * to its end: under exactly-once, everything the group wrote from those records is then
   * committed too.
   */
  public static void awaitCaughtUp(String bootstrap, String group, Collection<String> topics,
      Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (Admin admin = admin(bootstrap)) {
      List<TopicPartition> parts = partitions(admin, topics);
      Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(TopicTally::compare);
      parts.forEach(p -> latest.put(p, OffsetSpec.latest()));
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          get(admin.listOffsets(latest).all());
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata());
        boolean done = true;
        for (TopicPartition p : parts) {
          long end = ends.get(p).offset();
          OffsetAndMetadata c = committed.get(p);
          // Under exactly-once the committed position can sit past the last data record, on
          // the transaction marker: at least the end is caught up.
          done &= end == 0 || (c != null && c.offset() >= end);
        }
        if (done) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("group " + group + " did not commit " + topics
              + " to their end within " + timeout + ": committed " + committed + ", ends "
              + ends);
        }
        Thread.sleep(20);
      }
    }
  }

  /**
   * The committed records and bytes of every topic on the cluster except Kafka's own
   * ({@code __...}) and {@code exclude}, by topic name.
   */
  public static Map<String, Written> committed(String bootstrap, Set<String> exclude)
      throws InterruptedException {
    Map<String, Written> out = new TreeMap<>();
    try (Admin admin = admin(bootstrap)) {
      List<String> topics = new ArrayList<>();
      for (String t : get(admin.listTopics().names())) {
        if (!t.startsWith("__") && !exclude.contains(t)) {
          topics.add(t);
        }
      }
      List<TopicPartition> parts = partitions(admin, topics);
      awaitNoOpenTransaction(admin, parts);
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
      try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
          new ByteArrayDeserializer())) {
        c.assign(parts);
        c.seekToBeginning(parts);
        Map<TopicPartition, Long> ends = c.endOffsets(parts, TIMEOUT);
        for (String t : topics) {
          out.put(t, new Written(0, 0));
        }
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!atEnd(c, parts, ends)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("could not read the topics to their end within "
                + TIMEOUT);
          }
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            long bytes = (r.key() == null ? 0 : r.key().length)
                + (r.value() == null ? 0 : r.value().length);
            out.merge(r.topic(), new Written(1, bytes), Written::plus);
          }
        }
      }
    }
    return out;
  }

  /**
   * Waits until no partition has an open transaction (its last stable offset is its high
   * watermark). A group's committed offsets become visible when its transaction commits, but the
   * commit markers reach the output partitions a moment later: until then a read_committed
   * reader stops before the last transaction's records and would not count them.
   */
  private static void awaitNoOpenTransaction(Admin admin, List<TopicPartition> parts)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new TreeMap<>(TopicTally::compare);
    parts.forEach(p -> latest.put(p, OffsetSpec.latest()));
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> stable = get(admin.listOffsets(
          latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all());
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> high = get(admin.listOffsets(
          latest, new ListOffsetsOptions(IsolationLevel.READ_UNCOMMITTED)).all());
      List<TopicPartition> open = new ArrayList<>();
      for (TopicPartition p : parts) {
        if (stable.get(p).offset() != high.get(p).offset()) {
          open.add(p);
        }
      }
      if (open.isEmpty()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("partitions " + open + " still had an open transaction "
            + "after " + TIMEOUT + ": is the application still writing?");
      }
      Thread.sleep(20);
    }
  }

  private static boolean atEnd(KafkaConsumer<?, ?> c, List<TopicPartition> parts,
      Map<TopicPartition, Long> ends) {
    for (TopicPartition p : parts) {
      if (c.position(p) < ends.get(p)) {
        return false;
      }
    }
    return true;
  }

  private static List<TopicPartition> partitions(Admin admin, Collection<String> topics)
      throws InterruptedException {
    List<TopicPartition> parts = new ArrayList<>();
    Map<String, TopicDescription> d = get(admin.describeTopics(topics).allTopicNames());
    for (TopicDescription td : d.values()) {
      td.partitions().forEach(p -> parts.add(new TopicPartition(td.name(), p.partition())));
    }
    parts.sort(TopicTally::compare);
    return parts;
  }

  private static int compare(TopicPartition a, TopicPartition b) {
    int c = a.topic().compareTo(b.topic());
    return c != 0 ? c : Integer.compare(a.partition(), b.partition());
  }

  private static Admin admin(String bootstrap) {
    return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
  }

  private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws InterruptedException {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("admin request failed: " + Pipeline.rootMessage(e), e);
    }
  }
}
