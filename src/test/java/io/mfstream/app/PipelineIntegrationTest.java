package io.mfstream.app;

import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PipelineScenario} on Kafka's own server started in-process ({@link EmbeddedKafka}): no
 * Docker needed, so it runs everywhere.
 */
@BrokerTest
@Timeout(600)
class PipelineIntegrationTest {
  private static EmbeddedKafka kafka;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() {
    kafka = new EmbeddedKafka().start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void shouldLearnServeAndResumeExactlyAfterRestarts() throws Exception {
    PipelineScenario.run(kafka.bootstrapServers(), dir);
  }
}
