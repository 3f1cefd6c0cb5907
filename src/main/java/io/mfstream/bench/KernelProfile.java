package io.mfstream.bench;

import io.mfstream.model.kernel.Kernels;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wraps a {@link Kernels} so every call is timed: where a training step spends its time, per
 * kernel. The wrapper itself costs a reflective call per kernel call (well under a microsecond),
 * so profiles are for proportions, not for throughput figures. A profiled network runs both of
 * its sides on the calling thread.
 */
final class KernelProfile {
  private final Map<String, long[]> totals = new TreeMap<>();

  /** A timed view of {@code target}. */
  Kernels wrap(Kernels target) {
    return (Kernels) Proxy.newProxyInstance(Kernels.class.getClassLoader(),
        new Class<?>[] {Kernels.class}, (proxy, method, args) -> {
          if (method.getName().equals("forAnotherThread")) {
            // One thread, so that every kernel call is timed, and timed alone.
            return null;
          }
          long t0 = System.nanoTime();
          try {
            return method.invoke(target, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          } finally {
            long[] acc = totals.computeIfAbsent(label(method, args), k -> new long[2]);
            acc[0] += System.nanoTime() - t0;
            acc[1]++;
          }
        });
  }

  private static String label(Method m, Object[] args) {
    if (m.getName().equals("matmul")) {
      boolean transA = (Boolean) args[1];
      boolean transB = (Boolean) args[3];
      return "matmul" + (transA ? " A^T*B" : transB ? " A*B^T" : " A*B");
    }
    return m.getName();
  }

  void reset() {
    totals.clear();
  }

  /** Kernel name to {total nanoseconds, calls}. */
  Map<String, long[]> totals() {
    return totals;
  }
}
