/**
 * The networks: plain MF, biased MF, one-layer MLP and dropout MLP over an open vocabulary of
 * string ids ({@link io.mfstream.model.MfNetwork}), their growable parameters
 * ({@link io.mfstream.model.ParamTable}, {@link io.mfstream.model.DenseParam}) and deterministic
 * initialisation ({@link io.mfstream.model.RowInit}). Forward and backward only: optimisers and
 * training loops live in {@code io.mfstream.train}. Never imports Kafka.
 */
package io.mfstream.model;
