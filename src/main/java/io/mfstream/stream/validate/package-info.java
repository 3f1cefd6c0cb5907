/**
 * Validation of incoming ratings and the dead-letter step (invariant 5: bad input never stops the
 * pipeline).
 *
 * <ul>
 *   <li>{@link io.mfstream.stream.validate.RatingValidator} turns the raw bytes of a record on
 *       topic {@code ratings} into either a valid {@link io.mfstream.data.Rating} or a rejection
 *       with a {@link io.mfstream.stream.validate.Reason} code and a message; it never throws on
 *       input. Limits come from {@link io.mfstream.stream.validate.ValidatorConfig}.
 *   <li>{@link io.mfstream.stream.validate.ValidateRatings} is the Kafka Streams processor around
 *       it: valid ratings go on, rejected records go to {@code ratings-dlq} with their original
 *       bytes and {@code mfstream.dlq.*} headers, counted per reason in
 *       {@link io.mfstream.stream.validate.RejectionCounts}.
 *   <li>{@link io.mfstream.stream.validate.ValidationTopology} wires them into a topology that
 *       starts nothing.
 * </ul>
 */
package io.mfstream.stream.validate;
