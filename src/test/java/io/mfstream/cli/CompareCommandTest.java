package io.mfstream.cli;

import static io.mfstream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.cli.Cli.Run;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.app.AppConfig;
import io.mfstream.model.ModelType;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.testing.UnitTest;
import io.mfstream.train.ModelSettings;
import io.mfstream.train.OptimizerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@UnitTest
@Timeout(300)
class CompareCommandTest {
  @TempDir
  Path dir;

  private Path generate() {
    Path file = dir.resolve("ratings.tsv");
    Run g = run("generate", "--out", file.toString(), "--users", "60", "--items", "50",
        "--ratings", "2000", "--seed", "3");
    assertEquals(0, g.code(), g.err());
    return file;
  }

  private static JsonNode json(Path file) throws Exception {
    return new ObjectMapper().readTree(Files.readString(file));
  }

  private static List<JsonNode> rows(JsonNode summary) {
    List<JsonNode> rows = new ArrayList<>();
    summary.get("configurations").forEach(rows::add);
    return rows;
  }

  // --- reading --config ---------------------------------------------------------------------

  @Test
  void aConfigShouldTakeRunsDefaultsAndItsNetworkFromTypeThenNameThenBiasedMf() {
    CompareConfig defaults = CompareConfig.parse("defaults");
    ModelSettings streaming = ModelSettings.parse(Map.of(), ModelType.BIASED_MF,
        ModelSettings.Defaults.STREAMING, (k, why) -> new IllegalArgumentException(why));
    assertEquals(streaming, defaults.settings());
    assertEquals(1, defaults.batchSize());

    CompareConfig mlp = CompareConfig.parse("mlp");
    assertEquals(ModelType.MLP, mlp.settings().model().type());
    assertEquals(ModelSettings.Defaults.STREAMING.batchSize(ModelType.MLP), mlp.batchSize());

    CompareConfig sgd = CompareConfig.parse("sgd16:optimizer=sgd,batch.size=16");
    assertEquals(ModelType.BIASED_MF, sgd.settings().model().type());
    assertEquals(OptimizerConfig.Kind.SGD, sgd.settings().optimizer().kind());
    assertEquals(0.9, sgd.settings().optimizer().momentum());
    assertEquals(16, sgd.batchSize());

    CompareConfig typed = CompareConfig.parse("wide: type=dropout-mlp , hidden=8,dropout=0.3");
    assertEquals(ModelType.DROPOUT_MLP, typed.settings().model().type());
    assertEquals(8, typed.settings().model().hidden());
    assertEquals(0.3, typed.settings().model().dropout());
    assertEquals(4, typed.batchSize());

    // As in run, type wins over a name that is a network type.
    assertEquals(ModelType.PLAIN_MF,
        CompareConfig.parse("mlp:type=plain-mf").settings().model().type());
  }

  @Test
  void theDeployLinesShouldGiveRunTheSameModels() throws Exception {
    List<CompareConfig> configs = CompareConfig.parseAll(List.of("defaults",
        "sgd16:optimizer=sgd,batch.size=16,momentum=0.5", "mlp:factors=16,learning.rate=0.02",
        "drop:type=dropout-mlp,dropout=0.2,optimizer=adam,seed=7",
        "plain-mf:init.scale=0.03,weight.decay=0", "bmf:bias.learning.rate=0.4,factors=8"));
    List<String> lines = new ArrayList<>();
    lines.add("models=" + String.join(",", configs.stream().map(CompareConfig::name).toList()));
    configs.forEach(c -> lines.addAll(c.properties()));
    Path file = dir.resolve("deploy.properties");
    Files.write(file, lines);

    List<ModelSpec> specs = AppConfig.load(file, Map.of(), Map.of()).pipeline().models();
    assertEquals(configs.size(), specs.size());
    for (int i = 0; i < specs.size(); i++) {
      CompareConfig c = configs.get(i);
      ModelSpec s = specs.get(i);
      assertEquals(c.name(), s.name());
      assertEquals(c.settings().model(), s.model(), c.name());
      assertEquals(c.settings().optimizer(), s.optimizer(), c.name());
      assertEquals(c.batchSize(), s.batchSize(), c.name());
    }
  }

