package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.Kernels;
import io.mfstream.model.kernel.Nd4jKernels;
import io.mfstream.testing.UnitTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A loaded snapshot must be the same model bit for bit: same predictions, same counters and
 * vocabularies, and the same parameters and optimiser state after both copies keep training on the
 * same further batches (which also bring new ids). Damaged or foreign input must be rejected with a
 * message that says what is wrong.
 */
@UnitTest
class ModelSnapshotTest {
  private static final int BATCH = 8;
  /** Longer than the 64 KB DataOutputStream.writeUTF limit. */
  private static final String LONG_ID = "long-" + "x".repeat(70_000);
  private static final String UNICODE_ID = "üser-用户-\uD83D\uDE00";

  static Stream<Arguments> everyModelAndOptimizer() {
    List<Arguments> out = new ArrayList<>();
    for (ModelType type : ModelType.values()) {
      for (String opt : List.of("sgd-lazy", "sgd-dense", "adam")) {
        out.add(Arguments.of(type, opt));
      }
    }
    return out.stream();
  }

  private static OptimizerConfig optimizer(String name) {
    return switch (name) {
      case "sgd-lazy" -> OptimizerConfig.lazySgd();
      case "sgd-dense" -> OptimizerConfig.lazySgd()
          .withEmbeddings(OptimizerConfig.EmbeddingUpdates.DENSE);
      case "adam" -> OptimizerConfig.adam().withLearningRate(0.01);
      default -> throw new IllegalArgumentException(name);
    };
  }

  private static ModelConfig small(ModelType type) {
    return ModelConfig.defaults(type).withFactors(4).withHidden(3).withInitScale(0.3);
  }

  // ---------------------------------------------------------------------------------------------
  // Round trips

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("everyModelAndOptimizer")
  void loadedModelShouldPredictAndKeepTrainingBitIdentically(ModelType type, String opt)
      throws IOException {
    assertRoundTripIsExact(small(type), optimizer(opt), Kernels.forCurrentBackend(), false);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ModelType.class)
  void doublePrecisionModelShouldRoundTripBitIdenticallyWithGivenKernels(ModelType type)
      throws IOException {
    assertRoundTripIsExact(small(type).withDataType(DataType.DOUBLE), OptimizerConfig.adam(),
        new Nd4jKernels(), true);
  }

  @Test
  void untrainedModelShouldRoundTripAndTrainLikeTheOriginal() throws IOException {
    Trainer original = new Trainer(small(ModelType.BIASED_MF), OptimizerConfig.lazySgd(), BATCH);
    Trainer copy = ModelSnapshot.load(new ByteArrayInputStream(save(original)), BATCH);
    assertEquals(0, copy.version());
    assertEquals(0, copy.trained());
    assertEquals(0, copy.network().users().size());
    List<Rating> data = firstRatings();
    train(original, data);
    train(copy, data);
    assertSameParameters(original, copy);
  }

