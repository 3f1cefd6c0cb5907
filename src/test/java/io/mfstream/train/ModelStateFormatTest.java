package io.mfstream.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.data.Rating;
import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import io.mfstream.testing.UnitTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** The records of a model's state: golden files pin format 3, and readers refuse what is wrong. */
@UnitTest
class ModelStateFormatTest {

  /** A biased MF network (k = 2, SGD momentum: one state slot) knowing user u1 and item i1. */
  private static MfNetwork biased(DataType type) {
    Trainer t = new Trainer(ModelConfig.defaults(ModelType.BIASED_MF).withFactors(2)
        .withDataType(type), OptimizerConfig.lazySgd(), 4);
    t.network().restoreVocabulary(List.of("u1"), List.of("i1"));
    return t.network();
  }

  private static ByteBuffer floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length);
    for (float f : v) {
      b.putFloat(f);
    }
    return b.flip();
  }

  @Test
  void aRowShouldBeEncodedExactlyAsTheGoldenFileAndReadBack() throws IOException {
    MfNetwork net = biased(DataType.FLOAT);
    List<ParamTable> users = net.userTables();
    users.get(0).readRow(0, floats(1.5f, -2, 0.25f, 0.5f));
    users.get(1).readRow(0, floats(0.75f, -1));
    byte[] golden = golden("golden/model-state-row-v3.hex");
    assertArrayEquals(golden, ModelStateFormat.encodeRow("u1", users, 0));

    ModelStateFormat.RowValues values = ModelStateFormat.decodeRowValues(golden);
    assertEquals("u1", values.id());
    assertArrayEquals(new float[] {1.5f, -2, 0.75f}, values.values(), "the state left out");
    assertEquals("u1", ModelStateFormat.rowId(golden));

    MfNetwork other = biased(DataType.FLOAT);
    assertEquals("u1", ModelStateFormat.decodeRowInto(golden, other.userTables(), 0));
    assertArrayEquals(golden, ModelStateFormat.encodeRow("u1", other.userTables(), 0));
  }

  @Test
  void aDoubleModelsRowShouldKeepEightByteElementsAndReadAsFloats() {
    MfNetwork net = biased(DataType.DOUBLE);
    List<ParamTable> items = net.itemTables();
    ByteBuffer b = ByteBuffer.allocate(8 * 4);
    b.putDouble(0.1).putDouble(-0.2).putDouble(0.3).putDouble(0.4).flip();
    items.get(0).readRow(0, b);
    byte[] row = ModelStateFormat.encodeRow("i1", items, 0);
    assertEquals(8, row[1], "element size");
    ModelStateFormat.RowValues v = ModelStateFormat.decodeRowValues(row);
    assertArrayEquals(new float[] {0.1f, -0.2f, 0f}, v.values());
    MfNetwork other = biased(DataType.DOUBLE);
    ModelStateFormat.decodeRowInto(row, other.itemTables(), 0);
    assertArrayEquals(row, ModelStateFormat.encodeRow("i1", other.itemTables(), 0));
  }

  @Test
  void aDenseParameterShouldBeEncodedExactlyAsTheGoldenFileAndReadBack() throws IOException {
    Trainer t = new Trainer(ModelConfig.defaults(ModelType.MLP).withFactors(2).withHidden(1),
        OptimizerConfig.lazySgd(), 4);
    DenseParam weight = t.network().denseParams().get(0);
    weight.value().assign(Nd4j.createFromArray(0.5f, -0.125f).reshape(2, 1));
    weight.state(0).assign(Nd4j.createFromArray(0.0625f, 1f).reshape(2, 1));
    byte[] golden = golden("golden/model-state-dense-v3.hex");
    assertArrayEquals(golden, ModelStateFormat.encodeDense(weight));
    assertArrayEquals(new float[] {0.5f, -0.125f}, ModelStateFormat.decodeDenseValues(golden));

    Trainer other = new Trainer(ModelConfig.defaults(ModelType.MLP).withFactors(2).withHidden(1),
        OptimizerConfig.lazySgd(), 4);
    ModelStateFormat.decodeDenseInto(golden, other.network().denseParams().get(0));
    assertArrayEquals(golden, ModelStateFormat.encodeDense(other.network().denseParams().get(0)));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeDenseInto(golden, other.network().denseParams().get(1)),
        "another parameter's shape");
  }

  @Test
  void countersShouldBeEncodedExactlyAsTheGoldenFileAndReadBack() throws IOException {
    ModelStateFormat.Counters c = new ModelStateFormat.Counters(7, 70, 245.0, 70, 80, 12.5, 3,
        1.25, 5, 20, 2, 3, 9);
    byte[] golden = golden("golden/model-state-counters-v3.hex");
    assertArrayEquals(golden, c.encode());
    assertEquals(c, ModelStateFormat.Counters.decode(golden));
    assertEquals(3.5, c.mean());
    byte[] older = golden.clone();
    older[3] = 2;
    assertEquals(2, ModelStateFormat.Counters.storedFormat(older));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.Counters.decode(older));
    assertTrue(e.getMessage().contains("format 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.Counters.decode(Arrays.copyOf(golden, golden.length - 1)));
  }

  @Test
  void theQualityRecordsShouldBeEncodedExactlyAsTheGoldenFileAndReadBack() throws IOException {
    QualitySettings settings = new QualitySettings(5, 3, 4f, 0.25);
    QualityMeters q = new QualityMeters(settings, 2, 1);
    q.restore(2, 1, new long[] {10, 4, 3, 1}, new double[] {7.5, 2.25, 1.5, 0.5}, 6, 2, 1.25);
    byte[] golden = golden("golden/model-state-quality-v3.hex");
    assertArrayEquals(golden, ModelStateFormat.encodeQuality(q));
    ModelStateFormat.Quality back = ModelStateFormat.decodeQuality(golden);
    assertEquals(settings, back.settings());
    QualityMeters other = new QualityMeters(QualitySettings.DEFAULTS, 0, 0);
    back.restoreInto(other);
    assertEquals(q.figures(), other.figures());
    assertEquals(2, other.trackedUsersFrom());
    assertEquals(1, other.trackedItemsFrom());

    byte[] future = golden.clone();
    future[0] = 2;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeQuality(future));
    assertTrue(e.getMessage().contains("format 2"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeQuality(Arrays.copyOf(golden, golden.length - 1)));
    byte[] moreHits = golden.clone();
    ByteBuffer.wrap(moreHits).putLong(moreHits.length - 16, 7); // 7 hits of 6 ranked
    assertThrows(IllegalArgumentException.class, () -> ModelStateFormat.decodeQuality(moreHits));

    byte[] counts = ModelStateFormat.encodeInts(new int[] {0, 3, 1}, 1, 2);
    assertArrayEquals(new int[] {3, 1}, ModelStateFormat.decodeInts(counts, 64));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeInts(new byte[] {0, 0, 0}, 64));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeInts(ModelStateFormat.encodeInts(new int[] {-1}, 0, 1), 64));
    assertEquals(1, ModelStateFormat.countsSide(ModelStateFormat.countsKey(1, 7)));
    assertEquals(7, ModelStateFormat.countsChunk(ModelStateFormat.countsKey(1, 7)));
    assertEquals(300, ModelStateFormat.learnedUser(ModelStateFormat.learnedKey(300, 2)));
    assertEquals(2, ModelStateFormat.learnedChunk(ModelStateFormat.learnedKey(300, 2)));
  }

  @Test
  void aLogRecordShouldBeEncodedExactlyAsTheGoldenFileAndReadBack() throws IOException {
    ModelStateFormat.Entry rating = new ModelStateFormat.Entry(1_700_000_000_000L,
        new Rating("196", "242", 3.5f, 881250949L));
    ModelStateFormat.Entry flush = ModelStateFormat.Entry.flush(1_700_000_000_100L);
    ModelStateFormat.LogChunk chunk = new ModelStateFormat.LogChunk(4);
    chunk.append(rating);
    chunk.append(flush);
    byte[] golden = golden("golden/model-state-log-v3.hex");
    assertArrayEquals(golden, chunk.record());
    assertEquals(4, ModelStateFormat.logEpoch(golden));
    assertEquals(List.of(rating, flush), ModelStateFormat.decodeLog(golden));
    assertTrue(flush.isFlush());
    for (int i = 2; i < ModelStateFormat.LOG_CHUNK; i++) {
      chunk.append(rating);
    }
    assertTrue(chunk.full());
    assertThrows(IllegalStateException.class, () -> chunk.append(rating));
    assertEquals(ModelStateFormat.LOG_CHUNK, ModelStateFormat.decodeLog(chunk.record()).size());
    assertThrows(RuntimeException.class,
        () -> ModelStateFormat.decodeLog(Arrays.copyOf(golden, golden.length + 1)));
  }

  @Test
  void thePendingRatingsShouldComeBackInOrder() {
    List<ModelStateFormat.Entry> pending = List.of(
        new ModelStateFormat.Entry(1, new Rating("ü-user", "item 7", 4.5f, 881250949L)),
        new ModelStateFormat.Entry(2, new Rating("u\uD83D\uDE00", "i", 1, Rating.NO_TIMESTAMP)),
        new ModelStateFormat.Entry(-5, new Rating("u", "i".repeat(300), 2, 0)),
        new ModelStateFormat.Entry(Long.MAX_VALUE, new Rating("u", "i", 3, Long.MAX_VALUE)));
    assertEquals(pending, ModelStateFormat.decodePending(ModelStateFormat.encodePending(pending)));
    assertEquals(List.of(), ModelStateFormat.decodePending(
        ModelStateFormat.encodePending(List.of())));
    assertThrows(IllegalArgumentException.class, () -> ModelStateFormat.decodePending(
        ModelStateFormat.encodePending(List.of(ModelStateFormat.Entry.flush(1)))),
        "a flush is not a pending rating");
  }

  @Test
  void rowReadersShouldRefuseAnotherFormatTruncationExtraBytesAndAnotherShape()
      throws IOException {
    byte[] golden = golden("golden/model-state-row-v3.hex");
    byte[] future = golden.clone();
    future[0] = 4;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeRowValues(future));
    assertTrue(e.getMessage().contains("format 4"), e.getMessage());
    assertThrows(RuntimeException.class,
        () -> ModelStateFormat.decodeRowValues(Arrays.copyOf(golden, golden.length - 2)));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeRowValues(Arrays.copyOf(golden, golden.length + 4)));
    Trainer plain = new Trainer(ModelConfig.defaults(ModelType.PLAIN_MF).withFactors(2),
        OptimizerConfig.lazySgd(), 4);
    plain.network().restoreVocabulary(List.of("u1"), List.of());
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeRowInto(golden, plain.network().userTables(), 0),
        "a biased MF row into plain MF's tables");
  }

  @Test
  void keysShouldSayTheirKindSideAndIndex() {
    byte[] row = ModelStateFormat.rowKey(ModelStateFormat.ITEMS, 70_000);
    assertEquals(ModelStateFormat.ROW, ModelStateFormat.kind(row));
    assertEquals(ModelStateFormat.ITEMS, ModelStateFormat.rowSide(row));
    assertEquals(70_000, ModelStateFormat.rowIndex(row));
    assertEquals(3, ModelStateFormat.index(ModelStateFormat.key(ModelStateFormat.DENSE, 3)));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.rowIndex(ModelStateFormat.key(ModelStateFormat.DENSE, 3)));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.index(ModelStateFormat.key(ModelStateFormat.CONFIG)));
    assertEquals(-1, ModelStateFormat.kind(new byte[0]));
  }

  @Test
  void theShapeShouldComeFromTheConfigurationRecord() {
    byte[] config = "{\"model\":{\"type\":\"mlp\",\"factors\":8,\"hidden\":6}}"
        .getBytes(StandardCharsets.UTF_8);
    assertEquals(new ModelStateFormat.Shape(ModelType.MLP, 8, 6),
        ModelStateFormat.decodeShape(config));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeShape("{\"model\":{}}".getBytes(StandardCharsets.UTF_8)));
    assertThrows(IllegalArgumentException.class,
        () -> ModelStateFormat.decodeShape("not json".getBytes(StandardCharsets.UTF_8)));
  }

  static byte[] golden(String resource) throws IOException {
    try (InputStream in = ModelStateFormatTest.class.getClassLoader()
        .getResourceAsStream(resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      String hex = text.lines().filter(l -> !l.startsWith("#")).reduce("", String::concat);
      return HexFormat.of().parseHex(hex.strip());
    }
  }
}
