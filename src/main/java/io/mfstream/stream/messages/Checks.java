package io.mfstream.stream.messages;

/** Argument checks shared by the message records. */
final class Checks {
  private Checks() {}

  static String id(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " is blank");
    }
    return value;
  }

  static String text(String value, String name) {
    if (value == null) {
      throw new IllegalArgumentException(name + " is missing");
    }
    return value;
  }

  static float finite(float value, String name) {
    if (!Float.isFinite(value)) {
      throw new IllegalArgumentException(name + " is not finite: " + value);
    }
    return value;
  }

  static double finite(double value, String name) {
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException(name + " is not finite: " + value);
    }
    return value;
  }

  static long nonNegative(long value, String name) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " is negative: " + value);
    }
    return value;
  }
}