  /**
   * Tables are written in chunks of rows; with more rows than one chunk holds (65,536 values) the
   * later chunks start past row 0, which on the interleaved layout takes the table's own row
   * accessors (ND4J returns an empty array for such an interval of a column view).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sgd-lazy", "adam"})
  void tablesLargerThanOneChunkShouldRoundTrip(String opt) throws IOException {
    Trainer original = new Trainer(small(ModelType.BIASED_MF).withFactors(2), optimizer(opt), 1000);
    List<Rating> data = new ArrayList<>();
    for (int u = 0; u < 70_000; u++) {
      data.add(new Rating("u" + u, "i" + (u % 50), 1 + u % 5));
    }
    for (int from = 0; from < data.size(); from += 1000) {
      original.trainBatch(data, from, 1000);
    }
    Trainer copy = ModelSnapshot.load(new ByteArrayInputStream(save(original)), 1000);
    assertSameParameters(original, copy);
    ParamTable bias = copy.network().tables().get(1);
    assertEquals("user-bias", bias.name());
    assertTrue(bias.valueRows(69_000, 70_000).sumNumber().doubleValue() != 0,
        "the last chunk of the user bias column was read back");
  }

  @Test
  void batchSizeShouldBeChosenAtLoadTime() throws IOException {
    Trainer original = trained(ModelType.MLP, OptimizerConfig.lazySgd());
    Trainer copy = ModelSnapshot.load(new ByteArrayInputStream(save(original)), 3);
    assertEquals(3, copy.batchSize());
    List<Rating> data = firstRatings();
    assertArrayEquals(predict(original, data), predict(copy, data));
  }

  private static void assertRoundTripIsExact(ModelConfig cfg, OptimizerConfig opt, Kernels kernels,
      boolean passKernels) throws IOException {
    Trainer original = new Trainer(cfg, opt, BATCH, kernels);
    List<Rating> first = firstRatings();
    train(original, first);
    byte[] bytes = save(original);

    Trainer copy = passKernels
        ? ModelSnapshot.load(new ByteArrayInputStream(bytes), BATCH, kernels)
        : ModelSnapshot.load(new ByteArrayInputStream(bytes), BATCH);

    // (c) counters, configs and vocabularies.
    assertEquals(original.version(), copy.version(), "version");
    assertEquals(original.trained(), copy.trained(), "trained");
    assertEquals(original.modelConfig(), copy.modelConfig());
    assertEquals(original.optimizer().config(), copy.optimizer().config());
    MfNetwork a = original.network();
    MfNetwork b = copy.network();
    assertEquals(a.users().size(), b.users().size(), "user vocabulary size");
    assertEquals(a.items().size(), b.items().size(), "item vocabulary size");
    assertEquals(a.users().ids(), b.users().ids());
    assertEquals(a.items().ids(), b.items().ids());
    assertEquals(a.labelCount(), b.labelCount());
    assertEquals(Double.doubleToRawLongBits(a.labelSum()),
        Double.doubleToRawLongBits(b.labelSum()), "label sum");
    assertSameParameters(original, copy);
    // Saving the copy gives the same bytes.
    assertArrayEquals(bytes, save(copy), "a loaded model should save to the same bytes");

    // (a) predictions, for known pairs and for pairs with unknown ids.
    List<Rating> probe = new ArrayList<>(first);
    probe.add(new Rating("never-seen", "i0", 3f));
    probe.add(new Rating("u0", "never-seen", 3f));
    assertBitIdentical("predictions", predict(original, probe), predict(copy, probe));

    // (b) both keep training on the same batches, which bring new ids, and stay identical.
    List<Rating> later = laterRatings();
    train(original, later);
    train(copy, later);
    assertEquals(original.version(), copy.version());
    assertEquals(original.trained(), copy.trained());
    assertEquals(a.users().ids(), b.users().ids());
    assertEquals(a.items().ids(), b.items().ids());
    assertSameParameters(original, copy);
    assertBitIdentical("predictions after more training", predict(original, probe),
        predict(copy, probe));
    assertFalse(Arrays.equals(bytes, save(original)), "further training should change the model");
  }

  // ---------------------------------------------------------------------------------------------
  // Files

  @Test
  void savingToAFileShouldReplaceItAtomicallyAndLeaveNoTemporaryFiles(@TempDir Path dir)
      throws IOException {
    Path file = dir.resolve("model.snap");
    Trainer first = trained(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    ModelSnapshot.save(first, file);
    Trainer second = trained(ModelType.BIASED_MF, OptimizerConfig.lazySgd());
    train(second, laterRatings());
    ModelSnapshot.save(second, file);

    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(file), files.toList());
    }
    Trainer loaded = ModelSnapshot.load(file, BATCH);
    assertEquals(second.version(), loaded.version());
    assertSameParameters(second, loaded);
    assertArrayEquals(save(second), Files.readAllBytes(file));
  }

  @Test
  void fileWithBytesAfterTheChecksumShouldBeRejected(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("model.snap");
    byte[] bytes = save(trained(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    Files.write(file, longer);
    SnapshotFormatException e =
        assertThrows(SnapshotFormatException.class, () -> ModelSnapshot.load(file, BATCH));
    assertTrue(e.getMessage().contains("after the snapshot's checksum"), e.getMessage());
  }

  // ---------------------------------------------------------------------------------------------
  // Rejections

  @Test
  void wrongMagicShouldBeRejectedAsNotASnapshot() throws IOException {
    byte[] bytes = save(trained(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()));
    bytes[0] = 'X';
    assertRejected(bytes, "not an mfstream snapshot");
    assertRejected("user,item,rating\n1,2,3\n".getBytes(StandardCharsets.UTF_8),
        "not an mfstream snapshot");
    assertRejected(new byte[0], "not an mfstream snapshot");
  }

  @Test
  void futureFormatVersionShouldBeRejectedNamingTheSupportedVersion() throws IOException {
    byte[] bytes = save(trained(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()));
    ByteBuffer.wrap(bytes).putInt(6, 2);
    SnapshotFormatException e = assertRejected(bytes, "unsupported snapshot format version 2");
    assertTrue(e.getMessage().contains("reads format version 1"), e.getMessage());
  }

  @Test
  void truncatedSnapshotShouldBeRejectedAsTruncatedWhereverItIsCut() throws IOException {
    byte[] bytes = save(trained(ModelType.MLP, OptimizerConfig.adam()));
    int headerEnd = 14 + ByteBuffer.wrap(bytes).getInt(10);
    int[] cuts = {8, 12, 20, headerEnd, headerEnd + 2, headerEnd + 9, bytes.length / 2,
        bytes.length - 40, bytes.length - 4, bytes.length - 1};
    for (int cut : cuts) {
      SnapshotFormatException e = assertRejected(Arrays.copyOf(bytes, cut), "truncated snapshot");
      assertTrue(e.getMessage().contains("while reading the"), e.getMessage());
    }
    assertRejected(Arrays.copyOf(bytes, bytes.length - 2), "while reading the checksum");
  }

  @Test
  void flippedByteInParameterValuesShouldFailTheChecksum() throws IOException {
    byte[] bytes = save(trained(ModelType.BIASED_MF, OptimizerConfig.lazySgd()));
    // The last array (item-bias/state0) ends just before the 4-byte checksum.
    bytes[bytes.length - 7] ^= 0x10;
    assertRejected(bytes, "checksum mismatch");
  }

  @Test
  void flippedByteInTheStoredChecksumShouldFailTheChecksum() throws IOException {
    byte[] bytes = save(trained(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()));
    bytes[bytes.length - 1] ^= 0x01;
    assertRejected(bytes, "checksum mismatch");
  }

  @Test
  void everySingleFlippedByteShouldBeRejected() throws IOException {
    Trainer t = new Trainer(small(ModelType.BIASED_MF), OptimizerConfig.lazySgd(), BATCH);
    t.trainBatch(List.of(new Rating("a", "x", 4f), new Rating("b", "y", 2f)));
    byte[] bytes = save(t);
    for (int at = 0; at < bytes.length; at++) {
      byte[] damaged = bytes.clone();
      damaged[at] ^= 0x01;
      int pos = at;
      assertThrows(SnapshotFormatException.class, () -> load(damaged),
          () -> "flipping byte " + pos + " of " + bytes.length + " was not noticed");
    }
  }

  @Test
  void headerWhoseConfigDoesNotFitTheArraysShouldBeRejectedNamingTheArray() throws IOException {
    byte[] bytes = save(trained(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()));
    byte[] wider = withHeader(bytes, h -> h.replace("\"factors\":4", "\"factors\":5"));
    SnapshotFormatException e = assertRejected(wider, "array #0");
    assertTrue(e.getMessage().contains("'user-embedding' [6, 4]"), e.getMessage());
    assertTrue(e.getMessage().contains("plain-mf(k=5)"), e.getMessage());
    assertTrue(e.getMessage().contains("expects 'user-embedding' [6, 5]"), e.getMessage());

    byte[] adam = withHeader(bytes, h -> h.replace("\"kind\":\"SGD\"", "\"kind\":\"ADAM\""));
    assertRejected(adam, "with ADAM state has 6 arrays");
  }

  @Test
  void invalidConfigInHeaderShouldBeRejected() throws IOException {
    byte[] bytes = save(trained(ModelType.PLAIN_MF, OptimizerConfig.lazySgd()));
    byte[] bad = withHeader(bytes, h -> h.replace("\"plain-mf\"", "\"deep-mf\""));
    assertRejected(bad, "invalid configuration in snapshot header: unknown model type 'deep-mf'");
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Three batches over six users and five items, plus a non-ASCII and a 70 KB id. */
  private static List<Rating> firstRatings() {
    List<Rating> out = ratings(3 * BATCH - 2, 6, 5, 11);
    out.add(new Rating(UNICODE_ID, "i1", 4.5f));
    out.add(new Rating("u2", LONG_ID, 1f));
    return out;
  }

