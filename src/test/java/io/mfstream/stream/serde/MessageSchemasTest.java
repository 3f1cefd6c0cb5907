package io.mfstream.stream.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.json.JsonMappers;
import io.mfstream.testing.UnitTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The JSON Schemas in topics/schemas describe exactly the fields the records write. */
@UnitTest
class MessageSchemasTest {

  private static final Path SCHEMAS = Path.of("topics", "schemas");

  private static Set<String> names(Iterator<String> it) {
    Set<String> names = new TreeSet<>();
    it.forEachRemaining(names::add);
    return names;
  }

  @Test
  void shouldDeclareEveryFieldEachMessageWritesAndRequireTheMandatoryOnes() throws Exception {
    Map<String, Object> samples = new LinkedHashMap<>();
    samples.put("rating-event", JsonSerdeTest.RATING);
    samples.put("prediction-request", JsonSerdeTest.PREDICTION_REQUEST);
    samples.put("recommendation-request", JsonSerdeTest.RECOMMENDATION_REQUEST);
    samples.put("prediction", JsonSerdeTest.PREDICTION);
    samples.put("recommendation", JsonSerdeTest.RECOMMENDATION);
    samples.put("rmse-report", JsonSerdeTest.RMSE);
    Set<String> files = new TreeSet<>();
    try (var list = Files.list(SCHEMAS)) {
      list.forEach(p -> files.add(p.getFileName().toString()));
    }
    assertEquals(new TreeSet<>(samples.keySet().stream().map(n -> n + ".schema.json").toList()),
        files);
    for (var e : samples.entrySet()) {
      JsonNode schema = JsonMappers.mapper().readTree(SCHEMAS.resolve(e.getKey() + ".schema.json").toFile());
      JsonNode written = JsonMappers.mapper().valueToTree(e.getValue());
      assertEquals("https://json-schema.org/draft/2020-12/schema", schema.get("$schema").asText());
      assertEquals(names(schema.get("properties").fieldNames()), names(written.fieldNames()),
          e.getKey());
      for (JsonNode required : schema.get("required")) {
        assertTrue(written.has(required.asText()), e.getKey() + " " + required);
      }
    }
  }
}
