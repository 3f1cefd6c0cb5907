package io.mfstream.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.serve.ModelReplica;
import io.mfstream.stream.serve.Replicas;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Predictions and recommendations over HTTP, answered from the instance's in-memory replicas
 * (the same answers, with the same fields, as the topics give; docs/HTTP-API.md):
 *
 * <pre>
 *   GET  /api/predict?user=U&amp;item=I[&amp;model=M]     one prediction per model (or model M)
 *   POST /api/predict  {"pairs": [{"user": U, "item": I}, ...], "model": M?}
 *   GET  /api/recommend?user=U[&amp;n=N][&amp;model=M]  top N (default 10) unrated items per model
 * </pre>
 *
 * Answers are JSON objects, {@code {"predictions": [...]}} or {@code {"recommendations": [...]}};
 * a model that has not published yet is left out. Errors are 4xx with {@code {"error": reason}}:
 * 400 for a missing or malformed parameter or body, 404 for an unknown model, 413 for a batch
 * over {@link #MAX_BATCH} pairs or a body over {@link #MAX_BODY} bytes, 503 while no model has
 * published (or the replicas are not there yet). Thread-safe: it only reads the replicas.
 */
final class PredictionApi {
  /** The most pairs one batch may hold. */
  static final int MAX_BATCH = 1000;
  /** The largest request body read, in bytes. */
  static final int MAX_BODY = 1 << 20;
  static final int DEFAULT_N = 10;

  /** An answer: the status code and the JSON body. */
  record Answer(int status, byte[] body) {}

  private final ObjectMapper mapper;
  private final AtomicLong ids = new AtomicLong();
  private volatile Replicas replicas;

  PredictionApi(ObjectMapper mapper) {
    this.mapper = mapper;
  }

  /**
   * True when a recommendation reads more than {@link ModelReplica#LONG_SCAN} floats over all
   * the models: then it is answered on a worker thread, not an I/O thread.
   */
  boolean scansAreLong() {
    Replicas r = replicas;
    if (r == null) {
      return false;
    }
    long floats = 0;
    for (ModelReplica m : r.models()) {
      floats += m.scanSize();
    }
    return floats > ModelReplica.LONG_SCAN;
  }

  /** Starts answering from {@code replicas}; until then every request gets 503. */
  void serve(Replicas replicas) {
    this.replicas = replicas;
  }

  /** GET /api/predict. */
  Answer predict(String query) throws IOException {
    Map<String, String> q;
    try {
      q = parse(query);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
    String user = q.get("user");
    String item = q.get("item");
    if (user == null || user.isBlank() || item == null || item.isBlank()) {
      return error(400, "user and item are required, e.g. /api/predict?user=196&item=242");
    }
    List<String[]> one = new ArrayList<>();
    one.add(new String[] {user, item});
    return predict(one, q.get("model"));
  }

  /** POST /api/predict with a batch of pairs. */
  Answer predictBatch(InputStream body) throws IOException {
    byte[] bytes = body.readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      return error(413, "the body is over " + MAX_BODY + " bytes");
    }
    JsonNode root;
    try {
      root = mapper.readTree(bytes);
    } catch (JsonProcessingException e) {
      return error(400, "the body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject() || !root.path("pairs").isArray()) {
      return error(400, "the body must be {\"pairs\": [{\"user\": ..., \"item\": ...}, ...]}");
    }
    JsonNode pairs = root.get("pairs");
    if (pairs.size() > MAX_BATCH) {
      return error(413, pairs.size() + " pairs: a batch holds at most " + MAX_BATCH);
    }
    List<String[]> asked = new ArrayList<>(pairs.size());
    for (int j = 0; j < pairs.size(); j++) {
      JsonNode p = pairs.get(j);
      String user = id(p.get("user"));
      String item = id(p.get("item"));
      if (user == null || item == null) {
        return error(400, "pairs[" + j + "] needs a user and an item (strings or whole numbers)");
      }
      asked.add(new String[] {user, item});
    }
    JsonNode model = root.get("model");
    if (model != null && !model.isNull() && !model.isTextual()) {
      return error(400, "model must be a string");
    }
    return predict(asked, model == null || model.isNull() ? null : model.asText());
  }

  /** GET /api/recommend. */
  Answer recommend(String query) throws IOException {
    Map<String, String> q;
    try {
      q = parse(query);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    }
    String user = q.get("user");
    if (user == null || user.isBlank()) {
      return error(400, "user is required, e.g. /api/recommend?user=196&n=10");
    }
    int n = DEFAULT_N;
    if (q.containsKey("n")) {
      try {
        n = Integer.parseInt(q.get("n"));
      } catch (NumberFormatException e) {
        n = -1;
      }
      if (n < 1 || n > RecommendationRequest.MAX_N) {
        return error(400, "n must be a whole number from 1 to " + RecommendationRequest.MAX_N
            + ", got " + q.get("n"));
      }
    }
    Replicas r = replicas;
    List<ModelReplica> models = r == null ? List.of() : models(r, q.get("model"));
    if (models == null) {
      return unknownModel(r, q.get("model"));
    }
    List<String> seen = r == null ? List.of() : r.seen(user);
    long now = System.currentTimeMillis();
    String requestId = "http-" + ids.incrementAndGet();
    List<Recommendation> out = new ArrayList<>();
    for (ModelReplica m : models) {
      Recommendation answer = m.recommend(requestId, user, n, seen, now);
      if (answer != null) {
        out.add(answer);
      }
    }
    if (out.isEmpty()) {
      return notReady();
    }
    return new Answer(200, mapper.writeValueAsBytes(new Recommendations(out)));
  }

  private Answer predict(List<String[]> pairs, String model) throws IOException {
    Replicas r = replicas;
    List<ModelReplica> models = r == null ? List.of() : models(r, model);
    if (models == null) {
      return unknownModel(r, model);
    }
    long now = System.currentTimeMillis();
    List<Prediction> out = new ArrayList<>();
    for (String[] pair : pairs) {
      String requestId = "http-" + ids.incrementAndGet();
      for (ModelReplica m : models) {
        Prediction answer = m.predict(requestId, pair[0], pair[1], now);
        if (answer != null) {
          out.add(answer);
        }
      }
    }
    if (out.isEmpty() && !pairs.isEmpty()) {
      return notReady();
    }
    return new Answer(200, mapper.writeValueAsBytes(new Predictions(out)));
  }

  /** The body of a recommendation answer, written in one pass (no tree in between). */
  private record Recommendations(@JsonProperty("recommendations") List<Recommendation> list) {}

  /** The body of a prediction answer. */
  private record Predictions(@JsonProperty("predictions") List<Prediction> list) {}

  /** Every model, or the one named; null when it is not served here. */
  private static List<ModelReplica> models(Replicas r, String model) {
    if (model == null || model.isEmpty()) {
      return r.models();
    }
    ModelReplica m = r.get(model);
    return m == null ? null : List.of(m);
  }

  private Answer unknownModel(Replicas r, String model) throws IOException {
    List<String> names = r.models().stream().map(ModelReplica::model).toList();
    return error(404, "no model '" + model + "' here; models: " + String.join(", ", names));
  }

  private Answer notReady() throws IOException {
    return error(503, "no model has published parameters yet; try again shortly");
  }

  private Answer error(int status, String reason) throws IOException {
    ObjectNode body = mapper.createObjectNode();
    body.put("error", reason);
    return new Answer(status, mapper.writeValueAsBytes(body));
  }

  /** A JSON id: a non-blank string, or a whole number written as its digits; null otherwise. */
  private static String id(JsonNode v) {
    if (v == null) {
      return null;
    }
    if (v.isTextual()) {
      return v.asText().isBlank() ? null : v.asText();
    }
    return v.isIntegralNumber() ? v.asText() : null;
  }

  /** The query's parameters, URL-decoded; the first of a repeated one wins. */
  static Map<String, String> parse(String query) {
    Map<String, String> out = new LinkedHashMap<>();
    if (query == null || query.isEmpty()) {
      return out;
    }
    for (String part : query.split("&")) {
      if (part.isEmpty()) {
        continue;
      }
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? "" : part.substring(eq + 1);
      out.putIfAbsent(URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return out;
  }
}
