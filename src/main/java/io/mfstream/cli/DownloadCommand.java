package io.mfstream.cli;

import io.mfstream.data.MovieLensDownloader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Fetches MovieLens 100K from GroupLens. */
@Command(name = "download", mixinStandardHelpOptions = true,
    description = {"Download MovieLens 100K from GroupLens' official address, verify its MD5 and "
        + "contents, and unpack it (nothing happens if a complete copy is already there).",
        "The data's licence forbids redistribution: keep it out of version control."})
final class DownloadCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--dir", description = "Where to unpack (default: ${DEFAULT-VALUE}).",
      defaultValue = "data")
  Path dir;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path where = new MovieLensDownloader().download(dir);
    out.println("MovieLens 100K is in " + where);
    out.flush();
    return 0;
  }
}
