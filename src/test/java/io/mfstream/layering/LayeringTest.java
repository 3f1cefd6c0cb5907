package io.mfstream.layering;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.mfstream.testing.UnitTest;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layering every class of the application keeps (docs/ARCHITECTURE.md), checked on the
 * compiled classes: the inner layers ({@code model}, {@code train}, {@code data}) know nothing of
 * Kafka nor of the layers around them, and {@code stream} does no arithmetic of its own (no ND4J:
 * the maths lives in {@code model} and {@code train}).
 *
 * <p>The rules are written for a root package; the same rules over {@code
 * io.mfstream.layering.violation}, whose classes break each of them on purpose, must fail, so that
 * a rule that matches nothing cannot pass for one that holds.
 */
@UnitTest
class LayeringTest {
  private static final String ROOT = "io.mfstream";
  private static final String CONTROLS = "io.mfstream.layering.violation";

  /** The rules for the application under {@code root}. */
  static List<ArchRule> rules(String root) {
    String[] inner = packages(root, "model", "train", "data", "json");
    String[] outer = packages(root, "stream", "http", "cli", "metrics", "bench", "app");
    return List.of(
        noClasses().that().resideInAnyPackage(inner)
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..")
            .because("model, train and data are the maths and the data, usable without a broker"),
        noClasses().that().resideInAnyPackage(inner)
            .should().dependOnClassesThat().resideInAnyPackage(outer)
            .because("dependencies point inwards: the pipeline uses the model, never the reverse"),
        noClasses().that().resideInAnyPackage(packages(root, "stream"))
            .should().dependOnClassesThat().resideInAnyPackage("org.nd4j..")
            .because("the pipeline moves ratings and state; the arithmetic is model's and "
                + "train's"));
  }

  private static String[] packages(String root, String... names) {
    return Stream.of(names).map(n -> root + "." + n + "..").toArray(String[]::new);
  }

  @Test
  void theApplicationShouldKeepItsLayers() {
    JavaClasses application = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages(ROOT);
    assertTrue(application.contain("io.mfstream.model.MfNetwork")
        && application.contain("io.mfstream.stream.train.ModelStore"),
        "the main classes were imported");
    for (ArchRule rule : rules(ROOT)) {
      rule.check(application);
    }
  }

  @Test
  void eachRuleShouldFailOnClassesWrittenToBreakIt() {
    JavaClasses controls = new ClassFileImporter().importPackages(CONTROLS);
    assertTrue(controls.contain(CONTROLS + ".model.ModelThatReadsKafka")
        && controls.contain(CONTROLS + ".stream.StreamThatDoesMaths"),
        "the controls were imported");
    for (ArchRule rule : rules(CONTROLS)) {
      assertThrows(AssertionError.class, () -> rule.check(controls), rule.getDescription());
    }
  }
}
