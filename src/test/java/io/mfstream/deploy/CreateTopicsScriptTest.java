package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mfstream.stream.topics.TopicDefinition;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code docker/create-topics.sh}, run with a fake {@code kafka-topics.sh} that records its
 * arguments: it must ask for exactly the topics that the application's own loader
 * ({@link TopicDefinitions}) reads from the same files, and create nothing when a file is wrong.
 */
@DeploymentTest
@Timeout(300)
class CreateTopicsScriptTest {

  private static final String BOOTSTRAP = "kafka:9092";
  private static final Path TOPICS = TopicDefinitions.DEFAULT_DIR;

  @TempDir Path work;

  /** The shells to run the script with: the machine's sh, and BusyBox's ash where installed. */
  static Stream<List<String>> shells() {
    List<List<String>> shells = new ArrayList<>();
    shells.add(List.of("sh"));
    boolean busybox = DeployFiles.onPath("busybox");
    if ("true".equals(System.getenv("CI")) && !busybox) {
      throw new AssertionError("CI installs busybox (.ci/run)");
    }
    if (busybox) {
      // The apache/kafka image is Alpine: its /bin/sh is BusyBox ash.
      shells.add(List.of("busybox", "sh"));
    }
    return shells.stream();
  }

  /** The arguments the script must pass for a definition, configs sorted by key. */
  static List<String> expectedArguments(String bootstrap, TopicDefinition d) {
    List<String> args = new ArrayList<>(List.of("--bootstrap-server", bootstrap, "--create",
        "--if-not-exists", "--topic", d.name(), "--partitions", Integer.toString(d.partitions()),
        "--replication-factor", Short.toString(d.replicationFactor())));
    new TreeMap<>(d.configs()).forEach((k, v) -> args.addAll(List.of("--config", k + "=" + v)));
    return args;
  }

  /** An invocation with its --config pairs sorted, so that file order does not matter. */
  static List<String> sortedConfigs(List<String> invocation) {
    int first = invocation.indexOf("--config");
    if (first < 0) {
      return invocation;
    }
    List<String> head = new ArrayList<>(invocation.subList(0, first));
    List<String> configs = new ArrayList<>();
    for (int i = first; i < invocation.size(); i += 2) {
      assertEquals("--config", invocation.get(i), "arguments after the first --config: "
          + invocation);
      configs.add(invocation.get(i + 1));
    }
    configs.sort(null);
    configs.forEach(c -> head.addAll(List.of("--config", c)));
    return head;
  }

  /** Invocations by topic name (the argument after --topic). */
  static Map<String, List<String>> byTopic(List<List<String>> invocations) {
    Map<String, List<String>> out = new TreeMap<>();
    for (List<String> invocation : invocations) {
      String topic = invocation.get(invocation.indexOf("--topic") + 1);
      assertEquals(null, out.put(topic, sortedConfigs(invocation)), "created twice: " + topic);
    }
    return out;
  }

  @ParameterizedTest
  @MethodSource("shells")
  void shouldCreateEveryProjectTopicAsTheApplicationReadsIt(List<String> shell)
      throws Exception {
    CreateTopicsRun.Result run =
        CreateTopicsRun.run(work, shell, 0, BOOTSTRAP, TOPICS.toString());
    assertEquals(0, run.exitCode(), run.stderr());
    Map<String, List<String>> expected = new TreeMap<>();
    for (TopicDefinition d : TopicDefinitions.load(TOPICS)) {
      expected.put(d.name(), expectedArguments(BOOTSTRAP, d));
    }
    assertEquals(8, expected.size(), "the project's eight topics");
    assertEquals(expected, byTopic(run.invocations()));
  }

