/**
 * The application, at the top of the layers: {@link io.mfstream.app.AppConfig} reads the {@code
 * run} command's settings (defaults, file, environment, flags; every key checked); {@link
 * io.mfstream.app.Pipeline} starts the embedded broker when no cluster is configured, creates or
 * checks the topics, and runs the two Kafka Streams applications; {@link io.mfstream.app.Service}
 * adds the metrics and the HTTP server: what {@code run} and the end-to-end tests start. It uses
 * {@code stream}, {@code metrics} and {@code http}; only {@code cli} and {@code bench} use it.
 */
package io.mfstream.app;
