package io.mfstream.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mfstream.json.JsonMappers;
import io.mfstream.stream.PipelineSettings;
import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.train.QualitySettings;
import io.mfstream.train.SnapshotHeader;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every instance of one {@code application.id} must be configured alike: which partition of
 * {@code ratings-valid} is which model is decided by each instance's own {@code models} list
 * (validation fans a rating out to one partition per model it knows; the trainer of partition i
 * trains the i-th model it knows), so an instance with another list, sharing the work of running
 * ones, would feed some models only part of the ratings or train one model's task as another.
 *
 * <p>Before an instance joins, it compares the settings that decide what is learned and reported
 * ({@link #settings}) with the ones recorded in the compacted topic
 * {@code APPLICATION_ID-settings} by the instances already running:
 *
 * <ul>
 *   <li>the consumer group {@code application.id} has members and the recorded settings differ:
 *       it waits for the group to empty as long as {@code session.timeout.ms} (a stopped or killed
 *       instance stays a member until its session times out), and if members remain, refuses to
 *       start, naming each difference, and never joins;
 *   <li>the group has members and recorded nothing (a version without this check): it records its
 *       own and starts;
 *   <li>the group has no member: it records its settings when they differ from the recorded ones
 *       (a changed configuration, every instance stopped first) and starts.
 * </ul>
 *
 * A setting only one side recorded is not compared, so an upgrade that adds a setting can still
 * roll. Two instances configured differently that start at the same moment, with no instance
 * running, both see an empty group: that race is not closed here.
 */
final class SettingsGuard {
  private static final Logger LOG = LoggerFactory.getLogger(SettingsGuard.class);
  private static final ObjectMapper JSON = JsonMappers.mapper();
  private static final int FORMAT = 1;

  private SettingsGuard() {}

  /** The topic where the instances of {@code applicationId} record their settings. */
  static String topic(String applicationId) {
    return applicationId + "-settings";
  }

  /**
   * The settings every instance must share, as one JSON object: the models in partition order,
   * each model's network, optimiser, batch size and RMSE window (as its store records them), the
   * quality meters', the RMSE report interval, the linger flush and the valid rating range. The
   * operator's per-instance settings (ports, state directory, threads, Kafka clients'), a
   * model's reset generation and warm start (both may roll), and the checkpoint interval (it
   * does not change what is learned) are not in it.
   */
  static ObjectNode settings(PipelineSettings s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("format", FORMAT);
    ArrayNode names = o.putArray("models");
    s.modelNames().forEach(names::add);
    for (ModelSpec m : s.models()) {
      ObjectNode spec = o.putObject("model." + m.name());
      SnapshotHeader.writeConfigs(spec, m.model(), m.optimizer());
      spec.put("batchSize", m.batchSize());
      spec.put("window", m.window());
      QualitySettings q = m.quality();
      spec.put("quality.cold.user.ratings", q.coldUserRatings());
      spec.put("quality.cold.item.ratings", q.coldItemRatings());
      spec.put("ranking.positive.rating", q.positiveRating());
      spec.put("ranking.sample", q.rankingSample());
    }
    o.put("rmse.report.every", s.reportEvery());
    o.put("linger.ms", s.lingerMs());
    o.put("rating.min", s.validator().minRating());
    o.put("rating.max", s.validator().maxRating());
    return o;
  }

  /**
   * The differences between the recorded settings and this instance's, one line each
   * ({@code key: here X, recorded Y}); empty when they agree on every key both have.
   */
  static List<String> differences(JsonNode recorded, JsonNode mine) {
    List<String> out = new ArrayList<>();
    TreeSet<String> keys = new TreeSet<>();
    mine.fieldNames().forEachRemaining(keys::add);
    for (String k : keys) {
      if (k.equals("format") || !recorded.has(k)) {
        continue;
      }
      JsonNode a = mine.get(k);
      JsonNode b = recorded.get(k);
      if (a.isObject() && b.isObject()) {
        for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
          String f = it.next();
          if (b.has(f) && !b.get(f).equals(a.get(f))) {
            out.add(k + "." + f + ": here " + a.get(f) + ", running " + b.get(f));
          }
        }
      } else if (!a.equals(b)) {
        out.add(k + ": here " + plain(a) + ", running " + plain(b));
      }
    }
    return out;
  }

  private static String plain(JsonNode n) {
    if (n.isArray()) {
      List<String> items = new ArrayList<>();
      n.forEach(x -> items.add(x.asText()));
      return String.join(",", items);
    }
    return n.toString();
  }

  /**
   * Checks this instance's settings against the running instances' and records them when it
   * may (see the class comment); creates the topic if missing.
   *
   * @param clientSettings the Kafka client settings (security), without bootstrap servers
   * @param replication the topic's replication factor, if it must be created
   * @throws IllegalStateException when instances run with other settings: the message names
   *     each difference and the way out
   */
  static void check(Admin admin, String bootstrap, Map<String, Object> clientSettings,
      String applicationId, PipelineSettings settings, short replication, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    String topic = topic(applicationId);
    TopicCreator.Result created = TopicCreator.createAll(admin, List.of(new TopicDefinition(
        topic, 1, replication, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG,
            TopicConfig.CLEANUP_POLICY_COMPACT))), timeout);
    if (!created.created().isEmpty()) {
      LOG.info("created {}, where the instances record their settings", topic);
    }
    // As read back: numbers compare by their JSON form (a float written is a double read).
    JsonNode mine;
    try {
      mine = JSON.readTree(JSON.writeValueAsBytes(settings(settings)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    JsonNode recorded = readLast(bootstrap, clientSettings, topic, timeout);
    List<MemberDescription> members = members(admin, applicationId, timeout);
    if (!members.isEmpty() && recorded != null && !differences(recorded, mine).isEmpty()) {
      members = awaitEmpty(admin, applicationId, members, sessionTimeout(clientSettings),
          timeout);
    }
    if (!members.isEmpty()) {
      if (recorded != null) {
        List<String> diff = differences(recorded, mine);
        if (!diff.isEmpty()) {
          throw new IllegalStateException("application.id " + applicationId + " is running ("
              + describe(members) + ") with other settings than this instance's: "
              + String.join("; ", diff) + ". Every instance of an application must have the "
              + "same models and learning settings: start this one with the running "
              + "instances' settings, or under another application.id; to change them, stop "
              + "every instance first (docs/CONFIGURATION.md, \"Several instances\")");
        }
        LOG.info("settings agree with the running instances' ({})", describe(members));
        return;
      }
      LOG.warn("application.id {} is running ({}) without recorded settings (an older "
          + "version?): cannot check that they agree with this instance's; recording these",
          applicationId, describe(members));
    } else if (recorded != null && !differences(recorded, mine).isEmpty()) {
      LOG.info("no instance of {} is running: its settings change ({})", applicationId,
          String.join("; ", differences(recorded, mine)));
    }
    if (recorded == null || !recorded.equals(mine)) {
      write(bootstrap, clientSettings, topic, mine, timeout);
    }
  }

  /**
   * A stopped instance stays a member until its session times out (Kafka Streams' dynamic
   * members do not leave the group on close, and a killed one cannot): a restart with changed
   * settings right after every instance stopped waits for that, as long as the session timeout
   * and a few seconds more; members that remain are running.
   */
  private static List<MemberDescription> awaitEmpty(Admin admin, String group,
      List<MemberDescription> members, Duration session, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    LOG.info("application.id {} has members ({}) with other settings: waiting up to {} s for "
        + "the sessions of stopped instances to time out", group, describe(members),
        session.plusSeconds(5).toSeconds());
    long deadline = System.nanoTime() + session.plusSeconds(5).toNanos();
    while (!members.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      members = members(admin, group, timeout);
    }
    return members;
  }

  private static Duration sessionTimeout(Map<String, Object> clientSettings) {
    Object v = clientSettings.get(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG);
    return Duration.ofMillis(v == null ? 45_000 : Long.parseLong(String.valueOf(v).trim()));
  }

  private static String describe(List<MemberDescription> members) {
    TreeSet<String> hosts = new TreeSet<>();
    TreeSet<String> instances = new TreeSet<>();
    for (MemberDescription m : members) {
      hosts.add(m.host().replaceFirst("^/", ""));
      instances.add(m.clientId().replaceFirst("-StreamThread-\\d+-consumer$", ""));
    }
    return instances.size() + " instance" + (instances.size() == 1 ? "" : "s") + ", "
        + members.size() + " stream thread" + (members.size() == 1 ? "" : "s") + ", on "
        + String.join(", ", hosts);
  }

  private static List<MemberDescription> members(Admin admin, String group, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    try {
      ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group))
          .describedGroups().get(group).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return List.copyOf(d.members());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return List.of();
      }
      throw e;
    }
  }

  private static JsonNode readLast(String bootstrap, Map<String, Object> clientSettings,
      String topic, Duration timeout) {
    Map<String, Object> c = new HashMap<>(clientSettings);
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.remove(ConsumerConfig.GROUP_ID_CONFIG);
    TopicPartition tp = new TopicPartition(topic, 0);
    byte[] last = null;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c,
        new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), timeout).get(tp);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (consumer.position(tp, timeout) < end) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("could not read " + topic + " within " + timeout);
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() != null) {
            last = r.value();
          }
        }
      }
    }
    if (last == null) {
      return null;
    }
    try {
      return JSON.readTree(last);
    } catch (IOException e) {
      LOG.warn("unreadable settings record in {} ({}): treating it as absent", topic,
          e.getMessage());
      return null;
    }
  }

  private static void write(String bootstrap, Map<String, Object> clientSettings, String topic,
      JsonNode mine, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<String, Object> p = new HashMap<>(clientSettings);
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.remove(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p,
        new ByteArraySerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, "settings".getBytes(
          java.nio.charset.StandardCharsets.UTF_8), JSON.writeValueAsBytes(mine)))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
