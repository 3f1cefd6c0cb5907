package io.mfstream.cli;

import static io.mfstream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.cli.Cli.Run;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.serde.Topics;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connection check against a real broker that is the wrong one for the command: without the
 * topics (exit code 4, naming them), speaking plaintext to a client set up for TLS, advertising
 * an address that cannot be reached (exit code 3); and out of the way where all is right.
 */
@BrokerTest
@Timeout(300)
class ClusterCheckTest {
  private static EmbeddedKafka kafka;

  @TempDir
  Path dir;

  @BeforeAll
  static void startBroker() {
    kafka = new EmbeddedKafka().start(); // no topics: auto-creation is off
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void runShouldNameTheTopicsMissingOnTheClusterWhenItMayNotCreateThem() {
    Run r = run("run", "--bootstrap-servers", kafka.bootstrapServers(), "--http-port", "0",
        "--connect-timeout", "20");
    assertEquals(Main.EXIT_TOPICS_MISSING, r.code(), r.toString());
    for (var t : Topics.ALL) {
      assertTrue(r.err().contains(t.name()), t.name() + " not named: " + r.err());
    }
    assertTrue(r.err().contains("on the Kafka cluster at " + kafka.bootstrapServers()), r.err());
    assertTrue(r.err().contains("topics.create=true"), r.err());
  }

  @Test
  void clientCommandsShouldNameTheTopicTheyNeed() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
    Run produce = run("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--topic",
        "no-such-topic", "--file", empty.toString());
    assertEquals(Main.EXIT_TOPICS_MISSING, produce.code(), produce.toString());
    assertTrue(produce.err().contains("topic no-such-topic does not exist on the Kafka cluster "
        + "at " + kafka.bootstrapServers()), produce.err());

    Run ask = run("ask", "--bootstrap-servers", kafka.bootstrapServers(), "--user", "u",
        "--top", "3");
    assertEquals(Main.EXIT_TOPICS_MISSING, ask.code(), ask.toString());
    assertTrue(ask.err().contains("topics missing: [" + Topics.RECOMMENDATION_REQUESTS.name()
        + ", " + Topics.RECOMMENDATIONS.name() + "]"), ask.err());
  }

  @Test
  void aClientSetUpForTlsShouldBeToldTheListenerIsPlaintext() throws Exception {
    Path tls = Files.writeString(dir.resolve("tls.properties"), "security.protocol=SSL\n");
    Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
    Run r = run("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--client-config",
        tls.toString(), "--file", empty.toString());
    assertEquals(Main.EXIT_UNREACHABLE, r.code(), r.toString());
    assertTrue(r.err().contains("cannot reach Kafka at " + kafka.bootstrapServers()), r.err());
    assertTrue(r.err().contains("a plaintext Kafka listener, but security.protocol is SSL"),
        r.err());
  }

  @Test
  void aClientSetUpForSaslShouldBeToldWhatThePlaintextListenerMadeOfIt() throws Exception {
    Path sasl = Files.writeString(dir.resolve("sasl.properties"), """
        security.protocol=SASL_PLAINTEXT
        sasl.mechanism=PLAIN
        sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required \
          username="mfstream" password="not-shown";
        """);
    Path empty = Files.writeString(dir.resolve("empty.jsonl"), "");
    Run r = run("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--client-config",
        sasl.toString(), "--file", empty.toString(), "--connect-timeout", "5");
    assertEquals(Main.EXIT_UNREACHABLE, r.code(), r.toString());
    assertTrue(r.err().contains("cannot use Kafka at " + kafka.bootstrapServers()), r.err());
    assertTrue(r.err().contains("refused the connection's authentication"), r.err());
    assertTrue(r.err().contains("do security.protocol (SASL_PLAINTEXT) and sasl.mechanism "
        + "match the listener?"), r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(!r.err().contains("not-shown"), r.err());
  }

  @Test
  void clientSettingsKafkaRefusesShouldBeAnErrorOfTheirOwn() throws Exception {
    Path bad = Files.writeString(dir.resolve("bad.properties"), """
        security.protocol=SASL_PLAINTEXT
        sasl.mechanism=PLAIN
        sasl.jaas.config=not a JAAS line
        """);
    Run r = run("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--client-config",
        bad.toString(), "--file", "pom.xml");
    assertEquals(Main.EXIT_ERROR, r.code(), r.toString());
    assertTrue(r.err().contains("the Kafka client settings are refused"), r.err());
  }

  @Test
  void theCheckShouldLetACommandThroughWhenTheClusterHasItsTopic() throws Exception {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers()))) {
      admin.createTopics(List.of(new NewTopic("check-passes", 1, (short) 1))).all().get();
    }
    Path one = Files.writeString(dir.resolve("one.jsonl"), "{\"user\": \"u\"}\n");
    Run r = run("produce", "--bootstrap-servers", kafka.bootstrapServers(), "--topic",
        "check-passes", "--file", one.toString(), "--connect-timeout", "20");
    assertEquals(Main.EXIT_OK, r.code(), r.toString());
    assertTrue(r.out().contains("1 records sent to check-passes"), r.out());
  }

  @Test
  void aClusterAdvertisingAnAddressOfAnotherNetworkShouldBeSaidSo() throws Exception {
    // What a broker in Docker does when it advertises its service name to a client on the host:
    // a second listener, EXTERNAL, whose advertised name does not resolve here. The broker
    // itself keeps using its own listener, so it starts.
    int client = BrokerProbeTest.freePort();
    int controller = BrokerProbeTest.freePort();
    int external = BrokerProbeTest.freePort();
    Map<String, String> overrides = Map.of(
        "listeners", "PLAINTEXT://127.0.0.1:" + client + ",CONTROLLER://127.0.0.1:" + controller
            + ",EXTERNAL://127.0.0.1:" + external,
        "advertised.listeners", "PLAINTEXT://127.0.0.1:" + client
            + ",EXTERNAL://kafka-1.invalid:9092",
        "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,"
            + "EXTERNAL:PLAINTEXT",
        "controller.quorum.voters", "1@127.0.0.1:" + controller);
    try (EmbeddedKafka docker = new EmbeddedKafka(null, overrides).preferClientPort(client)
        .start()) {
      String address = "127.0.0.1:" + external;
      Run r = run("ask", "--bootstrap-servers", address, "--user", "u", "--item", "i",
          "--connect-timeout", "20");
      assertEquals(Main.EXIT_UNREACHABLE, r.code(), r.toString());
      assertTrue(r.err().contains("Kafka at " + address + " (--bootstrap-servers) answered, but "
          + "the brokers it advertises (kafka-1.invalid:9092) cannot be reached from here"),
          r.err());
      assertTrue(r.err().contains("advertised.listeners"), r.err());
      // the broker's own listener is fine
      Run ok = run("ask", "--bootstrap-servers", docker.bootstrapServers(), "--user", "u",
          "--item", "i", "--connect-timeout", "20");
      assertEquals(Main.EXIT_TOPICS_MISSING, ok.code(), ok.toString());
    }
  }
}
