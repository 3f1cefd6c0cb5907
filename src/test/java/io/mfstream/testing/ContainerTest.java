package io.mfstream.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that runs Kafka in a container through Testcontainers: it needs a Docker engine and
 * skips itself without one.
 *
 * <p>Tag {@value TestTags#CONTAINER}: {@code ./mvnw test -Dgroups=container} runs this group alone.
 * Each test class carries exactly one of the five group annotations ({@link TestTagsTest}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(TestTags.CONTAINER)
public @interface ContainerTest {
}
