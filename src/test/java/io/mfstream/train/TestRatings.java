package io.mfstream.train;

import io.mfstream.data.Rating;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Small random rating lists for tests: ids drawn from small pools so rows repeat within batches. */
public final class TestRatings {
  private TestRatings() {}

  public static List<Rating> random(int n, int users, int items, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Rating> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Rating("u" + rnd.nextInt(users), "i" + rnd.nextInt(items),
          1 + rnd.nextInt(5), i));
    }
    return out;
  }
}
