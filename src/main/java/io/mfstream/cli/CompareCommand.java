package io.mfstream.cli;

import io.mfstream.data.Rating;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.train.DivergedException;
import io.mfstream.train.Prequential;
import io.mfstream.train.QualitySettings;
import io.mfstream.train.Trainer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Several configurations, one prequential pass each over the same ratings, in one table. */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = {"Runs each --config through the same prequential pass as the prequential "
        + "command (the same ratings in the same order, test then train, the same figures to "
        + "every digit), one after the other, and prints one table: RMSE over the pass and "
        + "rolling, RMSE of cold and established users and items, the share of cold-start "
        + "answers, hit rate and NDCG at 10, and ratings/s; the best RMSE is marked. Then the "
        + "properties lines that deploy each configuration with run (docs/CONFIGURATION.md).",
        "A configuration is NAME[:KEY=VALUE,...] with run's model.NAME.* keys: type, factors, "
            + "hidden, dropout, init.scale, seed, optimizer, learning.rate, bias.learning.rate, "
            + "momentum, weight.decay, bias.weight.decay, batch.size. What is absent is run's "
            + "default; the network is type, else NAME when it is one (plain-mf, biased-mf, mlp, "
            + "dropout-mlp), else biased-mf. Example: --config defaults "
            + "--config sgd16:optimizer=sgd,batch.size=16 --config mlp",
        "The figures are deterministic. Ratings/s is not: it depends on the machine and its "
            + "load, and the first configuration also pays for the JIT's warm-up; --rounds N "
            + "runs every configuration N times, interleaved, and reports the median.",
        "A configuration that diverges (a non-finite loss) shows the step in its row and the "
            + "others still run. Exit code 0 when at least one configuration finished, 1 when "
            + "every one diverged, 2 for bad input."})
