/**
 * Rating data: the {@link io.mfstream.data.Rating} event and where ratings come from. Nothing here
 * knows about models or Kafka.
 *
 * <ul>
 *   <li>{@link io.mfstream.data.RatingFormat} describes a delimited file (presets for the MovieLens
 *       releases, {@code detect} picks one) and {@link io.mfstream.data.RatingReader} reads it,
 *       strictly (first bad line fails with a {@link io.mfstream.data.RatingFormatException} naming
 *       file and line) or leniently (bad lines counted and sampled), in memory or streamed;
 *       {@link io.mfstream.data.RatingWriter} writes the ml-100k layout.
 *   <li>{@link io.mfstream.data.SyntheticRatings} draws ratings from a planted low-rank model with
 *       Gaussian noise, so the best achievable RMSE is known (sigma); {@link
 *       io.mfstream.data.TrainTestSplit} splits any ratings so that test users and items are all in
 *       train.
 *   <li>{@link io.mfstream.data.MovieLensDownloader} fetches a MovieLens archive ({@link
 *       io.mfstream.data.DatasetSource#ML_100K} by default), checks its published MD5 and unpacks it
 *       safely and atomically; the licence forbids shipping the data with the project.
 * </ul>
 */
package io.mfstream.data;
