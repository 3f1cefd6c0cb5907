package io.mfstream.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * A test of the repository's deployment files (docker-compose, the Dockerfile, scripts, the
 * dashboards, the Helm chart), read statically or run by the tools that read them; no Docker
 * engine.
 *
 * <p>Tag {@value TestTags#DEPLOYMENT}: {@code ./mvnw test -Dgroups=deployment} runs this group
 * alone. Each test class carries exactly one of the five group annotations ({@link TestTagsTest}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Tag(TestTags.DEPLOYMENT)
public @interface DeploymentTest {
}
