package io.mfstream.stream.serde;

import java.util.Objects;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Produced;

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

  /** This topic's serdes for {@code StreamsBuilder.stream}. */
  public Consumed<K, V> consumed() {
    return Consumed.with(keySerde, valueSerde);
  }

  /** This topic's serdes for {@code KStream.to}. */
  public Produced<K, V> produced() {
    return Produced.with(keySerde, valueSerde);
  }

  /** The same serdes under another name (e.g. a per-test topic). */
  public Topic<K, V> withName(String otherName) {
    return new Topic<>(otherName, keySerde, valueSerde);
  }
}
