package io.mfstream.stream.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.mfstream.testing.BrokerTest;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The preferred client port: taken when free, a free port instead when it is not. */
@BrokerTest
@Timeout(120)
class EmbeddedKafkaPortTest {
  @Test
  void shouldListenOnThePreferredPortWhenItIsFreeAndElsewhereWhenNot() throws Exception {
    int port;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      port = probe.getLocalPort();
    }
    try (EmbeddedKafka kafka = new EmbeddedKafka().preferClientPort(port).start()) {
      assertEquals("127.0.0.1:" + port, kafka.bootstrapServers());
      // Now the port is taken: a second broker must still start, on another port.
      try (EmbeddedKafka second = new EmbeddedKafka().preferClientPort(port).start()) {
        assertNotEquals("127.0.0.1:" + port, second.bootstrapServers());
      }
    }
  }
}
