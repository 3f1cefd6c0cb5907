package io.mfstream.cli;

import io.mfstream.model.ModelType;
import io.mfstream.train.ModelSettings;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * One configuration of {@code compare}, read from {@code NAME[:KEY=VALUE,...]}: the keys are
 * {@code run}'s {@code model.NAME.*} keys that describe a model ({@link ModelSettings#KEYS} but
 * {@code embeddings}, which the stream only does lazily, plus {@code batch.size}), read by the
 * same parser with the same defaults ({@link ModelSettings.Defaults#STREAMING}), so a value
 * {@code run} refuses is refused here for the same reason. The network is {@code type}, else the
 * name when it is a network type, else biased MF ({@code prequential}'s default).
 *
 * @param name lower-case letters, digits, '_' and '-' (a name {@code run} can deploy)
 * @param settings the network and its optimiser
 * @param batchSize ratings per step: {@code batch.size}, else the network's streaming default
 */
record CompareConfig(String name, ModelSettings settings, int batchSize) {
  /** The keys a configuration takes, in the order the messages list them. */
  static final List<String> KEYS = Stream.concat(
      ModelSettings.KEYS.stream().filter(k -> !k.equals("embeddings")),
      Stream.of("batch.size")).toList();

  /**
   * Run's model names, without '.', which would not survive {@code model.NAME.KEY} (run reads
   * the name up to the first dot).
   */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

  /** Run's bounds on {@code batch.size}. */
  private static final int MAX_BATCH = 1 << 20;

  /** Reads one {@code --config}; errors name it and say why. */
  static CompareConfig parse(String spec) {
    int colon = spec.indexOf(':');
    String name = (colon < 0 ? spec : spec.substring(0, colon)).trim();
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("--config " + spec + ": the name '" + name + "' must "
          + "be 1 to 63 lower-case letters, digits, '_' or '-', starting with a letter or digit "
          + "(a model name run can deploy)");
    }
    Map<String, String> given = new LinkedHashMap<>();
    if (colon >= 0 && !spec.substring(colon + 1).isBlank()) {
      for (String kv : spec.substring(colon + 1).split(",", -1)) {
        int eq = kv.indexOf('=');
        if (eq < 0 || kv.substring(0, eq).isBlank()) {
          throw new IllegalArgumentException("--config " + spec + ": '" + kv
              + "' is not KEY=VALUE");
        }
        String key = kv.substring(0, eq).trim();
        String value = kv.substring(eq + 1).trim();
        if (!KEYS.contains(key)) {
          throw new IllegalArgumentException("--config " + spec + ": " + unknown(key));
        }
        if (value.isEmpty()) {
          throw new IllegalArgumentException("--config " + spec + ": " + key + " has no value");
        }
        if (given.put(key, value) != null) {
          throw new IllegalArgumentException("--config " + spec + ": " + key + " is given twice");
        }
      }
    }
    ModelType type = ModelType.BIASED_MF;
    try {
      type = ModelType.parse(name);
    } catch (IllegalArgumentException notANetwork) {
      // keep biased MF, prequential's default
    }
    ModelSettings settings = ModelSettings.parse(given, type, ModelSettings.Defaults.STREAMING,
        (key, why) -> new IllegalArgumentException("--config " + spec + ": " + key + "="
            + given.get(key) + " " + why));
    int batch = ModelSettings.Defaults.STREAMING.batchSize(settings.model().type());
    if (given.containsKey("batch.size")) {
      batch = batchSize(spec, given.get("batch.size"));
    }
    return new CompareConfig(name, settings, batch);
  }

  /** Every {@code --config}: at least one, and no name twice. */
  static List<CompareConfig> parseAll(List<String> specs) {
    if (specs == null || specs.isEmpty()) {
      throw new IllegalArgumentException("give at least one --config NAME[:KEY=VALUE,...]");
    }
    List<CompareConfig> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (String spec : specs) {
      CompareConfig c = parse(spec);
      if (!names.add(c.name())) {
        throw new IllegalArgumentException("--config " + spec + ": the name '" + c.name()
            + "' is given twice; each configuration needs a name of its own");
      }
      out.add(c);
    }
    return out;
  }

  /**
   * The settings under run's keys ({@link ModelSettings#toMap} without {@code embeddings}, which
   * is always lazy here, and with {@code batch.size}).
   */
  Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>(settings.toMap());
    m.remove("embeddings");
    m.put("batch.size", Integer.toString(batchSize));
    return m;
  }

  /** The properties lines that deploy this configuration with {@code run}. */
  List<String> properties() {
    return toMap().entrySet().stream()
        .map(e -> "model." + name + "." + e.getKey() + "=" + e.getValue())
        .collect(Collectors.toList());
  }

  private static int batchSize(String spec, String value) {
    String why;
    try {
      int v = Integer.parseInt(value);
      if (v >= 1 && v <= MAX_BATCH) {
        return v;
      }
      why = "must be between 1 and " + MAX_BATCH;
    } catch (NumberFormatException e) {
      why = "is not a whole number";
    }
    throw new IllegalArgumentException("--config " + spec + ": batch.size=" + value + " " + why);
  }

  private static String unknown(String key) {
    String why = switch (key) {
      case "embeddings" -> " (the streaming trainer updates embeddings lazily only, so run "
          + "takes no such key; every configuration here is lazy too)";
      case "warm.start", "reset" -> " (run's, for a deployed model; compare starts every "
          + "configuration from a new model)";
      default -> "";
    };
    return "unknown key '" + key + "'" + why + "; the keys are " + String.join(", ", KEYS);
  }
}
