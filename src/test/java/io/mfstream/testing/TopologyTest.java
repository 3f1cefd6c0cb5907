package io.mfstream.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test of the real Kafka Streams topology through {@code TopologyTestDriver}: no broker.
 *
 * <p>Tag {@value TestTags#TOPOLOGY}: {@code ./mvnw test -Dgroups=topology} runs this group alone.
 * Each test class carries exactly one of the five group annotations ({@link TestTagsTest}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(TestTags.TOPOLOGY)
public @interface TopologyTest {
}
