/**
 * The HTTP endpoints, on Undertow: {@link io.mfstream.http.OpsServer} serves the status page,
 * {@code /metrics}, {@code /api/status}, the {@code /healthz} and {@code /readyz} probes (from a
 * {@link io.mfstream.http.Health}) and, from the instance's replicas, {@code /api/predict} and
 * {@code /api/recommend} ({@code docs/HTTP-API.md}); {@link io.mfstream.http.StatusHistory} keeps
 * the recent statuses the page draws. Imports no Kafka: it reads the {@code stream.status} board
 * and the {@code stream.serve} replicas.
 */
package io.mfstream.http;
