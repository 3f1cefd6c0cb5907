package io.mfstream.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A Dockerfile read into its instructions (continuation lines joined, comments dropped), and
 * the {@code .dockerignore} rules that decide what the build context holds.
 */
final class Dockerfile {

  /** One instruction: its keyword in upper case, the rest of it, and the stage it is in. */
  record Instruction(String keyword, String arguments, int stage) {
    /** The arguments of an exec-form (JSON array) instruction. */
    List<String> execForm() {
      return execArray(arguments);
    }
  }

  private final List<Instruction> instructions;

  private Dockerfile(List<Instruction> instructions) {
    this.instructions = List.copyOf(instructions);
  }

  static Dockerfile read(Path file) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int stage = -1;
    for (String line : DeployFiles.text(file).split("\n", -1)) {
      String stripped = line.strip();
      if (current.isEmpty() && (stripped.isEmpty() || stripped.startsWith("#"))) {
        continue;
      }
      if (!current.isEmpty() && stripped.startsWith("#")) {
        continue; // a comment inside a continued instruction
      }
      if (stripped.endsWith("\\")) {
        current.append(stripped, 0, stripped.length() - 1).append(' ');
        continue;
      }
      current.append(stripped);
      String instruction = current.toString().strip();
      current.setLength(0);
      int space = instruction.indexOf(' ');
      String keyword = instruction.substring(0, space).toUpperCase(Locale.ROOT);
      String arguments = instruction.substring(space + 1).strip();
      if (keyword.equals("FROM")) {
        stage++;
      }
      out.add(new Instruction(keyword, arguments, stage));
    }
    if (!current.isEmpty()) {
      throw new IllegalArgumentException(file + " ends inside a continued instruction");
    }
    return new Dockerfile(out);
  }

  List<Instruction> instructions() {
    return instructions;
  }

  List<Instruction> all(String keyword) {
    return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
  }

  /** The instructions of the last stage, the image that is built by default. */
  List<Instruction> finalStage(String keyword) {
    int last = all("FROM").size() - 1;
    return all(keyword).stream().filter(i -> i.stage() == last).toList();
  }

  /** The only instruction of that keyword in the final stage. */
  Instruction onlyInFinalStage(String keyword) {
    List<Instruction> found = finalStage(keyword);
    if (found.size() != 1) {
      throw new AssertionError(found.size() + " " + keyword + " in the final stage: " + found);
    }
    return found.get(0);
  }

  /** The final stage's HEALTHCHECK command, exec form. */
  List<String> healthcheckCommand() {
    String arguments = onlyInFinalStage("HEALTHCHECK").arguments();
    int cmd = arguments.indexOf("CMD [");
    if (cmd < 0) {
      throw new AssertionError("HEALTHCHECK without an exec-form CMD: " + arguments);
    }
    return execArray(arguments.substring(cmd + "CMD ".length()));
  }

  static List<String> execArray(String json) {
    try {
      JsonNode node = new ObjectMapper().readTree(json);
      if (!node.isArray()) {
        throw new AssertionError("not an exec-form array: " + json);
      }
      return DeployFiles.strings(node);
    } catch (IOException e) {
      throw new AssertionError("not an exec-form array: " + json, e);
    }
  }

  /**
   * Whether {@code .dockerignore} leaves a path of the context in it, by Docker's rules: patterns
   * in order, the last one that matches the path or one of its parent folders decides, and
   * {@code !} re-includes.
   */
  static boolean inContext(Path dockerignore, String path) {
    List<String> lines;
    try {
      lines = Files.readAllLines(dockerignore);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    boolean included = true;
    List<String> prefixes = new ArrayList<>();
    String[] parts = Path.of(path).normalize().toString().split("/");
    StringBuilder prefix = new StringBuilder();
    for (String part : parts) {
      if (!prefix.isEmpty()) {
        prefix.append('/');
      }
      prefix.append(part);
      prefixes.add(prefix.toString());
    }
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      boolean negate = line.startsWith("!");
      String pattern = Path.of(negate ? line.substring(1).strip() : line).normalize().toString();
      PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
      for (String candidate : prefixes) {
        if (matcher.matches(Path.of(candidate))) {
          included = negate;
          break;
        }
      }
    }
    return included;
  }
}