final class CompareCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--data", paramLabel = "FILE", description = "Ratings (e.g. u.data). Without "
      + "it, synthetic data with a planted low-rank model.")
  Path dataFile;

  @Mixin
  DataOptions data;

  @Option(names = "--order", description = "file or timestamp (stable sort; ties keep file "
      + "order) (default: ${DEFAULT-VALUE}).", defaultValue = "timestamp")
  String order;

  @Option(names = "--config", required = true, paramLabel = "NAME[:KEY=VALUE,...]",
      description = "A configuration to compare; repeatable, names unique.")
  List<String> configs;

  @Option(names = "--window", description = "Rolling RMSE window in ratings "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "10000")
  int window;

  @Option(names = "--rounds", paramLabel = "N", description = "Passes per configuration, "
      + "interleaved; ratings/s is their median (default: ${DEFAULT-VALUE}).",
      defaultValue = "1")
  int rounds;

  @Option(names = "--warmup", paramLabel = "N", description = "First run every configuration "
      + "on the first N ratings and discard it, so that the JIT has compiled its hot paths "
      + "before ratings/s is measured (default: ${DEFAULT-VALUE}; 0 = none).",
      defaultValue = "10000")
  int warmup;

  @Mixin
  QualityOptions quality;

  @Option(names = "--summary", paramLabel = "FILE", description = "Also write every figure and "
      + "the settings of each configuration as JSON to this file.")
  Path summaryFile;

  @Option(names = "--one-thread", description = "Keep every training step on one thread (the "
      + "figures are the same bit for bit; ratings/s is not).")
  boolean oneThread;

  /** What one configuration gave: the first round's figures, or the step it diverged at. */
  static final class Outcome {
    final CompareConfig config;
    Prequential.Result result;
    Map<String, Object> figures;
    final List<Double> ratingsPerSecond = new ArrayList<>();
    DivergedException diverged;

    Outcome(CompareConfig config) {
      this.config = config;
    }

    boolean finished() {
      return diverged == null;
    }

    double medianRatingsPerSecond() {
      double[] v = ratingsPerSecond.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      int n = v.length;
      return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    QualitySettings qs = quality.settings(spec.commandLine());
    List<CompareConfig> parsed = CompareConfig.parseAll(configs);
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds " + rounds + ": must be at least 1");
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup " + warmup + ": must be at least 0");
    }
    if (window < 1) {
      throw new IllegalArgumentException("--window " + window + ": must be at least 1");
    }
    DataOptions.Loaded loaded = data.load(dataFile, order, err);
    List<Rating> ratings = loaded.ratings();
    String ord = DataOptions.checkOrder(order);
    out.printf("compare on %s (%,d ratings, %s order): %d configuration(s), %d round(s)%n",
        loaded.source(), ratings.size(), ord, parsed.size(), rounds);
    out.flush();
    List<Outcome> outcomes = parsed.stream().map(Outcome::new).toList();
    if (warmup > 0) {
      List<Rating> head = ratings.subList(0, Math.min(warmup, ratings.size()));
      out.printf("warm-up: the first %,d ratings through every configuration (discarded)%n",
          head.size());
      out.flush();
      for (CompareConfig c : parsed) {
        try {
          Prequential.run(trainer(c), head, window, 0, null, qs);
        } catch (DivergedException e) {
          // measured below
        }
      }
    }
    for (int round = 1; round <= rounds; round++) {
      for (Outcome o : outcomes) {
        if (o.finished()) {
          runOnce(o, ratings, qs, round, out, err);
        }
      }
    }
    out.println();
    CompareTable.print(outcomes, qs, window, out);
    List<Outcome> done = outcomes.stream().filter(Outcome::finished).toList();
    if (!done.isEmpty()) {
      out.printf("%nto deploy with run (properties, docs/CONFIGURATION.md):%n");
      out.println("models=" + String.join(",", done.stream().map(o -> o.config.name()).toList()));
      for (Outcome o : done) {
        o.config.properties().forEach(out::println);
      }
    }
    out.flush();
    if (summaryFile != null) {
      Json.write(summary(loaded, ord, qs, outcomes), summaryFile);
    }
    if (done.isEmpty()) {
      err.println("mfstream: every configuration diverged");
      err.flush();
      return Main.EXIT_NO_RESULT;
    }
    return Main.EXIT_OK;
  }

  /** One pass of one configuration, on a new model. */
  private void runOnce(Outcome o, List<Rating> ratings, QualitySettings qs, int round,
      PrintWriter out, PrintWriter err) {
    CompareConfig c = o.config;
    Trainer trainer = trainer(c);
    String prefix = rounds > 1 ? String.format("round %d of %d  ", round, rounds) : "";
    Prequential.Result r;
    try {
      r = Prequential.run(trainer, ratings, window, 0, null, qs);
    } catch (DivergedException e) {
      o.diverged = e;
      out.printf("  %s%-16s diverged at step %,d%n", prefix, c.name(), e.step());
      out.flush();
      return;
    }
    double rate = r.seconds() > 0 ? r.count() / r.seconds() : Double.NaN;
    o.ratingsPerSecond.add(rate);
    if (o.result == null) {
      o.result = r;
      o.figures = PrequentialCommand.figures(trainer, r, qs);
    } else if (Double.compare(r.rmse(), o.result.rmse()) != 0
        || Double.compare(r.rollingRmse(), o.result.rollingRmse()) != 0) {
      err.printf("warning: %s gave RMSE %s in round %d but %s in round 1; the pass should be "
          + "deterministic%n", c.name(), r.rmse(), round, o.result.rmse());
      err.flush();
    }
    out.printf("  %s%-16s rmse %.4f  %,.0f ratings/s%n", prefix, c.name(), r.rmse(), rate);
    out.flush();
  }

  /** A new model of the configuration. */
  private Trainer trainer(CompareConfig c) {
    Kernels kernels = oneThread
        ? Kernels.forCurrentBackendOnOneThread() : Kernels.forCurrentBackend();
    return new Trainer(c.settings().model(), c.settings().optimizer(), c.batchSize(), kernels);
  }

  private Map<String, Object> summary(DataOptions.Loaded loaded, String ord, QualitySettings qs,
      List<Outcome> outcomes) {
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("command", "compare");
    s.put("source", loaded.source());
    s.put("order", ord);
    s.put("ratings", loaded.ratings().size());
    s.put("window", window);
    s.put("rounds", rounds);
    s.put("warmup", warmup);
    Map<String, Object> q = new LinkedHashMap<>();
    q.put("cold_user_ratings", qs.coldUserRatings());
    q.put("cold_item_ratings", qs.coldItemRatings());
    q.put("positive_rating", qs.positiveRating());
    q.put("ranking_sample", qs.rankingSample());
    s.put("quality", q);
    s.put("best", CompareTable.best(outcomes).stream().map(o -> o.config.name()).toList());
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Outcome o : outcomes) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("name", o.config.name());
      row.put("settings", o.config.toMap());
      row.put("properties", o.config.properties());
      if (o.finished()) {
        row.put("status", "finished");
        row.putAll(o.figures);
        row.put("cold_start_share", Json.number(
            (double) o.result.coldStarts() / o.result.count()));
        row.put("ratings_per_second", Json.number(o.medianRatingsPerSecond()));
        row.put("ratings_per_second_rounds",
            o.ratingsPerSecond.stream().map(Json::number).toList());
      } else {
        row.put("status", "diverged");
        row.put("diverged_at_step", o.diverged.step());
        row.put("message", o.diverged.getMessage());
      }
      rows.add(row);
    }
    s.put("configurations", rows);
    return s;
  }
}