  @Test
  void aValueRunRefusesShouldBeRefusedForTheSameReason() {
    String[][] cases = {{"learning.rate", "-1"}, {"learning.rate", "fast"}, {"factors", "0"},
        {"hidden", "1.5"}, {"momentum", "0.5"}, {"optimizer", "rmsprop"}, {"dropout", "1"},
        {"init.scale", "0"}, {"weight.decay", "-0.1"}, {"bias.weight.decay", "NaN"},
        {"seed", "x"}, {"type", "svd"}, {"batch.size", "0"}, {"batch.size", "two"}};
    for (String[] kv : cases) {
      String key = kv[0];
      String value = kv[1];
      IllegalArgumentException byRun = assertThrows(IllegalArgumentException.class,
          () -> AppConfig.load(null, Map.of(), key.equals("type")
              ? Map.of("models", "x", "model.x.type", value)
              : Map.of("models", "x", "model.x.type", "biased-mf", "model.x." + key, value)),
          key + "=" + value);
      String marker = "(from command line) ";
      assertTrue(byRun.getMessage().contains(marker), byRun.getMessage());
      String why = byRun.getMessage().substring(byRun.getMessage().indexOf(marker)
          + marker.length());
      IllegalArgumentException byCompare = assertThrows(IllegalArgumentException.class,
          () -> CompareConfig.parse("x:" + key + "=" + value), key + "=" + value);
      assertEquals("--config x:" + key + "=" + value + ": " + key + "=" + value + " " + why,
          byCompare.getMessage());
    }
  }

