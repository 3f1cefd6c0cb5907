package io.mfstream.stream.status;

/**
 * The events the pipeline reports as they happen, for metrics. The topology calls these from
 * stream threads; implementations must be thread-safe and cheap (they run once per rating).
 * Per-model state (version, vocabulary sizes, RMSE) is not pushed here: it is read from the
 * {@link StatusBoard}; rejections per reason are read from
 * {@link io.mfstream.stream.validate.RejectionCounts}.
 */
public interface PipelineMetrics {

  /** The kinds of request the serving side answers. */
  enum RequestKind {
    PREDICTION("prediction"),
    RECOMMENDATION("recommendation");

    private final String label;

    RequestKind(String label) {
      this.label = label;
    }

    /** The value of the {@code kind} label. */
    public String label() {
      return label;
    }
  }

  /** One record was read from {@code ratings} (valid or not). */
  void ratingReceived();

  /**
   * One SGD step ran.
   *
   * @param model the model's name
   * @param batchSize ratings in the step
   * @param nanos how long the step took, including writing the changed rows to the store
   */
  void stepTaken(String model, int batchSize, long nanos);

  /**
   * One rating was learned from by a step.
   *
   * @param model the model's name
   * @param delayMillis from the rating's record timestamp (when it was produced to
   *     {@code ratings}) to the step that learned from it; not negative
   */
  void ratingLearned(String model, long delayMillis);

  /**
   * A request was answered.
   *
   * @param kind prediction or recommendation
   * @param latencyMillis from the request's record timestamp to the answer; not negative
   */
  void requestAnswered(RequestKind kind, long latencyMillis);

  /** Metrics that record nothing: for tests and tools that do not serve metrics. */
  PipelineMetrics NONE = new PipelineMetrics() {
    @Override
    public void ratingReceived() {}

    @Override
    public void stepTaken(String model, int batchSize, long nanos) {}

    @Override
    public void ratingLearned(String model, long delayMillis) {}

    @Override
    public void requestAnswered(RequestKind kind, long latencyMillis) {}
  };
}
