package io.mfstream.data;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where a MovieLens archive comes from and how to tell the unpacked copy is complete.
 *
 * @param url the zip archive's address
 * @param md5 the archive's expected MD5 as 32 hex digits, or {@code null} to rely on the
 *     structural check alone
 * @param directory the archive's top-level folder, unpacked as {@code target/directory}
 * @param ratingsFile the ratings file inside that folder, checked after unpacking
 * @param ratingLines how many lines the ratings file must have, or -1 for any
 */
public record DatasetSource(URI url, String md5, String directory, String ratingsFile, long ratingLines) {

  // Before ML_100K: the constructor that builds it needs them.
  private static final Pattern MD5_HEX = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9._-]+");

  /**
   * MovieLens 100K from GroupLens. The MD5 is the one GroupLens publishes beside the archive in
   * {@code ml-100k.zip.md5} ({@code MD5 (ml-100k.zip) = 0e33842e24a9c977be4e0107933c0723}), as
   * quoted and pinned by several independent public projects; the line count of {@code u.data} is
   * checked as well.
   */
  public static final DatasetSource ML_100K =
      new DatasetSource(
          URI.create("https://files.grouplens.org/datasets/movielens/ml-100k.zip"),
          "0e33842e24a9c977be4e0107933c0723",
          "ml-100k",
          "u.data",
          100_000);

  public DatasetSource {
    Objects.requireNonNull(url, "url");
    if (md5 != null) {
      md5 = md5.toLowerCase(Locale.ROOT);
      if (!MD5_HEX.matcher(md5).matches()) {
        throw new IllegalArgumentException("md5 must be 32 hex digits: " + md5);
      }
    }
    for (String name : new String[] {directory, ratingsFile}) {
      Objects.requireNonNull(name, "directory and ratingsFile");
      if (!PLAIN_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
        throw new IllegalArgumentException("not a plain file name: '" + name + "'");
      }
    }
    if (ratingLines < -1) {
      throw new IllegalArgumentException("ratingLines must be >= -1: " + ratingLines);
    }
  }

  /** This source with another address and checksum (a mirror, or a test server). */
  public DatasetSource withUrl(URI newUrl, String newMd5) {
    return new DatasetSource(newUrl, newMd5, directory, ratingsFile, ratingLines);
  }

  /** This source expecting another line count in the ratings file (-1 for any). */
  public DatasetSource withRatingLines(long lines) {
    return new DatasetSource(url, md5, directory, ratingsFile, lines);
  }
}