  @Test
  void aConfigShouldRefuseUnknownKeysBadNamesAndRepeatsSayingWhy() {
    String unknown = message("x:lr=0.1");
    assertTrue(unknown.startsWith("--config x:lr=0.1: unknown key 'lr'"), unknown);
    assertTrue(unknown.contains("learning.rate") && unknown.contains("batch.size"), unknown);
    assertTrue(message("x:embeddings=dense").contains("lazily only"));
    assertTrue(message("x:warm.start=a.snap").contains("from a new model"));
    assertTrue(message("Big:factors=4").contains("the name 'Big' must be"));
    assertTrue(message("a.b").contains("the name 'a.b' must be"));
    assertTrue(message(":factors=4").contains("the name '' must be"));
    assertTrue(message("x:factors").contains("'factors' is not KEY=VALUE"));
    assertTrue(message("x:factors=4,").contains("'' is not KEY=VALUE"));
    assertTrue(message("x:factors=").contains("factors has no value"));
    assertTrue(message("x:factors=4,factors=8").contains("factors is given twice"));
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> CompareConfig.parseAll(List.of("a", "b:factors=4", "a:factors=8")));
    assertEquals("--config a:factors=8: the name 'a' is given twice; each configuration needs "
        + "a name of its own", twice.getMessage());
    assertThrows(IllegalArgumentException.class, () -> CompareConfig.parseAll(List.of()));
  }

  private static String message(String spec) {
    return assertThrows(IllegalArgumentException.class, () -> CompareConfig.parse(spec))
        .getMessage();
  }

  @Test
  void badInputShouldExitTwoWithOneClearLine() throws Exception {
    Path file = generate();
    Run none = run("compare", "--data", file.toString());
    assertEquals(Main.EXIT_ERROR, none.code());
    assertTrue(none.err().contains("Missing required option: '--config"), none.err());

    Run bad = run("compare", "--data", file.toString(), "--config", "a",
        "--config", "b:learning.rate=-1");
    assertEquals(Main.EXIT_ERROR, bad.code());
    assertEquals("mfstream: --config b:learning.rate=-1: learning.rate=-1 must be positive",
        bad.err().strip());
    assertEquals("", bad.out(), "nothing runs before every configuration is read");

    Run twice = run("compare", "--data", file.toString(), "--config", "a", "--config", "a");
    assertEquals(Main.EXIT_ERROR, twice.code());
    assertTrue(twice.err().contains("the name 'a' is given twice"), twice.err());

    Run rounds = run("compare", "--data", file.toString(), "--config", "a", "--rounds", "0");
    assertEquals(Main.EXIT_ERROR, rounds.code());
    assertTrue(rounds.err().contains("--rounds 0: must be at least 1"), rounds.err());
  }

  // --- running ------------------------------------------------------------------------------

  @Test
  void aRowShouldEqualPrequentialsSummaryToEveryDigit() throws Exception {
    Path file = generate();
    String[] quality = {"--cold-user-ratings", "3", "--cold-item-ratings", "7",
        "--positive-rating", "3.5", "--ranking-sample", "0.5", "--window", "500"};
    Path summary = dir.resolve("compare.json");
    List<String> args = new ArrayList<>(List.of("compare", "--data", file.toString(),
        "--order", "file", "--warmup", "0", "--summary", summary.toString(),
        "--config", "bmf:factors=4,seed=5", "--config", "mlp:factors=4,hidden=4,batch.size=2"));
    args.addAll(List.of(quality));
    Run c = run(args.toArray(String[]::new));
    assertEquals(0, c.code(), c.err());
    List<JsonNode> rows = rows(json(summary));

    String[][] prequentialFlags = {{"--model", "biased-mf", "-k", "4", "--seed", "5"},
        {"--model", "mlp", "-k", "4", "--hidden", "4", "-b", "2"}};
    for (int i = 0; i < 2; i++) {
      Path p = dir.resolve("prequential-" + i + ".json");
      List<String> pargs = new ArrayList<>(List.of("prequential", "--data", file.toString(),
          "--order", "file", "--report-every", "0", "--summary", p.toString()));
      pargs.addAll(List.of(prequentialFlags[i]));
      pargs.addAll(List.of(quality));
      Run r = run(pargs.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());
      JsonNode expected = json(p);
      JsonNode row = rows.get(i);
      assertEquals("finished", row.get("status").asText());
      int compared = 0;
      for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (List.of("command", "source", "order", "seconds").contains(field)) {
          continue;
        }
        assertEquals(expected.get(field), row.get(field), field + " of " + row.get("name"));
        compared++;
      }
      assertEquals(12, compared, "model to model_version");
      assertTrue(expected.get("ranking").get("ranked").asLong() > 0, "ranking is compared");
    }
  }

  @Test
  void aDivergingConfigurationShouldShowItsStepAndNotStopTheOthers() throws Exception {
    Path file = generate();
    Run alone = run("prequential", "--data", file.toString(), "-k", "4", "--optimizer", "sgd",
        "--lr", "5");
    assertEquals(Main.EXIT_ERROR, alone.code());
    Matcher m = Pattern.compile("diverged at step (\\d+)").matcher(alone.err());
    assertTrue(m.find(), alone.err());
    long step = Long.parseLong(m.group(1));

    Path summary = dir.resolve("compare.json");
    Run c = run("compare", "--data", file.toString(), "--warmup", "100", "--summary",
        summary.toString(), "--config", "good:factors=4",
        "--config", "boom:optimizer=sgd,learning.rate=5,factors=4",
        "--config", "mlp:factors=4,hidden=4");
    assertEquals(Main.EXIT_OK, c.code(), c.err());
    List<JsonNode> rows = rows(json(summary));
    assertEquals("finished", rows.get(0).get("status").asText());
    assertEquals("diverged", rows.get(1).get("status").asText());
    assertEquals(step, rows.get(1).get("diverged_at_step").asLong());
    assertEquals("finished", rows.get(2).get("status").asText());
    assertTrue(rows.get(2).get("rmse").asDouble() > 0);

    String boomRow = c.out().lines().filter(l -> l.startsWith("boom ")).reduce("", (a, b) -> b);
    assertTrue(boomRow.endsWith(String.format("diverged at step %,d", step)), c.out());
    String best = rows.get(0).get("rmse").asDouble() < rows.get(2).get("rmse").asDouble()
        ? "good" : "mlp";
    assertEquals(best, json(summary).get("best").get(0).asText());
    assertTrue(c.out().lines().anyMatch(l -> l.startsWith(best + " ") && l.contains(" * ")),
        c.out());
    assertTrue(c.out().contains("models=good,mlp"), "the deploy lines leave the diverged out");
    assertFalse(c.out().contains("model.boom."), c.out());
  }

  @Test
  void everyConfigurationDivergingShouldExitOne() throws Exception {
    Path file = generate();
    Run c = run("compare", "--data", file.toString(), "--warmup", "0",
        "--config", "boom:optimizer=sgd,learning.rate=5,factors=4");
    assertEquals(Main.EXIT_NO_RESULT, c.code(), c.err());
    assertTrue(c.err().contains("every configuration diverged"), c.err());
    assertTrue(c.out().contains("diverged at step"), c.out());
  }

  @Test
  void roundsShouldRepeatTheSamePassAndReportTheMedianRate() throws Exception {
    Path file = generate();
    Path one = dir.resolve("one.json");
    Path three = dir.resolve("three.json");
    assertEquals(0, run("compare", "--data", file.toString(), "--warmup", "0", "--summary",
        one.toString(), "--config", "a:factors=4", "--config", "b:factors=8").code());
    Run r = run("compare", "--data", file.toString(), "--warmup", "0", "--rounds", "3",
        "--summary", three.toString(), "--config", "a:factors=4", "--config", "b:factors=8");
    assertEquals(0, r.code(), r.err());
    assertFalse(r.err().contains("warning"), r.err());
    assertTrue(r.out().contains("round 3 of 3  b"), r.out());
    for (int i = 0; i < 2; i++) {
      JsonNode a = rows(json(one)).get(i);
      JsonNode b = rows(json(three)).get(i);
      assertEquals(a.get("rmse"), b.get("rmse"));
      assertEquals(a.get("segments"), b.get("segments"));
      assertEquals(a.get("ranking"), b.get("ranking"));
      double[] rates = new double[3];
      for (int k = 0; k < 3; k++) {
        rates[k] = b.get("ratings_per_second_rounds").get(k).asDouble();
      }
      java.util.Arrays.sort(rates);
      assertEquals(rates[1], b.get("ratings_per_second").asDouble());
    }
  }
}
