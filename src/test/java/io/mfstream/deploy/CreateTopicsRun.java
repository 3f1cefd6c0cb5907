package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code docker/create-topics.sh} with a fake {@code kafka-topics.sh} first on PATH, which
 * records its arguments and exits with a chosen code, and reads the recorded invocations back.
 */
final class CreateTopicsRun {

  /** What a run did: exit code, output, and the arguments of each kafka-topics.sh call. */
  record Result(int exitCode, String stdout, String stderr, List<List<String>> invocations) {}

  static final int NO_FAKE = -1;

  private static final String END = "--end-of-invocation--";

  private CreateTopicsRun() {}

  /**
   * Runs the script with {@code shell} (such as {@code sh} or {@code busybox sh}).
   *
   * @param work an empty folder for the fake and its log
   * @param failAt the 1-based call at which the fake exits 1, 0 for never, or {@link #NO_FAKE}
   *     to run without the fake (and so without any kafka-topics.sh)
   */
  static Result run(Path work, List<String> shell, int failAt, String... args)
      throws IOException, InterruptedException {
    Path bin = Files.createDirectories(work.resolve("bin"));
    Path log = work.resolve("invocations.log");
    Path fake = bin.resolve("kafka-topics.sh");
    Files.writeString(fake, String.join("\n",
        "#!/bin/sh",
        "for a in \"$@\"; do printf '%s\\n' \"$a\"; done >> \"$FAKE_LOG\"",
        "printf '%s\\n' '" + END + "' >> \"$FAKE_LOG\"",
        "calls=$(grep -c -x -- '" + END + "' \"$FAKE_LOG\")",
        "[ \"$FAIL_AT\" = 0 ] || [ \"$calls\" -ne \"$FAIL_AT\" ] || { echo 'fake failure' >&2; exit 1; }",
        ""), StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.deleteIfExists(log);

    List<String> command = new ArrayList<>(shell);
    command.add(DeployFiles.CREATE_TOPICS.toString());
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("PATH", (failAt == NO_FAKE ? "" : bin + ":") + "/usr/bin:/bin");
    pb.environment().put("FAKE_LOG", log.toString());
    pb.environment().put("FAIL_AT", Integer.toString(failAt));
    Process p = pb.start();
    p.getOutputStream().close();
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "create-topics.sh did not finish in 60 s");
    List<List<String>> invocations = new ArrayList<>();
    if (Files.exists(log)) {
      List<String> current = new ArrayList<>();
      for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
        if (line.equals(END)) {
          invocations.add(List.copyOf(current));
          current.clear();
        } else {
          current.add(line);
        }
      }
    }
    return new Result(p.exitValue(), out.join(), err.join(), invocations);
  }

  private static String read(java.io.InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
