/**
 * The streaming trainer: one task per model, the model's only writer.
 *
 * <ul>
 *   <li>{@link io.mfstream.stream.train.TrainProcessor} is the Kafka Streams processor: it scores
 *       each rating of its {@code ratings-valid} partition, learns from it, and publishes
 *       {@code rmse} reports and the model's status.
 *   <li>{@link io.mfstream.stream.train.ModelStore} keeps the model's whole training state in a
 *       state store, as a checkpoint plus a log of the ratings since (the records of
 *       {@link io.mfstream.train.ModelStateFormat}). The {@link io.mfstream.train.OnlineLearner}
 *       in memory is rebuilt from it, and its changelog is what the serving replicas read.
 *   <li>{@link io.mfstream.stream.train.ModelSpec} is one configured model;
 *       {@link io.mfstream.stream.train.ModelFailure} a failure of its arithmetic, which stops
 *       that model alone; {@link io.mfstream.stream.train.SnapshotRequests} hands snapshot exports
 *       to the trainer's thread.
 * </ul>
 */
package io.mfstream.stream.train;
