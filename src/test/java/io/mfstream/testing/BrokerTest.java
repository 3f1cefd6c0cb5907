package io.mfstream.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that starts a Kafka broker in-process ({@code EmbeddedKafka}: KRaft, one node, loopback
 * ports, no Docker), directly or through the application (a pipeline, a command, a benchmark, or
 * {@code run} in a JVM of its own).
 *
 * <p>Tag {@value TestTags#BROKER}: {@code ./mvnw test -Dgroups=broker} runs this group alone.
 * Each test class carries exactly one of the five group annotations ({@link TestTagsTest}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(TestTags.BROKER)
public @interface BrokerTest {
}
