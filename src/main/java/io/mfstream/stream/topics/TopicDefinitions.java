package io.mfstream.stream.topics;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Reads the topic definitions of a folder such as {@code topics/}: one {@code .properties} file
 * per topic, with the keys {@code name}, {@code partitions}, {@code replication.factor} and any
 * number of {@code config.<topic config>} (see {@code topics/README.md}).
 *
 * <p>Loading is strict: any mistake fails the whole load with an {@link
 * IllegalArgumentException} that names the file, so that a misspelt key or a clash between two
 * files is found when the pipeline starts, not when a topic turns out wrong.
 */
public final class TopicDefinitions {

  /** The folder that holds the project's topic definitions, relative to the project's root. */
  public static final Path DEFAULT_DIR = Path.of("topics");

  static final String SUFFIX = ".properties";
  static final String NAME = "name";
  static final String PARTITIONS = "partitions";
  static final String REPLICATION_FACTOR = "replication.factor";
  static final String CONFIG_PREFIX = "config.";

  private TopicDefinitions() {}

  /**
   * Reads every {@code *.properties} file directly in {@code dir} (other files, such as a README,
   * are ignored).
   *
   * @return the definitions, sorted by topic name
   * @throws IllegalArgumentException if the folder holds no definition, or a file misses a
   *     required key, has a key it should not, a value that is not a positive integer, an illegal
   *     topic name, or names a topic that another file also names
   * @throws IOException if the folder or a file cannot be read
   */
  public static List<TopicDefinition> load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "topic definitions folder " + dir.toAbsolutePath() + " does not exist");
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing
          .filter(p -> p.getFileName().toString().endsWith(SUFFIX) && Files.isRegularFile(p))
          .sorted()
          .toList();
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "no topic definitions (*" + SUFFIX + ") in " + dir.toAbsolutePath());
    }
    Map<String, Path> fileByName = new HashMap<>();
    List<TopicDefinition> definitions = new ArrayList<>();
    for (Path file : files) {
      TopicDefinition definition = read(file);
      Path earlier = fileByName.putIfAbsent(definition.name(), file);
      if (earlier != null) {
        throw new IllegalArgumentException(
            file + ": topic '" + definition.name() + "' is already defined in " + earlier);
      }
      definitions.add(definition);
    }
    definitions.sort(Comparator.comparing(TopicDefinition::name));
    return List.copyOf(definitions);
  }

  /** Reads and checks one definition file. */
  public static TopicDefinition read(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    String name = null;
    Integer partitions = null;
    Integer replicationFactor = null;
    Map<String, String> configs = new TreeMap<>();
    for (String key : new TreeMap<>(properties).keySet().stream().map(Object::toString).toList()) {
      String value = properties.getProperty(key).strip();
      switch (key) {
        case NAME -> name = value;
        case PARTITIONS -> partitions = positiveInt(file, key, value);
        case REPLICATION_FACTOR -> replicationFactor = positiveInt(file, key, value);
        default -> {
          if (!key.startsWith(CONFIG_PREFIX) || key.length() == CONFIG_PREFIX.length()) {
            throw new IllegalArgumentException(
                file + ": unknown key '" + key + "'; allowed are " + NAME + ", " + PARTITIONS
                    + ", " + REPLICATION_FACTOR + " and " + CONFIG_PREFIX + "<topic config>");
          }
          if (value.isEmpty()) {
            throw new IllegalArgumentException(file + ": " + key + " has no value");
          }
          configs.put(key.substring(CONFIG_PREFIX.length()), value);
        }
      }
    }
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(file + ": missing '" + NAME + "'");
    }
    if (partitions == null) {
      throw new IllegalArgumentException(file + ": missing '" + PARTITIONS + "'");
    }
    if (replicationFactor == null) {
      throw new IllegalArgumentException(file + ": missing '" + REPLICATION_FACTOR + "'");
    }
    if (replicationFactor > Short.MAX_VALUE) {
      throw new IllegalArgumentException(
          file + ": " + REPLICATION_FACTOR + " " + replicationFactor + " is too large");
    }
    try {
      return new TopicDefinition(name, partitions, replicationFactor.shortValue(), configs);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
    }
  }

  private static int positiveInt(Path file, String key, String value) {
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          file + ": " + key + " must be an integer of at least 1, was '" + value + "'", e);
    }
    if (parsed < 1) {
      throw new IllegalArgumentException(
          file + ": " + key + " must be an integer of at least 1, was " + parsed);
    }
    return parsed;
  }
}
