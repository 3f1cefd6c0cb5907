package io.mfstream.app;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.mfstream.testing.ContainerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link PipelineScenario} on the official {@code apache/kafka} image, the broker of
 * docker-compose.yml, run by Testcontainers: the same assertions as {@link
 * PipelineIntegrationTest}, against a broker in its own container, reached through the address
 * the container advertises.
 *
 * <p>It needs a Docker engine. Where Testcontainers finds none, the test is skipped and the skip
 * message says so; {@code -Dmfstream.require.docker=true} turns that skip into a failure, for a
 * machine that is meant to have Docker. The check is in the test method, not in a
 * {@code @BeforeAll}: Surefire reports an assumption in the method as a skipped test with its
 * message, but a class aborted in {@code @BeforeAll} as "Tests run: 0", neither run nor skipped,
 * with no message. (Testcontainers' {@code @Testcontainers(disabledWithoutDocker = true)} is
 * reported as skipped too, but its message does not say what was looked for, and it cannot be
 * made to fail where Docker is required.)
 */
@ContainerTest
@Timeout(600)
class PipelineContainerTest {
  /** The image and version of docker-compose.yml, and the Kafka version mfstream is built on. */
  static final DockerImageName IMAGE = DockerImageName.parse("apache/kafka:4.1.1");

  @TempDir Path dir;

  @Test
  void shouldLearnServeAndResumeExactlyAfterRestarts() throws Exception {
    requireDocker();
    try (KafkaContainer kafka = new KafkaContainer(IMAGE)) {
      kafka.start();
      PipelineScenario.run(kafka.getBootstrapServers(), dir);
    }
  }

  /** Skips (or, with {@code mfstream.require.docker}, fails) unless a Docker engine answers. */
  static void requireDocker() {
    if (DockerClientFactory.instance().isDockerAvailable()) {
      return;
    }
    String why = "no Docker engine found (DOCKER_HOST="
        + System.getenv().getOrDefault("DOCKER_HOST", "unset") + ", /var/run/docker.sock "
        + (Files.exists(Path.of("/var/run/docker.sock")) ? "present" : "absent")
        + "), so Testcontainers cannot start " + IMAGE.asCanonicalNameString()
        + " (-Dorg.slf4j.simpleLogger.log.org.testcontainers.dockerclient=info lists what it tried)";
    if (Boolean.getBoolean("mfstream.require.docker")) {
      throw new IllegalStateException(why + "; mfstream.require.docker is set");
    }
    assumeTrue(false, why);
  }
}
