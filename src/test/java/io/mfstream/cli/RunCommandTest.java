package io.mfstream.cli;

import static io.mfstream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.cli.Cli.Run;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a new user meets it: {@code run} on the embedded default, ratings typed
 * into the console producer ({@code produce}), predictions asked for ({@code ask}); a new rating
 * changes the prediction for that user. Then a clean stop that exports the models.
 */
@BrokerTest
@Timeout(600)
class RunCommandTest {
  @TempDir Path dir;

  /** A StringWriter whose contents other threads may read while it is written. */
  private static final class Shared extends StringWriter {
    @Override
    public synchronized void write(String str, int off, int len) {
      super.write(str, off, len);
    }

    @Override
    public synchronized String toString() {
      return super.toString();
    }
  }

  @Test
  void aRatingTypedIntoTheConsoleProducerShouldChangeThePrediction() throws Exception {
    Shared out = new Shared();
    Shared err = new Shared();
    AtomicInteger code = new AtomicInteger(-1);
    Path exports = dir.resolve("exports");
    Thread run = new Thread(() -> code.set(Main.run(new String[] {"run", "--no-replay",
        "--models", "biased-mf", "--http-port", "0", "--status-every", "1", "--duration", "300",
        "--export-dir", exports.toString()}, new PrintWriter(out, true),
        new PrintWriter(err, true))));
    run.start();
    String bootstrap = awaitMatch(out, Pattern.compile("Kafka at (\\S+)"), err);

    // Sixteen ratings, so that the model has learned: sixteen steps at biased MF's default batch
    // size, 1.
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      lines.add("{\"user\": \"u" + (i % 4) + "\", \"item\": \"m" + (i % 5) + "\", \"rating\": "
          + (1 + i % 5) + "}");
    }
    lines.add("this is not a rating");
    Path first = dir.resolve("first.jsonl");
    Files.write(first, lines);
    Run produced = run("produce", "--bootstrap-servers", bootstrap, "--file", first.toString());
    assertEquals(0, produced.code(), produced.err());
    assertTrue(produced.out().contains("17 records sent to ratings"), produced.out());
    awaitMatch(out, Pattern.compile("biased-mf v16 "), err);

    Run before = run("ask", "--bootstrap-servers", bootstrap, "--user", "u0", "--item", "m1",
        "--json");
    assertEquals(0, before.code(), before.err());
    float ratingBefore = rating(before.out());
    assertTrue(before.out().contains("\"model_version\":16"), before.out());

    // u0 loves m1: sixteen 5-star ratings (sixteen more steps).
    List<String> love = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      love.add("{\"user\": \"u0\", \"item\": \"m1\", \"rating\": 5}");
    }
    Path second = dir.resolve("second.jsonl");
    Files.write(second, love);
    assertEquals(0, run("produce", "--bootstrap-servers", bootstrap, "--file",
        second.toString()).code());
    awaitMatch(out, Pattern.compile("biased-mf v32 "), err);
    // The trainer's status shows the step before its transaction commits and the replica reads
    // it: ask until the answer comes from version 32 (or the deadline passes).
    AtomicReference<Run> last = new AtomicReference<>();
    Run after = Await.result(Duration.ofSeconds(30),
        () -> "an answer from version 32; the last: " + last.get().out(), () -> {
          Run r = run("ask", "--bootstrap-servers", bootstrap, "--user", "u0", "--item", "m1",
              "--json");
          assertEquals(0, r.code(), r.err());
          last.set(r);
          return r.out().contains("\"model_version\":32") ? r : null;
        });
    float ratingAfter = rating(after.out());
    assertTrue(ratingAfter > ratingBefore + 0.1f,
        "the prediction did not move towards 5: " + ratingBefore + " -> " + ratingAfter);

    Run rec = run("ask", "--bootstrap-servers", bootstrap, "--user", "u0", "--top", "3");
    assertEquals(0, rec.code(), rec.err());
    assertTrue(rec.out().startsWith("biased-mf"), rec.out());
    assertTrue(!rec.out().contains(" m1 "), "recommended an item u0 rated: " + rec.out());

    run.interrupt();
    run.join(120_000);
    assertEquals(0, code.get(), err.toString());
    assertTrue(out.toString().contains("rejected 1 "), out.toString());
    assertTrue(Files.size(exports.resolve("biased-mf.mfsnap")) > 0);
  }

  @Test
  void askShouldSaySoWhenNobodyAnswers() {
    Run r = run("ask", "--bootstrap-servers", "127.0.0.1:1", "--user", "u", "--item", "i",
        "--timeout", "1");
    assertTrue(r.code() != 0);
    assertTrue(r.err().startsWith("mfstream: "), r.err());
  }

  @Test
  void runShouldRefuseAnUnknownSettingWithOneClearLine() throws Exception {
    Path config = dir.resolve("bad.properties");
    Files.writeString(config, "batch.sise=8\n");
    Run r = run("run", "--config", config.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown setting 'batch.sise'"), r.err());
    assertTrue(r.err().contains(config.toString()), r.err());
  }

  private static float rating(String json) {
    Matcher m = Pattern.compile("\"rating\":([-0-9.Ee]+)").matcher(json);
    assertTrue(m.find(), json);
    return Float.parseFloat(m.group(1));
  }

  private static String awaitMatch(StringWriter out, Pattern p, StringWriter err) {
    return Await.result(Duration.ofMinutes(3), () -> "'" + p + "' in:\n" + out + "\n" + err,
        () -> {
          Matcher m = p.matcher(out.toString());
          if (m.find()) {
            return m.groupCount() > 0 ? m.group(1) : m.group();
          }
          if (err.toString().contains("mfstream: ")) {
            throw new AssertionError("run failed: " + err);
          }
          return null;
        });
  }
}
