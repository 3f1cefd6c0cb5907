package io.mfstream.cli;

import io.mfstream.model.ModelConfig;
import io.mfstream.train.OptimizerConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** JSON-ready descriptions of configurations. */
final class Summaries {
  private Summaries() {}

  static Map<String, Object> model(ModelConfig mc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", mc.type().id());
    m.put("factors", mc.factors());
    if (mc.type().isMlp()) {
      m.put("hidden", mc.hidden());
    }
    if (mc.dropout() > 0) {
      m.put("dropout", mc.dropout());
    }
    m.put("init_scale", mc.initScale());
    m.put("seed", mc.seed());
    m.put("data_type", mc.dataType().name().toLowerCase(Locale.ROOT));
    return m;
  }

  static Map<String, Object> optimizer(OptimizerConfig oc) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", oc.kind().name().toLowerCase(Locale.ROOT));
    m.put("learning_rate", oc.learningRate());
    m.put("bias_learning_rate", oc.biasLearningRate());
    switch (oc.kind()) {
      case SGD -> m.put("momentum", oc.momentum());
      case ADAM -> {
        m.put("beta1", oc.beta1());
        m.put("beta2", oc.beta2());
        m.put("epsilon", oc.epsilon());
      }
      case ADAGRAD -> m.put("epsilon", oc.epsilon());
    }
    m.put("weight_decay", oc.weightDecay());
    m.put("bias_weight_decay", oc.biasWeightDecay());
    m.put("embeddings", oc.embeddings().name().toLowerCase(Locale.ROOT));
    return m;
  }
}
