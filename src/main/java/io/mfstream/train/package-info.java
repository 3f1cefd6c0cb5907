/**
 * Training: the optimiser ({@link io.mfstream.train.Optimizer}, configured by
 * {@link io.mfstream.train.OptimizerConfig}), the trainer that owns a network and its counters
 * ({@link io.mfstream.train.Trainer}), the tutorial's epoch protocol
 * ({@link io.mfstream.train.EpochTrainer}), progressive validation
 * ({@link io.mfstream.train.Prequential}), RMSE meters and model snapshots
 * ({@link io.mfstream.train.ModelSnapshot}). Never imports Kafka.
 */
package io.mfstream.train;