  @Test
  void shouldPassTheRealRetentionAndCompactionSettings() throws Exception {
    Map<String, List<String>> created =
        byTopic(CreateTopicsRun.run(work, List.of("sh"), 0, BOOTSTRAP, "topics").invocations());
    assertEquals(List.of("--bootstrap-server", "kafka:9092", "--create", "--if-not-exists",
        "--topic", "ratings", "--partitions", "1", "--replication-factor", "1",
        "--config", "cleanup.policy=delete", "--config", "retention.ms=604800000"),
        created.get("ratings"));
    assertEquals(List.of("--bootstrap-server", "kafka:9092", "--create", "--if-not-exists",
        "--topic", "predictions", "--partitions", "3", "--replication-factor", "1",
        "--config", "cleanup.policy=delete", "--config", "retention.ms=86400000"),
        created.get("predictions"));
    assertEquals("1", created.get("ratings-dlq").get(7), "ratings-dlq has one partition");
  }

  /** Spellings the Java loader accepts, which the script must read the same way. */
  @ParameterizedTest
  @MethodSource("shells")
  void shouldReadWhiteSpaceCommentsAndLineEndingsAsJavaDoes(List<String> shell) throws Exception {
    Path dir = Files.createDirectories(work.resolve("topics"));
    write(dir, "a.properties", "# comment\n! also a comment\n\n  name = spaced\n"
        + "partitions=\t12 \nreplication.factor =3\nconfig.cleanup.policy=compact,delete\n"
        + "config.min.insync.replicas=2");
    write(dir, "b.properties", "name=crlf\r\npartitions=1\r\nreplication.factor=1\r\n"
        + "config.retention.ms=1000\r\n");
    write(dir, "README.md", "not a definition\n");
    CreateTopicsRun.Result run = CreateTopicsRun.run(work, shell, 0, "h:1", dir.toString());
    assertEquals(0, run.exitCode(), run.stderr());
    Map<String, List<String>> expected = new TreeMap<>();
    for (TopicDefinition d : TopicDefinitions.load(dir)) {
      expected.put(d.name(), expectedArguments("h:1", d));
    }
    assertEquals(2, expected.size());
    assertEquals(expected, byTopic(run.invocations()));
  }

