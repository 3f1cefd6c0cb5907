package io.mfstream.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mfstream.data.Rating;
import io.mfstream.json.JsonMappers;
import io.mfstream.model.DenseParam;
import io.mfstream.model.ModelType;
import io.mfstream.model.ParamTable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The one encoding of a model's training state as key-value records: what the streaming trainer
 * keeps in its state store (so also its changelog topic, which every serving replica reads), in
 * the Kafka-free form both sides share. Format {@value #FORMAT}.
 *
 * <p>The state is a <em>checkpoint</em> (rows, dense layers, counters, the RMSE window and the
 * ratings pending at that moment) and a <em>log</em> of what was observed since: a model is its
 * checkpoint with the log replayed, which learning does deterministically. A replica reads only
 * the checkpoint.
 *
 * <p>Keys are a kind byte followed by big-endian indexes, so records of a kind sort by index:
 *
 * <pre>
 *   0                 configuration: the model and optimiser (JSON), batch size and window
 *   1                 counters: version, ratings learned, mean, meters, vocabulary sizes, the
 *                     log's epoch
 *   3 side row        one row of a side (0 users, 1 items): its id, then for each of the side's
 *                     tables (embedding, then bias in biased MF) the row's values and optimiser
 *                     state
 *   4 index           a dense parameter (the MLPs' layers): values, then optimiser state
 *   5                 the ratings scored but not yet learned from at the checkpoint, in order
 *   9 chunk           entries chunk * 16 to chunk * 16 + 15 of the log: the ratings observed,
 *                     and the flushes, since the checkpoint; a chunk of another epoch than the
 *                     counters' is stale
 *   6 chunk           squared errors of the rolling RMSE window, slots chunk * 128 on
 *   7                 why the model stopped learning (UTF-8), present only if it did
 *   8                 the reset generation the state was created under (decimal digits)
 *   10                the quality meters (RMSE by segment, ranking; {@link QualityMeters}), as
 *                     of the checkpoint
 *   11 side chunk     ratings learned per row of a side, rows chunk * 64 on
 *   12 user chunk     the item rows learned by a user in the ranking sample, entries chunk * 16
 *                     on
 * </pre>
 *
 * <p>Records 10 to 12 came with format 3's second quality release; a store without them (written
 * by an earlier build of format 3) still loads, its rows counted as of unknown history (see
 * {@link QualityMeters}) and its quality meters starting at zero.
 *
 * <p>Values holding parameters are self-describing, so that a reader needs no other record to
 * decode one:
 *
 * <pre>
 *   row     FORMAT(1) elementBytes(1) slots(1) tables(1) width(2) per table, id length(2) id,
 *           then per table: values(width), then slot 0 (width), ..., slot slots-1 (width)
 *   dense   FORMAT(1) elementBytes(1) slots(1) count(4), values(count), then each slot (count)
 *   counters  FORMAT(4) version(8) trained(8) labelSum(8) labelCount(8) scored(8) sse(8)
 *           coldStarts(8) rollingSum(8) rollingNext(4) rollingFilled(4) users(4) items(4)
 *           epoch(8)
 *   entry   kind(1: bit 0 a flush, bit 1 the rating has a timestamp) recordTimestamp(zigzag
 *           varint), and for a rating: timestamp(zigzag varint, if any) rating(4), then user and
 *           item, each a varint length n and n bytes of UTF-8
 *   log     epoch(8), then up to 16 entries
 *   pending count(4), then that many entries (ratings)
 *   quality QUALITY_FORMAT(1) coldUserRatings(4) coldItemRatings(4) positiveRating(4)
 *           rankingSample(8) trackedUsersFrom(4) trackedItemsFrom(4), per cell 0..3 (bit 0 user
 *           cold, bit 1 item cold) count(8) sse(8), ranked(8) hits(8) ndcgSum(8)
 *   counts  one int(4) per row, up to 64
 *   learned one int(4) per item row, up to 16
 * </pre>
 *
 * Elements are big-endian float32, or float64 for a DOUBLE model ({@code elementBytes} 4 or 8).
 * Varints are unsigned LEB128 (7 bits a byte, low bits first); a log entry takes 20 to 30 bytes
 * with ids of a few characters.
 * A reader checks the format and refuses another with {@link IllegalArgumentException}.
 */
public final class ModelStateFormat {
  private ModelStateFormat() {}

  private static final ObjectMapper JSON = JsonMappers.mapper();

  /** The format of this build's records; format 2 kept the vocabulary and tables apart. */
  public static final int FORMAT = 3;

  public static final byte CONFIG = 0;
  public static final byte COUNTERS = 1;
  public static final byte ROW = 3;
  public static final byte DENSE = 4;
  public static final byte PENDING = 5;
  public static final byte SQUARE = 6;
  public static final byte DEGRADED = 7;
  public static final byte RESET = 8;
  public static final byte LOG = 9;
  public static final byte QUALITY = 10;
  public static final byte COUNTS = 11;
  public static final byte LEARNED = 12;

  /** The format of the quality record (its first byte). */
  public static final int QUALITY_FORMAT = 1;
  /** Rows per record of ratings learned. */
  public static final int COUNTS_CHUNK = 64;
  /** Item rows per record of a user's learned items. */
  public static final int LEARNED_CHUNK = 16;

  public static final int USERS = 0;
  public static final int ITEMS = 1;

  /** Squared errors per ring record. */
  public static final int RING_CHUNK = 128;

  // ---------------------------------------------------------------------------------------------
  // Keys

  public static byte[] key(byte kind) {
    return new byte[] {kind};
  }

  public static byte[] key(byte kind, int index) {
    return ByteBuffer.allocate(5).put(kind).putInt(index).array();
  }

  /** The key of row {@code row} of side {@code side} ({@link #USERS} or {@link #ITEMS}). */
  public static byte[] rowKey(int side, int row) {
    return ByteBuffer.allocate(6).put(ROW).put((byte) side).putInt(row).array();
  }

  /** The kind of a key (its first byte); -1 for an empty key. */
  public static byte kind(byte[] key) {
    return key.length == 0 ? -1 : key[0];
  }

  /** The index of a 5-byte key (dense, pending, ring). */
  public static int index(byte[] key) {
    if (key.length != 5) {
      throw new IllegalArgumentException("a " + key.length + "-byte key has no index");
    }
    return ByteBuffer.wrap(key).getInt(1);
  }

  /** The side of a row key. */
  public static int rowSide(byte[] key) {
    checkRowKey(key);
    return key[1];
  }

  /** The row of a row key. */
  public static int rowIndex(byte[] key) {
    checkRowKey(key);
    int row = ByteBuffer.wrap(key).getInt(2);
    if (row < 0) {
      throw new IllegalArgumentException("a row key of row " + row);
    }
    return row;
  }

  private static void checkRowKey(byte[] key) {
    if (key.length != 6 || key[0] != ROW || key[1] != USERS && key[1] != ITEMS) {
      throw new IllegalArgumentException("not a row key: " + key.length + " bytes, kind "
          + kind(key));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Configuration

  /** What a reader of the rows needs of a model's configuration. */
  public record Shape(ModelType type, int factors, int hidden) {}

  /**
   * The network's type and sizes from a configuration record: a JSON object whose {@code model}
   * object is {@link SnapshotHeader#writeConfigs}'s.
   *
   * @throws IllegalArgumentException when it is not one
   */
  public static Shape decodeShape(byte[] config) {
    try {
      JsonNode model = JSON.readTree(config).path("model");
      if (!model.path("type").isTextual() || !model.path("factors").canConvertToInt()
          || !model.path("hidden").canConvertToInt()) {
        throw new IllegalArgumentException("a configuration record without the model's type, "
            + "factors and hidden width");
      }
      return new Shape(ModelType.parse(model.get("type").asText()), model.get("factors").asInt(),
          model.get("hidden").asInt());
    } catch (IOException e) {
      throw new IllegalArgumentException("a configuration record that is not JSON", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rows

  /** A decoded row: its id and, table after table, its values (the optimiser state left out). */
  public record RowValues(String id, float[] values) {}

  /**
   * Encodes row {@code row} of one side: its id and, for each of the side's tables (all of one
   * data type and optimiser), the row's values and state.
   */
  public static byte[] encodeRow(String id, List<ParamTable> tables, int row) {
    ParamTable first = tables.get(0);
    int element = first.dataType() == DataType.DOUBLE ? 8 : 4;
    int slots = first.stateSlots();
    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    if (idBytes.length > 0xFFFF) {
      throw new IllegalArgumentException("an id of " + idBytes.length + " bytes (at most 65535)");
    }
    int elements = 0;
    for (ParamTable t : tables) {
      elements += t.width() * (1 + slots);
    }
    ByteBuffer b = ByteBuffer.allocate(4 + 2 * tables.size() + 2 + idBytes.length
        + elements * element);
    b.put((byte) FORMAT).put((byte) element).put((byte) slots).put((byte) tables.size());
    for (ParamTable t : tables) {
      b.putShort((short) t.width());
    }
    b.putShort((short) idBytes.length).put(idBytes);
    for (ParamTable t : tables) {
      t.writeRow(row, b);
    }
    return b.array();
  }

  /** Reads what {@link #encodeRow} wrote back into row {@code row} of the same tables. */
  public static String decodeRowInto(byte[] value, List<ParamTable> tables, int row) {
    ByteBuffer b = ByteBuffer.wrap(value);
    int element = checkedHeader(b, "row");
    int slots = b.get() & 0xFF;
    int count = b.get() & 0xFF;
    if (count != tables.size()) {
      throw new IllegalArgumentException("a row of " + count + " tables, the model has "
          + tables.size());
    }
    for (ParamTable t : tables) {
      int width = b.getShort() & 0xFFFF;
      if (width != t.width() || slots != t.stateSlots()
          || element != (t.dataType() == DataType.DOUBLE ? 8 : 4)) {
        throw new IllegalArgumentException("a row of width " + width + " with " + slots
            + " state slots of " + element + "-byte elements for " + t.name() + " of width "
            + t.width() + " with " + t.stateSlots());
      }
    }
    String id = utf8(b, b.getShort() & 0xFFFF);
    for (ParamTable t : tables) {
      t.readRow(row, b);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("a row with " + b.remaining() + " bytes to spare");
    }
    return id;
  }

  /** The id of a row record. */
  public static String rowId(byte[] value) {
    try {
      ByteBuffer b = ByteBuffer.wrap(value);
      checkedHeader(b, "row");
      b.get(); // slots
      int count = b.get() & 0xFF;
      b.position(b.position() + 2 * count);
      return utf8(b, b.getShort() & 0xFFFF);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new IllegalArgumentException("a row record cut short (" + value.length + " bytes)");
    }
  }

  /** The id and the values of a row (the state left out), as float32 whatever was stored. */
  public static RowValues decodeRowValues(byte[] value) {
    try {
      return rowValues(value);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("a row record cut short (" + value.length + " bytes)");
    }
  }

  private static RowValues rowValues(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    int element = checkedHeader(b, "row");
    int slots = b.get() & 0xFF;
    int count = b.get() & 0xFF;
    int[] widths = new int[count];
    int total = 0;
    for (int t = 0; t < count; t++) {
      widths[t] = b.getShort() & 0xFFFF;
      total += widths[t];
    }
    String id = utf8(b, b.getShort() & 0xFFFF);
    if (b.remaining() != (long) total * (1 + slots) * element) {
      throw new IllegalArgumentException("a row of " + total + " values and " + slots
          + " slots in " + b.remaining() + " bytes");
    }
    float[] out = new float[total];
    int at = 0;
    for (int t = 0; t < count; t++) {
      int start = b.position();
      readElements(b, element, out, at, widths[t]);
      at += widths[t];
      b.position(start + widths[t] * (1 + slots) * element);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("a row with " + b.remaining() + " bytes to spare");
    }
    return new RowValues(id, out);
  }

  // ---------------------------------------------------------------------------------------------
  // Dense parameters

  public static byte[] encodeDense(DenseParam p) {
    boolean dbl = p.value().dataType() == DataType.DOUBLE;
    int element = dbl ? 8 : 4;
    int n = (int) p.value().length();
    int slots = p.stateSlots();
    ByteBuffer b = ByteBuffer.allocate(7 + (1 + slots) * n * element);
    b.put((byte) FORMAT).put((byte) element).put((byte) slots).putInt(n);
    putAll(b, p.value(), dbl);
    for (int s = 0; s < slots; s++) {
      putAll(b, p.state(s), dbl);
    }
    return b.array();
  }

  /** Reads what {@link #encodeDense} wrote back into the same parameter. */
  public static void decodeDenseInto(byte[] value, DenseParam p) {
    ByteBuffer b = ByteBuffer.wrap(value);
    int element = checkedHeader(b, "dense parameter");
    int slots = b.get() & 0xFF;
    int n = b.getInt();
    boolean dbl = p.value().dataType() == DataType.DOUBLE;
    if (n != p.value().length() || slots != p.stateSlots() || element != (dbl ? 8 : 4)) {
      throw new IllegalArgumentException("a dense parameter of " + n + " elements with " + slots
          + " state slots for " + p.name() + " of " + p.value().length() + " with "
          + p.stateSlots());
    }
    getAll(b, p.value(), dbl);
    for (int s = 0; s < slots; s++) {
      getAll(b, p.state(s), dbl);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("a dense parameter with " + b.remaining()
          + " bytes to spare");
    }
  }

  /** A dense parameter's values (the state left out), as float32 whatever was stored. */
  public static float[] decodeDenseValues(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    int element = checkedHeader(b, "dense parameter");
    int slots = b.get() & 0xFF;
    int n = b.getInt();
    if (n < 0 || b.remaining() != (long) n * (1 + slots) * element) {
      throw new IllegalArgumentException("a dense parameter of " + n + " elements and " + slots
          + " slots in " + value.length + " bytes");
    }
    float[] out = new float[n];
    readElements(b, element, out, 0, n);
    return out;
  }

  /**
   * Appends every element of {@code a} in row-major order, as float64 or float32 as asked
   * ({@code a} of either type), in one bulk copy where it can.
   */
  public static void putAll(ByteBuffer out, INDArray a, boolean dbl) {
    DataType want = dbl ? DataType.DOUBLE : DataType.FLOAT;
    INDArray c = a.dataType() != want ? a.castTo(want).dup('c')
        : a.ordering() == 'c' && a.offset() == 0 && !a.isView() ? a : a.dup('c');
    int n = (int) c.length();
    int at = out.position();
    // One bulk copy out of ND4J's memory: element by element (DataBuffer.getFloat) was 5% of
    // the MLP trainer's samples, for its dense layers after every step.
    if (dbl) {
      out.asDoubleBuffer().put(c.data().asNioDouble().limit(n));
    } else {
      out.asFloatBuffer().put(c.data().asNioFloat().limit(n));
    }
    out.position(at + n * (dbl ? Double.BYTES : Float.BYTES));
  }

  private static void getAll(ByteBuffer in, INDArray target, boolean dbl) {
    int n = (int) target.length();
    if (dbl) {
      double[] a = new double[n];
      in.asDoubleBuffer().get(a);
      in.position(in.position() + n * Double.BYTES);
      target.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(a).reshape(target.shape()));
    } else {
      float[] a = new float[n];
      in.asFloatBuffer().get(a);
      in.position(in.position() + n * Float.BYTES);
      target.assign(org.nd4j.linalg.factory.Nd4j.createFromArray(a).reshape(target.shape()));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Counters

  /**
   * The counters of a checkpoint: the trainer's and the meters' (which count the pending
   * ratings too).
   *
   * @param version SGD steps taken
   * @param trained ratings learned from
   * @param labelSum sum of the ratings learned from (the running mean's numerator)
   * @param labelCount how many (its denominator)
   * @param scored ratings scored, as of the last step
   * @param sse their summed squared error
   * @param coldStarts how many were scored as cold starts
   * @param rollingSum the rolling window's running sum
   * @param rollingNext the rolling window's next slot
   * @param rollingFilled how many of its slots hold an error
   * @param users user rows
   * @param items item rows
   * @param epoch the log's epoch: entries of this epoch follow the checkpoint
   */
  public record Counters(long version, long trained, double labelSum, long labelCount,
      long scored, double sse, long coldStarts, double rollingSum, int rollingNext,
      int rollingFilled, int users, int items, long epoch) {

    /** The running mean of the ratings learned from, the fallback answer (0 before any). */
    public double mean() {
      return labelCount == 0 ? 0.0 : labelSum / labelCount;
    }

    public byte[] encode() {
      ByteBuffer b = ByteBuffer.allocate(4 + 8 * 8 + 4 * 4 + 8);
      b.putInt(FORMAT);
      b.putLong(version).putLong(trained).putDouble(labelSum).putLong(labelCount);
      b.putLong(scored).putDouble(sse).putLong(coldStarts).putDouble(rollingSum);
      b.putInt(rollingNext).putInt(rollingFilled).putInt(users).putInt(items).putLong(epoch);
      return b.array();
    }

    /**
     * @throws IllegalArgumentException for another format (its number in the message, from
     *     {@link #storedFormat}) or a truncated record
     */
    public static Counters decode(byte[] value) {
      int format = storedFormat(value);
      if (format != FORMAT) {
        throw new IllegalArgumentException("counters of format " + format + "; this build reads "
            + FORMAT);
      }
      ByteBuffer b = ByteBuffer.wrap(value, 4, value.length - 4);
      if (b.remaining() != 8 * 8 + 4 * 4 + 8) {
        throw new IllegalArgumentException("counters of " + value.length + " bytes");
      }
      Counters c = new Counters(b.getLong(), b.getLong(), b.getDouble(), b.getLong(),
          b.getLong(), b.getDouble(), b.getLong(), b.getDouble(), b.getInt(), b.getInt(),
          b.getInt(), b.getInt(), b.getLong());
      if (c.version < 0 || c.trained < 0 || c.labelCount < 0 || c.scored < 0
          || c.coldStarts < 0 || c.rollingNext < 0 || c.rollingFilled < 0 || c.users < 0
          || c.items < 0 || c.epoch < 0 || !Double.isFinite(c.labelSum)
          || !Double.isFinite(c.sse) || !Double.isFinite(c.rollingSum)) {
        throw new IllegalArgumentException("counters out of range: " + c);
      }
      return c;
    }

    /** The format a counters record was written in (its first four bytes). */
    public static int storedFormat(byte[] value) {
      if (value.length < 4) {
        throw new IllegalArgumentException("counters of " + value.length + " bytes");
      }
      return ByteBuffer.wrap(value).getInt();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Quality: RMSE by segment, ranking, ratings learned per row, a sampled user's learned items

  /** The key of chunk {@code chunk} of a side's ratings-learned counts. */
  public static byte[] countsKey(int side, int chunk) {
    return ByteBuffer.allocate(6).put(COUNTS).put((byte) side).putInt(chunk).array();
  }

  /** The key of chunk {@code chunk} of user row {@code user}'s learned items. */
  public static byte[] learnedKey(int user, int chunk) {
    return ByteBuffer.allocate(9).put(LEARNED).putInt(user).putInt(chunk).array();
  }

  /** The side of a counts key. */
  public static int countsSide(byte[] key) {
    if (key.length != 6 || key[0] != COUNTS || key[1] != USERS && key[1] != ITEMS) {
      throw new IllegalArgumentException("not a counts key: " + key.length + " bytes");
    }
    return key[1];
  }

  /** The chunk of a counts key. */
  public static int countsChunk(byte[] key) {
    countsSide(key);
    return checkedIndex(ByteBuffer.wrap(key).getInt(2), "counts chunk");
  }

  /** The user row of a learned-items key. */
  public static int learnedUser(byte[] key) {
    if (key.length != 9 || key[0] != LEARNED) {
      throw new IllegalArgumentException("not a learned-items key: " + key.length + " bytes");
    }
    return checkedIndex(ByteBuffer.wrap(key).getInt(1), "learned-items user");
  }

  /** The chunk of a learned-items key. */
  public static int learnedChunk(byte[] key) {
    learnedUser(key);
    return checkedIndex(ByteBuffer.wrap(key).getInt(5), "learned-items chunk");
  }

  private static int checkedIndex(int v, String what) {
    if (v < 0) {
      throw new IllegalArgumentException("a " + what + " of " + v);
    }
    return v;
  }

  /** A record of ints (counts, learned items). */
  public static byte[] encodeInts(int[] values, int from, int n) {
    ByteBuffer b = ByteBuffer.allocate(4 * n);
    for (int j = 0; j < n; j++) {
      b.putInt(values[from + j]);
    }
    return b.array();
  }

  /** The ints of a record {@link #encodeInts} wrote, each checked not negative. */
  public static int[] decodeInts(byte[] value, int max) {
    if (value.length % 4 != 0 || value.length / 4 > max) {
      throw new IllegalArgumentException("a record of " + value.length + " bytes is not 0 to "
          + max + " ints");
    }
    ByteBuffer b = ByteBuffer.wrap(value);
    int[] out = new int[value.length / 4];
    for (int j = 0; j < out.length; j++) {
      out[j] = checkedIndex(b.getInt(), "count or row");
    }
    return out;
  }

  /** The quality record of {@code q}. */
  public static byte[] encodeQuality(QualityMeters q) {
    QualitySettings s = q.settings();
    ByteBuffer b = ByteBuffer.allocate(QUALITY_BYTES);
    b.put((byte) QUALITY_FORMAT).putInt(s.coldUserRatings()).putInt(s.coldItemRatings())
        .putFloat(s.positiveRating()).putDouble(s.rankingSample());
    b.putInt(q.trackedUsersFrom()).putInt(q.trackedItemsFrom());
    for (int c = 0; c < 4; c++) {
      b.putLong(q.cell(c).count()).putDouble(q.cell(c).sumSquared());
    }
    b.putLong(q.ranked()).putLong(q.hits()).putDouble(q.ndcgSum());
    return b.array();
  }

  private static final int QUALITY_BYTES = 1 + 4 + 4 + 4 + 8 + 4 + 4 + 4 * 16 + 24;

  /**
   * A decoded quality record: the settings it was measured under, and its state.
   *
   * @param count ratings scored per cell
   * @param sse their squared errors per cell
   */
  public record Quality(QualitySettings settings, int trackedUsersFrom, int trackedItemsFrom,
      long[] count, double[] sse, long ranked, long hits, double ndcgSum) {

    /** Restores this state into {@code q}. */
    public void restoreInto(QualityMeters q) {
      q.restore(trackedUsersFrom, trackedItemsFrom, count, sse, ranked, hits, ndcgSum);
    }
  }

  /** Reads a quality record; refuses another format or values out of range. */
  public static Quality decodeQuality(byte[] value) {
    if (value.length == 0 || value[0] != QUALITY_FORMAT) {
      throw new IllegalArgumentException("a quality record of format "
          + (value.length == 0 ? "none" : Integer.toString(value[0])) + "; this build reads "
          + QUALITY_FORMAT);
    }
    if (value.length != QUALITY_BYTES) {
      throw new IllegalArgumentException("a quality record of " + value.length + " bytes");
    }
    ByteBuffer b = ByteBuffer.wrap(value, 1, value.length - 1);
    QualitySettings s = new QualitySettings(b.getInt(), b.getInt(), b.getFloat(), b.getDouble());
    int users = checkedIndex(b.getInt(), "tracked user row");
    int items = checkedIndex(b.getInt(), "tracked item row");
    long[] count = new long[4];
    double[] sse = new double[4];
    for (int c = 0; c < 4; c++) {
      count[c] = b.getLong();
      sse[c] = b.getDouble();
      if (count[c] < 0 || !(sse[c] >= 0) || Double.isInfinite(sse[c])) {
        throw new IllegalArgumentException("a quality record with cell " + c + " at " + count[c]
            + " ratings, squared error " + sse[c]);
      }
    }
    long ranked = b.getLong();
    long hits = b.getLong();
    double ndcg = b.getDouble();
    if (ranked < 0 || hits < 0 || hits > ranked || !(ndcg >= 0) || ndcg > ranked) {
      throw new IllegalArgumentException("a quality record with " + hits + " hits and NDCG sum "
          + ndcg + " of " + ranked + " ranked");
    }
    return new Quality(s, users, items, count, sse, ranked, hits, ndcg);
  }

  // ---------------------------------------------------------------------------------------------
  // The log, and the ratings pending at a checkpoint

  /**
   * What the trainer observed: a rating (with its record's timestamp), or a flush of the pending
   * ratings (a step on a partial batch, at {@code recordTimestamp}), when {@code rating} is null.
   */
  public record Entry(long recordTimestamp, Rating rating) {

    public static Entry flush(long at) {
      return new Entry(at, null);
    }

    public boolean isFlush() {
      return rating == null;
    }

    /** The entry's bytes, after {@code prefix} bytes left for the caller. */
    private byte[] encode(int prefix) {
      if (rating == null) {
        ByteBuffer b = ByteBuffer.allocate(prefix + 1 + 10).position(prefix);
        b.put((byte) 1);
        putVarlong(b, zigzag(recordTimestamp));
        return java.util.Arrays.copyOf(b.array(), b.position());
      }
      byte[] u = rating.user().getBytes(StandardCharsets.UTF_8);
      byte[] i = rating.item().getBytes(StandardCharsets.UTF_8);
      boolean ts = rating.timestamp() != Rating.NO_TIMESTAMP;
      ByteBuffer b = ByteBuffer.allocate(prefix + 1 + 10 + 10 + 4 + 5 + u.length + 5 + i.length)
          .position(prefix);
      b.put((byte) (ts ? 2 : 0));
      putVarlong(b, zigzag(recordTimestamp));
      if (ts) {
        putVarlong(b, zigzag(rating.timestamp()));
      }
      b.putFloat(rating.rating());
      putVarlong(b, u.length);
      b.put(u);
      putVarlong(b, i.length);
      b.put(i);
      return java.util.Arrays.copyOf(b.array(), b.position());
    }

    private static Entry get(ByteBuffer b) {
      int kind = b.get();
      if ((kind & ~3) != 0 || kind == 3) {
        throw new IllegalArgumentException("a log entry of kind " + kind);
      }
      long recordTimestamp = unzigzag(getVarlong(b));
      if ((kind & 1) != 0) {
        return flush(recordTimestamp);
      }
      long ts = (kind & 2) != 0 ? unzigzag(getVarlong(b)) : Rating.NO_TIMESTAMP;
      float rating = b.getFloat();
      String user = utf8(b, (int) Math.min(Integer.MAX_VALUE, getVarlong(b)));
      String item = utf8(b, (int) Math.min(Integer.MAX_VALUE, getVarlong(b)));
      return new Entry(recordTimestamp, new Rating(user, item, rating, ts));
    }
  }

  /** A signed value as an unsigned one that is small when the value is near 0 (zigzag). */
  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** Appends {@code v}, taken as unsigned, as an unsigned LEB128 varint (at most ten bytes). */
  static void putVarlong(ByteBuffer b, long v) {
    while ((v & ~0x7FL) != 0) {
      b.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    b.put((byte) v);
  }

  /** Reads an unsigned LEB128 varint of at most ten bytes. */
  static long getVarlong(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      byte x = b.get();
      v |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("a varint longer than ten bytes");
  }

  /** Entries per log record. */
  public static final int LOG_CHUNK = 16;

  /**
   * The log record being written: its epoch, then the entries appended so far, at most
   * {@link #LOG_CHUNK}. A rating rewrites its chunk's record whole (a few hundred bytes), so that
   * the log costs a record per chunk, not one per rating, on the changelog.
   */
  public static final class LogChunk {
    private byte[] bytes;
    private int length;
    private int count;

    public LogChunk(long epoch) {
      bytes = new byte[256];
      ByteBuffer.wrap(bytes).putLong(epoch);
      length = 8;
    }

    /** Appends an entry. */
    public void append(Entry e) {
      if (count == LOG_CHUNK) {
        throw new IllegalStateException("a full log chunk");
      }
      byte[] entry = e.encode(0);
      if (length + entry.length > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(2 * bytes.length, length + entry.length));
      }
      System.arraycopy(entry, 0, bytes, length, entry.length);
      length += entry.length;
      count++;
    }

    public int count() {
      return count;
    }

    public boolean full() {
      return count == LOG_CHUNK;
    }

    /** The record as of now. */
    public byte[] record() {
      return java.util.Arrays.copyOf(bytes, length);
    }
  }

  /** The epoch of a log record. */
  public static long logEpoch(byte[] value) {
    if (value.length < 8) {
      throw new IllegalArgumentException("a log record of " + value.length + " bytes");
    }
    return ByteBuffer.wrap(value).getLong();
  }

  /** The entries of a log record, in order. */
  public static List<Entry> decodeLog(byte[] value) {
    try {
      return logEntries(value);
    } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException e) {
      throw new IllegalArgumentException("a log record cut short (" + value.length + " bytes)");
    }
  }

  private static List<Entry> logEntries(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value, 8, value.length - 8);
    List<Entry> out = new java.util.ArrayList<>(LOG_CHUNK);
    while (b.hasRemaining()) {
      if (out.size() == LOG_CHUNK) {
        throw new IllegalArgumentException("a log record of more than " + LOG_CHUNK
            + " entries");
      }
      out.add(Entry.get(b));
    }
    return out;
  }

  /** The record of the ratings pending at a checkpoint, in order. */
  public static byte[] encodePending(List<Entry> pending) {
    List<byte[]> encoded = new java.util.ArrayList<>(pending.size());
    int size = 4;
    for (Entry e : pending) {
      byte[] bytes = e.encode(0);
      encoded.add(bytes);
      size += bytes.length;
    }
    ByteBuffer b = ByteBuffer.allocate(size).putInt(pending.size());
    for (byte[] bytes : encoded) {
      b.put(bytes);
    }
    return b.array();
  }

  /** The ratings of a record {@link #encodePending} wrote, in order. */
  public static List<Entry> decodePending(byte[] value) {
    try {
      return pendingEntries(value);
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("a pending record cut short (" + value.length
          + " bytes)");
    }
  }

  private static List<Entry> pendingEntries(byte[] value) {
    ByteBuffer b = ByteBuffer.wrap(value);
    if (b.remaining() < 4) {
      throw new IllegalArgumentException("a pending record of " + value.length + " bytes");
    }
    int n = b.getInt();
    if (n < 0 || n > b.remaining() / 2) {
      throw new IllegalArgumentException("a pending record of " + n + " ratings in "
          + value.length + " bytes");
    }
    List<Entry> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Entry e = Entry.get(b);
      if (e.isFlush()) {
        throw new IllegalArgumentException("a flush among the pending ratings");
      }
      out.add(e);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("a pending record with " + b.remaining()
          + " bytes to spare");
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Checks a parameter record's format byte and returns its element size. */
  private static int checkedHeader(ByteBuffer b, String what) {
    if (b.remaining() < 3) {
      throw new IllegalArgumentException("a " + what + " record of " + b.remaining() + " bytes");
    }
    int format = b.get();
    if (format != FORMAT) {
      throw new IllegalArgumentException("a " + what + " record of format " + format
          + "; this build reads " + FORMAT);
    }
    int element = b.get();
    if (element != 4 && element != 8) {
      throw new IllegalArgumentException("a " + what + " record of " + element
          + "-byte elements");
    }
    return element;
  }

  private static void readElements(ByteBuffer b, int element, float[] out, int at, int n) {
    if (element == 4) {
      b.asFloatBuffer().get(out, at, n);
      b.position(b.position() + n * 4);
    } else {
      for (int j = 0; j < n; j++) {
        out[at + j] = (float) b.getDouble();
      }
    }
  }

  /** The UTF-8 string in the next {@code n} bytes. */
  static String utf8(ByteBuffer b, int n) {
    if (n < 0 || n > b.remaining()) {
      throw new IllegalArgumentException("a string of " + n + " bytes with " + b.remaining()
          + " left");
    }
    String s = new String(b.array(), b.arrayOffset() + b.position(), n, StandardCharsets.UTF_8);
    b.position(b.position() + n);
    return s;
  }
}
