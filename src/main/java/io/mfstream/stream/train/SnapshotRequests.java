package io.mfstream.stream.train;

import io.mfstream.train.ModelSnapshot;
import io.mfstream.train.Trainer;
import java.nio.file.Path;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Requests to export a model snapshot, served by the model's trainer task on its own stream
 * thread between two ratings, so the snapshot is a consistent state of the model (never half a
 * step). Thread-safe.
 */
public final class SnapshotRequests {
  private record Request(Path file, CompletableFuture<Path> done) {}

  private record Look<T>(Function<Trainer, T> look, CompletableFuture<T> done) {
    void run(Trainer trainer) {
      try {
        done.complete(look.apply(trainer));
      } catch (Exception | Error e) {
        done.completeExceptionally(e);
      }
    }
  }

  private final ConcurrentHashMap<String, Queue<Request>> queues = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Queue<Look<?>>> looks = new ConcurrentHashMap<>();

  /**
   * Asks for a snapshot of {@code model} in {@code file}; the future completes with the file once
   * written, or exceptionally if writing failed.
   */
  public CompletableFuture<Path> request(String model, Path file) {
    CompletableFuture<Path> done = new CompletableFuture<>();
    queues.computeIfAbsent(model, m -> new ConcurrentLinkedQueue<>()).add(new Request(file, done));
    return done;
  }

  /**
   * Asks for {@code look} to be applied to {@code model}'s trainer on the trainer's thread,
   * between two ratings, as a snapshot is taken (what {@code bench-memory} reads of the tables);
   * the future completes with its result. {@code look} must only read, and keep no reference.
   */
  public <T> CompletableFuture<T> inspect(String model, Function<Trainer, T> look) {
    CompletableFuture<T> done = new CompletableFuture<>();
    looks.computeIfAbsent(model, m -> new ConcurrentLinkedQueue<>()).add(new Look<>(look, done));
    return done;
  }

  /**
   * Called by the model's trainer task: writes every pending snapshot of {@code model}, and
   * answers every pending {@link #inspect}.
   */
  void serve(String model, Trainer trainer) {
    Queue<Look<?>> pendingLooks = looks.get(model);
    Look<?> l;
    while (pendingLooks != null && (l = pendingLooks.poll()) != null) {
      l.run(trainer);
    }
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
