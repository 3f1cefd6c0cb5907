/**
 * Rating data: the {@link io.mfstream.data.Rating} event, readers for the MovieLens formats and
 * generic delimited files, a synthetic generator with a planted low-rank model, and the MovieLens
 * downloader. Nothing here knows about models or Kafka.
 */
package io.mfstream.data;
