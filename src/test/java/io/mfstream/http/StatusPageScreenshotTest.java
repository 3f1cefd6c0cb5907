package io.mfstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mfstream.stream.status.ModelStatus;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.testing.Await;
import io.mfstream.testing.UnitTest;
import java.awt.image.BufferedImage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the status page in headless Chromium against a live {@link OpsServer} and looks at the
 * pixels. Skipped without Chromium unless {@code CI} is set (see {@link HeadlessChromium}).
 *
 * <p>The PNG is written to {@code target/status-page.png}; with {@code
 * -Dmfstream.screenshot.publish=true} it is also copied to {@code docs/images/status-page.png}.
 */
@UnitTest
@Timeout(240)
class StatusPageScreenshotTest {

  /** The page's first three colours (PALETTE in status-page.html), for models in name order. */
  static final List<Integer> CURVE_COLOURS = List.of(0x0072B2, 0xD55E00, 0x009E73);
  /** A pixel counts as a curve's colour when every channel is within this of it. */
  static final int TOLERANCE = 40;

  /** Three models whose RMSE falls at different speeds towards different floors. */
  static final List<FakeModel> MODELS = List.of(
      new FakeModel("biased-mf", "biased-mf", 0.93, 40),
      new FakeModel("mlp", "mlp", 0.97, 70),
      new FakeModel("plain-mf", "plain-mf", 1.02, 25));

  record FakeModel(String name, String type, double floor, double tauSeconds) {
    /** The model's rolling RMSE after {@code seconds} of (simulated) training. */
    double rmse(double seconds) {
      return floor + (1.25 - floor) * Math.exp(-seconds / tauSeconds)
          + 0.004 * Math.sin(seconds * 0.31 + floor * 10) + 0.003 * Math.sin(seconds * 1.7);
    }
  }

  @Test
  void shouldDrawEveryModelsFallingRmseCurveInItsOwnColour(@TempDir Path profile)
      throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    String page = new String(OpsServer.class.getResourceAsStream(OpsServer.STATUS_PAGE)
        .readAllBytes(), StandardCharsets.UTF_8);
    for (int colour : CURVE_COLOURS) {
      assertTrue(page.contains(String.format("\"#%06X\"", colour)),
          "the page's palette no longer holds " + String.format("#%06X", colour));
    }

