package io.mfstream.data;

import io.mfstream.data.DownloadException.Reason;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a MovieLens archive (by default {@link DatasetSource#ML_100K} from GroupLens) and unpacks
 * it into a target folder, because the licence forbids shipping the data with the project.
 *
 * <p>The download is streamed to a temporary file while its MD5 is computed, checked against the
 * published value, unpacked into a temporary folder beside the target (rejecting entries with
 * {@code ..} or absolute paths), checked for the ratings file and its line count, and only then
 * moved into place in one rename. A target that is already present and complete is left alone
 * without any request, so calling this again is cheap. Temporary files are removed on failure.
 */
public final class MovieLensDownloader {

  private static final Logger LOG = LoggerFactory.getLogger(MovieLensDownloader.class);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final String TEMP_PREFIX = ".mfstream-download-";

  private final HttpClient client;

  /** A downloader with its own HTTP client (redirects followed, 30 s connect timeout). */
  public MovieLensDownloader() {
    this(
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(TIMEOUT)
            .build());
  }

  public MovieLensDownloader(HttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** Downloads MovieLens 100K into {@code targetDir}; see {@link #download(DatasetSource, Path)}. */
  public Path download(Path targetDir) throws IOException {
    return download(DatasetSource.ML_100K, targetDir);
  }

  /**
   * Makes sure {@code targetDir/source.directory()} holds the unpacked archive, downloading it only
   * when it is absent or incomplete (an incomplete copy is replaced).
   *
   * @return the unpacked folder, {@code targetDir/source.directory()}
   * @throws DownloadException on an HTTP error status, a checksum mismatch, a corrupt or unsafe
   *     archive, or an archive without the expected ratings file
   * @throws IOException on any other I/O failure
   */
  public Path download(DatasetSource source, Path targetDir) throws IOException {
    Path target = targetDir.resolve(source.directory());
    if (isComplete(source, target)) {
      LOG.info("{} is already present at {}", source.directory(), target);
      return target;
    }
    Files.createDirectories(targetDir);
    Path work = Files.createTempDirectory(targetDir, TEMP_PREFIX);
    try {
      Path archive = work.resolve("archive.zip");
      fetch(source, archive);
      Path unpacked = Files.createDirectory(work.resolve("unpacked"));
      unzip(archive, unpacked);
      Path staged = unpacked.resolve(source.directory());
      if (!isComplete(source, staged)) {
        throw new DownloadException(
            Reason.MISSING_CONTENT,
            source.url() + " does not hold " + source.directory() + "/" + source.ratingsFile()
                + (source.ratingLines() >= 0 ? " with " + source.ratingLines() + " lines" : ""));
      }
      if (Files.exists(target)) {
        LOG.warn("replacing the incomplete {}", target);
        Files.move(target, work.resolve("replaced"), StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(staged, target, StandardCopyOption.ATOMIC_MOVE);
      LOG.info("unpacked {} into {}", source.url(), target);
      return target;
    } finally {
      deleteTree(work);
    }
  }

  /**
   * Whether {@code dir} holds the source's ratings file with the expected number of lines.
   */
  public static boolean isComplete(DatasetSource source, Path dir) throws IOException {
    Path ratings = dir.resolve(source.ratingsFile());
    if (!Files.isRegularFile(ratings)) {
      return false;
    }
    return source.ratingLines() < 0 || countLines(ratings) == source.ratingLines();
  }

  private void fetch(DatasetSource source, Path archive) throws IOException {
    LOG.info("downloading {}", source.url());
    HttpRequest request = HttpRequest.newBuilder(source.url()).timeout(TIMEOUT.multipliedBy(10)).GET().build();
    HttpResponse<InputStream> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while downloading " + source.url());
    }
    MessageDigest md5 = md5();
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new DownloadException(
            Reason.HTTP_STATUS, "GET " + source.url() + " answered HTTP " + response.statusCode());
      }
      try (InputStream in = new DigestInputStream(body, md5);
          OutputStream out = Files.newOutputStream(archive)) {
        in.transferTo(out);
      }
    }
    String actual = HexFormat.of().formatHex(md5.digest());
    if (source.md5() != null && !source.md5().equals(actual)) {
      throw new DownloadException(
          Reason.CHECKSUM_MISMATCH,
          "MD5 of " + source.url() + " is " + actual + ", expected " + source.md5());
    }
  }

  private static void unzip(Path archive, Path into) throws IOException {
    Path root = into.toAbsolutePath().normalize();
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        Path out = safePath(root, entry.getName());
        if (entry.isDirectory()) {
          Files.createDirectories(out);
          continue;
        }
        Files.createDirectories(out.getParent());
        try (InputStream in = zip.getInputStream(entry)) {
          Files.copy(in, out);
        }
      }
    } catch (ZipException e) {
      throw new DownloadException(Reason.CORRUPT_ARCHIVE, "corrupt zip archive: " + e.getMessage(), e);
    }
  }

  /** Where {@code name} unpacks under {@code root}, refusing anything that would leave it. */
  static Path safePath(Path root, String name) throws DownloadException {
    String slashed = name.replace('\\', '/');
    boolean absolute = slashed.startsWith("/") || (slashed.length() > 1 && slashed.charAt(1) == ':');
    boolean climbs = Stream.of(slashed.split("/")).anyMatch(".."::equals);
    Path out = root.resolve(slashed).normalize();
    if (absolute || climbs || slashed.isEmpty() || !out.startsWith(root) || out.equals(root)) {
      throw new DownloadException(Reason.UNSAFE_ENTRY, "unsafe zip entry name: '" + name + "'");
    }
    return out;
  }

  /** Lines in a file: newline count, plus one for a last line without a newline. */
  static long countLines(Path file) throws IOException {
    long lines = 0;
    int last = '\n';
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        for (int k = 0; k < n; k++) {
          if (buffer[k] == '\n') {
            lines++;
          }
        }
        last = buffer[n - 1];
      }
    }
    return last == '\n' ? lines : lines + 1;
  }

  private static MessageDigest md5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK provides MD5", e);
    }
  }

  /**
   * Removes the work folder; a failure is logged, not thrown, so that it never hides the exception
   * that ended the download.
   */
  private static void deleteTree(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(MovieLensDownloader::delete);
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not remove the temporary folder {}", dir, e);
    }
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
