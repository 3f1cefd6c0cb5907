package io.mfstream.cli;

import io.mfstream.data.Rating;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.data.TrainTestSplit;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.train.EpochTrainer;
import io.mfstream.train.ModelSettings;
import io.mfstream.train.HeldOutRanking;
import io.mfstream.train.QualityMeters;
import io.mfstream.train.OptimizerConfig;
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

/** The tutorial's protocol: epochs over a training file, test RMSE after each. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a network for some epochs and report test RMSE after each (the "
        + "tutorial's protocol). Without --train, trains on synthetic data with a planted "
        + "low-rank model.", "Prints one line per epoch, then a JSON summary on standard output."})
final class TrainCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ModelOptions model;

  @Mixin
  DataOptions data;

  @Option(names = "--train", paramLabel = "FILE", description = "Training ratings (e.g. u1.base).")
  Path trainFile;

  @Option(names = "--test", paramLabel = "FILE", description = "Test ratings (e.g. u1.test). "
      + "Without it, --test-fraction of --train is held out.")
  Path testFile;

  @Option(names = "--test-fraction", description = "Held-out share when there is no --test "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "0.2")
  double testFraction;

  @Option(names = "--epochs", description = "Passes over the training data "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "10")
  int epochs;

  @Option(names = "--shuffle-first-epoch", description = "Shuffle before the first epoch too "
      + "(the tutorial's first epoch runs in file order).")
  boolean shuffleFirst;

  @Option(names = "--keep-last-batch", description = "Train on the last partial batch of each "
      + "epoch (the tutorial drops it).")
  boolean keepLast;

  @Mixin
  RunOptions run;

  @Option(names = "--positive-rating", paramLabel = "R", description = "Test ratings of at least "
      + "R are ranked after the last epoch (default: ${DEFAULT-VALUE}).", defaultValue = "4")
  float positiveRating;

  @Option(names = "--ranking-sample", paramLabel = "FRACTION", description = "Share of the users "
      + "(by a hash of the id) whose positive test ratings are ranked; 0 turns ranking off "
      + "(default: ${DEFAULT-VALUE}).", defaultValue = "1")
  double rankingSample;

  @Option(names = "--progress", negatable = true, description = "Show a progress bar on "
      + "standard error (default: when it is a terminal).")
  Boolean progress;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ModelSettings settings = model.settings(ModelSettings.Defaults.TUTORIAL, ModelType.PLAIN_MF);
    int batch = model.batchSize(64);
    long seed = settings.model().seed();
    List<Rating> train;
    List<Rating> test;
    String source;
    if (trainFile == null) {
      SyntheticRatings synthetic = SyntheticRatings.withDefaults();
      TrainTestSplit split = synthetic.split(testFraction, seed);
      train = split.train();
      test = split.test();
      source = "synthetic(users=" + synthetic.users() + ",items=" + synthetic.items() + ",rank="
          + synthetic.rank() + ",sigma=" + synthetic.sigma() + ")";
    } else if (testFile == null) {
      TrainTestSplit split = TrainTestSplit.of(data.read(trainFile, err).ratings(), testFraction,
          seed);
      train = split.train();
      test = split.test();
      source = trainFile + " (held out " + testFraction + ")";
    } else {
      train = data.read(trainFile, err).ratings();
      test = data.read(testFile, err).ratings();
      source = trainFile + " -> " + testFile;
    }
    if (!(rankingSample >= 0 && rankingSample <= 1) || !Float.isFinite(positiveRating)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--ranking-sample "
          + "must be a fraction from 0 to 1 and --positive-rating finite, got " + rankingSample
          + " and " + positiveRating);
    }
    Trainer trainer = run.trainer(settings.model(), settings.optimizer(), batch);
    ModelConfig mc = trainer.modelConfig();
    OptimizerConfig oc = trainer.optimizer().config();
    out.printf("%s on %s: %,d train, %,d test ratings; %s, lr %s, %s embeddings, batch %d, "
            + "kernels %s%n", mc.describe(), source, train.size(), test.size(),
        oc.kind().name().toLowerCase(), oc.learningRate(),
        oc.embeddings().name().toLowerCase(), batch, trainer.network().kernels().name());
    out.flush();

    boolean showProgress = progress != null ? progress : System.console() != null;
    Progress bar = new Progress(err, showProgress);
    EpochTrainer.Options options = new EpochTrainer.Options(epochs, seed, !shuffleFirst,
        !keepLast);
    List<EpochTrainer.EpochResult> results = EpochTrainer.run(trainer, train, test, options,
        r -> {
          bar.clear();
          out.printf("epoch %3d/%d  train-rmse %.4f  test-rmse %.4f  %6.1fs  %,10.0f ratings/s%n",
              r.epoch(), epochs, r.trainRmse(), r.testRmse(), r.seconds(), r.ratingsPerSecond());
          out.flush();
        },
        (epoch, step, steps) -> bar.update("epoch " + epoch + "/" + epochs, step, steps));
    bar.clear();
    HeldOutRanking.Result ranking = HeldOutRanking.run(trainer, train, test, positiveRating,
        rankingSample);
    out.printf("ranking@%d  %,d positive test ratings (>= %s), each ranked among all known items "
            + "but the user's training items: hit rate %.4f  NDCG %.4f%n", QualityMeters.K,
        ranking.positives(), positiveRating, ranking.hitRate(), ranking.ndcg());
    out.flush();

    Map<String, Object> summary = new LinkedHashMap<>();
    summary.put("command", "train");
    summary.put("source", source);
    summary.put("model", Summaries.model(mc));
    summary.put("optimizer", Summaries.optimizer(oc));
    summary.put("batch_size", batch);
    summary.put("kernels", trainer.network().kernels().name());
    summary.put("train_ratings", train.size());
    summary.put("test_ratings", test.size());
    List<Map<String, Object>> perEpoch = new ArrayList<>();
    int best = 0;
    for (int i = 0; i < results.size(); i++) {
      EpochTrainer.EpochResult r = results.get(i);
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("epoch", r.epoch());
      e.put("train_rmse", Json.number(r.trainRmse()));
      e.put("test_rmse", Json.number(r.testRmse()));
      e.put("seconds", r.seconds());
      e.put("ratings_per_second", r.ratingsPerSecond());
      perEpoch.add(e);
      if (results.get(i).testRmse() < results.get(best).testRmse()) {
        best = i;
      }
    }
    summary.put("epochs", perEpoch);
    summary.put("final_test_rmse", Json.number(results.get(results.size() - 1).testRmse()));
    summary.put("best_test_rmse", Json.number(results.get(best).testRmse()));
    summary.put("best_epoch", results.get(best).epoch());
    summary.put("test_ranking", QualityOptions.ranking(positiveRating, rankingSample,
        ranking.positives(), ranking.hitRate(), ranking.ndcg()));
    summary.put("model_version", trainer.version());
    summary.put("ratings_learned", trainer.trained());
    summary.put("users", trainer.network().users().size());
    summary.put("items", trainer.network().items().size());
    run.finish(summary, trainer, out, err);
    return 0;
  }
}
