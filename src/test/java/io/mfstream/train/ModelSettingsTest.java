package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.testing.UnitTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one reading of a model's settings, shared by the properties file and the flags. */
@UnitTest
class ModelSettingsTest {
  private static final ModelSettings.Defaults STREAMING =
      new ModelSettings.Defaults(true, OptimizerConfig.EmbeddingUpdates.LAZY);
  private static final ModelSettings.Complaint BAD =
      (key, why) -> new IllegalArgumentException(key + " " + why);

  private static ModelSettings parse(Map<String, String> values, ModelType type) {
    return ModelSettings.parse(values, type, STREAMING, BAD);
  }

  @Test
  void absentKeysShouldTakeTheDefaultsOfTheNetworkAndTheCaller() {
    ModelSettings mf = parse(Map.of(), ModelType.BIASED_MF);
    assertEquals(ModelConfig.defaults(ModelType.BIASED_MF), mf.model());
    assertEquals(OptimizerConfig.streaming(), mf.optimizer());
    ModelSettings mlp = parse(Map.of(), ModelType.MLP);
    assertEquals(OptimizerConfig.adam(), mlp.optimizer(), "the MLPs learn with Adam by default");
    ModelSettings offline = ModelSettings.parse(Map.of(), ModelType.MLP,
        new ModelSettings.Defaults(false, OptimizerConfig.EmbeddingUpdates.DENSE), BAD);
    assertEquals(OptimizerConfig.tutorial(), offline.optimizer());
  }

  @Test
  void everyKeyShouldBeReadAndPrintedBackUnderItsName() {
    Map<String, String> all = Map.ofEntries(Map.entry("type", "dropout-mlp"),
        Map.entry("factors", "8"), Map.entry("hidden", "5"), Map.entry("dropout", "0.25"),
        Map.entry("init.scale", "0.1"), Map.entry("seed", "-3"), Map.entry("optimizer", "SGD"),
        Map.entry("learning.rate", "0.2"), Map.entry("momentum", "0"),
        Map.entry("weight.decay", "0.001"), Map.entry("embeddings", "dense"));
    ModelSettings s = parse(all, null);
    assertEquals(new ModelConfig(ModelType.DROPOUT_MLP, 8, 5, 0.25, 0.1, -3,
        ModelConfig.defaults(ModelType.MLP).dataType()), s.model());
    assertEquals(OptimizerConfig.tutorial().withLearningRate(0.2).withMomentum(0)
        .withWeightDecay(0.001), s.optimizer());
    assertEquals(s, parse(s.toMap(), null), "what is printed reads back the same");
    assertEquals(ModelSettings.KEYS, java.util.List.copyOf(s.toMap().keySet()));
  }

  @Test
  void aRefusedValueShouldNameItsKeyAndWhy() {
    assertEquals("factors must be between 1 and 4096", assertThrows(
        IllegalArgumentException.class, () -> parse(Map.of("factors", "0"), ModelType.PLAIN_MF))
        .getMessage());
    assertEquals("momentum is SGD's; adam has none", assertThrows(IllegalArgumentException.class,
        () -> parse(Map.of("optimizer", "adam", "momentum", "0.9"), ModelType.PLAIN_MF))
        .getMessage());
    for (Map<String, String> bad : java.util.List.of(Map.of("type", "svd"),
        Map.of("hidden", "x"), Map.of("dropout", "1"), Map.of("init.scale", "0"),
        Map.of("seed", "1.5"), Map.of("optimizer", "rmsprop"), Map.of("learning.rate", "-1"),
        Map.of("learning.rate", "NaN"), Map.of("momentum", "1"),
        Map.of("weight.decay", "-0.1"), Map.of("embeddings", "sparse"))) {
      String key = bad.keySet().iterator().next();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> parse(bad, ModelType.MLP), bad.toString());
      assertEquals(key, e.getMessage().split(" ")[0], e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), null),
        "no type given and none implied");
  }
}