    StatusBoard board = new StatusBoard();
    // Simulated time runs 30 times faster than real time, so a few seconds of test show a few
    // minutes of training; the server's samples are stamped with the same simulated clock.
    SimulatedClock clock = new SimulatedClock(30);
    try (Feeder feeder = new Feeder(board, clock);
        OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
            () -> "", () -> Health.State.RUNNING,
            new OpsServer.Options(Duration.ofMillis(50), 3600), clock::millis)) {
      feeder.start();
      awaitSamples(server, 120);

      Path png = Path.of("target", "status-page.png");
      Files.createDirectories(png.getParent());
      chromium.screenshot(server.uri().toString(), png, profile);

      BufferedImage image = ImageIO.read(png.toFile());
      assertEquals(HeadlessChromium.WIDTH, image.getWidth(), "width");
      assertEquals(HeadlessChromium.HEIGHT, image.getHeight(), "height");
      for (int i = 0; i < MODELS.size(); i++) {
        assertFallingCurve(image, MODELS.get(i).name(), CURVE_COLOURS.get(i));
      }
      if (Boolean.getBoolean("mfstream.screenshot.publish")) {
        Path published = Path.of("docs", "images", "status-page.png");
        Files.createDirectories(published.getParent());
        Files.copy(png, published, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  @Test
  void shouldListTheModelsInTheTableOnceTheyReport(@TempDir Path profile) throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    StatusBoard board = new StatusBoard();
    board.declare("dropout-mlp");
    board.publish(new ModelStatus("biased-mf", "biased-mf", 1234, 19744, 19750, 6, 943, 1650,
        1000, 0.9531, 1.0112, 2710, System.currentTimeMillis()));
    try (OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
        () -> "", () -> Health.State.REBALANCING,
        new OpsServer.Options(Duration.ofMillis(50), 100))) {
      awaitSamples(server, 1);
      String dom = withoutScripts(chromium.dumpDom(server.uri().toString(), profile));
      assertTrue(dom.contains("<td class=\"name\"><span class=\"swatch\""), dom);
      for (String cell : List.of(">biased-mf<", ">1,234<", ">19,744<", ">0.9531<", ">1.0112<",
          ">943<", ">1,650<", ">6<", ">dropout-mlp<", "waiting for its first rating",
          ">REBALANCING<")) {
        assertTrue(dom.contains(cell), "the rendered page lacks " + cell + ":\n" + dom);
      }
      assertFalse(dom.contains("No model has reported yet"), dom);
      assertFalse(dom.contains("Cannot reach the server"), dom);
    }
  }

  @Test
  void shouldSayClearlyThatNoModelHasReportedYet(@TempDir Path profile) throws Exception {
    HeadlessChromium chromium = HeadlessChromium.require();
    StatusBoard board = new StatusBoard();
    board.declare("biased-mf");
    board.declare("mlp");
    try (OpsServer server = OpsServer.start(new InetSocketAddress("127.0.0.1", 0), board,
        () -> "", () -> Health.State.CREATED, OpsServer.Options.DEFAULTS)) {
      String dom = withoutScripts(chromium.dumpDom(server.uri().toString(), profile));
      assertTrue(dom.contains("No model has reported yet."), dom);
      assertTrue(dom.contains("Waiting for the first ratings of biased-mf, mlp."), dom);
      assertFalse(dom.contains("<table"), "a table of no models was drawn:\n" + dom);
      assertFalse(dom.contains("<path"), "a curve was drawn:\n" + dom);
    }
  }

  /**
   * Asserts a curve of {@code colour} runs across the chart and falls. A legend key or a table
   * swatch covers at most about 20 columns, so a curve is what covers hundreds; RMSE falls, so the
   * curve's left part is drawn higher (smaller y) than its right part.
   */
  static void assertFallingCurve(BufferedImage image, String model, int colour) {
    List<int[]> columns = new ArrayList<>();   // {x, mean y} of columns holding the colour
    TreeSet<Integer> xs = new TreeSet<>();
    for (int x = 0; x < image.getWidth(); x++) {
      long sum = 0;
      int n = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        if (near(image.getRGB(x, y), colour)) {
          sum += y;
          n++;
        }
      }
      if (n > 0) {
        columns.add(new int[] {x, (int) (sum / n)});
        xs.add(x);
      }
    }
    String what = model + " (" + String.format("#%06X", colour) + ")";
    assertTrue(columns.size() >= 400, "the curve of " + what + " covers only " + columns.size()
        + " pixel columns; expected a curve across the chart");
    int fifth = columns.size() / 5;
    double left = columns.subList(0, fifth).stream().mapToInt(c -> c[1]).average().orElseThrow();
    double right = columns.subList(columns.size() - fifth, columns.size()).stream()
        .mapToInt(c -> c[1]).average().orElseThrow();
    assertTrue(left + 20 < right, "the curve of " + what + " does not fall: mean y " + left
        + " on the left, " + right + " on the right");
  }

  /** The DOM without its scripts, whose source holds every message the page might show. */
  static String withoutScripts(String dom) {
    return dom.replaceAll("(?s)<script\\b.*?</script>", "");
  }

  static boolean near(int rgb, int colour) {
    for (int shift = 0; shift <= 16; shift += 8) {
      if (Math.abs(((rgb >> shift) & 0xFF) - ((colour >> shift) & 0xFF)) > TOLERANCE) {
        return false;
      }
    }
    return true;
  }

  static void awaitSamples(OpsServer server, int samples) {
    Await.until(Duration.ofSeconds(30), samples + " samples of the first model",
        () -> !server.history().models().isEmpty()
            && server.history().samples(server.history().models().get(0)).size() >= samples);
  }

  /** A clock that runs {@code speed} times faster than the real one from its creation. */
  static final class SimulatedClock {
    private final long start = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private final int speed;

    SimulatedClock(int speed) {
      this.speed = speed;
    }

    long millis() {
      return start + (System.nanoTime() - startNanos) / 1_000_000 * speed;
    }

    double seconds() {
      return (millis() - start) / 1000.0;
    }
  }

  /** Publishes the fake models' statuses every 10 ms (real time) on its own thread. */
  static final class Feeder implements AutoCloseable {
    private final StatusBoard board;
    private final SimulatedClock clock;
    private final Thread thread;
    private volatile boolean running = true;

    Feeder(StatusBoard board, SimulatedClock clock) {
      this.board = board;
      this.clock = clock;
      MODELS.forEach(model -> board.declare(model.name()));
      this.thread = new Thread(this::run, "status-feeder");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      double start = clock.seconds();
      while (running) {
        double seconds = clock.seconds() - start;
        long scored = (long) (seconds * 800);   // 800 ratings per simulated second
        for (FakeModel model : MODELS) {
          long trained = scored / 16 * 16;
          board.publish(new ModelStatus(model.name(), model.type(), trained / 16, trained,
              scored, (int) (scored - trained), (int) Math.min(943, 40 + scored / 60),
              (int) Math.min(1682, 80 + scored / 40), 1000, model.rmse(seconds),
              model.rmse(seconds) + 0.04, scored / 9, clock.millis()));
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      running = false;
      thread.interrupt();
      thread.join(5000);
    }
  }
}
