package io.mfstream.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What listens at one address, found with a plain socket: a Kafka client retries an address that
 * does not answer until its own timeouts, logging a warning at every attempt, and then names
 * metadata rather than the address. The probe resolves the name, connects once, sends one Kafka
 * {@code ApiVersions} request (the first request of every Kafka client, answered before any
 * authentication) and looks at the first bytes of the reply: a Kafka answer, a TLS alert, an
 * HTTP status line, something else, or nothing.
 */
final class BrokerProbe {
  /** What was found, from the worst (nothing there) to a Kafka listener. */
  enum Found {
    /** The host name does not resolve. */
    UNKNOWN_HOST,
    /** Connection refused: nothing listens at that port. */
    REFUSED,
    /** No route to the host. */
    NO_ROUTE,
    /** The connection (or the name lookup) did not complete in time. */
    NO_CONNECTION,
    /** Connected, but not a byte came back in time. */
    SILENT,
    /** An HTTP server answered. */
    HTTP,
    /** Some other bytes came back. */
    NOT_KAFKA,
    /** Connected, and the peer closed the connection without a byte. */
    CLOSED,
    /** A TLS record came back: the listener expects TLS. */
    TLS,
    /** A Kafka answer, in plaintext. */
    KAFKA
  }

  /**
   * The outcome for one {@code host:port}; {@code detail} is the error's text, if any;
   * {@code advertised} the {@code host:port} of every broker the cluster advertises, when a
   * plaintext Kafka listener said (else null).
   */
  record Result(String address, Found found, String detail, List<String> advertised) {
    Result(String address, Found found, String detail) {
      this(address, found, detail, null);
    }
  }

