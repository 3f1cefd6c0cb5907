package io.mfstream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.mfstream.testing.DeploymentTest;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.w3c.dom.Document;

/**
 * The Dockerfile, read statically (no Docker engine here): pinned bases, the backend build
 * argument, the runtime conventions of docs/CONFIGURATION.md, the build context, and its
 * HEALTHCHECK command run against a local HTTP server.
 */
@DeploymentTest
@Timeout(300)
class DockerfileTest {

  private static final Pattern PINNED_TAG = Pattern.compile("v?\\d+\\.\\d+\\.\\d+[-._a-z0-9]*");
  private static final String STATE_DIR = "/var/lib/mfstream/state";
  private static final String CONFIG_FILE = "/etc/mfstream/mfstream.properties";

  private final Dockerfile dockerfile = Dockerfile.read(DeployFiles.DOCKERFILE);

  /** name:tag of an image reference; fails on a digest-less floating or missing tag. */
  static void assertPinned(String image) {
    String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int colon = name.lastIndexOf(':');
    assertTrue(colon > name.lastIndexOf('/'), image + " has no tag");
    String tag = name.substring(colon + 1);
    assertTrue(PINNED_TAG.matcher(tag).matches(),
        image + ": tag '" + tag + "' is not a concrete x.y.z version");
  }

  private Map<String, String> finalEnv() {
    Map<String, String> env = new TreeMap<>();
    for (Dockerfile.Instruction i : dockerfile.finalStage("ENV")) {
      Matcher m = Pattern.compile("([A-Z_]+)=(\"[^\"]*\"|\\S+)").matcher(i.arguments());
      while (m.find()) {
        env.put(m.group(1), m.group(2).replaceAll("^\"|\"$", ""));
      }
    }
    return env;
  }

  @Test
  void shouldPinEveryBaseImageAndNameTheStagesTheBackendSelects() {
    List<String> stages = new ArrayList<>();
    for (Dockerfile.Instruction from : dockerfile.all("FROM")) {
      String[] words = from.arguments().split("\\s+");
      assertTrue(words.length == 3 && words[1].equalsIgnoreCase("AS"),
          "every stage is named: " + from);
      stages.add(words[2]);
      if (!words[0].contains("${")) {
        assertPinned(words[0]);
      }
    }
    assertEquals(List.of("build", "runtime-cpu", "runtime-cuda", "runtime"), stages);
    // The final stage is chosen by BACKEND, whose values are exactly the runtime-* stages.
    assertEquals("runtime-${BACKEND}",
        dockerfile.all("FROM").get(3).arguments().split("\\s+")[0]);
    for (Dockerfile.Instruction copy : dockerfile.all("COPY")) {
      Matcher from = Pattern.compile("--from=(\\S+)").matcher(copy.arguments());
      if (from.find() && !stages.contains(from.group(1))) {
        assertPinned(from.group(1));
      }
    }
    String firstInstruction = dockerfile.instructions().get(0).keyword() + " "
        + dockerfile.instructions().get(0).arguments();
    assertEquals("ARG BACKEND=cpu", firstInstruction, "BACKEND is global, cpu by default");
  }

