/**
 * Serving: every instance answers from in-memory replicas of every model, kept from the trainers'
 * store changelogs.
 *
 * <ul>
 *   <li>{@link io.mfstream.stream.serve.Replicas} holds a
 *       {@link io.mfstream.stream.serve.ModelReplica} per model (its header, its user and item
 *       rows column by column, its dense layers; scored in plain Java as the trainer's network
 *       scores at inference) and the items each user has rated. The global processors of
 *       {@link io.mfstream.stream.serve.ReplicaUpdater} keep them equal to the
 *       {@code model-state} and {@code seen-items} changelogs.
 *   <li>{@link io.mfstream.stream.serve.RecordSeenItems} records, in the validation task, each
 *       valid rating's (user, item) pair in the {@link io.mfstream.stream.serve.SeenItemsStore},
 *       so that recommendations leave rated items out.
 *   <li>{@link io.mfstream.stream.serve.AnswerPredictions} and
 *       {@link io.mfstream.stream.serve.AnswerRecommendations} answer the request topics, once per
 *       model. The HTTP API ({@code io.mfstream.http}) answers from the same replicas.
 * </ul>
 */
package io.mfstream.stream.serve;
