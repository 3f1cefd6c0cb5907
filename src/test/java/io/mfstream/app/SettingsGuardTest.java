package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mfstream.json.JsonMappers;
import io.mfstream.testing.UnitTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the instances of one application must agree on, and how a difference is named. */
@UnitTest
class SettingsGuardTest {
  private static JsonNode settings(Map<String, String> extra) throws Exception {
    Map<String, String> s = new HashMap<>(Map.of("bootstrap.servers", "k:9092"));
    s.putAll(extra);
    ObjectNode o = SettingsGuard.settings(AppConfig.load(null, Map.of(), s).pipeline());
    return JsonMappers.mapper().readTree(JsonMappers.mapper().writeValueAsBytes(o)); // as read
  }

  @Test
  void theOperatorsOwnSettingsShouldNotCount() throws Exception {
    JsonNode a = settings(Map.of());
    JsonNode b = settings(Map.of("http.port", "0", "state.dir", "/elsewhere",
        "serving.threads", "3", "checkpoint.interval.ms", "500", "model.mlp.reset", "2",
        "kafka.num.stream.threads", "9"));
    assertEquals(List.of(), SettingsGuard.differences(a, b));
  }

  @Test
  void everyLearningSettingShouldCountAndBeNamed() throws Exception {
    JsonNode running = settings(Map.of());
    assertEquals(List.of("models: here biased-mf, running biased-mf,mlp"),
        SettingsGuard.differences(running, settings(Map.of("models", "biased-mf"))));
    assertEquals(List.of("models: here mlp,biased-mf, running biased-mf,mlp"),
        SettingsGuard.differences(running, settings(Map.of("models", "mlp,biased-mf"))));
    assertEquals(List.of("model.mlp.batchSize: here 16, running 4"),
        SettingsGuard.differences(running, settings(Map.of("model.mlp.batch.size", "16"))));
    assertEquals(List.of("rating.max: here 10.0, running 5.0"),
        SettingsGuard.differences(running, settings(Map.of("rating.max", "10"))));
    assertEquals(List.of("rmse.report.every: here 7, running 1000"),
        SettingsGuard.differences(running, settings(Map.of("rmse.report.every", "7"))));
    assertEquals(1, SettingsGuard.differences(running,
        settings(Map.of("model.biased-mf.learning.rate", "0.01"))).size());
  }

  @Test
  void aSettingOnlyOneSideKnowsShouldNotCount() throws Exception {
    ObjectNode older = (ObjectNode) settings(Map.of()).deepCopy();
    older.remove("linger.ms");
    ((ObjectNode) older.get("model.mlp")).remove("ranking.sample");
    assertEquals(List.of(), SettingsGuard.differences(older, settings(Map.of())));
    assertEquals(List.of(), SettingsGuard.differences(settings(Map.of()), older));
  }
}
