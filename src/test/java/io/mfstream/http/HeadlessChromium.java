package io.mfstream.http;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs headless Chromium (the Debian package {@code chromium}) for the status page's tests. Where
 * it is missing the tests are skipped, unless the environment variable or system property {@code
 * CI} is set (to anything but {@code false}): then they fail, so CI cannot pass without looking.
 * {@code -Dmfstream.chromium=PATH} picks a binary other than the first of {@code chromium},
 * {@code chromium-browser}, {@code google-chrome} on the PATH.
 */
final class HeadlessChromium {

  static final int WIDTH = 1280;
  static final int HEIGHT = 900;
  /** Virtual time the page gets to load, poll and draw before the capture. */
  static final int VIRTUAL_TIME_MS = 4000;
  private static final long TIMEOUT_SECONDS = 90;

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** The browser, or the test is skipped (no CI) or failed (CI) with a message saying why. */
  static HeadlessChromium require() {
    Optional<Path> found = find();
    if (found.isEmpty()) {
      String message = "headless Chromium is needed to render the status page, and no "
          + "'chromium', 'chromium-browser' or 'google-chrome' is on the PATH (nor given by "
          + "-Dmfstream.chromium). Install it, e.g. 'apt-get install chromium'.";
      if (onCi()) {
        fail(message + " CI is set, so this fails instead of skipping.");
      }
      assumeTrue(false, message + " Skipped because CI is not set.");
    }
    return new HeadlessChromium(found.get());
  }

  static boolean onCi() {
    String value = System.getProperty("CI", System.getenv("CI"));
    return value != null && !value.isBlank() && !value.equalsIgnoreCase("false");
  }

  private static Optional<Path> find() {
    String given = System.getProperty("mfstream.chromium");
    if (given != null && !given.isBlank()) {
      Path path = Path.of(given);
      return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable == null) {
      return Optional.empty();
    }
    for (String name : List.of("chromium", "chromium-browser", "google-chrome")) {
      for (String dir : pathVariable.split(File.pathSeparator)) {
        Path candidate = Path.of(dir, name);
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  /** Loads {@code url} in a {@link #WIDTH}x{@link #HEIGHT} window and writes a PNG of it. */
  void screenshot(String url, Path png, Path profile) throws IOException, InterruptedException {
    Files.deleteIfExists(png);
    run(profile, "--screenshot=" + png.toAbsolutePath(), url);
    if (!Files.exists(png)) {
      throw new AssertionError("Chromium wrote no screenshot to " + png);
    }
  }

  /** Loads {@code url} and returns the DOM after its scripts ran. */
  String dumpDom(String url, Path profile) throws IOException, InterruptedException {
    return run(profile, "--dump-dom", url);
  }

  private String run(Path profile, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(binary.toString(),
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--hide-scrollbars", "--no-first-run", "--disable-extensions",
        "--user-data-dir=" + profile.toAbsolutePath(),
        "--window-size=" + WIDTH + "," + HEIGHT,
        "--virtual-time-budget=" + VIRTUAL_TIME_MS));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    CompletableFuture<String> out = drain(process.getInputStream());
    CompletableFuture<String> err = drain(process.getErrorStream());
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("Chromium did not finish within " + TIMEOUT_SECONDS + " s: "
          + command + "\n" + err.join());
    }
    if (process.exitValue() != 0) {
      throw new AssertionError("Chromium exited with " + process.exitValue() + ": " + command
          + "\n" + err.join());
    }
    return out.join();
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(could not read: " + e + ")";
      }
    });
  }
}