  @Test
  void shouldBuildWithTheWrapperOnAJdk17AndRunOnJava17() {
    List<Dockerfile.Instruction> from = dockerfile.all("FROM");
    assertTrue(from.get(0).arguments().startsWith("eclipse-temurin:17."), "build on Temurin 17");
    assertTrue(from.get(0).arguments().contains("-jdk"), "the build stage has a JDK");
    assertTrue(from.get(1).arguments().startsWith("eclipse-temurin:17."), "cpu runtime");
    assertTrue(from.get(1).arguments().contains("-jre"), "the cpu runtime is a JRE");
    // The CUDA runtime carries the very same JRE.
    String cpuJre = from.get(1).arguments().split("\\s+")[0];
    assertTrue(dockerfile.all("COPY").stream().anyMatch(c -> c.stage() == 2
        && c.arguments().equals("--from=" + cpuJre + " /opt/java/openjdk /opt/java/openjdk")));
    assertTrue(from.get(2).arguments().startsWith("nvidia/cuda:11.6."),
        "nd4j-cuda-11.6 needs a CUDA 11.6 runtime");

    List<String> build = dockerfile.instructions().stream()
        .filter(i -> i.stage() == 0)
        .map(i -> i.keyword() + " " + i.arguments())
        .toList();
    int pom = build.indexOf("COPY pom.xml ./");
    int goOffline = indexOf(build, "dependency:go-offline");
    int src = build.indexOf("COPY src src");
    int packageStep = indexOf(build, "package -DskipTests");
    assertTrue(pom >= 0 && pom < goOffline && goOffline < src && src < packageStep,
        "pom first, its dependencies cached, then the sources: " + build);
    for (String step : List.of(build.get(goOffline), build.get(packageStep))) {
      assertTrue(step.contains("./mvnw -B -ntp $backend_flag "), step);
      assertTrue(step.contains("cuda) backend_flag=-Dcuda"), "-Dcuda for BACKEND=cuda: " + step);
    }
    assertTrue(build.get(goOffline).contains("*) echo \"BACKEND must be cpu or cuda"),
        "an unknown BACKEND fails the build");
  }

