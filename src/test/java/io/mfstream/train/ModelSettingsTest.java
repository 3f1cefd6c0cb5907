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
  private static final ModelSettings.Defaults STREAMING = ModelSettings.Defaults.STREAMING;
  private static final ModelSettings.Complaint BAD =
      (key, why) -> new IllegalArgumentException(key + " " + why);

  private static ModelSettings parse(Map<String, String> values, ModelType type) {
    return ModelSettings.parse(values, type, STREAMING, BAD);
  }

  @Test
  void absentKeysShouldTakeTheStreamingDefaultsOfTheNetwork() {
    ModelSettings mf = parse(Map.of(), ModelType.BIASED_MF);
    assertEquals(ModelConfig.defaults(ModelType.BIASED_MF), mf.model());
    assertEquals(0.087, parse(Map.of(), ModelType.MLP).model().initScale());
    assertEquals(OptimizerConfig.adagrad().withWeightDecay(0.05).withBiasLearningRate(0.3)
        .withBiasWeightDecay(0.05), mf.optimizer());
    assertEquals(OptimizerConfig.EmbeddingUpdates.LAZY, mf.optimizer().embeddings());
    assertEquals(0.2, parse(Map.of(), ModelType.PLAIN_MF).optimizer().learningRate());
    ModelSettings mlp = parse(Map.of(), ModelType.MLP);
    assertEquals(OptimizerConfig.adagrad().withWeightDecay(0.05), mlp.optimizer());
    assertEquals(0.05, mlp.optimizer().biasLearningRate(), "the bias rate follows the rate");
    assertEquals(1, STREAMING.batchSize(ModelType.BIASED_MF));
    assertEquals(1, STREAMING.batchSize(ModelType.PLAIN_MF));
    assertEquals(4, STREAMING.batchSize(ModelType.MLP));
    assertEquals(4, STREAMING.batchSize(ModelType.DROPOUT_MLP));
  }

  @Test
  void namingAnotherOptimiserShouldGiveItsOwnDefaults() {
    assertEquals(OptimizerConfig.lazySgd(),
        parse(Map.of("optimizer", "sgd"), ModelType.BIASED_MF).optimizer());
    assertEquals(OptimizerConfig.adam(),
        parse(Map.of("optimizer", "adam"), ModelType.MLP).optimizer());
    assertEquals(parse(Map.of(), ModelType.BIASED_MF),
        parse(Map.of("optimizer", "adagrad"), ModelType.BIASED_MF),
        "naming the default optimiser changes nothing");
  }

  @Test
  void absentKeysShouldTakeTheTutorialsDefaultsForTrain() {
    ModelSettings offline = ModelSettings.parse(Map.of(), ModelType.MLP,
        ModelSettings.Defaults.TUTORIAL, BAD);
    assertEquals(ModelConfig.defaults(ModelType.MLP), offline.model());
    assertEquals(OptimizerConfig.tutorial(), offline.optimizer());
    assertEquals(64, ModelSettings.Defaults.TUTORIAL.batchSize(ModelType.MLP));
    assertEquals(OptimizerConfig.adagrad().withEmbeddings(OptimizerConfig.EmbeddingUpdates.DENSE),
        ModelSettings.parse(Map.of("optimizer", "adagrad"), ModelType.MLP,
            ModelSettings.Defaults.TUTORIAL, BAD).optimizer());
  }

  @Test
  void aLearningRateShouldSetTheBiasesRateUnlessTheyHaveTheirOwn() {
    OptimizerConfig o = parse(Map.of("learning.rate", "0.1"), ModelType.BIASED_MF).optimizer();
    assertEquals(0.1, o.learningRate());
    assertEquals(0.3, o.biasLearningRate(), "the streaming default of biased MF's biases");
    o = parse(Map.of("learning.rate", "0.1", "optimizer", "sgd"), ModelType.BIASED_MF)
        .optimizer();
    assertEquals(0.1, o.biasLearningRate(), "SGD has one rate for all");
    o = parse(Map.of("learning.rate", "0.1"), ModelType.MLP).optimizer();
    assertEquals(0.1, o.biasLearningRate());
    o = parse(Map.of("learning.rate", "0.1", "bias.learning.rate", "0.7"), ModelType.BIASED_MF)
        .optimizer();
    assertEquals(0.1, o.learningRate());
    assertEquals(0.7, o.biasLearningRate());
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

    Map<String, String> mf = Map.ofEntries(Map.entry("type", "biased-mf"),
        Map.entry("factors", "8"), Map.entry("init.scale", "0.1"), Map.entry("seed", "7"),
        Map.entry("optimizer", "sgd"), Map.entry("learning.rate", "0.2"),
        Map.entry("bias.learning.rate", "0.4"), Map.entry("momentum", "0.5"),
        Map.entry("weight.decay", "0.001"), Map.entry("bias.weight.decay", "0.01"),
        Map.entry("embeddings", "dense"));
    ModelSettings b = parse(mf, null);
    assertEquals(OptimizerConfig.tutorial().withLearningRate(0.2).withBiasLearningRate(0.4)
        .withMomentum(0.5).withWeightDecay(0.001).withBiasWeightDecay(0.01), b.optimizer());
    assertEquals(b, parse(b.toMap(), null), "what is printed reads back the same");
    java.util.List<String> printed = new java.util.ArrayList<>(s.toMap().keySet());
    printed.addAll(b.toMap().keySet());
    assertEquals(java.util.Set.copyOf(ModelSettings.KEYS), java.util.Set.copyOf(printed),
        "every key is printed for the networks that use it");
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
        Map.of("weight.decay", "-0.1"), Map.of("embeddings", "sparse"),
        Map.of("bias.learning.rate", "0"), Map.of("bias.weight.decay", "-1"))) {
      String key = bad.keySet().iterator().next();
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> parse(bad, ModelType.MLP), bad.toString());
      assertEquals(key, e.getMessage().split(" ")[0], e.getMessage());
    }
    assertThrows(IllegalArgumentException.class, () -> parse(Map.of(), null),
        "no type given and none implied");
  }
}
