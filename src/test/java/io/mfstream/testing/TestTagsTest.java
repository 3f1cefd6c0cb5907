package io.mfstream.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Every test class is in exactly one group: among its JUnit tags (its own, through a composed
 * annotation such as {@link UnitTest}, and for a {@code @Nested} class its enclosing class's),
 * exactly one of {@link TestTags#ALL}. A class without one would run in the full suite but in
 * no group's command, unnoticed; this test names it instead.
 *
 * <p>It scans the compiled test classes (the directory or jar this class was loaded from): a
 * class with a method JUnit can run ({@code @Test}, {@code @ParameterizedTest},
 * {@code @RepeatedTest}, {@code @TestFactory}, {@code @TestTemplate}: all meta-annotated
 * {@link Testable}) is a test class, unless it is abstract.
 */
@UnitTest
class TestTagsTest {

  @Test
  void everyTestClassShouldCarryExactlyOneGroupTag() throws URISyntaxException {
    Path root = Path.of(TestTagsTest.class.getProtectionDomain().getCodeSource().getLocation()
        .toURI());
    List<Class<?>> classes = ReflectionSupport.findAllClassesInClasspathRoot(root.toUri(),
        TestTagsTest::isTestClass, name -> !name.startsWith(TestTagsTest.class.getName() + "$"));
    // The suite has some 75 test classes: far fewer means the scan looked in the wrong place.
    assertTrue(classes.size() > 50, "only " + classes.size() + " test classes under " + root);
    List<String> problems = problems(classes);
    assertEquals(List.of(), problems, problems.size() + " test classes not in exactly one group"
        + " (put one of @UnitTest, @TopologyTest, @BrokerTest, @ContainerTest, @DeploymentTest"
        + " from io.mfstream.testing on each; docs/TESTING.md says which):\n  "
        + String.join("\n  ", problems));
  }

  @Test
  void shouldNameAClassWithoutAGroupAndOneWithTwo() {
    assertTrue(isTestClass(Untagged.class));
    assertEquals(List.of(Untagged.class.getName() + ": no group tag",
        TwoGroups.class.getName() + ": more than one group tag, [broker, unit]"),
        problems(List.of(Untagged.class, TwoGroups.class, Tagged.class, Tagged.Inner.class)));
    assertTrue(!isTestClass(TestTags.class));
  }

  /** One line per class that is not in exactly one group, naming it; empty when all are. */
  static List<String> problems(List<Class<?>> classes) {
    List<String> problems = new ArrayList<>();
    for (Class<?> c : classes) {
      Set<String> groups = groupTags(c);
      if (groups.isEmpty()) {
        problems.add(c.getName() + ": no group tag");
      } else if (groups.size() > 1) {
        problems.add(c.getName() + ": more than one group tag, " + groups);
      }
    }
    return problems;
  }

  static boolean isTestClass(Class<?> c) {
    return !c.isInterface() && !c.isAnnotation() && !Modifier.isAbstract(c.getModifiers())
        && !ReflectionSupport.findMethods(c, m -> AnnotationSupport.isAnnotated(m,
            Testable.class), HierarchyTraversalMode.TOP_DOWN).isEmpty();
  }

  /** The class's tags among the five, with those a {@code @Nested} class inherits. */
  private static Set<String> groupTags(Class<?> c) {
    Set<String> tags = new LinkedHashSet<>();
    for (Class<?> k = c; k != null;
        k = AnnotationSupport.isAnnotated(k, Nested.class) ? k.getEnclosingClass() : null) {
      AnnotationSupport.findRepeatableAnnotations(k, Tag.class).forEach(t -> tags.add(t.value()));
    }
    return tags.stream().filter(TestTags.ALL::contains).sorted()
        .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  // Fixtures for the test above; the scan leaves this class's nested classes out.

  static class Untagged {
    @Test
    @Disabled("a fixture of TestTagsTest, not a test")
    void test() {
    }
  }

  @UnitTest
  @BrokerTest
  static class TwoGroups {
    @Test
    @Disabled("a fixture of TestTagsTest, not a test")
    void test() {
    }
  }

  @DeploymentTest
  @Tag("slow")
  static class Tagged {
    @Test
    @Disabled("a fixture of TestTagsTest, not a test")
    void test() {
    }

    @Nested
    class Inner {
      @Test
      @Disabled("a fixture of TestTagsTest, not a test")
      void test() {
      }
    }
  }
}
