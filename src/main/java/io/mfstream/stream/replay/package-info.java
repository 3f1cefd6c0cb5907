/**
 * Replaying a ratings dataset into Kafka: {@link io.mfstream.stream.replay.Replayer} sends a list
 * of ratings to a topic (by default {@code ratings}) as {@link
 * io.mfstream.stream.messages.RatingEvent} JSON keyed by user id, optionally paced to a rate.
 */
package io.mfstream.stream.replay;
