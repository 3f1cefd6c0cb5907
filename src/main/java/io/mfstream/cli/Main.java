package io.mfstream.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code mfstream} command line. */
@Command(name = "mfstream", mixinStandardHelpOptions = true, version = "mfstream 0.1.0",
    description = "Online matrix factorisation: the MXNet tutorial's networks in ND4J.",
    subcommands = {TrainCommand.class, PrequentialCommand.class, BenchCommand.class,
        DownloadCommand.class, GenerateCommand.class, ReplayCommand.class, RunCommand.class,
        AskCommand.class, ProduceCommand.class, BenchStreamCommand.class, BenchServeCommand.class,
        CompareCommand.class,
        BenchMemoryCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  /** The command did what it was asked. */
  public static final int EXIT_OK = 0;
  /** It ran, but the result is missing: no answer to {@code ask}, or {@code run}'s pipeline failed. */
  public static final int EXIT_NO_RESULT = 1;
  /** A usage error, bad input or configuration, or another error. */
  public static final int EXIT_ERROR = 2;
  /** The Kafka cluster cannot be reached or used: the message names the address and why. */
  public static final int EXIT_UNREACHABLE = 3;
  /** The cluster answers, but topics the command needs do not exist: the message names them. */
  public static final int EXIT_TOPICS_MISSING = 4;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, new PrintWriter(System.out), new PrintWriter(System.err)));
  }

  /** Runs a command line; returns the exit code. Errors are one clear line, not a stack trace. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Main());
    cl.setOut(out);
    cl.setErr(err);
    cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      commandLine.getErr().println("mfstream: " + describe(ex));
      commandLine.getErr().flush();
      return ex instanceof ClusterException c ? c.exitCode() : EXIT_ERROR;
    });
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  private static String describe(Exception ex) {
    String msg = ex.getMessage();
    if (msg == null || msg.isBlank()) {
      return ex.getClass().getSimpleName();
    }
    return ex instanceof java.nio.file.NoSuchFileException ? "no such file: " + msg : msg;
  }
}
