package io.mfstream.bench;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The benchmark's yardstick: plain MF trained by mini-batch SGD with momentum and weight decay,
 * lazy rows, written as plain scalar Java loops over heap {@code float[]} tables. The same maths as
 * {@code MfNetwork} plain MF with the streaming optimiser: per batch, predictions, errors scaled by
 * 1/n, per-row gradient sums over duplicate rows, then {@code v = mu*v - lr*g - lr*wd*w; w += v} on
 * the touched rows.
 */
public final class ScalarReferenceMf {
  private final int k;
  private final float[] users;
  private final float[] items;
  private final float[] userMomentum;
  private final float[] itemMomentum;
  private final float lr;
  private final float mu;
  private final float lrWd;
  private final float[] err;
  private final float[] userGrad;
  private final float[] itemGrad;
  private final int[] userSlot;
  private final int[] itemSlot;
  private final int[] userUnique;
  private final int[] itemUnique;
  private final int[] userStamp;
  private final int[] itemStamp;
  private final int[] userSlotOf;
  private final int[] itemSlotOf;
  private int epoch;

  public ScalarReferenceMf(int numUsers, int numItems, int k, int maxBatch, double lr, double mu,
      double wd, long seed) {
    this.k = k;
    users = new float[numUsers * k];
    items = new float[numItems * k];
    SplittableRandom rnd = new SplittableRandom(seed);
    for (int i = 0; i < users.length; i++) {
      users[i] = (float) ((rnd.nextDouble() * 2 - 1) * 0.01);
    }
    for (int i = 0; i < items.length; i++) {
      items[i] = (float) ((rnd.nextDouble() * 2 - 1) * 0.01);
    }
    userMomentum = new float[users.length];
    itemMomentum = new float[items.length];
    this.lr = (float) lr;
    this.mu = (float) mu;
    this.lrWd = (float) (lr * wd);
    err = new float[maxBatch];
    userGrad = new float[maxBatch * k];
    itemGrad = new float[maxBatch * k];
    userSlot = new int[maxBatch];
    itemSlot = new int[maxBatch];
    userUnique = new int[maxBatch];
    itemUnique = new int[maxBatch];
    userStamp = new int[numUsers];
    itemStamp = new int[numItems];
    userSlotOf = new int[numUsers];
    itemSlotOf = new int[numItems];
  }

  /** Overwrites the initial tables (row-major, numUsers x k and numItems x k), for comparisons. */
  public void setTables(float[] userValues, float[] itemValues) {
    if (userValues.length != users.length || itemValues.length != items.length) {
      throw new IllegalArgumentException("table sizes differ");
    }
    System.arraycopy(userValues, 0, users, 0, users.length);
    System.arraycopy(itemValues, 0, items, 0, items.length);
  }

  /** A copy of the user table (row-major). */
  public float[] userTable() {
    return users.clone();
  }

  /** A copy of the item table (row-major). */
  public float[] itemTable() {
    return items.clone();
  }

  /** One SGD step; returns the batch's sum of squared errors. */
  public double step(int[] u, int[] i, float[] y, int n) {
    double sse = 0;
    for (int b = 0; b < n; b++) {
      int uo = u[b] * k;
      int io = i[b] * k;
      float p = 0;
      for (int j = 0; j < k; j++) {
        p += users[uo + j] * items[io + j];
      }
      float e = p - y[b];
      sse += (double) e * e;
      err[b] = e / n;
    }
    epoch++;
    int nu = dedupe(u, n, userStamp, userSlotOf, userSlot, userUnique);
    int ni = dedupe(i, n, itemStamp, itemSlotOf, itemSlot, itemUnique);
    Arrays.fill(userGrad, 0, nu * k, 0f);
    Arrays.fill(itemGrad, 0, ni * k, 0f);
    for (int b = 0; b < n; b++) {
      int uo = u[b] * k;
      int io = i[b] * k;
      int ug = userSlot[b] * k;
      int ig = itemSlot[b] * k;
      float e = err[b];
      for (int j = 0; j < k; j++) {
        userGrad[ug + j] += e * items[io + j];
        itemGrad[ig + j] += e * users[uo + j];
      }
    }
    update(users, userMomentum, userGrad, userUnique, nu);
    update(items, itemMomentum, itemGrad, itemUnique, ni);
    return sse;
  }

  private int dedupe(int[] rows, int n, int[] stamp, int[] slotOf, int[] slot, int[] unique) {
    int count = 0;
    for (int b = 0; b < n; b++) {
      int r = rows[b];
      if (stamp[r] != epoch) {
        stamp[r] = epoch;
        slotOf[r] = count;
        unique[count++] = r;
      }
      slot[b] = slotOf[r];
    }
    return count;
  }

  private void update(float[] w, float[] v, float[] g, int[] unique, int count) {
    for (int s = 0; s < count; s++) {
      int wo = unique[s] * k;
      int go = s * k;
      for (int j = 0; j < k; j++) {
        float vj = v[wo + j] * mu - g[go + j] * lr - w[wo + j] * lrWd;
        v[wo + j] = vj;
        w[wo + j] += vj;
      }
    }
  }
}
