package io.mfstream.model;

import java.util.Locale;

/** The networks of the matrix-factorisation tutorial, plus biased MF. */
public enum ModelType {
  /** Plain MF: {@code p = <U[u], V[i]>}, the tutorial's {@code plain_net(k)}. */
  PLAIN_MF("plain-mf"),
  /** Biased MF: {@code p = mu + b_u + b_i + <U[u], V[i]>}, mu the running mean of trained ratings. */
  BIASED_MF("biased-mf"),
  /**
   * One-layer MLP per side: {@code h = FC(ReLU(E[id]))}, then {@code p = <h_u, h_i>}; the tutorial's
   * {@code get_one_layer_mlp(hidden, k)}.
   */
  MLP("mlp"),
  /** The MLP with (inverted) dropout after each side's fully connected layer. */
  DROPOUT_MLP("dropout-mlp");

  private final String id;

  ModelType(String id) {
    this.id = id;
  }

  /** The kebab-case name used in configuration, CLI flags and metric tags. */
  public String id() {
    return id;
  }

  public boolean isMlp() {
    return this == MLP || this == DROPOUT_MLP;
  }

  /** Parses a kebab-case or enum-style name ({@code biased-mf}, {@code BIASED_MF}). */
  public static ModelType parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    for (ModelType t : values()) {
      if (t.id.equals(n)) {
        return t;
      }
    }
    throw new IllegalArgumentException(
        "unknown model type '" + name + "' (expected one of plain-mf, biased-mf, mlp, dropout-mlp)");
  }

  @Override
  public String toString() {
    return id;
  }
}
