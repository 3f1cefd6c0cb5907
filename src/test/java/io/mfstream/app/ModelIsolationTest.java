package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.replay.Replayer;
import io.mfstream.stream.status.ModelStatus;
import io.mfstream.testing.Await;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model that fails is an isolated event, on a real broker: it stops learning and answers from
 * its last good parameters, flagged degraded, across a restart; the other model, validation and
 * serving go on; and the operator's reset token restarts it alone.
 */
@BrokerTest
@Timeout(300)
class ModelIsolationTest {
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void aDivergingModelShouldStopAloneStayStoppedAndRestartOnlyWhenReset() throws Exception {
    List<Rating> data = PipelineScenario.validRatings(60, 40, 1500, 5, 1200);
    try (EmbeddedKafka kafka = new EmbeddedKafka(dir.resolve("kafka")).start()) {
      Map<String, String> s = PipelineScenario.settings(kafka.bootstrapServers(),
          dir.resolve("state"));
      s.keySet().removeIf(k -> k.startsWith("model.mlp."));
      s.put("models", "biased-mf,wild");
      s.put("application.id", "isolation-it");
      s.put("model.wild.type", "plain-mf");
      s.put("model.wild.factors", "8");
      // No network survives SGD at this rate: the loss goes non-finite within a few steps.
      // (AdaGrad's steps are the rate times a gradient's sign at first, so it stays finite.)
      s.put("model.wild.optimizer", "sgd");
      s.put("model.wild.learning.rate", "1e12");
      Replayer replayer = Replayer.builder(kafka.bootstrapServers()).build();

      long wildTrained;
      try (Pipeline p = PipelineScenario.start(AppConfig.load(null, Map.of(), s))) {
        replayer.replay(data.subList(0, 400));
        p.awaitScored(400, WAIT);
        ModelStatus wild = p.board().get("wild");
        assertTrue(wild.isDegraded(), wild.toString());
        assertTrue(wild.degraded().contains("diverged"), wild.degraded());
        assertTrue(wild.trained() < 400, wild.toString());
        wildTrained = wild.trained();
        assertEquals(400, p.board().get("biased-mf").trained(), "the other model went on");
        // The replicas see the flagged header a commit later than the trainer's status board.
        Map<String, Prediction> answers = ask(kafka, data.get(0),
            a -> !a.model().equals("wild") || a.degraded());
        assertTrue(answers.get("wild").degraded(), answers.toString());
        assertTrue(Float.isFinite(answers.get("wild").rating()), answers.toString());
        assertEquals(wildTrained, answers.get("wild").ratingsLearned());
        assertFalse(answers.get("biased-mf").degraded(), answers.toString());
      }

      // Restarted: the failure was recorded with the state, so the model stays stopped.
      try (Pipeline p = PipelineScenario.start(AppConfig.load(null, Map.of(), s))) {
        replayer.replay(data.subList(400, 800));
        awaitTrained(p, "biased-mf", 800);
        ModelStatus wild = p.board().get("wild");
        assertTrue(wild.isDegraded(), wild.toString());
        assertEquals(wildTrained, wild.trained());
      }

      // Reset by the operator, with a sane rate: it starts afresh from the next rating on.
      s.put("model.wild.learning.rate", "0.05");
      s.put("model.wild.reset", "1");
      try (Pipeline p = PipelineScenario.start(AppConfig.load(null, Map.of(), s))) {
        replayer.replay(data.subList(800, 1200));
        awaitTrained(p, "biased-mf", 1200);
        awaitTrained(p, "wild", 400);
        ModelStatus wild = p.board().get("wild");
        assertFalse(wild.isDegraded(), wild.toString());
        assertEquals(400, wild.scored(), "the reset model's meters started afresh");
        Map<String, Prediction> answers = ask(kafka, data.get(900),
            a -> a.ratingsLearned() == (a.model().equals("wild") ? 400 : 1200));
        assertFalse(answers.get("wild").degraded(), answers.toString());
        assertEquals(1200, answers.get("biased-mf").ratingsLearned());
      }
    }
  }

  private static Map<String, Prediction> ask(EmbeddedKafka kafka, Rating r,
      java.util.function.Predicate<Prediction> accept) throws Exception {
    try (KafkaTestClient client = new KafkaTestClient(kafka.bootstrapServers())) {
      Map<String, Prediction> byModel = new HashMap<>();
      for (Prediction a : client.askUntil(new PredictionRequest("iso", r.user(), r.item()), 2,
          accept, WAIT)) {
        byModel.put(a.model(), a);
      }
      return byModel;
    }
  }

  private static void awaitTrained(Pipeline p, String model, long n) {
    Await.until(WAIT, () -> model + " to learn " + n + " ratings: " + p.board().get(model),
        () -> p.board().get(model) != null && p.board().get(model).trained() >= n);
  }
}
