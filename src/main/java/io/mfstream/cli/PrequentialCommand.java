package io.mfstream.cli;

import io.mfstream.data.Rating;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.train.ModelSettings;
import io.mfstream.train.OptimizerConfig;
import io.mfstream.train.Prequential;
import io.mfstream.train.QualityMeters;
import io.mfstream.train.QualitySettings;
import io.mfstream.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Progressive validation over one ordered pass: test, then train, each batch. */
@Command(name = "prequential", mixinStandardHelpOptions = true,
    description = {"One pass over ratings in order: each batch is scored by the current model "
        + "before it is learned from (progressive validation, as the streaming pipeline does). "
        + "Reports RMSE over the pass and over a rolling window, RMSE by segment (cold and "
        + "established users and items), the share of cold-start answers, ranking metrics "
        + "(hit rate and NDCG at 10 of positive ratings, docs/METRICS.md), then a JSON summary.",
        "Defaults are run's: biased-mf, lazy AdaGrad, run's batch size (docs/CONFIGURATION.md)."})
final class PrequentialCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Mixin
  DataOptions data;

  @Option(names = "--data", paramLabel = "FILE", description = "Ratings (e.g. u.data). Without "
      + "it, synthetic data with a planted low-rank model.")
  Path dataFile;

  @Option(names = "--order", description = "file or timestamp (stable sort; ties keep file "
      + "order) (default: ${DEFAULT-VALUE}).", defaultValue = "timestamp")
  String order;

  @Option(names = "--window", description = "Rolling RMSE window in ratings "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "10000")
  int window;

  @Option(names = "--report-every", description = "Print the running RMSE every N ratings "
      + "(default: ${DEFAULT-VALUE}; 0 = never).", defaultValue = "10000")
  long reportEvery;

  @Mixin
  QualityOptions quality;

  @Mixin
  RunOptions run;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    QualitySettings qs = quality.settings(spec.commandLine());
    DataOptions.Loaded loaded = data.load(dataFile, order, err);
    List<Rating> ratings = loaded.ratings();
    String source = loaded.source();
    ModelSettings settings = model.settings(ModelSettings.Defaults.STREAMING,
        ModelType.BIASED_MF);
    int batch = model.batchSize(ModelSettings.Defaults.STREAMING.batchSize(
        settings.model().type()));
    Trainer trainer = run.trainer(settings.model(), settings.optimizer(), batch);
    ModelConfig mc = trainer.modelConfig();
    OptimizerConfig oc = trainer.optimizer().config();
    out.printf("%s prequential on %s (%,d ratings, %s order); %s, lr %s, %s embeddings, "
            + "batch %d%n", mc.describe(), source, ratings.size(), order.toLowerCase(),
        oc.kind().name().toLowerCase(), oc.learningRate(), oc.embeddings().name().toLowerCase(),
        batch);
    out.flush();
    Prequential.Result r = Prequential.run(trainer, ratings, window, reportEvery,
        (seen, rmse, rolling) -> {
          out.printf("%,10d ratings  rmse %.4f  rolling(%d) %.4f%n", seen, rmse, window, rolling);
          out.flush();
        }, qs);
    QualityMeters.Figures q = r.quality();
    out.printf("by segment (cold: fewer than %d ratings learned of the user, %d of the item)%n",
        qs.coldUserRatings(), qs.coldItemRatings());
    for (boolean item : new boolean[] {false, true}) {
      out.printf("  %-5s  cold %s (%,d ratings)  established %s (%,d ratings)%n",
          item ? "items" : "users", rmse(q.rmse(item, true)), q.scored(item, true),
          rmse(q.rmse(item, false)), q.scored(item, false));
    }
    out.printf("cold-start answers  %,d of %,d (%.1f%%)%n", r.coldStarts(), r.count(),
        r.count() == 0 ? 0.0 : 100.0 * r.coldStarts() / r.count());
    out.printf("ranking@%d  %,d positive ratings (>= %s) of %s%% of the users, each ranked among "
            + "all known items before it was learned: hit rate %s  NDCG %s%n", QualityMeters.K,
        q.ranked(), qs.positiveRating(), percent(qs.rankingSample()), ratio(q.hitRate()),
        ratio(q.ndcg()));
    out.flush();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("command", "prequential");
    summary.put("source", source);
    summary.put("order", order.toLowerCase());
    summary.putAll(figures(trainer, r, qs));
    run.finish(summary, trainer, out, err);
    return 0;
  }

  /**
   * A pass's settings and figures as the JSON summary gives them, from {@code model} to {@code
   * seconds}; {@code compare}'s rows are made by this too, so the two agree to every digit.
   */
  static Map<String, Object> figures(Trainer trainer, Prequential.Result r, QualitySettings qs) {
    QualityMeters.Figures q = r.quality();
    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("model", Summaries.model(trainer.modelConfig()));
    summary.put("optimizer", Summaries.optimizer(trainer.optimizer().config()));
    summary.put("batch_size", trainer.batchSize());
    summary.put("kernels", trainer.network().kernels().name());
    summary.put("ratings", r.count());
    summary.put("rmse", Json.number(r.rmse()));
    summary.put("rolling_rmse", Json.number(r.rollingRmse()));
    summary.put("window", r.window());
    summary.put("cold_start_predictions", r.coldStarts());
    summary.put("segments", QualityOptions.segments(qs, q));
    summary.put("ranking", QualityOptions.ranking(qs.positiveRating(), qs.rankingSample(),
        q.ranked(), q.hitRate(), q.ndcg()));
    summary.put("model_version", r.steps());
    summary.put("seconds", r.seconds());
    return summary;
  }

  private static String rmse(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.4f", v);
  }

  private static String percent(double fraction) {
    return new java.math.BigDecimal(100 * fraction).round(new java.math.MathContext(3))
        .stripTrailingZeros().toPlainString();
  }

  private static String ratio(double v) {
    return Double.isNaN(v) ? "-" : String.format("%.4f", v);
  }
}
