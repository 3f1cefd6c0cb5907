package io.mfstream.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mfstream.data.DownloadException.Reason;
import io.mfstream.testing.UnitTest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Exercises the downloader against an HTTP server on 127.0.0.1 serving archives built here. */
@UnitTest
@Timeout(60)
class MovieLensDownloaderTest {

  private static final String U_DATA = "1\t1\t5\t1\n1\t2\t3\t2\n2\t1\t4\t3\n";

  @TempDir Path target;

  private HttpServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<String, byte[]> served = new LinkedHashMap<>();

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          requests.incrementAndGet();
          byte[] body = served.get(exchange.getRequestURI().getPath());
          if (body == null) {
            exchange.sendResponseHeaders(404, -1);
          } else {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          }
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  private DatasetSource source(String path, String md5) {
    return DatasetSource.ML_100K.withUrl(url(path), md5).withRatingLines(3);
  }

  @Test
  void shouldDownloadVerifyAndUnpackArchive() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.data", U_DATA, "ml-100k/README", "licence"));
    served.put("/ml-100k.zip", zip);

    Path dir = new MovieLensDownloader().download(source("/ml-100k.zip", md5(zip)), target);

    assertEquals(target.resolve("ml-100k"), dir);
    assertEquals(U_DATA, Files.readString(dir.resolve("u.data")));
    assertEquals("licence", Files.readString(dir.resolve("README")));
    assertEquals(3, RatingReader.strict(RatingFormat.ML_100K).read(dir.resolve("u.data")).ratings().size());
    assertNoLeftovers();
  }

  @Test
  void shouldNotDownloadAgainWhenAlreadyPresentAndComplete() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.data", U_DATA));
    served.put("/ml-100k.zip", zip);
    MovieLensDownloader downloader = new MovieLensDownloader();
    DatasetSource source = source("/ml-100k.zip", md5(zip));

    downloader.download(source, target);
    downloader.download(source, target);

    assertEquals(1, requests.get());
  }

  @Test
  void shouldReplaceIncompleteCopy() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.data", U_DATA));
    served.put("/ml-100k.zip", zip);
    Files.createDirectories(target.resolve("ml-100k"));
    Files.writeString(target.resolve("ml-100k/u.data"), "1\t1\t5\t1\n");

    new MovieLensDownloader().download(source("/ml-100k.zip", md5(zip)), target);

    assertEquals(U_DATA, Files.readString(target.resolve("ml-100k/u.data")));
    assertEquals(1, requests.get());
  }

  @Test
  void shouldRejectChecksumMismatchAndLeaveNothingBehind() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.data", U_DATA));
    served.put("/ml-100k.zip", zip);
    String wrong = "0".repeat(32);

    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new MovieLensDownloader().download(source("/ml-100k.zip", wrong), target));

    assertEquals(Reason.CHECKSUM_MISMATCH, e.reason());
    assertTrue(e.getMessage().contains(md5(zip)) && e.getMessage().contains(wrong), e.getMessage());
    assertFalse(Files.exists(target.resolve("ml-100k")));
    assertNoLeftovers();
  }

  @Test
  void shouldReportHttpErrorStatus() {
    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new MovieLensDownloader().download(source("/missing.zip", null), target));
    assertEquals(Reason.HTTP_STATUS, e.reason());
    assertTrue(e.getMessage().contains("404"), e.getMessage());
    assertNoLeftovers();
  }

  @Test
  void shouldRejectZipSlipEntry() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.data", U_DATA, "ml-100k/../../evil.txt", "pwned"));
    served.put("/slip.zip", zip);

    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new MovieLensDownloader().download(source("/slip.zip", md5(zip)), target));

    assertEquals(Reason.UNSAFE_ENTRY, e.reason());
    assertFalse(Files.exists(target.resolve("ml-100k")));
    assertFalse(Files.exists(target.getParent().resolve("evil.txt")));
    assertNoLeftovers();
  }

  @Test
  void shouldRejectAbsoluteEntryNames() {
    Path root = target.toAbsolutePath();
    for (String name : new String[] {"/etc/passwd", "C:\\x", "..", "a/../../b", "a\\..\\..\\b", ""}) {
      assertThrows(DownloadException.class, () -> MovieLensDownloader.safePath(root, name), name);
    }
  }

  @Test
  void shouldReportCorruptArchive() {
    served.put("/corrupt.zip", "this is not a zip".getBytes(StandardCharsets.UTF_8));
    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new MovieLensDownloader().download(source("/corrupt.zip", null), target));
    assertEquals(Reason.CORRUPT_ARCHIVE, e.reason());
    assertNoLeftovers();
  }

  @Test
  void shouldRejectArchiveWithoutTheExpectedRatingsFile() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.item", "nothing"));
    served.put("/empty.zip", zip);
    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new MovieLensDownloader().download(source("/empty.zip", md5(zip)), target));
    assertEquals(Reason.MISSING_CONTENT, e.reason());
  }

  @Test
  void shouldRejectRatingsFileWithWrongLineCount() throws IOException {
    byte[] zip = zip(Map.of("ml-100k/u.data", U_DATA + "3\t3\t3\t3"));
    served.put("/long.zip", zip);
    DownloadException e =
        assertThrows(
            DownloadException.class,
            () -> new MovieLensDownloader().download(source("/long.zip", md5(zip)), target));
    assertEquals(Reason.MISSING_CONTENT, e.reason());
  }

  @Test
  void shouldPinGroupLensAddressAndPublishedChecksumByDefault() {
    assertEquals(
        URI.create("https://files.grouplens.org/datasets/movielens/ml-100k.zip"), DatasetSource.ML_100K.url());
    assertEquals("0e33842e24a9c977be4e0107933c0723", DatasetSource.ML_100K.md5());
    assertEquals(100_000, DatasetSource.ML_100K.ratingLines());
  }

  private void assertNoLeftovers() {
    try (Stream<Path> files = Files.list(target)) {
      assertEquals(
          0, files.filter(p -> p.getFileName().toString().startsWith(".mfstream-download-")).count());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] zip(Map<String, String> entries) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(entries).entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
      }
    }
    return bytes.toByteArray();
  }

  private static String md5(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
