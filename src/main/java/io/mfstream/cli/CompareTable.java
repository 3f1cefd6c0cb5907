package io.mfstream.cli;

import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.QualityMeters;
import io.mfstream.train.QualitySettings;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** {@code compare}'s table: one aligned row per configuration, the best RMSE marked. */
final class CompareTable {
  private static final String[] HEADER = {"name", "network", "optimiser", "batch", "RMSE",
      "rolling", "users cold", "users est.", "items cold", "items est.", "cold-start", "HR@10",
      "NDCG@10", "ratings/s"};
  /** Columns up to here are settings, printed for every row; the rest are figures. */
  private static final int SETTINGS = 4;

  private CompareTable() {}

  /** The finished configurations with the lowest RMSE over the pass (several on a tie). */
  static List<CompareCommand.Outcome> best(List<CompareCommand.Outcome> outcomes) {
    double min = outcomes.stream().filter(CompareCommand.Outcome::finished)
        .mapToDouble(o -> o.result.rmse()).filter(Double::isFinite).min().orElse(Double.NaN);
    return outcomes.stream()
        .filter(o -> o.finished() && Double.compare(o.result.rmse(), min) == 0).toList();
  }

  static void print(List<CompareCommand.Outcome> outcomes, QualitySettings qs, int window,
      PrintWriter out) {
    List<CompareCommand.Outcome> best = best(outcomes);
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    for (CompareCommand.Outcome o : outcomes) {
      rows.add(row(o, best.contains(o)));
    }
    int[] width = new int[HEADER.length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) {
        if (c < SETTINGS || row.length > SETTINGS + 1) { // not a divergence's message
          width[c] = Math.max(width[c], row[c].length());
        }
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        if (c > 0) {
          line.append("  ");
        }
        line.append(pad(row[c], width[c], c < 3 || row.length == SETTINGS + 1 && c == SETTINGS));
      }
      out.println(line.toString().stripTrailing());
    }
    long ranked = outcomes.stream().filter(CompareCommand.Outcome::finished)
        .mapToLong(o -> o.result.quality().ranked()).max().orElse(0);
    out.printf("RMSE: over the pass, * the best; rolling: the last %,d ratings; cold: fewer "
            + "than %d ratings learned of the user, %d of the item; est.: established%n",
        window, qs.coldUserRatings(), qs.coldItemRatings());
    out.printf("cold-start: answers for an unknown user or item; HR@10, NDCG@10: %,d positive "
            + "ratings (>= %s) of %s%% of the users, each ranked among all known items before "
            + "it was learned%n", ranked, qs.positiveRating(),
        plain(100 * qs.rankingSample()));
    out.printf("ratings/s: scoring and learning, median of the rounds; it varies with the "
        + "machine and its load%n");
  }

  private static String[] row(CompareCommand.Outcome o, boolean best) {
    ModelConfig m = o.config.settings().model();
    String[] settings = {o.config.name(), network(m),
        optimiser(o.config.settings().optimizer(), m.type()),
        Integer.toString(o.config.batchSize())};
    if (!o.finished()) {
      String[] row = Arrays.copyOf(settings, SETTINGS + 1);
      row[SETTINGS] = String.format("diverged at step %,d", o.diverged.step());
      return row;
    }
    QualityMeters.Figures q = o.result.quality();
    String[] row = Arrays.copyOf(settings, HEADER.length);
    int c = SETTINGS;
    row[c++] = ratio(o.result.rmse()) + (best ? " *" : "  ");
    row[c++] = ratio(o.result.rollingRmse());
    row[c++] = ratio(q.rmse(false, true));
    row[c++] = ratio(q.rmse(false, false));
    row[c++] = ratio(q.rmse(true, true));
    row[c++] = ratio(q.rmse(true, false));
    row[c++] = o.result.count() == 0 ? "-"
        : String.format("%.1f%%", 100.0 * o.result.coldStarts() / o.result.count());
    row[c++] = ratio(q.hitRate());
    row[c++] = ratio(q.ndcg());
    double rate = o.medianRatingsPerSecond();
    row[c] = Double.isFinite(rate) ? String.format("%,.0f", rate) : "-";
    return row;
  }

  /** The network and its widths: {@code mlp k64 h64}. */
  static String network(ModelConfig m) {
    StringBuilder s = new StringBuilder(m.type().id()).append(" k").append(m.factors());
    if (m.type().isMlp()) {
      s.append(" h").append(m.hidden());
    }
    if (m.type() == ModelType.DROPOUT_MLP) {
      s.append(" p").append(plain(m.dropout()));
    }
    return s.toString();
  }

  /**
   * The optimiser in brief: kind, rate (biased MF: weights/biases), SGD's momentum, weight decay
   * (biased MF: weights/biases): {@code adagrad lr 0.05/0.3 wd 0.05/0.05}.
   */
  static String optimiser(OptimizerConfig o, ModelType type) {
    boolean biases = type == ModelType.BIASED_MF;
    StringBuilder s = new StringBuilder(o.kind().name().toLowerCase(Locale.ROOT));
    s.append(" lr ").append(plain(o.learningRate()));
    if (biases) {
      s.append('/').append(plain(o.biasLearningRate()));
    }
    if (o.kind() == OptimizerConfig.Kind.SGD) {
      s.append(" m ").append(plain(o.momentum()));
    }
    s.append(" wd ").append(plain(o.weightDecay()));
    if (biases) {
      s.append('/').append(plain(o.biasWeightDecay()));
    }
    return s.toString();
  }

  private static String plain(double v) {
    BigDecimal d = new BigDecimal(Double.toString(v)).stripTrailingZeros();
    return d.scale() > 6 ? Double.toString(v) : d.toPlainString();
  }

  private static String ratio(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.4f", v);
  }

  private static String pad(String s, int width, boolean left) {
    String fill = " ".repeat(Math.max(0, width - s.length()));
    return left ? s + fill : fill + s;
  }
}
