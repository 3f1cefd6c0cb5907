/**
 * What the running pipeline says about itself: each model's latest status ({@link
 * io.mfstream.stream.status.StatusBoard}) and the events metrics count ({@link
 * io.mfstream.stream.status.PipelineMetrics}). Kafka-free and dependency-free, so the topology,
 * the metrics and the status page meet here without depending on each other.
 */
package io.mfstream.stream.status;
