package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two instances of one application.id, configured differently: the second refuses to start, in
 * one line naming each difference (exit code 2), before it joins the group; the running one is
 * not touched and ends bit-identical to an uninterrupted run. Before the check, a second {@code
 * run --models biased-mf} beside a running {@code biased-mf,mlp} joined the group: a trainer task
 * of the second with no model crashed ({@code taskId=1_1, processor=train}), and its validation
 * task, had it been given one, would have fanned ratings out to {@code biased-mf} only.
 *
 * <p>The broker runs in a JVM of its own ({@link BrokerProcess}), the instances in theirs.
 */
@BrokerTest
@Timeout(600)
class MisconfiguredInstanceTest {
  private static final Duration WAIT = Duration.ofMinutes(3);

  @TempDir Path dir;

  @Test
  void aSecondInstanceWithOtherModelsShouldRefuseToStartAndLeaveTheFirstAlone() throws Exception {
    long t0 = System.nanoTime();
    List<Rating> data = PipelineScenario.validRatings(80, 60, 4000, 31, 3000);
    try (BrokerProcess broker = BrokerProcess.start(dir, WAIT)) {
      String bootstrap = broker.bootstrapServers();
      Map<String, String> settings = PipelineScenario.settings(bootstrap, dir.resolve("a"));
      settings.put("application.id", "mismatch-test");
      Path exports = dir.resolve("exports");
      try (RunProcess a = RunProcess.start(dir, "a", settings, exports)) {
        a.awaitLog("mfstream: running.", WAIT);
        Replayer.builder(bootstrap).build().replay(data.subList(0, 1500));

        // The colleague's case: the same application, one model fewer.
        Map<String, String> fewer = new HashMap<>(settings);
        fewer.put("state.dir", dir.resolve("b").toString());
        fewer.put("models", "biased-mf");
        fewer.keySet().removeIf(k -> k.startsWith("model.mlp."));
        String refusal = refused(dir, "b", fewer);
        assertTrue(refusal.contains("application.id mismatch-test is running"), refusal);
        assertTrue(refusal.contains("models: here biased-mf, running biased-mf,mlp"), refusal);

        // The same models, one setting of one model changed.
        Map<String, String> other = new HashMap<>(settings);
        other.put("state.dir", dir.resolve("c").toString());
        other.put("model.mlp.hidden", "16");
        refusal = refused(dir, "c", other);
        assertTrue(refusal.contains("model.mlp.model: here {\"type\":\"mlp\",\"factors\":8,"
            + "\"hidden\":16"), refusal);
        assertFalse(refusal.contains("biased-mf."), "biased-mf agrees: " + refusal);

        Replayer.builder(bootstrap).build().replay(data.subList(1500, data.size()));
        Await.until(WAIT, () -> "a to score every rating:\n" + RunProcess.tail(a.log),
            () -> a.versions(List.of("biased-mf", "mlp")).values().stream()
                .allMatch(v -> v[1] == data.size() / 8)
                && a.versions(List.of("biased-mf", "mlp")).size() == 2);
        assertTrue(a.process.isAlive(), "the running instance stopped:\n" + RunProcess.tail(a.log));
        int exit = a.stop(Duration.ofMinutes(2));
        assertTrue(exit == 0 || exit == 143, "exit " + exit + ":\n" + RunProcess.tail(a.log));
        assertFalse(a.log().contains("ERROR"), "errors in the running instance's log:\n"
            + a.log());
        AppConfig config = AppConfig.load(null, Map.of(), settings);
        EndState.assertModelsAsOffline(config, data, exports, a.log());
        int reports = EndState.assertReportsOnce(bootstrap, config.modelNames(), 100,
            data.size(), Duration.ofSeconds(3));
        System.out.printf("MisconfiguredInstanceTest: 2 misconfigured instances refused (exit 2)"
            + "; the running one learned %,d ratings per model, bit-identical to offline; %d RMSE"
            + " reports, each once; %.0f s%n", data.size(), reports,
            (System.nanoTime() - t0) / 1e9);
      }
    }
  }

  /** Starts an instance that must refuse: exit code 2, one line, never running; its message. */
  private static String refused(Path dir, String name, Map<String, String> settings)
      throws Exception {
    try (RunProcess p = RunProcess.start(dir, name, settings, null)) {
      assertTrue(p.process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS),
          name + " did not stop:\n" + RunProcess.tail(p.log));
      String log = p.log();
      assertEquals(2, p.process.exitValue(), name + ": exit code\n" + log);
      assertFalse(log.contains("mfstream: running."), name + " joined:\n" + log);
      assertFalse(log.contains("pipeline mismatch-test started"), name + " started:\n" + log);
      List<String> errors = log.lines().filter(l -> l.startsWith("mfstream: application.id"))
          .toList();
      assertEquals(1, errors.size(), name + ": one error line expected:\n" + log);
      return errors.get(0);
    }
  }
}
