package io.mfstream.stream.train;

import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.Trainer;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Requests to export a model snapshot, served by the model's trainer task on its own stream
 * thread between two ratings, so the snapshot is a consistent state of the model (never half a
 * step). Thread-safe.
 */
public final class SnapshotRequests {
  private record Request(Path file, CompletableFuture<Path> done) {}

  private final ConcurrentHashMap<String, Queue<Request>> queues = new ConcurrentHashMap<>();

  /**
   * Asks for a snapshot of {@code model} in {@code file}; the future completes with the file once
   * written, or exceptionally if writing failed.
   */
  public CompletableFuture<Path> request(String model, Path file) {
    CompletableFuture<Path> done = new CompletableFuture<>();
    queues.computeIfAbsent(model, m -> new ConcurrentLinkedQueue<>()).add(new Request(file, done));
    return done;
  }

  /** Called by the model's trainer task: writes every pending snapshot of {@code model}. */
  void serve(String model, Trainer trainer) {
    Queue<Request> q = queues.get(model);
    if (q == null) {
      return;
    }
    Request r;
    while ((r = q.poll()) != null) {
      try {
        ModelSnapshot.save(trainer, r.file());
        r.done().complete(r.file());
      } catch (Exception | Error e) {
        r.done().completeExceptionally(e);
      }
    }
  }
}
