package io.mfstream.stream.topics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * Creates the topics of a list of {@link TopicDefinition}s that a cluster does not have yet.
 *
 * <p>Topics that already exist are left as they are: nothing is altered or deleted. Those whose
 * partition count differs from their definition are reported in the result, so that the caller
 * can decide (a partition count decides which task owns which key, so it must not drift
 * silently). Replication factors and topic configs of existing topics are not compared.
 */
public final class TopicCreator {

  private TopicCreator() {}

  /** An existing topic whose partition count is not the one its definition asks for. */
  public record PartitionMismatch(String topic, int defined, int actual) {}

  /**
   * What {@link #createAll} did.
   *
   * @param created the topics it created, sorted
   * @param existing the defined topics that were there already (left alone), sorted
   * @param partitionMismatches the existing topics whose partition count differs from their
   *     definition, sorted by topic; empty when all agree
   */
  public record Result(
      List<String> created, List<String> existing, List<PartitionMismatch> partitionMismatches) {
    public Result {
      created = List.copyOf(created);
      existing = List.copyOf(existing);
      partitionMismatches = List.copyOf(partitionMismatches);
    }
  }

  /**
   * Creates every defined topic the cluster lacks and checks the partition counts of the others.
   * It returns once the broker it asked lists the topics it created.
   *
   * @param admin an Admin client of the cluster; not closed here
   * @param definitions the topics, for example from {@link TopicDefinitions#load}
   * @param timeout the time the whole call may take
   * @return what was created, what existed, and the partition mismatches
   * @throws TimeoutException if the cluster did not answer within {@code timeout}
   * @throws KafkaException if the cluster refused a request (the message names the topic)
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  public static Result createAll(
      Admin admin, List<TopicDefinition> definitions, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> present = await(
        admin.listTopics(new ListTopicsOptions().timeoutMs(remainingMs(deadline))).names(),
        deadline, "listing topics");

    List<TopicDefinition> missing = new ArrayList<>();
    List<String> existing = new ArrayList<>();
    for (TopicDefinition definition : definitions) {
      if (present.contains(definition.name())) {
        existing.add(definition.name());
      } else {
        missing.add(definition);
      }
    }

    List<String> created = new ArrayList<>();
    if (!missing.isEmpty()) {
      CreateTopicsResult result = admin.createTopics(
          missing.stream().map(TopicDefinition::toNewTopic).toList(),
          new CreateTopicsOptions().timeoutMs(remainingMs(deadline)));
      for (TopicDefinition definition : missing) {
        try {
          await(result.values().get(definition.name()), deadline,
              "creating topic " + definition.name());
          created.add(definition.name());
        } catch (TopicExistsException e) {
          // Created by someone else since the listing: it exists, so check it like the others.
          existing.add(definition.name());
        }
      }
      awaitListed(admin, created, deadline);
    }

    List<PartitionMismatch> mismatches = new ArrayList<>();
    if (!existing.isEmpty()) {
      DescribeTopicsOptions options = new DescribeTopicsOptions().timeoutMs(remainingMs(deadline));
      Map<String, TopicDescription> descriptions = await(
          admin.describeTopics(existing, options).allTopicNames(),
          deadline, "describing topics " + existing);
      for (TopicDefinition definition : definitions) {
        TopicDescription description = descriptions.get(definition.name());
        if (description != null && description.partitions().size() != definition.partitions()) {
          mismatches.add(new PartitionMismatch(
              definition.name(), definition.partitions(), description.partitions().size()));
        }
      }
    }
    created.sort(null);
    existing.sort(null);
    mismatches.sort(Comparator.comparing(PartitionMismatch::topic));
    return new Result(created, existing, mismatches);
  }

  /**
   * Waits until a listing shows {@code names}. A KRaft broker answers CreateTopics once the
   * controller has committed the topics, which can be before its own metadata has caught up (tens
   * of milliseconds): a client that looks for the topics right after, as the pipeline does, would
   * not find them yet.
   */
  private static void awaitListed(Admin admin, List<String> names, long deadline)
      throws InterruptedException {
    while (true) {
      Set<String> listed = await(
          admin.listTopics(new ListTopicsOptions().timeoutMs(remainingMs(deadline))).names(),
          deadline, "listing the topics just created");
      List<String> absent = names.stream().filter(n -> !listed.contains(n)).toList();
      if (absent.isEmpty()) {
        return;
      }
      if (System.nanoTime() >= deadline) {
        throw new TimeoutException("timed out waiting for the topics just created to be listed: "
            + absent);
      }
      Thread.sleep(10);
    }
  }

  private static int remainingMs(long deadline) {
    long ms = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }

  private static <T> T await(Future<T> future, long deadline, String what)
      throws InterruptedException {
    try {
      return future.get(remainingMs(deadline), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      future.cancel(true);
      throw new TimeoutException("timed out " + what);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof TopicExistsException exists) {
        throw exists;
      }
      if (cause instanceof TimeoutException timeout) {
        throw new TimeoutException("timed out " + what, timeout);
      }
      throw new KafkaException("failed " + what + ": " + cause, cause);
    }
  }
}
