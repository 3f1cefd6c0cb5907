package io.mfstream.cli;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Before a client command produces or consumes: is a broker there at all? Kafka's clients retry
 * an unreachable address until their own timeouts (a minute for a producer's send), logging a
 * warning at every attempt, and then fail with an error about metadata. One cluster description
 * with a short deadline says the same thing in seconds, naming the address.
 */
final class BrokerCheck {
  private BrokerCheck() {}

  /**
   * Returns once a broker of the cluster in {@code settings} answered.
   *
   * @throws IllegalStateException naming the bootstrap servers, when none answered in time or
   *     the cluster refused the request (for example, bad credentials)
   */
  static void requireReachable(Map<String, Object> settings, Duration timeout)
      throws InterruptedException {
    Map<String, Object> a = new HashMap<>(settings);
    int ms = (int) Math.max(1, timeout.toMillis());
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    Object servers = settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG);
    try (Admin admin = Admin.create(a)) {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes()
          .get(ms + 1000L, TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      boolean timedOut = cause instanceof TimeoutException
          || cause instanceof org.apache.kafka.common.errors.TimeoutException;
      throw new IllegalStateException(timedOut
          ? "no Kafka broker answered at " + servers + " within " + timeout.toSeconds() + " s: is "
              + "it running, and is --bootstrap-servers right?"
          : "the Kafka cluster at " + servers + " refused the connection: " + cause.getMessage(),
          cause);
    }
  }
}
