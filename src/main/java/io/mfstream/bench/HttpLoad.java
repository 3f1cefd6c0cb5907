package io.mfstream.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongFunction;

/**
 * An HTTP/1.1 load over keep-alive connections, one thread each, for {@code bench-serve}: at a
 * fixed rate or as fast as the server answers (a flood). It speaks just enough HTTP for the
 * prediction API (a request line, a Host header, an optional body with its Content-Length; an
 * answer with a Content-Length), so that the client costs little beside the server it measures.
 *
 * <p>At a fixed rate the i-th request is due at {@code start + i / rate}, whichever connection
 * sends it, and its latency runs from when it was due, not from when it was sent: a server that
 * falls behind is charged for the wait it causes (no coordinated omission). In a flood each
 * connection sends its next request as soon as the last one is answered, and latency runs from
 * sending.
 */
final class HttpLoad {
  /**
   * What a run did.
   *
   * @param completed requests answered with a 2xx status within the run
   * @param failed requests answered otherwise, or whose connection failed
   * @param latencyNanos the answered requests' latencies, unsorted
   */
  record Result(long completed, long failed, double seconds, long[] latencyNanos) {
    double perSecond() {
      return completed / seconds;
    }
  }

  private final InetSocketAddress server;
  private final int connections;

  HttpLoad(InetSocketAddress server, int connections) {
    if (connections < 1) {
      throw new IllegalArgumentException("at least one connection");
    }
    this.server = server;
    this.connections = connections;
  }

  /**
   * Sends requests for {@code seconds}: {@code request.apply(i)} is the i-th request's whole
   * bytes (see {@link #get} and {@link #post}).
   *
   * @param rate requests per second over all connections, 0 for a flood
   */
  Result run(double rate, double seconds, LongFunction<byte[]> request)
      throws InterruptedException {
    AtomicLong tickets = new AtomicLong();
    long start = System.nanoTime() + 20_000_000; // every connection open and waiting
    long end = start + (long) (seconds * 1e9);
    List<Worker> workers = new ArrayList<>();
    for (int c = 0; c < connections; c++) {
      Worker w = new Worker(tickets, start, end, rate, request);
      workers.add(w);
      w.thread.start();
    }
    long completed = 0;
    long failed = 0;
    long[] latencies = new long[0];
    for (Worker w : workers) {
      w.thread.join();
      completed += w.count;
      failed += w.failed;
      int at = latencies.length;
      latencies = Arrays.copyOf(latencies, at + w.count);
      System.arraycopy(w.latencies, 0, latencies, at, w.count);
    }
    return new Result(completed, failed, seconds, latencies);
  }

  /** A GET request for {@code pathAndQuery}. */
  static byte[] get(String pathAndQuery) {
    return ("GET " + pathAndQuery + " HTTP/1.1\r\nHost: bench\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A POST request of a JSON body. */
  static byte[] post(String path, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json"
        + "\r\nContent-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] all = Arrays.copyOf(head, head.length + body.length);
    System.arraycopy(body, 0, all, head.length, body.length);
    return all;
  }

  /** One connection and its thread. */
  private final class Worker implements Runnable {
    final Thread thread = new Thread(this, "bench-serve-http");
    private final AtomicLong tickets;
    private final long start;
    private final long end;
    private final double rate;
    private final LongFunction<byte[]> request;
    private final byte[] buffer = new byte[1 << 16];
    long[] latencies = new long[1 << 12];
    int count;
    long failed;

    Worker(AtomicLong tickets, long start, long end, double rate, LongFunction<byte[]> request) {
      this.tickets = tickets;
      this.start = start;
      this.end = end;
      this.rate = rate;
      this.request = request;
      thread.setDaemon(true);
    }

    @Override
    public void run() {
      Socket socket = null;
      try {
        while (true) {
          long ticket = tickets.getAndIncrement();
          long due = rate > 0 ? start + (long) (ticket * 1e9 / rate) : Math.max(start,
              System.nanoTime());
          if (due >= end) {
            return;
          }
          long wait = due - System.nanoTime();
          if (wait > 0) {
            LockSupport.parkNanos(wait);
          }
          if (socket == null) {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(server, 5_000);
            socket.setSoTimeout(30_000);
          }
          long sent = System.nanoTime();
          boolean ok;
          try {
            socket.getOutputStream().write(request.apply(ticket));
            ok = readAnswer(socket.getInputStream());
          } catch (IOException e) {
            ok = false;
            close(socket);
            socket = null;
          }
          long now = System.nanoTime();
          if (!ok) {
            failed++;
            continue;
          }
          if (count == latencies.length) {
            latencies = Arrays.copyOf(latencies, 2 * count);
          }
          latencies[count++] = now - (rate > 0 ? due : sent);
        }
      } catch (IOException e) {
        failed++;
      } finally {
        close(socket);
      }
    }

    /** Reads one answer; whether its status was 2xx. */
    private boolean readAnswer(InputStream in) throws IOException {
      int have = 0;
      int headEnd = -1;
      while (headEnd < 0) {
        int n = in.read(buffer, have, buffer.length - have);
        if (n < 0) {
          throw new IOException("the server closed the connection");
        }
        have += n;
        headEnd = indexOfBlankLine(buffer, have);
        if (headEnd < 0 && have == buffer.length) {
          throw new IOException("headers over " + buffer.length + " bytes");
        }
      }
      String head = new String(buffer, 0, headEnd, StandardCharsets.ISO_8859_1);
      int status = Integer.parseInt(head.substring(9, 12));
      long length = 0;
      for (String line : head.split("\r\n")) {
        if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Long.parseLong(line.substring(15).trim());
        }
      }
      long left = length - (have - headEnd - 4);
      while (left > 0) {
        int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
        if (n < 0) {
          throw new IOException("the server closed the connection mid-answer");
        }
        left -= n;
      }
      return status / 100 == 2;
    }
  }

  /** The index of the "\r\n\r\n" that ends the headers, or -1. */
  static int indexOfBlankLine(byte[] b, int length) {
    for (int i = 3; i < length; i++) {
      if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
        return i - 3;
      }
    }
    return -1;
  }

  private static void close(Socket s) {
    if (s != null) {
      try {
        s.close();
      } catch (IOException ignored) {
        // nothing to do
      }
    }
  }
}
