package io.mfstream.testing;

import java.util.List;

/**
 * The five JUnit tags that sort the test classes into groups, one per class, each put there by
 * its composed annotation ({@link UnitTest}, {@link TopologyTest}, {@link BrokerTest},
 * {@link ContainerTest}, {@link DeploymentTest}). Surefire selects by them:
 * {@code ./mvnw test -Dgroups=unit}, {@code -Dgroups='unit | topology'},
 * {@code -DexcludedGroups=broker}. docs/TESTING.md lists what goes where.
 */
public final class TestTags {

  /** The JVM alone. */
  public static final String UNIT = "unit";
  /** Kafka Streams' {@code TopologyTestDriver}, no broker. */
  public static final String TOPOLOGY = "topology";
  /** A Kafka broker in-process ({@code EmbeddedKafka}). */
  public static final String BROKER = "broker";
  /** Kafka in a container (Testcontainers, Docker). */
  public static final String CONTAINER = "container";
  /** The deployment files and the tools that read them. */
  public static final String DEPLOYMENT = "deployment";

  /** The five tags, in the order docs/TESTING.md lists the groups. */
  public static final List<String> ALL = List.of(UNIT, TOPOLOGY, BROKER, CONTAINER, DEPLOYMENT);

  private TestTags() {
  }
}
