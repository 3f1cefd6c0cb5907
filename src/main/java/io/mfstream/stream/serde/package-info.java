/**
 * Serdes and topic declarations: {@link io.mfstream.stream.serde.JsonSerde} turns the message
 * records into the JSON documented in {@code docs/TOPICS.md} and back, strictly (see
 * {@link io.mfstream.stream.serde.JsonSerde} for exactly what is rejected), and
 * {@link io.mfstream.stream.serde.Topics} declares every topic once, as a
 * {@link io.mfstream.stream.serde.Topic} with its name and serdes.
 */
package io.mfstream.stream.serde;
