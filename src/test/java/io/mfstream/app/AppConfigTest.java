package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.model.ModelType;
import io.mfstream.stream.PipelineSettings;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.testing.UnitTest;
import io.mfstream.train.OptimizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
class AppConfigTest {
  @TempDir Path dir;

  private Path file(String... lines) throws Exception {
    Path f = dir.resolve("mfstream.properties");
    Files.write(f, java.util.List.of(lines));
    return f;
  }

  @Test
  void defaultsShouldBeTheEmbeddedPipelineOfTheDocs() throws Exception {
    AppConfig c = AppConfig.load(null, Map.of(), Map.of());
    assertTrue(c.embedded());
    assertTrue(c.createTopics());
    assertEquals(8080, c.httpPort());
    PipelineSettings p = c.pipeline();
    assertEquals(java.util.List.of("biased-mf", "mlp"), p.modelNames());
    ModelSpec first = p.models().get(0);
    assertEquals(ModelType.BIASED_MF, first.model().type());
    assertEquals(1, first.batchSize(), "MF learns from each rating at once");
    assertEquals(4, p.models().get(1).batchSize(), "the MLPs take steps of 4");
    assertEquals(1000, first.window());
    assertEquals(OptimizerConfig.Kind.ADAGRAD, first.optimizer().kind());
    assertEquals(0.3, first.optimizer().biasLearningRate());
    assertEquals(1000, p.reportEvery());
    assertEquals(0, p.lingerMs());
  }

