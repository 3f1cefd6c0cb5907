package io.mfstream.stream.serde;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.mfstream.data.Rating;
import io.mfstream.json.JsonMappers;
import io.mfstream.stream.messages.Prediction;
import io.mfstream.stream.messages.PredictionRequest;
import io.mfstream.stream.messages.RatingEvent;
import io.mfstream.stream.messages.Recommendation;
import io.mfstream.stream.messages.RecommendationRequest;
import io.mfstream.stream.messages.RmseReport;
import io.mfstream.stream.messages.ScoredItem;
import io.mfstream.testing.UnitTest;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@UnitTest
class JsonSerdeTest {

  private static final JsonSerde<RatingEvent> RATINGS = JsonSerde.of(RatingEvent.class);

  static final RatingEvent RATING = new RatingEvent("196", "242", 3.5f, 881250949L);
  static final PredictionRequest PREDICTION_REQUEST = new PredictionRequest("r-1", "196", "242");
  static final RecommendationRequest RECOMMENDATION_REQUEST =
      new RecommendationRequest("r-2", "196", 10);
  static final Prediction PREDICTION =
      new Prediction("r-1", "196", "242", 3.71f, "biased-mf", 1520, 97280, false, 1735689600000L);
  static final Recommendation RECOMMENDATION =
      new Recommendation("r-2", "196",
          List.of(new ScoredItem("50", 4.62f), new ScoredItem("181", 4.48f)),
          "biased-mf", 1520, 97280, true, 1735689600000L);
  static final RmseReport RMSE = new RmseReport("biased-mf", 10000, 0.9412, 97280, 1520,
      1735689600000L);

  private static <T> T roundTrip(T value, Class<T> type) {
    JsonSerde<T> serde = JsonSerde.of(type);
    byte[] bytes = serde.serializer().serialize("t", value);
    return serde.deserializer().deserialize("t", bytes);
  }

  private static JsonNode tree(Object value) throws Exception {
    return JsonMappers.mapper().readTree(JsonMappers.mapper().writeValueAsBytes(value));
  }

  @Test
  void shouldRoundTripEveryMessage() {
    assertEquals(RATING, roundTrip(RATING, RatingEvent.class));
    assertEquals(PREDICTION_REQUEST, roundTrip(PREDICTION_REQUEST, PredictionRequest.class));
    assertEquals(RECOMMENDATION_REQUEST,
        roundTrip(RECOMMENDATION_REQUEST, RecommendationRequest.class));
    assertEquals(PREDICTION, roundTrip(PREDICTION, Prediction.class));
    assertEquals(RECOMMENDATION, roundTrip(RECOMMENDATION, Recommendation.class));
    assertEquals(RMSE, roundTrip(RMSE, RmseReport.class));
  }

  @Test
  void shouldRoundTripARatingWithoutTimestampAndOmitTheField() throws Exception {
    RatingEvent event = new RatingEvent("u", "i", 4f, null);
    assertEquals(event, roundTrip(event, RatingEvent.class));
    assertFalse(tree(event).has("timestamp"));
  }

  @Test
  void shouldWriteSnakeCaseFieldNames() throws Exception {
    JsonNode prediction = tree(PREDICTION);
    for (String field : List.of("request_id", "user", "item", "rating", "model", "model_version",
        "ratings_learned", "cold_start", "answered_at", "degraded")) {
      assertTrue(prediction.has(field), field);
    }
    assertEquals(10, prediction.size());
    JsonNode recommendation = tree(RECOMMENDATION);
    assertEquals("50", recommendation.get("items").get(0).get("item").asText());
    assertTrue(recommendation.has("cold_start"));
    assertTrue(tree(RMSE).has("model_version"));
  }

  @Test
  void shouldWriteFloatRatingsWithoutBinaryNoise() {
    String json = new String(RATINGS.toBytes(new RatingEvent("u", "i", 3.7f, null)), UTF_8);
    assertEquals("{\"user\":\"u\",\"item\":\"i\",\"rating\":3.7}", json);
  }

  @Test
  void shouldReadNumericIdsAsStrings() {
    RatingEvent event = RATINGS.fromBytes(
        "{\"user\": 196, \"item\": 242, \"rating\": 3, \"timestamp\": 881250949}".getBytes(UTF_8));
    assertEquals(new RatingEvent("196", "242", 3f, 881250949L), event);
    PredictionRequest request = JsonSerde.of(PredictionRequest.class).fromBytes(
        "{\"request_id\": 7, \"user\": 123456789012345678901234567890, \"item\": \"x\"}"
            .getBytes(UTF_8));
    assertEquals(new PredictionRequest("7", "123456789012345678901234567890", "x"), request);
  }

  @Test
  void shouldWriteIdsBackAsStrings() {
    RatingEvent event = RATINGS.fromBytes("{\"user\":1,\"item\":2,\"rating\":5}".getBytes(UTF_8));
    assertEquals("{\"user\":\"1\",\"item\":\"2\",\"rating\":5.0}",
        new String(RATINGS.toBytes(event), UTF_8));
  }

