package io.mfstream.model;

import java.util.SplittableRandom;

/**
 * Deterministic initial values: a row's values derive from (seed, table name, id) only, so the
 * parameters never depend on the order or timing in which ids arrive, and a dense layer's values
 * derive from (seed, layer name). Values are Uniform(-scale, scale), MXNet's default initialiser.
 */
public final class RowInit {
  private RowInit() {}

  /** Fills {@code out[off..off+width)} with the initial values of one row. */
  public static void fill(long seed, String table, String id, double scale, double[] out, int off,
      int width) {
    SplittableRandom rnd = new SplittableRandom(mix(seed, hash(table), hash(id)));
    for (int j = 0; j < width; j++) {
      out[off + j] = (rnd.nextDouble() * 2 - 1) * scale;
    }
  }

  /** A stream of values for a dense layer named {@code name}. */
  public static SplittableRandom forLayer(long seed, String name) {
    return new SplittableRandom(mix(seed, hash(name), 0x5DEECE66DL));
  }

  /** A stream for step-dependent randomness (dropout masks) under a purpose name. */
  public static SplittableRandom forStep(long seed, String purpose, long step) {
    return new SplittableRandom(mix(seed, hash(purpose), step));
  }

  /** 64-bit FNV-1a over the UTF-16 code units: stable across JVMs, unlike String.hashCode mixing. */
  static long hash(String s) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    return h;
  }

  static long mix(long a, long b, long c) {
    return splitmix(splitmix(splitmix(a) ^ b) ^ c);
  }

  private static long splitmix(long z) {
    z += 0x9e3779b97f4a7c15L;
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }
}
