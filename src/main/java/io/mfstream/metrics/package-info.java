/**
 * The pipeline's metrics for Prometheus: {@link io.mfstream.metrics.MicrometerMetrics} counts the
 * events of {@link io.mfstream.stream.status.PipelineMetrics}, reads each model's state from the
 * {@link io.mfstream.stream.status.StatusBoard} and the rejections from
 * {@link io.mfstream.stream.validate.RejectionCounts}, and binds the JVM's and Kafka Streams' own
 * metrics. Names and labels: {@code docs/METRICS.md}.
 */
package io.mfstream.metrics;
