package io.mfstream.helm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.mfstream.testing.DeploymentTest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * helm lint --strict (warnings fail too). helm-java's lint takes no values, so a values set is
 * linted as a copy of the chart whose values.yaml has it merged in.
 */
@DeploymentTest
class HelmLintTest {

  @TempDir Path tmp;

  /** Messages that are more than information (Helm's INFO, such as "icon is recommended"). */
  private static List<String> problems(LintResult result) {
    return result.getMessages().stream().filter(m -> !m.startsWith("[INFO]")).toList();
  }

  private static LintResult lint(Path chart) {
    return new Helm(chart).lint().strict().call();
  }

  @Test
  void shouldPassStrictLintWithTheDefaultValues() {
    LintResult result = lint(ChartFixture.chart());
    assertFalse(result.isFailed(), "helm lint --strict failed: " + result.getMessages());
    assertTrue(problems(result).isEmpty(), "helm lint --strict: " + result.getMessages());
  }

  @Test
  void shouldPassStrictLintWithCudaStrimziAndServiceMonitor() {
    Path values = ChartFixture.chart().resolve("ci/cuda-strimzi-values.yaml");
    LintResult result = lint(ChartFixture.copyWithValues(tmp, values));
    assertFalse(result.isFailed(), "helm lint --strict failed: " + result.getMessages());
    assertTrue(problems(result).isEmpty(), "helm lint --strict: " + result.getMessages());
  }

  @Test
  void shouldPassStrictLintWithTheJobModeAndCredentials() {
    Path values = ChartFixture.writeValues(tmp, "job.yaml", """
        topics: {mode: job, replicationFactor: 3}
        config:
          kafka: {security.protocol: SASL_SSL, sasl.mechanism: SCRAM-SHA-512}
        kafkaSecret:
          name: kafka-user
          keys: {sasl.jaas.config: jaas, ssl.truststore.password: truststore-password}
        dashboards: {enabled: false}
        serviceMonitor: {enabled: true}
        """);
    LintResult result = lint(ChartFixture.copyWithValues(tmp.resolve("chart"), values));
    assertFalse(result.isFailed(), "helm lint --strict failed: " + result.getMessages());
    assertTrue(problems(result).isEmpty(), "helm lint --strict: " + result.getMessages());
  }

  /** The lint tests above could not fail if lint ignored the values; it does not. */
  @Test
  void shouldFailLintWhenTheMergedValuesBreakTheSchema() {
    Path values = ChartFixture.writeValues(tmp, "bad.yaml", "config: {batchSize: 0}\n");
    LintResult result = lint(ChartFixture.copyWithValues(tmp, values));
    assertTrue(result.isFailed(), "helm lint accepted batchSize 0: " + result.getMessages());
    assertTrue(String.join("\n", result.getMessages()).contains("batchSize"),
        "lint's messages do not name batchSize: " + result.getMessages());
  }
}