  static Stream<Arguments> badFiles() {
    return Stream.of(
        Arguments.of("unknown key", "name=t\npartitions=1\nreplication.factor=1\nretention=1\n",
            "unknown key 'retention'", true),
        Arguments.of("missing partitions", "name=t\nreplication.factor=1\n",
            "missing 'partitions'", true),
        Arguments.of("missing name", "partitions=1\nreplication.factor=1\n", "missing 'name'", true),
        Arguments.of("zero partitions", "name=t\npartitions=0\nreplication.factor=1\n",
            "partitions must be an integer of at least 1", true),
        Arguments.of("negative", "name=t\npartitions=-1\nreplication.factor=1\n",
            "partitions must be an integer of at least 1", true),
        Arguments.of("not a number", "name=t\npartitions=three\nreplication.factor=1\n",
            "partitions must be an integer of at least 1", true),
        Arguments.of("replication too large", "name=t\npartitions=1\nreplication.factor=40000\n",
            "replication.factor 40000 is too large", true),
        Arguments.of("partitions over int32", "name=t\npartitions=2147483648\n"
            + "replication.factor=1\n", "partitions 2147483648 is too large", true),
        Arguments.of("illegal name", "name=a/b\npartitions=1\nreplication.factor=1\n",
            "illegal topic name", true),
        Arguments.of("dot name", "name=..\npartitions=1\nreplication.factor=1\n",
            "illegal topic name", true),
        Arguments.of("empty config", "name=t\npartitions=1\nreplication.factor=1\n"
            + "config.retention.ms=\n", "config.retention.ms has no value", true),
        Arguments.of("bare config prefix", "name=t\npartitions=1\nreplication.factor=1\n"
            + "config.=1\n", "unknown key 'config.'", true),
        Arguments.of("key twice", "name=t\nname=u\npartitions=1\nreplication.factor=1\n",
            "name is given twice", false),
        Arguments.of("continuation", "name=t\npartitions=1\nreplication.factor=1\n"
            + "config.cleanup.policy=compact,\\\n  delete\n", "line continuations", false),
        Arguments.of("colon separator", "name:t\npartitions=1\nreplication.factor=1\n",
            "expected key=value", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badFiles")
  void shouldRefuseABadFileAndCreateNothing(String what, String content, String message,
      boolean javaRefuses) throws Exception {
    Path dir = Files.createDirectories(work.resolve("topics"));
    // A good file first in order: nothing may be created before the bad one is found.
    write(dir, "a-good.properties", "name=good\npartitions=1\nreplication.factor=1\n");
    write(dir, "b-bad.properties", content);
    CreateTopicsRun.Result run = CreateTopicsRun.run(work, List.of("sh"), 0, "h:1",
        dir.toString());
    assertNotEquals(0, run.exitCode(), what);
    assertTrue(run.stderr().contains(message), what + ": " + run.stderr());
    assertTrue(run.stderr().contains("b-bad.properties"), "names the file: " + run.stderr());
    assertEquals(List.of(), run.invocations(), what);
    // The Java loader refuses it too, except for the spellings the script refuses to read
    // rather than read differently (a key twice, continuations, `:` separators).
    assertEquals(javaRefuses, refusedByJava(dir), what);
  }

  private static boolean refusedByJava(Path dir) throws IOException {
    try {
      TopicDefinitions.load(dir);
      return false;
    } catch (IllegalArgumentException e) {
      return true;
    }
  }

  @Test
  void shouldRefuseTwoFilesNamingTheSameTopic() throws Exception {
    Path dir = Files.createDirectories(work.resolve("topics"));
    write(dir, "a.properties", "name=same\npartitions=1\nreplication.factor=1\n");
    write(dir, "b.properties", "name=same\npartitions=2\nreplication.factor=1\n");
    CreateTopicsRun.Result run = CreateTopicsRun.run(work, List.of("sh"), 0, "h:1",
        dir.toString());
    assertNotEquals(0, run.exitCode());
    assertTrue(run.stderr().contains("topic 'same' is defined in another file too"),
        run.stderr());
    assertEquals(List.of(), run.invocations());
  }

  @Test
  void shouldRefuseAFolderWithoutDefinitions() throws Exception {
    Path dir = Files.createDirectories(work.resolve("empty"));
    write(dir, "README.md", "no definitions here\n");
    CreateTopicsRun.Result run = CreateTopicsRun.run(work, List.of("sh"), 0, "h:1",
        dir.toString());
    assertNotEquals(0, run.exitCode());
    assertTrue(run.stderr().contains("no topic definitions"), run.stderr());
    CreateTopicsRun.Result missing = CreateTopicsRun.run(work, List.of("sh"), 0, "h:1",
        work.resolve("nowhere").toString());
    assertNotEquals(0, missing.exitCode());
    assertTrue(missing.stderr().contains("does not exist"), missing.stderr());
  }

  @Test
  void shouldStopAtTheFirstFailedCreation() throws Exception {
    CreateTopicsRun.Result run = CreateTopicsRun.run(work, List.of("sh"), 2, BOOTSTRAP, "topics");
    assertNotEquals(0, run.exitCode());
    assertEquals(2, run.invocations().size(), "the third topic is not attempted");
    assertTrue(run.stderr().contains("fake failure"), run.stderr());
  }

  @Test
  void shouldRequireTheBootstrapServersAndKafkaTopicsSh() throws Exception {
    CreateTopicsRun.Result usage = CreateTopicsRun.run(work, List.of("sh"), 0);
    assertEquals(2, usage.exitCode());
    assertTrue(usage.stderr().contains("usage:"), usage.stderr());
    CreateTopicsRun.Result noTool =
        CreateTopicsRun.run(work, List.of("sh"), CreateTopicsRun.NO_FAKE, BOOTSTRAP, "topics");
    assertNotEquals(0, noTool.exitCode());
    assertTrue(noTool.stderr().contains("kafka-topics.sh is neither on PATH"), noTool.stderr());
  }

  @Test
  void shouldBeCleanForShellcheckWhereInstalled() throws Exception {
    assumeTrue(DeployFiles.onPath("shellcheck"), "shellcheck is not installed; skipping");
    Process p = new ProcessBuilder("shellcheck", "-s", "sh",
        DeployFiles.CREATE_TOPICS.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
  }

  private static void write(Path dir, String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }
}
