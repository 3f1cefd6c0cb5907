package io.mfstream.train;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mfstream.json.JsonMappers;
import io.mfstream.model.MfNetwork;
import io.mfstream.model.ModelConfig;
import io.mfstream.model.ModelType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The JSON header of a {@link ModelSnapshot}: the model and optimiser configurations, the counters
 * (version, ratings learned, running-mean statistics), the vocabulary sizes, and the name and shape
 * of every array that follows, in order. Parsing checks every field and reports problems as
 * {@link SnapshotFormatException}s that name the field.
 */
public record SnapshotHeader(ModelConfig model, OptimizerConfig optimizer, long version, long trained,
    double labelSum, long labelCount, int users, int items, List<String> arrayNames,
    List<long[]> arrayShapes) {

  private static final ObjectMapper JSON = JsonMappers.mapper();

  /** The header of a trainer's snapshot, listing the arrays that will follow it. */
  static SnapshotHeader of(Trainer trainer, List<String> arrayNames, List<long[]> arrayShapes) {
    MfNetwork net = trainer.network();
    return new SnapshotHeader(net.config(), trainer.optimizer().config(), trainer.version(),
        trainer.trained(), net.labelSum(), net.labelCount(), net.users().size(),
        net.items().size(), arrayNames, arrayShapes);
  }

  /**
   * Writes a model and an optimiser configuration as the {@code model} and {@code optimizer}
   * objects of {@code into}: the form snapshots store and the streaming trainer's state store
   * checks on open.
   */
  public static void writeConfigs(ObjectNode into, ModelConfig m, OptimizerConfig o) {
    ObjectNode model = into.putObject("model");
    model.put("type", m.type().id());
    model.put("factors", m.factors());
    model.put("hidden", m.hidden());
    model.put("dropout", m.dropout());
    model.put("initScale", m.initScale());
    model.put("seed", m.seed());
    model.put("dataType", m.dataType().name());
    ObjectNode opt = into.putObject("optimizer");
    opt.put("kind", o.kind().name());
    opt.put("learningRate", o.learningRate());
    opt.put("momentum", o.momentum());
    opt.put("weightDecay", o.weightDecay());
    // Written only where they differ from what a state without them means, so that the records of
    // a model configured as before they existed stay byte-identical (the store compares them).
    if (o.biasLearningRate() != o.learningRate()) {
      opt.put("biasLearningRate", o.biasLearningRate());
    }
    if (o.biasWeightDecay() != 0) {
      opt.put("biasWeightDecay", o.biasWeightDecay());
    }
    opt.put("beta1", o.beta1());
    opt.put("beta2", o.beta2());
    opt.put("epsilon", o.epsilon());
    opt.put("embeddings", o.embeddings().name());
  }

  /** The header as the JSON bytes a snapshot stores. */
  byte[] toBytes() throws IOException {
    ObjectNode h = JSON.createObjectNode();
    writeConfigs(h, model, optimizer);
    h.put("version", version);
    h.put("trained", trained);
    h.put("labelSum", labelSum);
    h.put("labelCount", labelCount);
    h.put("users", users);
    h.put("items", items);
    ArrayNode arrays = h.putArray("arrays");
    for (int i = 0; i < arrayNames.size(); i++) {
      ObjectNode a = arrays.addObject();
      a.put("name", arrayNames.get(i));
      ArrayNode shape = a.putArray("shape");
      for (long d : arrayShapes.get(i)) {
        shape.add(d);
      }
    }
    return JSON.writeValueAsBytes(h);
  }

  /** For error messages: which network the header describes. */
  String describe() {
    return model.describe() + " network with " + optimizer.kind() + " state";
  }

  /** Parses and checks a header; every problem is a {@link SnapshotFormatException}. */
  static SnapshotHeader parse(byte[] bytes) throws SnapshotFormatException {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new SnapshotFormatException("corrupt snapshot header: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new SnapshotFormatException("corrupt snapshot header: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new SnapshotFormatException("corrupt snapshot header: not a JSON object");
    }
    try {
      JsonNode m = object(root, "model");
      ModelConfig model = new ModelConfig(
          ModelType.parse(text(m, "type")),
          integer(m, "factors"),
          integer(m, "hidden"),
          number(m, "dropout"),
          number(m, "initScale"),
          longValue(m, "seed"),
          DataType.valueOf(text(m, "dataType")));
      JsonNode o = object(root, "optimizer");
      OptimizerConfig optimizer = new OptimizerConfig(
          OptimizerConfig.Kind.parse(text(o, "kind")),
          number(o, "learningRate"),
          number(o, "momentum"),
          number(o, "weightDecay"),
          o.has("biasLearningRate") ? number(o, "biasLearningRate") : number(o, "learningRate"),
          o.has("biasWeightDecay") ? number(o, "biasWeightDecay") : 0,
          number(o, "beta1"),
          number(o, "beta2"),
          number(o, "epsilon"),
          OptimizerConfig.EmbeddingUpdates.parse(text(o, "embeddings")));
      long version = nonNegative(root, "version");
      long trained = nonNegative(root, "trained");
      double labelSum = number(root, "labelSum");
      long labelCount = nonNegative(root, "labelCount");
      int users = (int) Math.min(Integer.MAX_VALUE, nonNegative(root, "users"));
      int items = (int) Math.min(Integer.MAX_VALUE, nonNegative(root, "items"));
      JsonNode arrays = field(root, "arrays");
      if (!arrays.isArray()) {
        throw new SnapshotFormatException("corrupt snapshot header: 'arrays' is not a list");
      }
      List<String> names = new ArrayList<>();
      List<long[]> shapes = new ArrayList<>();
      for (JsonNode a : arrays) {
        names.add(text(a, "name"));
        JsonNode shape = field(a, "shape");
        if (!shape.isArray()) {
          throw new SnapshotFormatException("corrupt snapshot header: a shape is not a list");
        }
        long[] dims = new long[shape.size()];
        for (int d = 0; d < dims.length; d++) {
          if (!shape.get(d).canConvertToInt() || shape.get(d).asInt() < 0) {
            throw new SnapshotFormatException("corrupt snapshot header: bad shape " + shape);
          }
          dims[d] = shape.get(d).asInt();
        }
        shapes.add(dims);
      }
      return new SnapshotHeader(model, optimizer, version, trained, labelSum, labelCount, users, items,
          names, shapes);
    } catch (IllegalArgumentException e) {
      throw new SnapshotFormatException("invalid configuration in snapshot header: "
          + e.getMessage(), e);
    }
  }

  private static JsonNode field(JsonNode node, String name) throws SnapshotFormatException {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      throw new SnapshotFormatException("corrupt snapshot header: missing '" + name + "'");
    }
    return v;
  }

  private static JsonNode object(JsonNode node, String name) throws SnapshotFormatException {
    JsonNode v = field(node, name);
    if (!v.isObject()) {
      throw new SnapshotFormatException("corrupt snapshot header: '" + name + "' is not an object");
    }
    return v;
  }

  private static String text(JsonNode node, String name) throws SnapshotFormatException {
    JsonNode v = field(node, name);
    if (!v.isTextual()) {
      throw new SnapshotFormatException("corrupt snapshot header: '" + name + "' is not a string");
    }
    return v.textValue();
  }

  private static double number(JsonNode node, String name) throws SnapshotFormatException {
    JsonNode v = field(node, name);
    if (!v.isNumber()) {
      throw new SnapshotFormatException("corrupt snapshot header: '" + name + "' is not a number");
    }
    return v.doubleValue();
  }

  private static long longValue(JsonNode node, String name) throws SnapshotFormatException {
    JsonNode v = field(node, name);
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new SnapshotFormatException(
          "corrupt snapshot header: '" + name + "' is not a 64-bit integer");
    }
    return v.longValue();
  }

  private static int integer(JsonNode node, String name) throws SnapshotFormatException {
    JsonNode v = field(node, name);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new SnapshotFormatException(
          "corrupt snapshot header: '" + name + "' is not a 32-bit integer");
    }
    return v.intValue();
  }

  private static long nonNegative(JsonNode node, String name) throws SnapshotFormatException {
    long v = longValue(node, name);
    if (v < 0) {
      throw new SnapshotFormatException("corrupt snapshot header: '" + name + "' is negative");
    }
    return v;
  }
}
