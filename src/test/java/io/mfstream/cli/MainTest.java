package io.mfstream.cli;

import static io.mfstream.cli.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.cli.Cli.Run;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.stream.embedded.EmbeddedKafka;
import io.mfstream.stream.topics.TopicCreator;
import io.mfstream.stream.topics.TopicDefinitions;
import io.mfstream.testing.BrokerTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@BrokerTest
@Timeout(300)
class MainTest {
  @TempDir
  Path dir;

  private Path generate() {
    Path file = dir.resolve("ratings.tsv");
    Run g = run("generate", "--out", file.toString(), "--users", "60", "--items", "50",
        "--ratings", "2000", "--seed", "3");
    assertEquals(0, g.code(), g.err());
    return file;
  }

  @Test
  void trainShouldPrintEpochsAndWriteASummary() throws Exception {
    Path file = generate();
    Path summary = dir.resolve("out/summary.json");
    Run r = run("train", "--train", file.toString(), "--model", "biased-mf", "-k", "4",
        "--epochs", "2", "--batch-size", "32", "--summary", summary.toString(), "--no-progress");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("epoch   2/2"), r.out());
    JsonNode json = new ObjectMapper().readTree(Files.readString(summary));
    assertEquals("train", json.get("command").asText());
    assertEquals("biased-mf", json.get("model").get("type").asText());
    assertEquals(2, json.get("epochs").size());
    assertTrue(json.get("final_test_rmse").asDouble() > 0);
    assertEquals(1600, json.get("train_ratings").asInt());
    JsonNode ranking = json.get("test_ranking");
    assertEquals(10, ranking.get("k").asInt());
    assertTrue(ranking.get("ranked").asLong() > 0, ranking.toString());
    double hit = ranking.get("hit_rate").asDouble();
    assertTrue(hit >= 0 && hit <= 1 && ranking.get("ndcg").asDouble() <= hit, ranking.toString());
    assertTrue(r.out().contains("ranking@10"), r.out());
  }

  @Test
  void oneThreadShouldTrainTheSameModelBitForBit() throws Exception {
    Path file = generate();
    JsonNode[] summaries = new JsonNode[2];
    String[][] extra = {{}, {"--one-thread"}};
    for (int i = 0; i < 2; i++) {
      Path summary = dir.resolve("mlp-" + i + ".json");
      List<String> args = new ArrayList<>(List.of("train", "--train", file.toString(), "--model",
          "mlp", "-k", "16", "--hidden", "8", "--epochs", "2", "--batch-size", "64",
          "--summary", summary.toString(), "--no-progress"));
      args.addAll(List.of(extra[i]));
      Run r = run(args.toArray(String[]::new));
      assertEquals(0, r.code(), r.err());
      summaries[i] = new ObjectMapper().readTree(Files.readString(summary));
    }
    assertEquals(summaries[0].get("final_test_rmse").asDouble(),
        summaries[1].get("final_test_rmse").asDouble());
    assertEquals(summaries[0].get("epochs").get(0).get("train_rmse").asDouble(),
        summaries[1].get("epochs").get(0).get("train_rmse").asDouble());
    assertTrue(summaries[1].get("kernels").asText().endsWith("one-thread"),
        summaries[1].toString());
  }

  @Test
  void prequentialShouldReportRmseOverThePass() throws Exception {
    Path file = generate();
    Path summary = dir.resolve("preq.json");
    Run r = run("prequential", "--data", file.toString(), "--model", "mlp", "-k", "4",
        "--hidden", "4", "--window", "500", "--report-every", "1000", "--summary",
        summary.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode json = new ObjectMapper().readTree(Files.readString(summary));
    assertEquals(2000, json.get("ratings").asInt());
    assertEquals("lazy", json.get("optimizer").get("embeddings").asText());
    assertTrue(json.get("cold_start_predictions").asInt() > 0);
    assertTrue(r.out().contains("1,000 ratings  rmse"), r.out()); // batch 4: a report at 1,000
    JsonNode users = json.get("segments").get("users");
    assertEquals(2000, users.get("cold").get("ratings").asLong()
        + users.get("established").get("ratings").asLong());
    JsonNode items = json.get("segments").get("items");
    assertEquals(2000, items.get("cold").get("ratings").asLong()
        + items.get("established").get("ratings").asLong());
    assertEquals(5, json.get("segments").get("cold_user_ratings").asInt());
    assertEquals(0.01, json.get("ranking").get("user_sample").asDouble());
    assertTrue(r.out().contains("by segment"), r.out());
  }

  @Test
  void prequentialShouldRefuseABadRankingSampleNamingTheOption() throws Exception {
    Path file = generate();
    Run r = run("prequential", "--data", file.toString(), "--ranking-sample", "2");
    assertTrue(r.code() != 0);
    assertTrue(r.err().contains("--ranking-sample"), r.err());
  }

  @Test
  void savedModelShouldContinueWhereItStopped() throws Exception {
    Path file = generate();
    Path snap = dir.resolve("m.snap");
    Run first = run("prequential", "--data", file.toString(), "--model", "biased-mf", "-k", "4",
        "--save", snap.toString(), "--summary", dir.resolve("a.json").toString());
    assertEquals(0, first.code(), first.err());
    Run second = run("prequential", "--data", file.toString(), "--load", snap.toString(),
        "--summary", dir.resolve("b.json").toString());
    assertEquals(0, second.code(), second.err());
    ObjectMapper m = new ObjectMapper();
    JsonNode a = m.readTree(Files.readString(dir.resolve("a.json")));
    JsonNode b = m.readTree(Files.readString(dir.resolve("b.json")));
    assertEquals("biased-mf", b.get("model").get("type").asText());
    assertEquals(2 * a.get("model_version").asLong(), b.get("model_version").asLong());
    assertEquals(0, b.get("cold_start_predictions").asInt());
    assertTrue(b.get("rmse").asDouble() < a.get("rmse").asDouble(),
        "a second pass over seen data should score better");
  }

  @Test
  void badLineShouldStopStrictModeWithFileAndLine() throws Exception {
    Path file = dir.resolve("u.data");
    Files.writeString(file, "1\t2\t3\t100\n1\t3\tfive\t101\n");
    Run r = run("prequential", "--data", file.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("mfstream: "), r.err());
    assertTrue(r.err().contains("u.data:2"), r.err());
  }

  @Test
  void lenientModeShouldSkipAndReportBadLines() throws Exception {
    Path file = dir.resolve("u.data");
    Files.writeString(file, "1\t2\t3\t100\n1\t3\tfive\t101\n2\t2\t4\t102\n");
    Run r = run("prequential", "--data", file.toString(), "--lenient", "--batch-size", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("skipped 1 bad line"), r.err());
  }

  @Test
  void delimitedFormatShouldReadChosenColumns() throws Exception {
    Path file = dir.resolve("ratings.txt");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      // item;user;rating - the user and item columns swapped on purpose.
      sb.append("item").append(i % 17).append(';').append("user").append(i % 23).append(';')
          .append(1 + i % 5).append('\n');
    }
    Files.writeString(file, sb.toString());
    Path summary = dir.resolve("d.json");
    Run r = run("prequential", "--data", file.toString(), "--format", "delimited:;:1:0:2",
        "--order", "file", "--summary", summary.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode json = new ObjectMapper().readTree(Files.readString(summary));
    assertEquals(300, json.get("ratings").asInt());
    Run bad = run("prequential", "--data", file.toString(), "--format", "csv-ish");
    assertEquals(2, bad.code());
    assertTrue(bad.err().contains("unknown format 'csv-ish'"), bad.err());
  }

  @Test
  void unknownModelShouldBeAUsageError() {
    Run r = run("train", "--model", "svd++");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("unknown model type 'svd++'"), r.err());
  }

  @Test
  void replayShouldSendAFileToTheRatingsTopicAndPrintTheCount() throws Exception {
    Path file = dir.resolve("u.data");
    Files.writeString(file, "1\t10\t4\t300\n2\t11\t3\t100\n1\t12\t5\t200\n3\t10\t2\t400\n");
    Path producerConfig = dir.resolve("producer.properties");
    Files.writeString(producerConfig, "client.id=main-test-replay\nmax.block.ms=20000\n");
    try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
      try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
          kafka.bootstrapServers()))) {
        TopicCreator.createAll(admin, TopicDefinitions.load(TopicDefinitions.DEFAULT_DIR),
            Duration.ofSeconds(30));
      }
      Run r = run("replay", "--bootstrap-servers", kafka.bootstrapServers(), "--data",
          file.toString(), "--rate", "1000", "--limit", "3", "--producer-config",
          producerConfig.toString());
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains("sent 3 ratings to ratings"), r.out());
    }
  }

  @Test
  void replayWithAnUnknownOrderShouldBeAUsageError() {
    Run r = run("replay", "--order", "random", "--bootstrap-servers", "127.0.0.1:1");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("mfstream: "), r.err());
    assertTrue(r.err().contains("--order must be file or timestamp, got random"), r.err());
  }
}
