package io.mfstream.cli;

import io.mfstream.cli.BrokerProbe.Found;
import io.mfstream.cli.BrokerProbe.Result;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.utils.Utils;

/**
 * Before a command produces or consumes: can the cluster be used at all? Kafka's clients retry
 * an address that does not answer until their own timeouts (a minute for a producer's send),
 * logging a warning at every attempt, and then fail with an error about metadata. This check
 * answers within one deadline, in one line that names the address and the likely cause:
 *
 * <ol>
 *   <li>every bootstrap address is probed with a plain socket ({@link BrokerProbe}): a name that
 *       does not resolve, nothing listening, no connection, an HTTP server, a TLS listener for a
 *       plaintext client or the other way round are reported from there, without a Kafka client
 *       and so without its warnings;
 *   <li>an Admin client, given only the addresses that look like Kafka, describes the cluster:
 *       refused credentials or an untrusted certificate are reported from there;
 *   <li>the brokers the cluster advertises must be reachable from here too (a Docker or
 *       Kubernetes cluster that advertises names only known inside its network answers the
 *       bootstrap address and then nothing);
 *   <li>the topics the command needs must exist.
 * </ol>
 */
final class BrokerCheck {
  private BrokerCheck() {}

  /**
   * Returns once the cluster in {@code settings} answered and has {@code topics}.
   *
   * @param setting where the bootstrap servers came from, for the message (a flag or a key)
   * @throws ClusterException with exit code {@link Main#EXIT_UNREACHABLE} naming the address and
   *     the likely cause, or {@link Main#EXIT_TOPICS_MISSING} naming the missing topics
   * @throws IllegalArgumentException when the bootstrap servers are not HOST:PORT[,...]
   */
  static void require(Map<String, Object> settings, Duration timeout, String setting,
      Collection<String> topics) throws InterruptedException {
    String servers = String.valueOf(settings.get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean tls = securityProtocol(settings).contains("SSL");
    List<Result> probes = probeAll(addresses(servers), deadline);
    List<String> usable = probes.stream().filter(r -> mayBeKafka(r, tls))
        .map(Result::address).toList();
    if (usable.isEmpty()) {
      throw new ClusterException(Main.EXIT_UNREACHABLE, "cannot reach Kafka at " + servers
          + " (" + setting + "): " + causes(probes, settings, timeout));
    }
    requireAdvertisedReachable(servers, probes, deadline, setting);
    Map<String, Object> a = new HashMap<>(settings);
    a.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", usable));
    int ms = remainingMillis(deadline);
    a.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
    a.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
    a.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MS_CONFIG, ms);
    a.put(AdminClientConfig.SOCKET_CONNECTION_SETUP_TIMEOUT_MAX_MS_CONFIG, ms);
    // one reconnection a second at most: a warning a second, not one every few milliseconds
    a.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, 1000);
    a.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    Admin admin;
    try {
      admin = Admin.create(a);
    } catch (KafkaException e) {
      throw new IllegalArgumentException("the Kafka client settings are refused: "
          + rootMessage(e), e);
    }
    try {
      admin.describeCluster(new DescribeClusterOptions().timeoutMs(ms)).nodes()
          .get(ms + 500L, TimeUnit.MILLISECONDS);
      if (!topics.isEmpty()) {
        Set<String> present = admin.listTopics(new ListTopicsOptions()
            .timeoutMs(remainingMillis(deadline))).names()
            .get(remainingMillis(deadline) + 500L, TimeUnit.MILLISECONDS);
        List<String> missing = topics.stream().filter(t -> !present.contains(t)).sorted()
            .toList();
        if (!missing.isEmpty()) {
          throw new ClusterException(Main.EXIT_TOPICS_MISSING, (missing.size() == 1
              ? "topic " + missing.get(0) + " does not exist" : "topics missing: " + missing)
              + " on the Kafka cluster at " + servers + "; create "
              + (missing.size() == 1 ? "it" : "them") + " from topics/ (docker/create-topics.sh"
              + " does, or run with topics.create=true)");
        }
      }
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new ClusterException(Main.EXIT_UNREACHABLE, "cannot use Kafka at " + servers + " ("
          + setting + "): " + adminCause(cause, usable, probes, settings, timeout), cause);
    } finally {
      admin.close(Duration.ZERO);
    }
  }

  /** The {@code host:port} pairs of a bootstrap list, as Kafka's clients read them. */
  static List<String[]> addresses(String servers) {
    List<String[]> out = new ArrayList<>();
    for (String s : servers.split(",")) {
      String a = s.trim();
      if (a.isEmpty()) {
        continue;
      }
      String host = Utils.getHost(a);
      Integer port = Utils.getPort(a);
      if (host == null || port == null || port < 1 || port > 65535) {
        throw new IllegalArgumentException("bootstrap servers: '" + a + "' is not HOST:PORT");
      }
      out.add(new String[] {host, Integer.toString(port)});
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("bootstrap servers: none given");
    }
    return out;
  }

  /** Every address probed at once, each until the deadline. */
  private static List<Result> probeAll(List<String[]> addresses, long deadline)
      throws InterruptedException {
    List<CompletableFuture<Result>> probes = new ArrayList<>();
    for (String[] hp : addresses) {
      CompletableFuture<Result> f = new CompletableFuture<>();
      Thread t = new Thread(() -> f.complete(
          BrokerProbe.probe(hp[0], Integer.parseInt(hp[1]), deadline)), "mfstream-probe");
      t.setDaemon(true); // a name lookup cannot be interrupted: it is left behind
      t.start();
      probes.add(f);
    }
    List<Result> out = new ArrayList<>();
    for (int i = 0; i < probes.size(); i++) {
      String address = addresses.get(i)[0] + ":" + addresses.get(i)[1];
      try {
        out.add(probes.get(i).get(remainingMillis(deadline) + 200L, TimeUnit.MILLISECONDS));
      } catch (TimeoutException e) {
        out.add(new Result(address, Found.NO_CONNECTION, "the name lookup did not finish"));
      } catch (ExecutionException e) {
        throw new IllegalStateException(e.getCause());
      }
    }
    return out;
  }

  /** Whether a Kafka client configured so could talk to what the probe found. */
  private static boolean mayBeKafka(Result r, boolean tls) {
    return switch (r.found()) {
      case KAFKA -> !tls;
      case TLS -> tls;
      case CLOSED -> true; // a TLS listener may close on a plaintext request without an alert
      default -> false;
    };
  }

  private static String causes(List<Result> probes, Map<String, Object> settings,
      Duration timeout) {
    if (probes.size() == 1) {
      return cause(probes.get(0), settings, timeout);
    }
    return probes.stream().map(r -> r.address() + ": " + cause(r, settings, timeout))
        .collect(Collectors.joining("; "));
  }

  /** The likely cause of what the probe found, with what to check. */
  static String cause(Result r, Map<String, Object> settings, Duration timeout) {
    String protocol = securityProtocol(settings);
    String seconds = seconds(timeout);
    return switch (r.found()) {
      case UNKNOWN_HOST -> "the host name does not resolve (DNS): a typo, or a name known only "
          + "inside another network (a Docker or Kubernetes service)?";
      case REFUSED -> "nothing listens there (connection refused): is the broker running, and "
          + "is the port right?";
      case NO_ROUTE -> "no route to the host: is the address right, and the network up?";
      case NO_CONNECTION -> (r.detail() != null && r.detail().startsWith("the name lookup")
          ? "the host name lookup did not finish" : "no connection") + " within " + seconds
          + ": is the host up, or does a firewall drop the packets?";
      case SILENT -> "something accepted the connection but did not answer a Kafka request "
          + "within " + seconds + ": not a Kafka port, or a broker too busy to answer?";
      case HTTP -> "an HTTP server answers there, not Kafka: wrong port? (Kafka listens on "
          + "9092 by default)";
      case NOT_KAFKA -> "something answers there, but not as Kafka does: wrong port?";
      case CLOSED -> "the connection was closed without an answer: "
          + (protocol.contains("SSL") ? "not Kafka?" : "a listener that expects TLS "
          + "(security.protocol=SSL or SASL_SSL), or not Kafka?");
      case TLS -> "the listener expects TLS, but security.protocol is " + protocol + ": set "
          + "security.protocol=SSL (or SASL_SSL) and a truststore (ssl.truststore.location)";
      case KAFKA -> "a plaintext Kafka listener, but security.protocol is " + protocol + ": use "
          + "the port of the TLS listener, or security.protocol=PLAINTEXT (or SASL_PLAINTEXT)";
    };
  }

  private static String adminCause(Throwable cause, List<String> usable, List<Result> probes,
      Map<String, Object> settings, Duration timeout) {
    String at = String.join(",", usable);
    if (cause instanceof SaslAuthenticationException) {
      return "the broker at " + at + " refused the SASL login (" + cause.getMessage() + "): "
          + "check sasl.mechanism and the user and password in sasl.jaas.config";
    }
    if (cause instanceof SslAuthenticationException) {
      return "the TLS handshake with " + at + " failed (" + rootMessage(cause) + "): is the "
          + "broker's certificate, or its CA, in ssl.truststore.location, and does its name "
          + "match the address?";
    }
    if (cause instanceof AuthenticationException) {
      return "the broker at " + at + " refused the connection's authentication ("
          + cause.getMessage() + "): do security.protocol (" + securityProtocol(settings)
          + ") and sasl.mechanism match the listener?";
    }
    if (cause instanceof TimeoutException
        || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      List<Result> closed = probes.stream().filter(r -> r.found() == Found.CLOSED).toList();
      return closed.isEmpty()
          ? "a Kafka listener at " + at + " accepted the connection, but the cluster did not "
              + "describe itself within " + seconds(timeout) + ": do security.protocol ("
              + securityProtocol(settings) + ") and the sasl.* and ssl.* settings match the "
              + "listener, can the addresses the brokers advertise (advertised.listeners) be "
              + "reached from here, or is the broker overloaded?"
          : causes(closed, settings, timeout);
    }
    return "the cluster refused the request: " + rootMessage(cause);
  }

  /**
   * The brokers the cluster advertises, which every client connects to after the bootstrap
   * address: at least one must be reachable from here. Known from the plaintext listeners'
   * metadata (the probe's); behind TLS or SASL, an Admin client that cannot reach them times
   * out, and the message says to look at them too.
   */
  private static void requireAdvertisedReachable(String servers, List<Result> probes,
      long deadline, String setting) throws InterruptedException {
    Set<String> advertised = probes.stream().filter(r -> r.advertised() != null)
        .flatMap(r -> r.advertised().stream()).collect(Collectors.toCollection(
            java.util.LinkedHashSet::new));
    Set<String> probed = probes.stream().filter(r -> r.found() == Found.KAFKA)
        .map(Result::address).collect(Collectors.toSet());
    if (advertised.isEmpty() || advertised.stream().anyMatch(probed::contains)) {
      return;
    }
    // at least a second for this step, even when the bootstrap probes took most of the time
    long until = Math.max(deadline, System.nanoTime() + 1_000_000_000L);
    List<String[]> addresses = new ArrayList<>();
    for (String a : advertised) {
      addresses.add(new String[] {Utils.getHost(a), String.valueOf(Utils.getPort(a))});
    }
    List<Result> found = probeAll(addresses, until);
    if (found.stream().anyMatch(r -> r.found().compareTo(Found.SILENT) >= 0)) {
      return;
    }
    throw new ClusterException(Main.EXIT_UNREACHABLE, "Kafka at " + servers + " (" + setting
        + ") answered, but the brokers it advertises (" + String.join(",", advertised)
        + ") cannot be reached from here (" + found.stream().map(r -> r.address() + ": "
        + r.found().name().toLowerCase(Locale.ROOT).replace('_', ' '))
        .collect(Collectors.joining(", ")) + "): the brokers' advertised.listeners name "
        + "addresses of another network (a Docker or Kubernetes one?); connect through a "
        + "listener that advertises an address reachable from this machine");
  }

  private static String securityProtocol(Map<String, Object> settings) {
    Object p = settings.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG);
    return p == null ? "PLAINTEXT" : p.toString().trim().toUpperCase(Locale.ROOT);
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s"
        : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  private static int remainingMillis(long deadlineNanos) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE,
        (deadlineNanos - System.nanoTime()) / 1_000_000));
  }

  private static String rootMessage(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) {
      r = r.getCause();
    }
    return r.getMessage() == null ? r.getClass().getSimpleName() : r.getMessage();
  }
}
