package io.mfstream.model;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * Helper threads that run one side of a network while the calling thread runs the other: the user
 * and item sides of a step share nothing until the dot product, so a step's two halves go to two
 * cores.
 *
 * <p>Why not an executor: a step at batch 64 is some 50-100 us, and handing work to a pool thread
 * that sleeps costs tens of microseconds on these VMs, both ways. A lane keeps polling for a while
 * after each task, so the next half-step starts within microseconds; then it parks, so an idle
 * lane costs nothing. It polls with {@link Thread#yield}, not a busy spin, so that any other
 * runnable thread gets its core first. With a busy spin, short runs such as a prequential pass over
 * MovieLens 100K took up to 3.5x longer than on one thread, most likely because the JIT's
 * compiler threads lost that core; with yield, plain MF's pass took 0.44 s against 1.21 s
 * spinning and 0.35 s on one thread. The caller waits the same way.
 *
 * <p>Process-wide: one lane per core beyond the first, shared by every network. A network whose
 * call finds every lane busy (several trainers at once) runs both halves itself; results are the
 * same either way, because each half is the same code on its own side's arrays and kernels.
 */
final class Lanes {
  private static final Lane[] LANES = start(Runtime.getRuntime().availableProcessors() - 1);

  /** How long a lane or a waiting caller polls before it parks. */
  private static final long SPIN_NANOS = 200_000;

  private Lanes() {}

  /** Whether this process has any lane (more than one core). */
  static boolean available() {
    return LANES.length > 0;
  }

  /**
   * Runs {@code there} on a free lane and {@code here} on the calling thread, and returns when both
   * are done; with no free lane, runs both here, {@code there} first. An exception from either is
   * rethrown here, after both have finished.
   */
  static void both(Runnable there, Runnable here) {
    Lane lane = claim();
    if (lane == null) {
      there.run();
      here.run();
      return;
    }
    Throwable failure = null;
    try {
      lane.post(there);
      here.run();
    } catch (Throwable e) {
      failure = e;
    } finally {
      Throwable laneFailure = lane.await();
      lane.release();
      if (failure == null) {
        failure = laneFailure;
      } else if (laneFailure != null) {
        failure.addSuppressed(laneFailure);
      }
    }
    if (failure instanceof RuntimeException e) {
      throw e;
    }
    if (failure instanceof Error e) {
      throw e;
    }
    if (failure != null) {
      throw new IllegalStateException(failure);
    }
  }

  private static Lane claim() {
    for (Lane lane : LANES) {
      if (lane.busy.compareAndSet(false, true)) {
        return lane;
      }
    }
    return null;
  }

  private static Lane[] start(int count) {
    Lane[] lanes = new Lane[Math.max(0, Math.min(count, 8))];
    for (int i = 0; i < lanes.length; i++) {
      lanes[i] = new Lane("mfstream-lane-" + (i + 1));
    }
    return lanes;
  }

  /** One helper thread and its one-task mailbox. */
  private static final class Lane implements Runnable {
    final AtomicBoolean busy = new AtomicBoolean();
    private final Thread thread;
    private volatile Runnable task;
    private volatile long posted;
    private volatile long done;
    private volatile Throwable failure;
    private volatile boolean laneParked;
    private volatile Thread waiter;

    Lane(String name) {
      thread = new Thread(this, name);
      thread.setDaemon(true);
      thread.start();
    }

    void post(Runnable r) {
      task = r;
      posted = posted + 1;
      if (laneParked) {
        LockSupport.unpark(thread);
      }
    }

    /** Waits for the posted task; returns what it threw, if anything. */
    Throwable await() {
      long target = posted;
      long spinUntil = System.nanoTime() + SPIN_NANOS;
      while (done != target) {
        if (System.nanoTime() < spinUntil) {
          Thread.yield();
          continue;
        }
        waiter = Thread.currentThread();
        if (done != target) {
          LockSupport.park(this);
        }
        waiter = null;
      }
      Throwable f = failure;
      failure = null;
      task = null;
      return f;
    }

    void release() {
      busy.set(false);
    }

    @Override
    public void run() {
      long seen = 0;
      while (true) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (posted == seen) {
          if (System.nanoTime() < spinUntil) {
            Thread.yield();
            continue;
          }
          laneParked = true;
          if (posted == seen) {
            LockSupport.park(this);
          }
          laneParked = false;
        }
        seen = posted;
        try {
          task.run();
        } catch (Throwable e) {
          failure = e;
        }
        done = seen;
        Thread w = waiter;
        if (w != null) {
          LockSupport.unpark(w);
        }
      }
    }
  }
}