  /** Three more batches, with users and items the first batches never saw. */
  private static List<Rating> laterRatings() {
    return ratings(3 * BATCH, 9, 8, 12);
  }

  private static List<Rating> ratings(int n, int users, int items, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Rating> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new Rating("u" + rnd.nextInt(users), "i" + rnd.nextInt(items),
          1 + rnd.nextInt(9) * 0.5f));
    }
    return out;
  }

  private static Trainer trained(ModelType type, OptimizerConfig opt) {
    Trainer t = new Trainer(small(type), opt, BATCH);
    train(t, ratings(3 * BATCH, 6, 5, 11));
    return t;
  }

  private static void train(Trainer t, List<Rating> data) {
    for (int from = 0; from < data.size(); from += BATCH) {
      t.trainBatch(data, from, Math.min(BATCH, data.size() - from));
    }
  }

  private static float[] predict(Trainer t, List<Rating> data) {
    float[] out = new float[data.size()];
    t.predict(data, 0, data.size(), out, null);
    return out;
  }

  private static byte[] save(Trainer t) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ModelSnapshot.save(t, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static Trainer load(byte[] bytes) throws IOException {
    return ModelSnapshot.load(new ByteArrayInputStream(bytes), BATCH);
  }

  private static SnapshotFormatException assertRejected(byte[] bytes, String message) {
    SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> load(bytes));
    assertTrue(e.getMessage().contains(message),
        "expected a message containing '" + message + "', got: " + e.getMessage());
    return e;
  }

  /** The snapshot with its JSON header rewritten and its checksum recomputed. */
  private static byte[] withHeader(byte[] bytes, UnaryOperator<String> edit) {
    int length = ByteBuffer.wrap(bytes).getInt(10);
    String header = new String(bytes, 14, length, StandardCharsets.UTF_8);
    byte[] edited = edit.apply(header).getBytes(StandardCharsets.UTF_8);
    assertFalse(Arrays.equals(edited, header.getBytes(StandardCharsets.UTF_8)), "edit missed");
    int rest = bytes.length - 4 - (14 + length);
    ByteBuffer out = ByteBuffer.allocate(14 + edited.length + rest + 4);
    out.put(bytes, 0, 10).putInt(edited.length).put(edited).put(bytes, 14 + length, rest);
    CRC32 crc = new CRC32();
    crc.update(out.array(), 0, out.position());
    out.putInt((int) crc.getValue());
    return out.array();
  }

  private static void assertSameParameters(Trainer x, Trainer y) {
    List<ParamTable> tx = x.network().tables();
    List<ParamTable> ty = y.network().tables();
    assertEquals(tx.size(), ty.size());
    for (int i = 0; i < tx.size(); i++) {
      ParamTable a = tx.get(i);
      ParamTable b = ty.get(i);
      assertEquals(a.name(), b.name());
      assertEquals(a.rows(), b.rows(), a.name() + " rows");
      assertEquals(a.stateSlots(), b.stateSlots());
      assertBitIdentical(a.name(), a.valueRows(0, a.rows()), b.valueRows(0, b.rows()));
      for (int s = 0; s < a.stateSlots(); s++) {
        assertBitIdentical(a.name() + "/state" + s, a.stateRows(s, 0, a.rows()),
            b.stateRows(s, 0, b.rows()));
      }
    }
    List<DenseParam> dx = x.network().denseParams();
    List<DenseParam> dy = y.network().denseParams();
    assertEquals(dx.size(), dy.size());
    for (int i = 0; i < dx.size(); i++) {
      DenseParam a = dx.get(i);
      DenseParam b = dy.get(i);
      assertEquals(a.name(), b.name());
      assertBitIdentical(a.name(), a.value(), b.value());
      for (int s = 0; s < a.stateSlots(); s++) {
        assertBitIdentical(a.name() + "/state" + s, a.state(s), b.state(s));
      }
    }
  }

  private static void assertBitIdentical(String what, INDArray a, INDArray b) {
    assertEquals(a.dataType(), b.dataType(), what);
    assertArrayEquals(a.shape(), b.shape(), what);
    INDArray fa = a.dup().reshape(a.length());
    INDArray fb = b.dup().reshape(b.length());
    if (a.dataType() == DataType.DOUBLE) {
      assertBitIdentical(what, fa.toDoubleVector(), fb.toDoubleVector());
    } else {
      assertBitIdentical(what, fa.toFloatVector(), fb.toFloatVector());
    }
  }

  private static void assertBitIdentical(String what, float[] a, float[] b) {
    assertTrue(Arrays.equals(a, b), () -> what + " differ: " + Arrays.toString(a) + " vs "
        + Arrays.toString(b));
  }

  private static void assertBitIdentical(String what, double[] a, double[] b) {
    assertTrue(Arrays.equals(a, b), () -> what + " differ: " + Arrays.toString(a) + " vs "
        + Arrays.toString(b));
  }
}
