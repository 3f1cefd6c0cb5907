package io.mfstream.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mfstream.cli.BrokerProbe.Found;
import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@link BrokerProbe} makes of what listens at an address, each case served by a socket of
 * the test's own on 127.0.0.1: nothing, a port that accepts and says nothing, an HTTP server, a
 * TLS listener's alert, a Kafka answer, a peer that hangs up.
 */
@UnitTest
@Timeout(120)
class BrokerProbeTest {
  private final List<AutoCloseable> servers = new ArrayList<>();

  @AfterEach
  void closeServers() throws Exception {
    for (AutoCloseable s : servers) {
      s.close();
    }
  }

  private static long in(double seconds) {
    return System.nanoTime() + (long) (seconds * 1e9);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort(); // closed again: nothing listens there
    }
  }

  /** A server that reads what the client sends, then answers each connection with {@code reply}. */
  private int serve(BiConsumer<InputStream, OutputStream> reply) throws IOException {
    ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(server);
    Thread t = new Thread(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          reply.accept(s.getInputStream(), s.getOutputStream());
        } catch (IOException e) {
          return;
        }
      }
    }, "probe-test-server");
    t.setDaemon(true);
    t.start();
    return server.getLocalPort();
  }

  private static byte[] readRequest(InputStream in) {
    try {
      byte[] size = in.readNBytes(4);
      return in.readNBytes(ByteBuffer.wrap(size).getInt());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void write(OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void shouldFindNothingListeningAtAClosedPort() throws Exception {
    BrokerProbe.Result r = BrokerProbe.probe("127.0.0.1", freePort(), in(5));
    assertEquals(Found.REFUSED, r.found(), r.toString());
    assertEquals("127.0.0.1:" + r.address().split(":")[1], r.address());
  }

  @Test
  void shouldFindAnUnknownHostName() {
    // .invalid never resolves (RFC 6761)
    assertEquals(Found.UNKNOWN_HOST, BrokerProbe.probe("no-such-broker.invalid", 9092, in(10))
        .found());
  }

  @Test
  void shouldGiveUpOnASilentPortAtTheDeadline() throws Exception {
    ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    servers.add(silent); // the kernel accepts connections into the backlog; nobody reads them
    long t0 = System.nanoTime();
    BrokerProbe.Result r = BrokerProbe.probe("127.0.0.1", silent.getLocalPort(), in(1.5));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertEquals(Found.SILENT, r.found(), r.toString());
    assertTrue(seconds >= 1.4 && seconds < 30, "took " + seconds + " s");
  }

  @Test
  void shouldRecogniseAnHttpServer() throws Exception {
    HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
        0), 0);
    http.createContext("/", e -> {
      e.sendResponseHeaders(404, -1);
      e.close();
    });
    http.start();
    servers.add(() -> http.stop(0));
    assertEquals(Found.HTTP, BrokerProbe.probe("127.0.0.1", http.getAddress().getPort(), in(10))
        .found());
  }

  @Test
  void shouldRecogniseATlsListenerByItsAlert() throws Exception {
    // what a TLS server sends back for bytes that are not a ClientHello: a fatal alert record
    int port = serve((in, out) -> {
      readRequest(in);
      write(out, new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a});
    });
    assertEquals(Found.TLS, BrokerProbe.probe("127.0.0.1", port, in(10)).found());
  }

  @Test
  void shouldRecogniseAKafkaAnswerByItsCorrelationId() throws Exception {
    int port = serve((in, out) -> {
      ByteBuffer request = ByteBuffer.wrap(readRequest(in));
      assertEquals(18, request.getShort(), "api key ApiVersions");
      assertEquals(0, request.getShort(), "version");
      int correlation = request.getInt();
      // size, correlation id, error code 0, an empty array of versions
      write(out, ByteBuffer.allocate(14).putInt(10).putInt(correlation).putShort((short) 0)
          .putInt(0).array());
    });
    assertEquals(Found.KAFKA, BrokerProbe.probe("127.0.0.1", port, in(10)).found());
  }

  @Test
  void shouldTellAnotherProtocolFromKafka() throws Exception {
    int port = serve((in, out) -> {
      readRequest(in);
      write(out, "-ERR unknown command\r\n".getBytes(StandardCharsets.US_ASCII));
    });
    assertEquals(Found.NOT_KAFKA, BrokerProbe.probe("127.0.0.1", port, in(10)).found());
  }

  @Test
  void shouldSayWhenThePeerHangsUpWithoutAWord() throws Exception {
    int port = serve((in, out) -> readRequest(in));
    assertEquals(Found.CLOSED, BrokerProbe.probe("127.0.0.1", port, in(10)).found());
  }

  @Test
  void shouldClassifyTheFirstBytesOfAReply() {
    assertEquals(Found.SILENT, BrokerProbe.classify("a:1", null).found());
    assertEquals(Found.CLOSED, BrokerProbe.classify("a:1", new byte[0]).found());
    assertEquals(Found.HTTP, BrokerProbe.classify("a:1", "HTTP/1.1".getBytes()).found());
    assertEquals(Found.HTTP, BrokerProbe.classify("a:1", "HTT".getBytes()).found());
    assertEquals(Found.HTTP, BrokerProbe.classify("a:1", "<!DOCTYP".getBytes()).found());
    assertEquals(Found.TLS, BrokerProbe.classify("a:1", new byte[] {0x16, 0x03, 0x01}).found());
    assertEquals(Found.NOT_KAFKA, BrokerProbe.classify("a:1", new byte[] {0, 0, 0, 10, 0, 0, 0,
        1}).found());
  }

  @Test
  void theRequestShouldBeAWellFramedApiVersionsRequest() {
    ByteBuffer b = ByteBuffer.wrap(BrokerProbe.apiVersionsRequest());
    assertEquals(b.capacity() - 4, b.getInt());
    assertEquals(18, b.getShort());
    assertEquals(0, b.getShort());
    b.getInt();
    short clientIdLength = b.getShort();
    assertEquals(b.remaining(), clientIdLength);
  }
}
