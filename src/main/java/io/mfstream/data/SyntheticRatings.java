package io.mfstream.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Ratings drawn from a planted low-rank model, for tests and demos without MovieLens:
 *
 * <pre>
 *   r(u, i) = mean + b_u + b_i + &lt;p_u, q_i&gt; + eps,   eps ~ N(0, sigma^2)
 *   b_u ~ N(0, userBiasScale^2),  b_i ~ N(0, itemBiasScale^2),
 *   p_u, q_i in R^rank with entries ~ N(0, factorScale^2)
 * </pre>
 *
 * <p>The (user, item) pairs are distinct and drawn uniformly. Ratings are neither clipped nor
 * rounded, so a model that recovers the plant exactly has test RMSE {@code sigma} (the irreducible
 * error), and {@link #noiseless} gives that oracle. Ids are {@code u0..u(users-1)} and
 * {@code i0..i(items-1)}; timestamps increase by one second per rating in generation order.
 * Everything is a function of the seed ({@link SplittableRandom}), so the same builder settings
 * give equal data on every run and machine.
 */
public final class SyntheticRatings {

  private final Config config;
  private final double[] userBias;
  private final double[] itemBias;
  private final double[][] userFactors;
  private final double[][] itemFactors;
  private final List<Rating> ratings;

  private SyntheticRatings(Config config) {
    this.config = config;
    SplittableRandom root = new SplittableRandom(config.seed);
    SplittableRandom modelRandom = root.split();
    SplittableRandom dataRandom = root.split();
    userBias = gaussians(modelRandom, config.users, config.userBiasScale);
    itemBias = gaussians(modelRandom, config.items, config.itemBiasScale);
    userFactors = new double[config.users][];
    for (int u = 0; u < config.users; u++) {
      userFactors[u] = gaussians(modelRandom, config.rank, config.factorScale);
    }
    itemFactors = new double[config.items][];
    for (int i = 0; i < config.items; i++) {
      itemFactors[i] = gaussians(modelRandom, config.rank, config.factorScale);
    }
    ratings = generate(dataRandom);
  }

  /** A builder holding the defaults: 1000 users, 1000 items, rank 4, 100 000 ratings, sigma 0.5. */
  public static Builder builder() {
    return new Builder();
  }

  /** With all defaults. */
  public static SyntheticRatings withDefaults() {
    return builder().build();
  }

  /** The id of user {@code index}: {@code "u" + index}. */
  public static String userId(int index) {
    return "u" + index;
  }

  /** The id of item {@code index}: {@code "i" + index}. */
  public static String itemId(int index) {
    return "i" + index;
  }

  /**
   * All ratings in generation order, timestamps strictly increasing from {@code startTimestamp}.
   */
  public List<Rating> ratings() {
    return ratings;
  }

  /** A deterministic split of {@link #ratings()}; see {@link TrainTestSplit#of}. */
  public TrainTestSplit split(double testFraction, long seed) {
    return TrainTestSplit.of(ratings, testFraction, seed);
  }

  /** The planted model's prediction without noise: {@code mean + b_u + b_i + <p_u, q_i>}. */
  public double noiseless(int user, int item) {
    double[] p = userFactors[user];
    double[] q = itemFactors[item];
    double dot = 0;
    for (int k = 0; k < p.length; k++) {
      dot += p[k] * q[k];
    }
    return config.mean + userBias[user] + itemBias[item] + dot;
  }

  /**
   * The noiseless prediction for the ids this generator makes.
   *
   * @throws IllegalArgumentException for an id it does not make
   */
  public double noiseless(String user, String item) {
    return noiseless(index(user, 'u', config.users), index(item, 'i', config.items));
  }

  /** The noise standard deviation: the RMSE of {@link #noiseless} against {@link #ratings()}. */
  public double sigma() {
    return config.sigma;
  }

  public int users() {
    return config.users;
  }

  public int items() {
    return config.items;
  }

  public int rank() {
    return config.rank;
  }

  public double mean() {
    return config.mean;
  }

  private List<Rating> generate(SplittableRandom random) {
    List<Rating> out = new ArrayList<>(config.ratings);
    Set<Long> seen = new HashSet<>(Math.max(16, config.ratings * 2));
    while (out.size() < config.ratings) {
      int u = random.nextInt(config.users);
      int i = random.nextInt(config.items);
      if (!seen.add((long) u * config.items + i)) {
        continue;
      }
      double value = noiseless(u, i) + config.sigma * random.nextGaussian();
      out.add(new Rating(userId(u), itemId(i), (float) value, config.startTimestamp + out.size()));
    }
    return List.copyOf(out);
  }

  private static double[] gaussians(SplittableRandom random, int n, double scale) {
    double[] values = new double[n];
    for (int k = 0; k < n; k++) {
      values[k] = scale * random.nextGaussian();
    }
    return values;
  }

  private static int index(String id, char prefix, int bound) {
    if (id.length() > 1 && id.charAt(0) == prefix) {
      try {
        int index = Integer.parseInt(id.substring(1));
        if (index >= 0 && index < bound) {
          return index;
        }
      } catch (NumberFormatException e) {
        // fall through to the error below
      }
    }
    throw new IllegalArgumentException(
        "not an id of this generator: '" + id + "' (expected " + prefix + "0.." + prefix + (bound - 1) + ")");
  }

  /** The generator's settings, checked when built. */
  private record Config(
      int users,
      int items,
      int rank,
      int ratings,
      double sigma,
      double userBiasScale,
      double itemBiasScale,
      double factorScale,
      double mean,
      long seed,
      long startTimestamp) {

    Config {
      positive("users", users);
      positive("items", items);
      positive("rank", rank);
      if (ratings < 0 || (long) ratings > (long) users * items) {
        throw new IllegalArgumentException(
            "ratings must be in [0, users*items = " + (long) users * items + "]: " + ratings);
      }
      nonNegative("sigma", sigma);
      nonNegative("userBiasScale", userBiasScale);
      nonNegative("itemBiasScale", itemBiasScale);
      nonNegative("factorScale", factorScale);
      if (!Double.isFinite(mean)) {
        throw new IllegalArgumentException("mean must be finite: " + mean);
      }
      if (startTimestamp == Rating.NO_TIMESTAMP || startTimestamp > Long.MAX_VALUE - ratings) {
        throw new IllegalArgumentException("start timestamp out of range: " + startTimestamp);
      }
    }

    private static void positive(String name, int value) {
      if (value <= 0) {
        throw new IllegalArgumentException(name + " must be positive: " + value);
      }
    }

    private static void nonNegative(String name, double value) {
      if (!(value >= 0 && Double.isFinite(value))) {
        throw new IllegalArgumentException(name + " must be finite and >= 0: " + value);
      }
    }
  }

  /** Settings for {@link SyntheticRatings}; every setter returns this builder. */
  public static final class Builder {
    private int users = 1000;
    private int items = 1000;
    private int rank = 4;
    private int ratings = 100_000;
    private double sigma = 0.5;
    private double userBiasScale = 0.3;
    private double itemBiasScale = 0.3;
    private double factorScale = 0.5;
    private double mean = 3.5;
    private long seed = 42L;
    private long startTimestamp = 1_700_000_000L;

    private Builder() {}

    public Builder users(int users) {
      this.users = users;
      return this;
    }

    public Builder items(int items) {
      this.items = items;
      return this;
    }

    public Builder rank(int rank) {
      this.rank = rank;
      return this;
    }

    /** How many distinct (user, item) pairs to rate; at most users * items. */
    public Builder ratings(int ratings) {
      this.ratings = ratings;
      return this;
    }

    /** Standard deviation of the Gaussian noise (default 0.5). */
    public Builder sigma(double sigma) {
      this.sigma = sigma;
      return this;
    }

    /** Standard deviation of the user biases (default 0.3). */
    public Builder userBiasScale(double userBiasScale) {
      this.userBiasScale = userBiasScale;
      return this;
    }

    /** Standard deviation of the item biases (default 0.3). */
    public Builder itemBiasScale(double itemBiasScale) {
      this.itemBiasScale = itemBiasScale;
      return this;
    }

    /** Standard deviation of each factor entry (default 0.5, so {@code <p,q>} has sd 0.5 at rank 4). */
    public Builder factorScale(double factorScale) {
      this.factorScale = factorScale;
      return this;
    }

    /** The global mean (default 3.5). */
    public Builder mean(double mean) {
      this.mean = mean;
      return this;
    }

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** The first rating's timestamp in seconds (default 1 700 000 000); then one more per rating. */
    public Builder startTimestamp(long startTimestamp) {
      this.startTimestamp = startTimestamp;
      return this;
    }

    /**
     * Draws the model and the ratings.
     *
     * @throws IllegalArgumentException if a setting is out of range
     */
    public SyntheticRatings build() {
      return new SyntheticRatings(
          new Config(users, items, rank, ratings, sigma, userBiasScale, itemBiasScale, factorScale,
              mean, seed, startTimestamp));
    }
  }
}
