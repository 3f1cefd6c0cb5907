package io.mfstream.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test that needs the JVM alone: no broker, no container, no deployment tool. Some start an
 * HTTP server, a thread pool or a JDK process on 127.0.0.1, or a headless browser.
 *
 * <p>Tag {@value TestTags#UNIT}: {@code ./mvnw test -Dgroups=unit} runs this group alone.
 * Each test class carries exactly one of the five group annotations ({@link TestTagsTest}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(TestTags.UNIT)
public @interface UnitTest {
}
