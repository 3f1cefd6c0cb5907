/**
 * Topic definitions: the one place where the pipeline's topics are declared.
 *
 * <ul>
 *   <li>{@link io.mfstream.stream.topics.TopicDefinitions} reads the {@code topics/} folder (one
 *       {@code .properties} file per topic) into {@link io.mfstream.stream.topics.TopicDefinition}
 *       records, strictly: a bad file fails the load with its name.
 *   <li>{@link io.mfstream.stream.topics.TopicCreator} creates the topics a cluster lacks, leaves
 *       existing ones alone, and reports those whose partition count differs.
 * </ul>
 *
 * Message formats and serdes are not declared here.
 */
package io.mfstream.stream.topics;