  @Test
  void shouldIgnoreUnknownProperties() {
    RatingEvent event = RATINGS.fromBytes(
        "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"source\":{\"app\":\"web\"}}"
            .getBytes(UTF_8));
    assertEquals(new RatingEvent("u", "i", 4f, null), event);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":4",                 // truncated
      "{user:\"u\",\"item\":\"i\",\"rating\":4}",                    // unquoted name
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":4} garbage",         // trailing garbage
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":4}{}",               // a second value
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":NaN}",               // NaN is not JSON
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":Infinity}",
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":-Infinity}",
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":\"NaN\"}",           // no string coercion
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":\"4\"}",
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":1e39}",              // overflows a float
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":1,\"rating\":5}",    // duplicate field
      "{\"user\":\"u\",\"item\":\"i\"}",                              // missing rating
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":null}",
      "{\"item\":\"i\",\"rating\":4}",                                // missing user
      "{\"user\":\" \",\"item\":\"i\",\"rating\":4}",                 // blank user
      "{\"user\":1.5,\"item\":\"i\",\"rating\":4}",                   // fractional id
      "{\"user\":true,\"item\":\"i\",\"rating\":4}",
      "{\"user\":\"u\",\"item\":\"i\",\"rating\":4,\"timestamp\":1.5}",
      "[1,2,3]",
      "null",
      "",
      "   "
  })
  void shouldRejectMalformedRatings(String json) {
    assertThrows(SerializationException.class, () -> RATINGS.fromBytes(json.getBytes(UTF_8)));
  }

  @Test
  void shouldRejectInvalidUtf8() {
    byte[] bytes = {'{', '"', 'u', 's', 'e', 'r', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"'};
    assertThrows(SerializationException.class, () -> RATINGS.fromBytes(bytes));
  }

  @Test
  void shouldRejectRecommendationRequestsOutsideOneToAThousand() {
    JsonSerde<RecommendationRequest> serde = JsonSerde.of(RecommendationRequest.class);
    for (String n : List.of("0", "1001", "-1", "2.5", "\"10\"")) {
      byte[] json = ("{\"request_id\":\"r\",\"user\":\"u\",\"n\":" + n + "}").getBytes(UTF_8);
      assertThrows(SerializationException.class, () -> serde.fromBytes(json), n);
    }
    assertEquals(1000, serde.fromBytes(
        "{\"request_id\":\"r\",\"user\":\"u\",\"n\":1000}".getBytes(UTF_8)).n());
  }

  @Test
  void shouldNameTheProblemInTheExceptionWithoutEchoingTheInput() {
    SerializationException e = assertThrows(SerializationException.class,
        () -> RATINGS.fromBytes("{\"user\":\"secret-value\",\"item\":\"i\"}".getBytes(UTF_8)));
    assertTrue(e.getMessage().contains("rating"), e.getMessage());
    assertFalse(e.getMessage().contains("secret-value"), e.getMessage());
  }

  @Test
  void shouldPassTombstonesThroughAsNull() {
    assertNull(RATINGS.deserializer().deserialize("t", null));
    assertNull(RATINGS.serializer().serialize("t", null));
  }

  @Test
  void shouldConvertBetweenRatingEventAndRating() {
    assertEquals(new Rating("196", "242", 3.5f, 881250949L), RATING.toRating());
    assertEquals(RATING, RatingEvent.from(RATING.toRating()));
    Rating noTimestamp = new Rating("u", "i", 1f);
    assertEquals(noTimestamp, RatingEvent.from(noTimestamp).toRating());
    assertNull(RatingEvent.from(noTimestamp).timestamp());
  }

  @Test
  void shouldRefuseToBuildMessagesThatCouldNotBeWrittenAsJson() {
    assertThrows(IllegalArgumentException.class,
        () -> new Prediction("r", "u", "i", Float.NaN, "m", 0, 0, false, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new RmseReport("m", 1, Double.POSITIVE_INFINITY, 1, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new ScoredItem("i", Float.NEGATIVE_INFINITY));
  }

  @Test
  void shouldKeepRecommendedItemsImmutable() {
    java.util.ArrayList<ScoredItem> items = new java.util.ArrayList<>();
    items.add(new ScoredItem("a", 1f));
    Recommendation r = new Recommendation("r", "u", items, "m", 0, 0, false, 0);
    items.clear();
    assertEquals(1, r.items().size());
    assertThrows(UnsupportedOperationException.class, () -> r.items().clear());
  }

  @Test
  void shouldDeclareEveryTopicOnceWithTheAgreedNames() {
    assertEquals(List.of("ratings", "ratings-dlq", "ratings-valid", "prediction-requests",
            "predictions", "recommendation-requests", "recommendations", "rmse"),
        List.of(Topics.RATINGS.name(), Topics.RATINGS_DLQ.name(), Topics.RATINGS_VALID.name(),
            Topics.PREDICTION_REQUESTS.name(), Topics.PREDICTIONS.name(),
            Topics.RECOMMENDATION_REQUESTS.name(), Topics.RECOMMENDATIONS.name(),
            Topics.RMSE.name()));
    byte[] raw = {1, 2, 3};
    assertArrayEquals(raw, Topics.RATINGS.valueSerde().serializer().serialize("ratings", raw));
  }
}
