package io.mfstream.stream.serde;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.mfstream.testing.UnitTest;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The topic declarations, and the list of them the pipeline checks the cluster against. */
@UnitTest
class TopicsTest {
  @Test
  void allShouldHoldEveryTopicDeclaredOnce() throws IllegalAccessException {
    List<Topic<?, ?>> declared = new ArrayList<>();
    for (Field f : Topics.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == Topic.class) {
        declared.add((Topic<?, ?>) f.get(null));
      }
    }
    assertEquals(8, declared.size(), "the topics of docs/TOPICS.md");
    assertEquals(declared.size(), Topics.ALL.size(), "each once");
    assertEquals(new HashSet<>(declared), new HashSet<>(Topics.ALL),
        "a topic declared but not in ALL would go unchecked");
  }
}
