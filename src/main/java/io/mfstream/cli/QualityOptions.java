package io.mfstream.cli;

import io.mfstream.train.QualityMeters;
import io.mfstream.train.QualitySettings;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The quality meters' options of {@code prequential}: where cold ends, what a positive rating is,
 * and which users are ranked (docs/METRICS.md, "Quality by segment" and "Ranking quality").
 */
final class QualityOptions {
  @Option(names = "--cold-user-ratings", paramLabel = "N", description = "A user is cold while "
      + "the model has learned fewer than N of its ratings (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  int coldUserRatings;

  @Option(names = "--cold-item-ratings", paramLabel = "N", description = "An item is cold while "
      + "the model has learned fewer than N of its ratings (default: ${DEFAULT-VALUE}).",
      defaultValue = "5")
  int coldItemRatings;

  @Option(names = "--positive-rating", paramLabel = "R", description = "Ratings of at least R "
      + "are the positives the ranking metrics look for (default: ${DEFAULT-VALUE}).",
      defaultValue = "4")
  float positiveRating;

  @Option(names = "--ranking-sample", paramLabel = "FRACTION", description = "Share of the "
      + "users (by a hash of the id) whose positive ratings are ranked among all items before "
      + "being learned; 0 turns ranking off (default: ${DEFAULT-VALUE}, as the streaming "
      + "trainer's ranking.sample).", defaultValue = "0.01")
  double rankingSample;

  /** The settings; bad values are a picocli parameter error naming the option. */
  QualitySettings settings(picocli.CommandLine cmd) {
    try {
      return new QualitySettings(coldUserRatings, coldItemRatings, positiveRating,
          rankingSample);
    } catch (IllegalArgumentException e) {
      throw new picocli.CommandLine.ParameterException(cmd, "--cold-user-ratings, "
          + "--cold-item-ratings, --positive-rating, --ranking-sample: " + e.getMessage());
    }
  }

  /** The segments of a summary: thresholds, then per side cold and established. */
  static Map<String, Object> segments(QualitySettings s, QualityMeters.Figures f) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cold_user_ratings", s.coldUserRatings());
    out.put("cold_item_ratings", s.coldItemRatings());
    for (boolean item : new boolean[] {false, true}) {
      Map<String, Object> side = new LinkedHashMap<>();
      for (boolean cold : new boolean[] {true, false}) {
        Map<String, Object> seg = new LinkedHashMap<>();
        seg.put("ratings", f.scored(item, cold));
        seg.put("rmse", Json.number(f.rmse(item, cold)));
        side.put(cold ? "cold" : "established", seg);
      }
      out.put(item ? "items" : "users", side);
    }
    return out;
  }

  /** The ranking of a summary. */
  static Map<String, Object> ranking(float positive, double sample, long ranked, double hitRate,
      double ndcg) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("k", QualityMeters.K);
    out.put("positive_rating", positive);
    out.put("user_sample", sample);
    out.put("ranked", ranked);
    out.put("hit_rate", Json.number(hitRate));
    out.put("ndcg", Json.number(ndcg));
    return out;
  }
}
