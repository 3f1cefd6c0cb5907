package io.mfstream.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs a command in this JVM, as the tests of the commands do, and keeps what it printed. */
final class Cli {
  private Cli() {}

  /** A command's exit code and what it wrote to standard output and standard error. */
  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Run(code, out.toString(), err.toString());
  }
}
