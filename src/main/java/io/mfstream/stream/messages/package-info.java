/**
 * The messages mfstream exchanges over Kafka, as Java records that map one to one onto JSON
 * objects with snake_case field names (documented, with an example for each, in
 * {@code docs/TOPICS.md}; JSON Schemas in {@code topics/schemas/}).
 *
 * <ul>
 *   <li>{@link io.mfstream.stream.messages.RatingEvent}: a user rated an item (topic
 *       {@code ratings}).
 *   <li>{@link io.mfstream.stream.messages.PredictionRequest} and
 *       {@link io.mfstream.stream.messages.Prediction}: score one (user, item) pair.
 *   <li>{@link io.mfstream.stream.messages.RecommendationRequest} and
 *       {@link io.mfstream.stream.messages.Recommendation}: the top n items for a user.
 *   <li>{@link io.mfstream.stream.messages.RmseReport}: a model's rolling prequential RMSE.
 * </ul>
 *
 * <p>User, item and request ids are strings (the open vocabulary). Because MovieLens ids are
 * numbers, an id may also be written as a JSON integer; it is read as its decimal text
 * ({@link io.mfstream.stream.messages.IdDeserializer}), and always written back as a string.
 * Every answer carries the model's name, version (SGD steps) and ratings learned, so it says how
 * fresh it is. Records check their own invariants, so a malformed message never becomes an object.
 */
package io.mfstream.stream.messages;
