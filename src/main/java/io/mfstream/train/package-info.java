/**
 * Training: the optimiser ({@link io.mfstream.train.Optimizer}, configured by
 * {@link io.mfstream.train.OptimizerConfig}), the trainer that owns a network and its counters
 * ({@link io.mfstream.train.Trainer}), the tutorial's epoch protocol
 * ({@link io.mfstream.train.EpochTrainer}), progressive validation
 * ({@link io.mfstream.train.Prequential}) and its one-rating-at-a-time form for the streaming
 * trainer ({@link io.mfstream.train.OnlineLearner}), RMSE meters, model snapshots
 * ({@link io.mfstream.train.ModelSnapshot}) and the state-store records a model is kept and served
 * in ({@link io.mfstream.train.ModelStateFormat}). Never imports Kafka.
 */
package io.mfstream.train;
