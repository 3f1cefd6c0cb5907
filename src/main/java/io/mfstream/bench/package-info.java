/**
 * The benchmarks of {@code bench}, {@code bench-stream}, {@code bench-serve} and {@code
 * bench-memory} ({@code docs/BENCHMARKS.md}).
 * {@link io.mfstream.bench.TrainingBenchmark} measures training throughput per network and batch
 * size beside {@link io.mfstream.bench.ScalarReferenceMf}, plain MF in scalar Java (the
 * yardstick), and can profile a step kernel by kernel; {@link io.mfstream.bench.ServingBenchmark}
 * measures answers per second and their latency, over the request topics or over HTTP, while the
 * models learn; {@link io.mfstream.bench.StreamingBenchmark} measures the pipeline's throughput
 * against {@link io.mfstream.bench.PassThroughCeiling}, what Kafka alone costs in the same shape,
 * with {@link io.mfstream.bench.TopicTally} counting what was written to each topic; {@link
 * io.mfstream.bench.MemoryBenchmark} runs the pipeline until its models have learned a dataset
 * and {@link io.mfstream.bench.MemoryBreakdown} says where its bytes are (with {@link
 * io.mfstream.bench.TrainerMemory} and {@link io.mfstream.bench.JvmMemory}). Results go to the
 * {@code PrintWriter} the command passes.
 */
package io.mfstream.bench;
