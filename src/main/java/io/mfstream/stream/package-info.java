/**
 * The streaming pipeline's topology: {@link io.mfstream.stream.PipelineTopology} wires
 * validation, the trainers, the replicas and the answers into the two Kafka Streams applications
 * mfstream runs (core and serving), from the {@link io.mfstream.stream.PipelineSettings} it is
 * given. Building starts nothing; {@code io.mfstream.app.Pipeline} runs it. The parts live
 * in the subpackages: {@code topics}, {@code messages}, {@code serde}, {@code validate},
 * {@code train}, {@code serve}, {@code status}, {@code replay} and {@code embedded}; the application that runs it is
 * {@code io.mfstream.app}.
 */
package io.mfstream.stream;
