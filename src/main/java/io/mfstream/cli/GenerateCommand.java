package io.mfstream.cli;

import io.mfstream.data.RatingWriter;
import io.mfstream.data.SyntheticRatings;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes synthetic ratings from a planted low-rank model. */
@Command(name = "generate", mixinStandardHelpOptions = true,
    description = "Write synthetic ratings (tab-separated like ml-100k's u.data) from a planted "
        + "model: mean + user bias + item bias + <p_u, q_i> + N(0, sigma^2), unclipped, so the "
        + "best achievable RMSE is sigma.")
final class GenerateCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "Output file.")
  Path out;

  @Option(names = "--users", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
  int users;

  @Option(names = "--items", defaultValue = "1000", description = "Default: ${DEFAULT-VALUE}.")
  int items;

  @Option(names = "--rank", defaultValue = "4", description = "Default: ${DEFAULT-VALUE}.")
  int rank;

  @Option(names = "--ratings", defaultValue = "100000", description = "Default: ${DEFAULT-VALUE}.")
  int ratings;

  @Option(names = "--sigma", defaultValue = "0.5", description = "Noise standard deviation "
      + "(default: ${DEFAULT-VALUE}).")
  double sigma;

  @Option(names = "--seed", defaultValue = "42", description = "Default: ${DEFAULT-VALUE}.")
  long seed;

  @Override
  public Integer call() throws Exception {
    SyntheticRatings s = SyntheticRatings.builder().users(users).items(items).rank(rank)
        .ratings(ratings).sigma(sigma).seed(seed).build();
    RatingWriter.writeTsv(out, s.ratings());
    PrintWriter w = spec.commandLine().getOut();
    w.printf("wrote %,d ratings (%d users, %d items, rank %d, sigma %s) to %s%n", ratings, users,
        items, rank, sigma, out);
    w.flush();
    return 0;
  }
}