  @Test
  void aModelsOwnBatchSizeShouldWinOverThePipelines() throws Exception {
    AppConfig c = AppConfig.load(null, Map.of(), Map.of("batch.size", "8",
        "model.mlp.batch.size", "32"));
    assertEquals(8, c.pipeline().models().get(0).batchSize());
    assertEquals(32, c.pipeline().models().get(1).batchSize());
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("model.mlp.batch.size", "0")));
    assertTrue(bad.getMessage().contains("model.mlp.batch.size"), bad.getMessage());
  }

  @Test
  void theEnvironmentShouldOverrideTheFileAndFlagsTheEnvironment() throws Exception {
    Path f = file("bootstrap.servers=file:9092", "application.id=from-file", "batch.size=32",
        "http.port=9000");
    AppConfig c = AppConfig.load(f, Map.of("MFSTREAM_APPLICATION_ID", "from-env",
        "MFSTREAM_HTTP_PORT", "9100", "OTHER_VARIABLE", "ignored"), Map.of("http.port", "9200"));
    assertFalse(c.embedded());
    assertFalse(c.createTopics());
    assertEquals("from-env", c.applicationId());
    assertEquals(9200, c.httpPort());
    assertEquals(32, c.pipeline().models().get(0).batchSize());
    assertTrue(c.describe().get("application.id").contains("environment variable "
        + "MFSTREAM_APPLICATION_ID"), c.describe().toString());
  }

  @Test
  void kafkaSettingsShouldReachKafkaStreamsWithoutThePrefixAndSecretsStayMasked()
      throws Exception {
    AppConfig c = AppConfig.load(file("bootstrap.servers=b:9093",
        "kafka.security.protocol=SASL_SSL", "kafka.num.stream.threads=4"),
        Map.of("MFSTREAM_KAFKA_SASL_JAAS_CONFIG", "secret-login"), Map.of());
    Properties p = c.streamsProperties("b:9093");
    assertEquals("SASL_SSL", p.get("security.protocol"));
    assertEquals("secret-login", p.get("sasl.jaas.config"));
    assertEquals("4", p.get(StreamsConfig.NUM_STREAM_THREADS_CONFIG));
    assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    assertFalse(c.describe().toString().contains("secret-login"));
  }

  @Test
  void perModelSettingsShouldConfigureEachModel() throws Exception {
    AppConfig c = AppConfig.load(file("models=champion,challenger",
        "model.champion.type=biased-mf", "model.champion.factors=32",
        "model.challenger.type=dropout-mlp", "model.challenger.hidden=128",
        "model.challenger.dropout=0.25", "model.challenger.optimizer=adam",
        "model.challenger.learning.rate=0.002"), Map.of(), Map.of());
    ModelSpec champion = c.pipeline().models().get(0);
    ModelSpec challenger = c.pipeline().models().get(1);
    assertEquals(32, champion.model().factors());
    assertEquals(ModelType.DROPOUT_MLP, challenger.model().type());
    assertEquals(128, challenger.model().hidden());
    assertEquals(0.25, challenger.model().dropout());
    assertEquals(OptimizerConfig.Kind.ADAM, challenger.optimizer().kind());
    assertEquals(0.002, challenger.optimizer().learningRate());
    assertEquals(0, champion.reset(), "reset generation 0 by default");
    java.util.Properties serving = c.servingStreamsProperties("b:9092");
    assertEquals(c.applicationId() + "-serving", serving.get("application.id"));
    assertEquals("1", serving.get("num.stream.threads"), "serving.threads, 1 by default");
    assertEquals("exactly_once_v2", serving.get("processing.guarantee"));
    assertEquals(3, AppConfig.load(null, Map.of(), Map.of("model.mlp.reset", "3")).pipeline()
        .models().stream().filter(m -> m.name().equals("mlp")).findFirst().orElseThrow()
        .reset());
  }

  @Test
  void theQualitySettingsShouldReachEveryModelAndBadOnesBeRefusedNamingTheKey() throws Exception {
    assertEquals(io.mfstream.train.QualitySettings.DEFAULTS,
        AppConfig.load(null, Map.of(), Map.of()).pipeline().models().get(0).quality());
    AppConfig c = AppConfig.load(null, Map.of("MFSTREAM_RANKING_SAMPLE", "0.5"),
        Map.of("quality.cold.user.ratings", "3", "quality.cold.item.ratings", "7",
            "ranking.positive.rating", "4.5"));
    for (var spec : c.pipeline().models()) {
      assertEquals(new io.mfstream.train.QualitySettings(3, 7, 4.5f, 0.5), spec.quality());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("ranking.sample", "1.5")));
    assertTrue(e.getMessage().contains("ranking.sample"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("quality.cold.item.ratings", "0")));
    assertTrue(e.getMessage().contains("quality.cold.item.ratings"), e.getMessage());
  }

  @Test
  void mistakesShouldBeRefusedNamingTheKeyAndWhereItCameFrom() throws Exception {
    Path f = file("batch.sise=8");
    IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(f, Map.of(), Map.of()));
    assertTrue(unknown.getMessage().contains("'batch.sise'"), unknown.getMessage());
    assertTrue(unknown.getMessage().contains(f.toString()), unknown.getMessage());

    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of("MFSTREAM_BATCH_SIZE", "zero"), Map.of()));
    assertTrue(bad.getMessage().contains("batch.size=zero"), bad.getMessage());
    assertTrue(bad.getMessage().contains("MFSTREAM_BATCH_SIZE"), bad.getMessage());

    IllegalArgumentException orphan = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("model.nope.factors", "8")));
    assertTrue(orphan.getMessage().contains("not in models"), orphan.getMessage());

    IllegalArgumentException noType = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("models", "champion")));
    assertTrue(noType.getMessage().contains("model.champion.type"), noType.getMessage());

    IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("rating.min", "5", "rating.max", "1")));
    assertTrue(range.getMessage().contains("rating.max"), range.getMessage());

    IllegalArgumentException guarantee = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("kafka.processing.guarantee",
            "at_least_once")));
    assertTrue(guarantee.getMessage().contains("exactly_once_v2"), guarantee.getMessage());

    IllegalArgumentException warm = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("model.mlp.warm.start", "/no/such.mfsnap")));
    assertTrue(warm.getMessage().contains("not a readable file"), warm.getMessage());

    IllegalArgumentException reset = assertThrows(IllegalArgumentException.class,
        () -> AppConfig.load(null, Map.of(), Map.of("model.mlp.reset", "2026-12-04")));
    assertTrue(reset.getMessage().contains("model.mlp.reset=2026-12-04")
        && reset.getMessage().contains("whole number"), reset.getMessage());
  }
}
