package io.mfstream.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.data.RatingFormat;
import io.mfstream.data.RatingReader;
import io.mfstream.data.ReadMode;
import io.mfstream.data.SyntheticRatings;
import io.mfstream.model.ModelType;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.stream.train.ModelSpec;
import io.mfstream.testing.UnitTest;
import io.mfstream.train.OnlineLearner;
import io.mfstream.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every network, with the run command's defaults, learns from ten back-to-back passes over
 * MovieLens 100K (each in timestamp order) without a non-finite loss: a long stream does not
 * make a default model diverge. Test-then-train through {@link OnlineLearner}, which computes what
 * the streaming trainer computes (MovieLensStreamingTest, PipelineScenario). Without the data,
 * synthetic ratings of the same shape (943 users, 1,682 items, 100,000 ratings).
 */
@UnitTest
class LongStreamDefaultsTest {
  private static final Path DATA =
      Path.of(System.getProperty("mfstream.shared.data", "../shared/data"), "ml-100k", "u.data");
  private static final int PASSES = 10;

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void theDefaultsShouldSurviveTenPassesOverMovieLens100k(ModelType type) throws Exception {
    List<Rating> pass = onePass();
    AppConfig config = AppConfig.load(null, Map.of(),
        Map.of("models", type.id(), "http.port", "0"));
    ModelSpec spec = config.pipeline().models().get(0);
    OnlineLearner learner = new OnlineLearner(new Trainer(spec.model(), spec.optimizer(),
        spec.batchSize(), Kernels.forCurrentBackendOnOneThread()), spec.window());
    for (int p = 0; p < PASSES; p++) {
      for (Rating r : pass) {
        learner.observe(r); // a non-finite loss throws DivergedException
      }
    }
    assertEquals((long) PASSES * pass.size(), learner.scored());
    assertTrue(Double.isFinite(learner.rmse()) && learner.rmse() < 2.5,
        type + ": RMSE over ten passes " + learner.rmse());
  }

  private static List<Rating> onePass() throws Exception {
    List<Rating> ratings;
    if (Files.isReadable(DATA)) {
      ratings = new ArrayList<>(
          new RatingReader(RatingFormat.ML_100K, ReadMode.STRICT).read(DATA).ratings());
      ratings.sort(Comparator.comparingLong(Rating::timestamp));
    } else {
      ratings = SyntheticRatings.builder().users(943).items(1682).ratings(100_000).seed(7).build()
          .ratings().stream().map(r -> new Rating(r.user(), r.item(),
              Math.max(1, Math.min(5, Math.round(r.rating()))), r.timestamp()))
          .collect(Collectors.toCollection(ArrayList::new));
    }
    return ratings;
  }
}
