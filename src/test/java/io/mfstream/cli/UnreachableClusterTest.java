package io.mfstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mfstream.testing.UnitTest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that talks to a cluster, pointed at one that is not there: one line on standard
 * error that names the address and the likely cause, exit code 3, within the connect timeout,
 * and not a page of Kafka's client warnings before it. No broker runs here: the address is a
 * port on 127.0.0.1 that nothing listens on, one that accepts and never answers, or an HTTP
 * server.
 */
@UnitTest
@Timeout(240)
class UnreachableClusterTest {
  /** Far above the 2 to 3 s configured below: only a command that retries for a minute fails. */
  private static final double LENIENT_SECONDS = 25;

  @TempDir
  Path dir;

  private record Run(int code, String out, String err, String log, double seconds) {
    long warnings() {
      return (err + log).lines().filter(l -> l.contains(" WARN ")).count();
    }
  }

  /**
   * Runs a command line, with what is written to {@code System.err} meanwhile (Kafka's clients
   * log there, through slf4j-simple) captured as {@code log}.
   */
  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    PrintStream stderr = System.err;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    long t0 = System.nanoTime();
    int code;
    System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    try {
      code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    } finally {
      System.setErr(stderr);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    return new Run(code, out.toString(), err.toString(), log.toString(StandardCharsets.UTF_8),
        seconds);
  }

  private static String closedAddress() throws Exception {
    return "127.0.0.1:" + BrokerProbeTest.freePort();
  }

  /** Each command, with its arguments before the address and the timeout flag. */
  static Stream<List<String>> commands() {
    return Stream.of(
        List.of("ask", "--user", "u", "--item", "i"),
        List.of("ask", "--user", "u", "--top", "3"),
        List.of("produce", "--file", "pom.xml"),
        List.of("replay", "--limit", "10"),
        List.of("run", "--http-port", "0", "--duration", "5"));
  }

  private static String[] args(List<String> command, String address, String seconds) {
    List<String> a = new ArrayList<>(command);
    a.addAll(List.of("--bootstrap-servers", address, "--connect-timeout", seconds));
    return a.toArray(String[]::new);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void shouldSayAtOnceThatNothingListensAtTheAddress(List<String> command) throws Exception {
    String address = closedAddress();
    Run r = run(args(command, address, "3"));
    String what = command.get(0) + ": " + r;
    assertEquals(Main.EXIT_UNREACHABLE, r.code(), what);
    assertEquals(1, r.err().lines().count(), what);
    assertTrue(r.err().startsWith("mfstream: cannot reach Kafka at " + address), what);
    assertTrue(r.err().contains("nothing listens there (connection refused)"), what);
    assertTrue(r.seconds() < 3 + LENIENT_SECONDS, what);
    assertTrue(r.warnings() <= 2, r.warnings() + " warnings: " + what);
  }

  @ParameterizedTest
  @MethodSource("commands")
  void shouldGiveUpOnAPortThatNeverAnswersAfterTheConnectTimeout(List<String> command)
      throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + silent.getLocalPort();
      Run r = run(args(command, address, "2"));
      String what = command.get(0) + ": " + r;
      assertEquals(Main.EXIT_UNREACHABLE, r.code(), what);
      assertTrue(r.err().startsWith("mfstream: cannot reach Kafka at " + address), what);
      assertTrue(r.err().contains("did not answer a Kafka request within 2 s"), what);
      assertTrue(r.seconds() >= 1.9, "gave up before the timeout: " + what);
      assertTrue(r.seconds() < 2 + LENIENT_SECONDS, what);
      assertTrue(r.warnings() <= 2, r.warnings() + " warnings: " + what);
    }
  }

  @Test
  void runShouldTakeTheTimeoutFromItsSettings() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + silent.getLocalPort();
      Path config = dir.resolve("mfstream.properties");
      Files.writeString(config, "bootstrap.servers=" + address + "\nconnect.timeout.ms=1500\n");
      Run r = run("run", "--config", config.toString(), "--http-port", "0");
      assertEquals(Main.EXIT_UNREACHABLE, r.code(), r.toString());
      assertTrue(r.err().contains("cannot reach Kafka at " + address + " (bootstrap.servers "
          + "from " + config + ")"), r.err());
      assertTrue(r.err().contains("within 1.5 s"), r.err());
      assertTrue(r.seconds() >= 1.4 && r.seconds() < 1.5 + LENIENT_SECONDS, r.toString());
    }
  }

  @Test
  void shouldSayThatAnHttpServerIsNotKafka() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 0);
    http.createContext("/", e -> {
      e.sendResponseHeaders(200, -1);
      e.close();
    });
    http.start();
    try {
      String address = "127.0.0.1:" + http.getAddress().getPort();
      Run r = run("replay", "--limit", "1", "--bootstrap-servers", address, "--connect-timeout",
          "10");
      assertEquals(Main.EXIT_UNREACHABLE, r.code(), r.toString());
      assertTrue(r.err().contains("cannot reach Kafka at " + address), r.err());
      assertTrue(r.err().contains("an HTTP server answers there, not Kafka: wrong port?"),
          r.err());
    } finally {
      http.stop(0);
    }
  }

  @Test
  void shouldNameEachAddressOfTheListWithItsOwnCause() throws Exception {
    String closed = closedAddress();
    Run r = run("produce", "--file", "pom.xml", "--bootstrap-servers",
        closed + ",no-such-broker.invalid:9092", "--connect-timeout", "10");
    assertEquals(Main.EXIT_UNREACHABLE, r.code(), r.toString());
    assertTrue(r.err().contains(closed + ": nothing listens there"), r.err());
    assertTrue(r.err().contains("no-such-broker.invalid:9092: the host name does not resolve"),
        r.err());
    assertEquals(0, r.warnings(), r.toString());
  }

  @Test
  void aMalformedAddressShouldBeAnErrorOfItsOwn() {
    Run r = run("ask", "--user", "u", "--item", "i", "--bootstrap-servers", "localhost");
    assertEquals(Main.EXIT_ERROR, r.code(), r.toString());
    assertTrue(r.err().contains("'localhost' is not HOST:PORT"), r.err());
  }

  @Test
  void aBadTimeoutShouldBeRefusedBeforeAnyConnection() {
    Run ask = run("ask", "--user", "u", "--item", "i", "--bootstrap-servers", "127.0.0.1:1",
        "--connect-timeout", "0");
    assertEquals(Main.EXIT_ERROR, ask.code(), ask.toString());
    assertTrue(ask.err().contains("--connect-timeout must be more than 0"), ask.err());
    Run run = run("run", "--bootstrap-servers", "127.0.0.1:1", "--connect-timeout", "-1");
    assertEquals(Main.EXIT_ERROR, run.code(), run.toString());
    assertTrue(run.err().contains("--connect-timeout must be more than 0"), run.err());
  }
}
