package io.mfstream.app;

import io.mfstream.http.Health;
import io.mfstream.http.OpsServer;
import io.mfstream.metrics.MicrometerMetrics;
import io.mfstream.stream.status.StatusBoard;
import io.mfstream.stream.status.Tally;
import io.mfstream.stream.validate.RejectionCounts;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole application as {@code run} starts it: the {@link Pipeline}, its Micrometer metrics
 * (with Kafka's own client and RocksDB metrics bound) and the HTTP server with the status page,
 * {@code /metrics} and the health endpoints. Tests start exactly this.
 */
public final class Service implements AutoCloseable {
  private final StatusBoard board;
  private final RejectionCounts rejections;
  private final MicrometerMetrics metrics;
  private final Tally tally;
  private final OpsServer ops;
  private final Pipeline pipeline;
  private final MicrometerMetrics.Binding kafkaMetrics;
  private final MicrometerMetrics.Binding servingKafkaMetrics;

  private Service(StatusBoard board, RejectionCounts rejections, MicrometerMetrics metrics,
      Tally tally, OpsServer ops, Pipeline pipeline, MicrometerMetrics.Binding kafkaMetrics,
      MicrometerMetrics.Binding servingKafkaMetrics) {
    this.servingKafkaMetrics = servingKafkaMetrics;
    this.board = board;
    this.rejections = rejections;
    this.metrics = metrics;
    this.tally = tally;
    this.ops = ops;
    this.pipeline = pipeline;
    this.kafkaMetrics = kafkaMetrics;
  }

  /**
   * Starts the HTTP server first (so health checks answer, "not ready", while the pipeline
   * starts), then the pipeline, then binds Kafka's metrics.
   */
  public static Service start(AppConfig config) throws IOException, InterruptedException {
    StatusBoard board = new StatusBoard();
    RejectionCounts rejections = new RejectionCounts();
    MicrometerMetrics metrics = new MicrometerMetrics(board, rejections);
    Tally tally = new Tally(metrics);
    AtomicReference<Pipeline> running = new AtomicReference<>();
    OpsServer ops = null;
    try {
      if (config.httpPort() > 0) {
        ops = OpsServer.start(config.httpPort(), board, metrics::scrape, () -> {
          Pipeline p = running.get();
          return p == null ? Health.State.CREATED
              : Health.State.named(p.state().name());
        });
      }
      Pipeline pipeline = Pipeline.start(config, tally, board, rejections);
      running.set(pipeline);
      if (ops != null) {
        ops.serve(pipeline.replicas());
      }
      return new Service(board, rejections, metrics, tally, ops, pipeline,
          metrics.bindKafkaStreams(pipeline.streams()),
          metrics.bindKafkaStreams(pipeline.serving()));
    } catch (IOException | InterruptedException | RuntimeException e) {
      if (ops != null) {
        ops.close();
      }
      metrics.close();
      throw e;
    }
  }

  public Pipeline pipeline() {
    return pipeline;
  }

  public StatusBoard board() {
    return board;
  }

  public RejectionCounts rejections() {
    return rejections;
  }

  /** Events counted for the status line. */
  public Tally tally() {
    return tally;
  }

  /** The HTTP server's port, or 0 when it is off. */
  public int httpPort() {
    return ops == null ? 0 : ops.port();
  }

  @Override
  public void close() {
    try {
      kafkaMetrics.close();
      servingKafkaMetrics.close();
      pipeline.close();
    } finally {
      if (ops != null) {
        ops.close();
      }
      metrics.close();
    }
  }
}