  private static int indexOf(List<String> steps, String part) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).contains(part)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void shouldRunAsUid10001WithTheStateVolumeConfigAndJavacppCacheOfTheDocs() {
    assertEquals("10001:10001", dockerfile.onlyInFinalStage("USER").arguments());
    String run = dockerfile.finalStage("RUN").stream().map(Dockerfile.Instruction::arguments)
        .collect(Collectors.joining("\n"));
    assertTrue(run.contains("--uid 10001 --gid 10001"), run);
    assertTrue(run.contains("--gid 10001 mfstream"), run);
    assertTrue(run.contains("mkdir -p " + STATE_DIR), run);
    assertTrue(run.contains("chown -R 10001:10001 /var/lib/mfstream"), run);
    assertEquals(List.of(STATE_DIR),
        Dockerfile.execArray(dockerfile.onlyInFinalStage("VOLUME").arguments()));
    Map<String, String> env = finalEnv();
    // state.dir comes from the shipped config file; an MFSTREAM_* variable in the image would
    // override the file a deployment mounts (the Helm chart's ConfigMap).
    assertTrue(env.keySet().stream().noneMatch(k -> k.startsWith("MFSTREAM_")), env.toString());
    assertTrue(DeployFiles.text(java.nio.file.Path.of("docker/mfstream.properties"))
        .contains("\nstate.dir=" + STATE_DIR + "\n"));
    assertTrue(env.get("JAVA_TOOL_OPTIONS").contains("-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"));
    // docs/CONFIGURATION.md describes this image; it must keep saying what the image does.
    String docs = DeployFiles.text(DeployFiles.CONFIGURATION_DOC);
    for (String fact : List.of("uid 10001", "state.dir=" + STATE_DIR, CONFIG_FILE,
        "-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp")) {
      assertTrue(docs.contains(fact), "docs/CONFIGURATION.md no longer says " + fact);
    }
  }

  @Test
  void shouldStartTheRunCommandWithTheConfigFileItShips() throws IOException {
    assertEquals(List.of("java", "-jar", "/app/mfstream.jar"),
        dockerfile.onlyInFinalStage("ENTRYPOINT").execForm());
    assertEquals(List.of("run", "--config", CONFIG_FILE),
        dockerfile.onlyInFinalStage("CMD").execForm());
    Set<String> copies = dockerfile.finalStage("COPY").stream()
        .map(Dockerfile.Instruction::arguments).collect(Collectors.toSet());
    assertEquals(Set.of(
        "--from=build /src/target/lib /app/lib",
        "--from=build /src/target/mfstream.jar /app/mfstream.jar",
        "topics /app/topics",
        DeployFiles.IMAGE_CONFIG + " " + CONFIG_FILE), copies);
    // The shipped config: documented keys only, pointing at the topics copied into the image.
    Properties config = new Properties();
    config.load(new StringReader(DeployFiles.text(DeployFiles.IMAGE_CONFIG)));
    Map<String, String> documented = DeployFiles.documentedSettings();
    for (String key : config.stringPropertyNames()) {
      assertTrue(DeployFiles.isDocumentedSetting(key, documented), key + " is not documented");
    }
    assertEquals("/app/topics", config.getProperty("topics.dir"));
  }

  @Test
  void shouldExposeTheDocumentedHttpPort() {
    String port = DeployFiles.documentedSettings().get("http.port");
    assertEquals("8080", port);
    assertEquals(port, dockerfile.onlyInFinalStage("EXPOSE").arguments());
  }

  /** The jar finds its dependencies in lib/ beside it, as the image lays them out. */
  @Test
  void shouldMatchTheLayoutThePomBuilds() throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    Document pom = factory.newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    assertEquals("mfstream", pom.getElementsByTagName("finalName").item(0).getTextContent());
    assertEquals("lib/", pom.getElementsByTagName("classpathPrefix").item(0).getTextContent());
    String xml = DeployFiles.text(Path.of("pom.xml"));
    assertTrue(xml.contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>"));
    assertTrue(xml.contains("<name>cuda</name>"), "the cuda profile is switched on by -Dcuda");
  }

  @Test
  void shouldSendEverythingTheBuildCopiesAndLittleElse() {
    List<String> sources = new ArrayList<>();
    for (Dockerfile.Instruction copy : dockerfile.all("COPY")) {
      if (copy.arguments().startsWith("--from=")) {
        continue;
      }
      String[] words = copy.arguments().split("\\s+");
      for (int i = 0; i < words.length - 1; i++) {
        sources.add(words[i]);
      }
    }
    assertTrue(sources.containsAll(List.of("mvnw", ".mvn", "pom.xml", "src", "topics")),
        sources.toString());
    for (String source : sources) {
      Path path = Path.of(source);
      assertTrue(Files.exists(path), source + " does not exist");
      List<Path> files = new ArrayList<>();
      try (var walk = Files.walk(path)) {
        walk.filter(Files::isRegularFile).forEach(files::add);
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertFalse(files.isEmpty(), source);
      for (Path file : files) {
        assertTrue(Dockerfile.inContext(DeployFiles.DOCKERIGNORE, file.toString()),
            file + " is copied but .dockerignore leaves it out");
      }
    }
    for (String excluded : List.of("target/mfstream.jar", "data/ml-100k/u.data", ".git/HEAD",
        "docker-compose.yml", "monitoring/prometheus/prometheus.yml", "README.md")) {
      assertFalse(Dockerfile.inContext(DeployFiles.DOCKERIGNORE, excluded),
          excluded + " is in the build context");
    }
  }

  // ---- HEALTHCHECK ---------------------------------------------------------------------------

  /** Runs the health check as Docker would, with MFSTREAM_HTTP_PORT set. */
  static int runHealthcheck(List<String> command, int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("MFSTREAM_HTTP_PORT", Integer.toString(port));
    Process p = pb.start();
    p.getOutputStream().close();
    try (InputStream in = p.getInputStream()) {
      in.readAllBytes();
    }
    assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the health check hangs");
    return p.exitValue();
  }

  @Test
  void shouldPassTheHealthCheckOnlyWhenHealthzAnswers200() throws Exception {
    List<String> command = dockerfile.healthcheckCommand();
    assertEquals("bash", command.get(0), "bash is in every Ubuntu-based image");
    List<String> paths = new CopyOnWriteArrayList<>();
    int[] status = {200};
    HttpServer server = HttpServer.create(
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      paths.add(exchange.getRequestURI().getPath());
      byte[] body = "ok\n".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(exchange.getRequestURI().getPath().equals("/healthz")
          ? status[0] : 404, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    int port = server.getAddress().getPort();
    try {
      assertEquals(0, runHealthcheck(command, port), "healthy on 200");
      assertEquals(List.of("/healthz"), paths);
      status[0] = 503;
      assertNotEquals(0, runHealthcheck(command, port), "unhealthy on 503");
      status[0] = 200; // again: the check follows the answer, not a cached state
      assertEquals(0, runHealthcheck(command, port));
    } finally {
      server.stop(0);
    }
    int closed;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = free.getLocalPort();
    }
    assertNotEquals(0, runHealthcheck(command, closed), "unhealthy when nothing listens");
  }
}
