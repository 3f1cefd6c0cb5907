package io.mfstream.stream.serde;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;

/**
 * A topic declared once: its name with the serdes of its keys and values, so that every reader and
 * writer of the topic agrees on them. The constants live in {@link Topics}.
 *
 * @param name the topic's name
 * @param keySerde the serde of its keys
 * @param valueSerde the serde of its values
 * @param <K> the key type
 * @param <V> the value type
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {

  public Topic {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(keySerde, "keySerde");
    Objects.requireNonNull(valueSerde, "valueSerde");
    if (name.isBlank()) {
      throw new IllegalArgumentException("topic name is blank");
    }
  }
}
