/**
 * The application's one JSON configuration ({@link io.mfstream.json.JsonMappers}): strict
 * reading, shared by the topics' serdes, the HTTP API, the state store's and snapshots' records
 * and the commands' summaries. Depends on Jackson only.
 */
package io.mfstream.json;
