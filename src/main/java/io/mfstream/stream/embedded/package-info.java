/**
 * The embedded default cluster: {@link io.mfstream.stream.embedded.EmbeddedKafka} starts a real
 * single-node KRaft Kafka broker (broker and controller in one) inside this JVM, from Kafka's own
 * server classes, on loopback ports. Nothing here is specific to tests: the same broker backs the
 * pipeline when no external cluster is configured ({@code io.mfstream.app.Pipeline}).
 */
package io.mfstream.stream.embedded;