  private static final short API_VERSIONS = 18;
  private static final short METADATA = 3;
  /** Metadata v4: the oldest version Kafka 4 still answers, and without tagged fields. */
  private static final short METADATA_VERSION = 4;
  private static final int MAX_REPLY = 1 << 20;
  private static final int CORRELATION_ID = 0x6d667331; // "mfs1"
  private static final byte[] END_OF_HTTP_REQUEST = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] CLIENT_ID = "mfstream-check".getBytes(StandardCharsets.US_ASCII);

  private BrokerProbe() {}

  /**
   * Probes {@code host:port} until {@code deadlineNanos} ({@link System#nanoTime()}); every IP
   * address the name resolves to is tried in turn, as Kafka's clients do, and the best outcome
   * is kept.
   */
  static Result probe(String host, int port, long deadlineNanos) {
    String address = host + ":" + port;
    InetAddress[] ips;
    try {
      ips = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return new Result(address, Found.UNKNOWN_HOST, e.getMessage());
    }
    Result best = null;
    for (InetAddress ip : ips) {
      Result r = probe(address, new InetSocketAddress(ip, port), deadlineNanos);
      if (best == null || r.found().compareTo(best.found()) > 0) {
        best = r;
      }
      if (best.found() == Found.KAFKA || System.nanoTime() >= deadlineNanos) {
        break;
      }
    }
    return best;
  }

  private static Result probe(String address, InetSocketAddress ip, long deadlineNanos) {
    try (Socket s = new Socket()) {
      s.connect(ip, remainingMillis(deadlineNanos));
      s.getOutputStream().write(apiVersionsRequest());
      s.getOutputStream().flush();
      // A Kafka listener answers at once. An HTTP server waits for the end of a request line:
      // after a while without an answer, end one, so that it answers with its status line.
      long half = System.nanoTime() + Math.min(3_000_000_000L,
          Math.max(0, (deadlineNanos - System.nanoTime()) / 2));
      byte[] reply = readUpTo(s, 8, half);
      if (reply == null) {
        s.getOutputStream().write(END_OF_HTTP_REQUEST);
        s.getOutputStream().flush();
        reply = readUpTo(s, 8, deadlineNanos);
      }
      Result r = classify(address, reply);
      if (r.found() == Found.KAFKA) {
        return new Result(address, Found.KAFKA, null, advertised(s, reply, deadlineNanos));
      }
      return r;
    } catch (ConnectException e) {
      return new Result(address, Found.REFUSED, e.getMessage());
    } catch (NoRouteToHostException e) {
      return new Result(address, Found.NO_ROUTE, e.getMessage());
    } catch (SocketTimeoutException e) {
      return new Result(address, Found.NO_CONNECTION, e.getMessage());
    } catch (IOException e) {
      // reset by the peer after the request, and the like: a listener that would not talk
      return new Result(address, Found.CLOSED, e.getMessage());
    }
  }

  /**
   * The brokers a plaintext Kafka listener advertises, as every client gets them in its first
   * metadata: the rest of the ApiVersions answer is skipped, then one Metadata request for no
   * topic. Null when the answer cannot be read in time.
   */
  private static List<String> advertised(Socket s, byte[] apiVersionsHead, long deadlineNanos) {
    try {
      int rest = ByteBuffer.wrap(apiVersionsHead, 0, 4).getInt() - 4;
      if (rest < 0 || rest > MAX_REPLY) {
        return null;
      }
      s.setSoTimeout(remainingMillis(deadlineNanos));
      DataInputStream in = new DataInputStream(s.getInputStream());
      in.skipNBytes(rest);
      s.getOutputStream().write(metadataRequest());
      s.getOutputStream().flush();
      int size = in.readInt();
      if (size < 12 || size > MAX_REPLY) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(in.readNBytes(size));
      if (b.getInt() != CORRELATION_ID + 1) {
        return null;
      }
      b.getInt(); // throttle time
      int brokers = b.getInt();
      List<String> out = new ArrayList<>();
      for (int i = 0; i < brokers; i++) {
        b.getInt(); // node id
        byte[] host = new byte[b.getShort()];
        b.get(host);
        int port = b.getInt();
        short rack = b.getShort();
        if (rack > 0) {
          b.position(b.position() + rack);
        }
        out.add(new String(host, StandardCharsets.UTF_8) + ":" + port);
      }
      return out;
    } catch (IOException | RuntimeException e) {
      return null; // a listener that answered ApiVersions is Kafka enough: no more is known
    }
  }

  /** A Metadata v4 request for no topic, not creating any. */
  static byte[] metadataRequest() {
    int length = 2 + 2 + 4 + 2 + CLIENT_ID.length + 4 + 1;
    ByteBuffer b = ByteBuffer.allocate(4 + length);
    b.putInt(length).putShort(METADATA).putShort(METADATA_VERSION).putInt(CORRELATION_ID + 1)
        .putShort((short) CLIENT_ID.length).put(CLIENT_ID)
        .putInt(0) // topics: none (null would be all)
        .put((byte) 0); // allow_auto_topic_creation: false
    return b.array();
  }

  /** Up to {@code n} first bytes of the reply, fewer at its end, or null when none came. */
  private static byte[] readUpTo(Socket s, int n, long deadlineNanos) throws IOException {
    InputStream in = s.getInputStream();
    byte[] b = new byte[n];
    int got = 0;
    try {
      while (got < n) {
        s.setSoTimeout(remainingMillis(deadlineNanos));
        int r = in.read(b, got, n - got);
        if (r < 0) {
          break;
        }
        got += r;
      }
    } catch (SocketTimeoutException e) {
      if (got == 0) {
        return null;
      }
    }
    return java.util.Arrays.copyOf(b, got);
  }

  static Result classify(String address, byte[] reply) {
    if (reply == null) {
      return new Result(address, Found.SILENT, null);
    }
    if (reply.length == 0) {
      return new Result(address, Found.CLOSED, null);
    }
    String text = new String(reply, StandardCharsets.US_ASCII);
    // a status line, or an HTML page alone (the answer of HTTP/0.9, which some servers take
    // a request line without a version for)
    if (text.startsWith("HTTP/") || "HTTP/".startsWith(text) || text.startsWith("<")) {
      return new Result(address, Found.HTTP, null);
    }
    if (reply.length >= 2 && (reply[0] == 0x15 || reply[0] == 0x16) && reply[1] == 0x03) {
      return new Result(address, Found.TLS, null);
    }
    if (reply.length == 8 && ByteBuffer.wrap(reply, 4, 4).getInt() == CORRELATION_ID) {
      return new Result(address, Found.KAFKA, null);
    }
    return new Result(address, Found.NOT_KAFKA, null);
  }

  /** An {@code ApiVersions} v0 request: size, header v1 (key, version, correlation, client). */
  static byte[] apiVersionsRequest() {
    int header = 2 + 2 + 4 + 2 + CLIENT_ID.length;
    ByteBuffer b = ByteBuffer.allocate(4 + header);
    b.putInt(header).putShort(API_VERSIONS).putShort((short) 0).putInt(CORRELATION_ID)
        .putShort((short) CLIENT_ID.length).put(CLIENT_ID);
    return b.array();
  }

  /** What is left until the deadline, at least 1 ms (0 would mean no timeout at all). */
  private static int remainingMillis(long deadlineNanos) {
    long ms = (deadlineNanos - System.nanoTime()) / 1_000_000;
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
  }
}
