package io.mfstream.train;

import io.mfstream.model.DenseParam;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ParamTable;
import io.mfstream.model.kernel.Kernels;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Saves a {@link Trainer} to bytes and loads it back, with everything needed to continue training
 * bit-identically: both configs, the counters (version = optimiser step, ratings trained), the
 * running-mean statistics, both vocabularies in row order, and the used rows of every parameter and
 * of every optimiser state slot. Unused table capacity is not written. The batch size and the
 * {@link Kernels} are runtime choices and are not part of a snapshot.
 *
 * <h2>Layout (format version 1)</h2>
 *
 * All integers are big-endian (as {@link DataOutputStream} writes them); "string" means an int32
 * byte length followed by that many bytes of strict UTF-8 (no 64 KB limit, unlike
 * {@link DataOutputStream#writeUTF}).
 *
 * <pre>
 * offset  bytes   field
 * 0       6       magic, ASCII "MFSNAP" (4D 46 53 4E 41 50)
 * 6       4       int32 format version = 1
 * 10      4       int32 H, the header's byte length (at most 16 MiB)
 * 14      H       header: a UTF-8 JSON object (see below)
 * ..      4       int32 U, the number of user ids
 * ..      U x     string: the user ids in row order (row r of every user table is id r)
 * ..      4       int32 I, the number of item ids
 * ..      I x     string: the item ids in row order
 * ..      4       int32 A, the number of arrays
 * ..      A x     array:
 *                   string   name
 *                   int32    rank R
 *                   R x int32 dims
 *                   product(dims) values, row-major: IEEE 754 float32 (4 bytes each) when the
 *                            model's dataType is FLOAT, float64 (8 bytes each) when DOUBLE
 * ..      4       int32 CRC32 ({@link CRC32}, low 32 bits) of every byte before it, magic included
 * </pre>
 *
 * <p>The arrays, in order: for each {@link ParamTable} of {@link MfNetwork#tables()} (user side
 * first), its values {@code [rows, width]} named by the table ({@code user-embedding}), then each
 * optimiser state slot {@code i} of the same shape, named {@code <table>/state<i>}; then for each
 * {@link DenseParam} of {@link MfNetwork#denseParams()}, its value (named by the parameter, shape as
 * the layer's) and its state slots likewise. SGD keeps one state slot (momentum), Adam two (first
 * and second moments).
 *
 * <p>The header, e.g.:
 *
 * <pre>
 * {"model":{"type":"biased-mf","factors":4,"hidden":0,"dropout":0.0,"initScale":0.01,"seed":42,
 *           "dataType":"FLOAT"},
 *  "optimizer":{"kind":"SGD","learningRate":0.05,"momentum":0.9,"weightDecay":1.0E-4,"beta1":0.9,
 *               "beta2":0.999,"epsilon":1.0E-8,"embeddings":"LAZY"},
 *  "version":12,"trained":96,"labelSum":301.0,"labelCount":96,"users":8,"items":6,
 *  "arrays":[{"name":"user-embedding","shape":[8,4]},{"name":"user-embedding/state0","shape":[8,4]},
 *            ...]}
 * </pre>
 *
 * Doubles are written in Java's shortest round-trip decimal form, so they load bit-identically.
 *
 * <p>Loading rebuilds the network from the header's configs, checks that every array's name and
 * shape (in the header and again before its values) is what that network expects, and only returns
 * the trainer once the checksum matches. Every failure to read is a {@link SnapshotFormatException}.
 */
public final class ModelSnapshot {
  /** The format version this class writes, and the only one it reads. */
  public static final int FORMAT_VERSION = 1;

  private static final byte[] MAGIC = {'M', 'F', 'S', 'N', 'A', 'P'};
  private static final int MAX_HEADER_BYTES = 1 << 24;
  /** Values per bulk read or write of an array (bounds the heap copies of big tables). */
  private static final int CHUNK_VALUES = 1 << 16;

  private ModelSnapshot() {}

  // ---------------------------------------------------------------------------------------------
  // Saving

  /**
   * Writes a snapshot of the trainer to a stream, then flushes it; the stream is not closed.
   *
   * @throws IOException if writing fails, or an id is not valid Unicode (an unpaired surrogate)
   *     and so has no exact UTF-8 form
   */
  public static void save(Trainer trainer, OutputStream out) throws IOException {
    MfNetwork net = trainer.network();
    boolean dbl = net.config().dataType() == DataType.DOUBLE;
    List<Slot> slots = slotsOf(net);
    BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
    CheckedOutputStream checked = new CheckedOutputStream(buffered, new CRC32());
    DataOutputStream data = new DataOutputStream(checked);
    CharsetEncoder utf8 = StandardCharsets.UTF_8.newEncoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);

    data.write(MAGIC);
    data.writeInt(FORMAT_VERSION);
    writeBytes(data, SnapshotHeader.of(trainer, names(slots), shapes(slots)).toBytes());
    writeIds(data, net.users().ids(), "user", utf8);
    writeIds(data, net.items().ids(), "item", utf8);
    data.writeInt(slots.size());
    for (Slot s : slots) {
      writeBytes(data, s.name.getBytes(StandardCharsets.UTF_8));
      data.writeInt(s.shape.length);
      for (long d : s.shape) {
        data.writeInt((int) d);
      }
      writeValues(data, s, dbl);
    }
    data.flush();
    int crc = (int) checked.getChecksum().getValue();
    // Straight to the buffered stream: the checksum does not cover itself.
    new DataOutputStream(buffered).writeInt(crc);
    buffered.flush();
  }

  /**
   * Writes a snapshot to a file atomically: to a new temporary file in the same directory, forced
   * to disk, then moved over {@code path}. Readers see the old file or the new one, never a part.
   */
  public static void save(Trainer trainer, Path path) throws IOException {
    Path target = path.toAbsolutePath();
    Path dir = target.getParent();
    Path tmp = dir.resolve("." + target.getFileName() + "."
        + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE);
          OutputStream os = Channels.newOutputStream(ch)) {
        save(trainer, os);
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException | Error e) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  private static void writeIds(DataOutputStream out, List<String> ids, String side,
      CharsetEncoder utf8) throws IOException {
    out.writeInt(ids.size());
    for (int r = 0; r < ids.size(); r++) {
      ByteBuffer encoded;
      try {
        encoded = utf8.encode(CharBuffer.wrap(ids.get(r)));
      } catch (CharacterCodingException e) {
        throw new IOException(side + " id at row " + r
            + " is not valid Unicode (unpaired surrogate) and cannot be stored exactly", e);
      }
      out.writeInt(encoded.remaining());
      out.write(encoded.array(), encoded.arrayOffset() + encoded.position(), encoded.remaining());
    }
  }

  private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static void writeValues(DataOutputStream out, Slot slot, boolean dbl)
      throws IOException {
    long[] shape = slot.shape();
    if (product(shape) == 0) {
      return;
    }
    if (shape.length == 2) {
      int rows = (int) shape[0];
      int step = Math.max(1, CHUNK_VALUES / (int) shape[1]);
      for (int s = 0; s < rows; s += step) {
        writeFlat(out, slot.rows(s, Math.min(rows, s + step)), dbl);
      }
    } else {
      writeFlat(out, slot.rows(0, shape[0]), dbl);
    }
  }

  private static void writeFlat(DataOutputStream out, INDArray view, boolean dbl)
      throws IOException {
    INDArray c = view.dup('c');
    int n = (int) c.length();
    ByteBuffer bytes = ByteBuffer.allocate(n * (dbl ? Double.BYTES : Float.BYTES));
    if (dbl) {
      bytes.asDoubleBuffer().put(c.data().asDouble(), 0, n);
    } else {
      bytes.asFloatBuffer().put(c.data().asFloat(), 0, n);
    }
    out.write(bytes.array());
  }

  // ---------------------------------------------------------------------------------------------
  // Loading

  /**
   * Reads a snapshot from a stream into a new trainer with the given batch size and the kernels of
   * the current ND4J backend. The stream is read through a buffer, so it may be consumed past the
   * snapshot's end; it is not closed.
   */
  public static Trainer load(InputStream in, int batchSize) throws IOException {
    return load(in, batchSize, Kernels.forCurrentBackend());
  }

  /** {@link #load(InputStream, int)} with the given kernels. */
  public static Trainer load(InputStream in, int batchSize, Kernels kernels) throws IOException {
    return read(new BufferedInputStream(in, 1 << 16), batchSize, kernels);
  }

  /** Reads a snapshot file; bytes after its checksum are an error. */
  public static Trainer load(Path path, int batchSize) throws IOException {
    return load(path, batchSize, Kernels.forCurrentBackend());
  }

  /** {@link #load(Path, int)} with the given kernels. */
  public static Trainer load(Path path, int batchSize, Kernels kernels) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
      Trainer trainer = read(in, batchSize, kernels);
      if (in.read() != -1) {
        throw new SnapshotFormatException(path + ": unexpected bytes after the snapshot's checksum");
      }
      return trainer;
    }
  }

  private static Trainer read(InputStream in, int batchSize, Kernels kernels) throws IOException {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
    }
    CheckedInputStream checked = new CheckedInputStream(in, new CRC32());
    DataInputStream data = new DataInputStream(checked);
    byte[] magic = data.readNBytes(MAGIC.length);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new SnapshotFormatException(
          "not an mfstream snapshot: it does not start with the magic bytes MFSNAP");
    }
    String section = "the format version";
    try {
      int version = data.readInt();
      if (version != FORMAT_VERSION) {
        throw new SnapshotFormatException("unsupported snapshot format version " + version
            + "; this build reads format version " + FORMAT_VERSION + " only");
      }
      section = "the header";
      int headerLength = data.readInt();
      if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
        throw new SnapshotFormatException("corrupt snapshot: header length " + headerLength);
      }
      byte[] headerBytes = new byte[headerLength];
      data.readFully(headerBytes);
      SnapshotHeader h = SnapshotHeader.parse(headerBytes);

      CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
      section = "the user ids";
      List<String> users = readIds(data, "user", h.users(), utf8);
      section = "the item ids";
      List<String> items = readIds(data, "item", h.items(), utf8);

      Trainer trainer = new Trainer(h.model(), h.optimizer(), batchSize, kernels);
      MfNetwork net = trainer.network();
      net.restoreVocabulary(users, items);
      List<Slot> expected = slotsOf(net);
      checkHeaderArrays(h, expected);
      section = "the arrays";
      int count = data.readInt();
      if (count != expected.size()) {
        throw new SnapshotFormatException("snapshot has " + count + " arrays but its header and "
            + "the configured " + h.model().describe() + " network have " + expected.size());
      }
      DataType dt = h.model().dataType();
      int at = 0;
      for (ParamTable t : net.tables()) {
        INDArray values = readArray(data, expected.get(at), at++, dt);
        INDArray[] state = new INDArray[t.stateSlots()];
        for (int i = 0; i < state.length; i++) {
          state[i] = readArray(data, expected.get(at), at++, dt);
        }
        t.restore(t.rows(), values, state);
      }
      for (DenseParam p : net.denseParams()) {
        p.value().assign(readArray(data, expected.get(at), at++, dt));
        for (int i = 0; i < p.stateSlots(); i++) {
          p.state(i).assign(readArray(data, expected.get(at), at++, dt));
        }
      }
      section = "the checksum";
      int computed = (int) checked.getChecksum().getValue();
      int stored = new DataInputStream(in).readInt();
      if (computed != stored) {
        throw new SnapshotFormatException(String.format(
            "checksum mismatch: the snapshot is corrupt (stored CRC32 %08x, computed %08x)",
            stored, computed));
      }
      net.restoreMean(h.labelSum(), h.labelCount());
      trainer.restoreCounters(h.version(), h.trained());
      return trainer;
    } catch (EOFException e) {
      throw new SnapshotFormatException(
          "truncated snapshot: the stream ended while reading " + section, e);
    }
  }

  private static List<String> readIds(DataInputStream in, String side, int expected,
      CharsetDecoder utf8) throws IOException {
    int n = in.readInt();
    if (n != expected) {
      throw new SnapshotFormatException("corrupt snapshot: " + n + " " + side
          + " ids but the header says " + expected);
    }
    List<String> ids = new ArrayList<>(Math.min(n, 1 << 16));
    Set<String> seen = new HashSet<>();
    for (int r = 0; r < n; r++) {
      int len = in.readInt();
      if (len < 0) {
        throw new SnapshotFormatException(
            "corrupt snapshot: " + side + " id at row " + r + " has length " + len);
      }
      byte[] bytes = in.readNBytes(len);
      if (bytes.length < len) {
        throw new EOFException();
      }
      String id;
      try {
        id = utf8.decode(ByteBuffer.wrap(bytes)).toString();
      } catch (CharacterCodingException e) {
        throw new SnapshotFormatException(
            "corrupt snapshot: " + side + " id at row " + r + " is not valid UTF-8", e);
      }
      if (!seen.add(id)) {
        throw new SnapshotFormatException(
            "corrupt snapshot: " + side + " id '" + id + "' occurs twice (row " + r + ")");
      }
      ids.add(id);
    }
    return ids;
  }

  private static void checkHeaderArrays(SnapshotHeader h, List<Slot> expected)
      throws SnapshotFormatException {
    if (h.arrayNames().size() != expected.size()) {
      throw new SnapshotFormatException("snapshot header lists " + h.arrayNames().size()
          + " arrays but the configured " + h.describe() + " has " + expected.size() + " arrays");
    }
    for (int i = 0; i < expected.size(); i++) {
      checkArray(h.arrayNames().get(i), h.arrayShapes().get(i), expected.get(i), i, h, "header");
    }
  }

  private static void checkArray(String name, long[] shape, Slot want, int index, SnapshotHeader h,
      String where) throws SnapshotFormatException {
    if (!want.name.equals(name) || !Arrays.equals(want.shape, shape)) {
      throw new SnapshotFormatException("array #" + index + " in the snapshot " + where + " is '"
          + name + "' " + Arrays.toString(shape) + " but the configured " + h.describe()
          + " expects '" + want.name + "' " + Arrays.toString(want.shape));
    }
  }

  private static INDArray readArray(DataInputStream in, Slot want, int index, DataType dt)
      throws IOException {
    int nameLength = in.readInt();
    if (nameLength < 0 || nameLength > 4096) {
      throw new SnapshotFormatException(
          "corrupt snapshot: array #" + index + " has a name of length " + nameLength);
    }
    byte[] nameBytes = new byte[nameLength];
    in.readFully(nameBytes);
    String name = new String(nameBytes, StandardCharsets.UTF_8);
    int rank = in.readInt();
    if (rank < 0 || rank > 8) {
      throw new SnapshotFormatException(
          "corrupt snapshot: array #" + index + " ('" + name + "') has rank " + rank);
    }
    long[] shape = new long[rank];
    for (int d = 0; d < rank; d++) {
      shape[d] = in.readInt();
    }
    if (!want.name.equals(name) || !Arrays.equals(want.shape, shape)) {
      throw new SnapshotFormatException("array #" + index + " in the snapshot data is '" + name
          + "' " + Arrays.toString(shape) + " but its header and configuration expect '"
          + want.name + "' " + Arrays.toString(want.shape));
    }
    if (product(shape) == 0) {
      return null;
    }
    INDArray out = Nd4j.create(dt, shape);
    boolean dbl = dt == DataType.DOUBLE;
    if (rank == 2) {
      int rows = (int) shape[0];
      int width = (int) shape[1];
      int step = Math.max(1, CHUNK_VALUES / width);
      for (int s = 0; s < rows; s += step) {
        int e = Math.min(rows, s + step);
        out.get(NDArrayIndex.interval(s, e), NDArrayIndex.all())
            .assign(readFlat(in, (e - s) * width, dbl).reshape(e - s, width));
      }
    } else {
      out.assign(readFlat(in, (int) product(shape), dbl).reshape(shape));
    }
    return out;
  }

  private static INDArray readFlat(DataInputStream in, int n, boolean dbl) throws IOException {
    byte[] bytes = new byte[n * (dbl ? Double.BYTES : Float.BYTES)];
    in.readFully(bytes);
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (dbl) {
      double[] v = new double[n];
      b.asDoubleBuffer().get(v);
      return Nd4j.createFromArray(v);
    }
    float[] v = new float[n];
    b.asFloatBuffer().get(v);
    return Nd4j.createFromArray(v);
  }

  // ---------------------------------------------------------------------------------------------
  // The arrays of a network

  /** One stored array: a parameter's used values or one of its state slots. */
  private record Slot(String name, long[] shape, ParamTable table, DenseParam dense, int state) {
    /** Rows {@code [from, to)} of the array to save (the used rows of a table, or dense). */
    INDArray rows(long from, long to) {
      if (table != null) {
        return state < 0 ? table.valueRows(from, to) : table.stateRows(state, from, to);
      }
      INDArray a = state < 0 ? dense.value() : dense.state(state);
      return a.rank() == 2 ? a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()) : a;
    }
  }

  private static List<String> names(List<Slot> slots) {
    return slots.stream().map(Slot::name).toList();
  }

  private static List<long[]> shapes(List<Slot> slots) {
    return slots.stream().map(Slot::shape).toList();
  }

  private static List<Slot> slotsOf(MfNetwork net) {
    List<Slot> out = new ArrayList<>();
    for (ParamTable t : net.tables()) {
      long[] shape = {t.rows(), t.width()};
      out.add(new Slot(t.name(), shape, t, null, -1));
      for (int i = 0; i < t.stateSlots(); i++) {
        out.add(new Slot(t.name() + "/state" + i, shape, t, null, i));
      }
    }
    for (DenseParam p : net.denseParams()) {
      long[] shape = p.value().shape();
      out.add(new Slot(p.name(), shape, null, p, -1));
      for (int i = 0; i < p.stateSlots(); i++) {
        out.add(new Slot(p.name() + "/state" + i, shape, null, p, i));
      }
    }
    return out;
  }

  private static long product(long[] shape) {
    long p = 1;
    for (long d : shape) {
      p *= d;
    }
    return p;
  }
}
