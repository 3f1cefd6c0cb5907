/**
 * The application assembled. {@link io.mfstream.stream.app.AppConfig} reads the {@code run}
 * command's settings (defaults, file, environment, flags; every key checked);
 * {@link io.mfstream.stream.app.Pipeline} starts the embedded broker when no cluster is
 * configured, creates or checks the topics, and runs the two Kafka Streams applications;
 * {@link io.mfstream.stream.app.Service} adds the metrics and the HTTP server: what {@code run}
 * and the end-to-end tests start. {@link io.mfstream.stream.app.StreamingBenchmark}
 * ({@code bench-stream}) measures the pipeline's throughput against
 * {@link io.mfstream.stream.app.PassThroughCeiling}, what Kafka alone costs in the same shape,
 * with {@link io.mfstream.stream.app.TopicTally} counting what was written to each topic. The
 * only package under {@code stream} that imports {@code metrics} and {@code http}.
 */
package io.mfstream.stream.app;
