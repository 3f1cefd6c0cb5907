package io.mfstream.data;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes ratings in the {@link RatingFormat#ML_100K} layout ({@code user TAB item TAB rating TAB
 * timestamp}), so that synthetic data can be handed to anything that reads MovieLens files.
 *
 * <p>Ratings are written with {@link Float#toString}, which {@link RatingReader} reads back to the
 * identical float. The file is written to a sibling temporary file and moved into place, so a
 * reader never sees half a file.
 */
public final class RatingWriter {

  private RatingWriter() {}

  /**
   * Writes {@code ratings} to {@code file}, replacing it.
   *
   * @throws IllegalArgumentException if a rating has no timestamp (the format needs one) or an id
   *     holds a tab or line break (it would not read back)
   * @throws IOException if the file cannot be written
   */
  public static void writeTsv(Path file, Iterable<Rating> ratings) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path tmp = Files.createTempFile(absolute.getParent(), "." + absolute.getFileName(), ".tmp");
    try {
      try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (Rating r : ratings) {
          out.write(checkedId(r.user(), r));
          out.write('\t');
          out.write(checkedId(r.item(), r));
          out.write('\t');
          out.write(Float.toString(r.rating()));
          out.write('\t');
          if (!r.hasTimestamp()) {
            throw new IllegalArgumentException("the ml-100k format needs a timestamp: " + r);
          }
          out.write(Long.toString(r.timestamp()));
          out.write('\n');
        }
      }
      Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static String checkedId(String id, Rating r) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c == '\t' || c == '\n' || c == '\r') {
        throw new IllegalArgumentException("id holds a tab or line break: " + r);
      }
    }
    if (!id.equals(id.strip())) {
      throw new IllegalArgumentException("id has surrounding white space, which reads back stripped: " + r);
    }
    return id;
  }
}
