package io.mfstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.model.ModelType;
import io.mfstream.stream.serve.Replicas;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.serve.StateRecords;
import io.mfstream.testing.UnitTest;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** /api/predict and /api/recommend over a real socket, from replicas fed as the trainers' changelogs feed them. */
@UnitTest
@Timeout(60)
class PredictionApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private OpsServer server;

  @BeforeEach
  void start() throws Exception {
    server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), new StatusBoard(), () -> "",
        () -> Health.State.RUNNING, OpsServer.Options.DEFAULTS);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** Two models: biased MF (k 2) that knows u1, i1, i2, i3, and plain MF (k 2) that knows u1, i1. */
  private Replicas replicas() {
    Replicas r = new Replicas(List.of("bmf", "pmf"));
    StateRecords.model(r, 0, ModelType.BIASED_MF, 2, 0, 12, 192, 3.5, List.of("u1"),
        List.of(new float[] {1, 0, 0.25f}), List.of("i1", "i2", "i3"),
        List.of(new float[] {1, 0, 0}, new float[] {0.5f, 0, 0}, new float[] {0, 0, 1}));
    StateRecords.model(r, 1, ModelType.PLAIN_MF, 2, 0, 3, 48, 3.5, List.of("u1"),
        List.of(new float[] {2, 1}), List.of("i1"), List.of(new float[] {1, 1}));
    StateRecords.seen(r, "u1", "i1");
    return r;
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(HttpRequest.newBuilder(server.uri().resolve(path))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldPredictPerModelWithTheTopicAnswersFields() throws Exception {
    server.serve(replicas());
    HttpResponse<String> r = get("/api/predict?user=u1&item=i1");
    assertEquals(200, r.statusCode(), r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    JsonNode answers = JSON.readTree(r.body()).get("predictions");
    assertEquals(2, answers.size(), r.body());
    JsonNode bmf = answers.get(0);
    assertEquals("bmf", bmf.get("model").asText());
    assertEquals(3.5 + 0.25 + 0 + 1, bmf.get("rating").asDouble(), 1e-6);
    assertEquals(12, bmf.get("model_version").asLong());
    assertEquals(192, bmf.get("ratings_learned").asLong());
    assertFalse(bmf.get("cold_start").asBoolean());
    assertFalse(bmf.get("degraded").asBoolean());
    assertTrue(bmf.get("request_id").asText().startsWith("http-"));
    assertEquals(3.0, answers.get(1).get("rating").asDouble(), 1e-6, "plain MF: 2*1 + 1*1");

    JsonNode one = JSON.readTree(get("/api/predict?user=u1&item=i2&model=pmf").body())
        .get("predictions");
    assertEquals(1, one.size());
    assertTrue(one.get(0).get("cold_start").asBoolean(), "pmf does not know i2");
    // Ids with reserved characters travel URL-encoded.
    JsonNode odd = JSON.readTree(get("/api/predict?user=a%26b%2Fc&item=i1&model=bmf").body())
        .get("predictions");
    assertEquals("a&b/c", odd.get(0).get("user").asText());
  }

  @Test
  void aBatchShouldAnswerEveryPairAndRefuseWhatItCannotRead() throws Exception {
    server.serve(replicas());
    HttpResponse<String> r = post("/api/predict",
        "{\"pairs\": [{\"user\": \"u1\", \"item\": \"i1\"}, {\"user\": 7, \"item\": \"i3\"}],"
            + " \"model\": \"bmf\"}");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode answers = JSON.readTree(r.body()).get("predictions");
    assertEquals(2, answers.size());
    assertEquals("7", answers.get(1).get("user").asText());
    assertTrue(answers.get(1).get("cold_start").asBoolean());
    assertEquals(3.5 + 1, answers.get(1).get("rating").asDouble(), 1e-6, "mean + i3's bias");

    assertError(post("/api/predict", "{\"pairs\": [{\"user\": \"u1\"}]}"), 400,
        "pairs[0] needs a user and an item");
    assertError(post("/api/predict", "{not json"), 400, "not JSON");
    assertError(post("/api/predict", "[]"), 400, "the body must be");
    StringBuilder big = new StringBuilder("{\"pairs\": [");
    for (int j = 0; j <= PredictionApi.MAX_BATCH; j++) {
      big.append(j == 0 ? "" : ",").append("{\"user\": \"u\", \"item\": \"i\"}");
    }
    assertError(post("/api/predict", big.append("]}").toString()), 413, "at most 1000");
  }

  @Test
  void shouldRecommendUnratedItemsBestFirst() throws Exception {
    server.serve(replicas());
    HttpResponse<String> r = get("/api/recommend?user=u1&n=2&model=bmf");
    assertEquals(200, r.statusCode(), r.body());
    JsonNode rec = JSON.readTree(r.body()).get("recommendations").get(0);
    assertEquals("bmf", rec.get("model").asText());
    List<String> items = List.of(rec.get("items").get(0).get("item").asText(),
        rec.get("items").get(1).get("item").asText());
    assertEquals(List.of("i3", "i2"), items, "i1 is rated; i3: 3.5+0.25+1, i2: 3.5+0.25+0.5");
    assertEquals(2, JSON.readTree(get("/api/recommend?user=u1").body()).get("recommendations")
        .size(), "every model, n = 10 by default");
  }

  @Test
  void mistakesShouldGetAClearReason() throws Exception {
    assertError(get("/api/predict?user=u1&item=i1"), 503, "no model has published");
    server.serve(replicas());
    assertError(get("/api/predict?user=u1"), 400, "user and item are required");
    assertError(get("/api/predict?user=u1&item=i1&model=nope"), 404,
        "no model 'nope' here; models: bmf, pmf");
    assertError(get("/api/recommend?user=u1&n=0"), 400, "n must be a whole number from 1 to 1000");
    assertError(get("/api/recommend?user=u1&n=ten"), 400, "got ten");
    assertError(get("/api/recommend?n=3"), 400, "user is required");
    // A malformed escape (which java.net.URI will not even send) is a 400, not a 500.
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> PredictionApi.parse("user=%zz&item=i1"));
    HttpResponse<String> put = client.send(HttpRequest.newBuilder(
        server.uri().resolve("/api/recommend")).PUT(HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(405, put.statusCode());
  }

  private static void assertError(HttpResponse<String> r, int status, String part)
      throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    String reason = JSON.readTree(r.body()).get("error").asText();
    assertTrue(reason.contains(part), reason);
  }
}
