package io.mfstream.stream.topics;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * One topic as declared in {@code topics/}: its name, partition count, replication factor and
 * topic configs (such as {@code cleanup.policy}).
 *
 * @param name the topic's name: 1 to 249 of {@code [a-zA-Z0-9._-]}, not {@code .} or {@code ..}
 * @param partitions at least 1
 * @param replicationFactor at least 1
 * @param configs topic configs by Kafka's names, without the {@code config.} prefix of the file;
 *     kept sorted by key
 */
public record TopicDefinition(
    String name, int partitions, short replicationFactor, Map<String, String> configs) {

  /** Kafka's own limit on a topic name's length. */
  static final int MAX_NAME_LENGTH = 249;

  public TopicDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(configs, "configs");
    if (!isLegalName(name)) {
      throw new IllegalArgumentException(
          "illegal topic name '" + name + "': use 1 to " + MAX_NAME_LENGTH
              + " of the characters [a-zA-Z0-9._-], and not '.' or '..'");
    }
    if (partitions < 1) {
      throw new IllegalArgumentException(
          "topic " + name + ": partitions must be at least 1, was " + partitions);
    }
    if (replicationFactor < 1) {
      throw new IllegalArgumentException(
          "topic " + name + ": replication factor must be at least 1, was " + replicationFactor);
    }
    configs = Collections.unmodifiableMap(new TreeMap<>(configs));
  }

  /** The Admin client's request to create this topic. */
  public NewTopic toNewTopic() {
    return new NewTopic(name, partitions, replicationFactor).configs(configs);
  }

  static boolean isLegalName(String name) {
    return !name.isEmpty()
        && name.length() <= MAX_NAME_LENGTH
        && !name.equals(".")
        && !name.equals("..")
        && name.chars().allMatch(TopicDefinition::isLegalNameChar);
  }

  private static boolean isLegalNameChar(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '_' || c == '-';
  }
}
