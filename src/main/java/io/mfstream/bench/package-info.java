/**
 * The benchmarks of {@code bench} and {@code bench-serve} ({@code docs/BENCHMARKS.md}).
 * {@link io.mfstream.bench.TrainingBenchmark} measures training throughput per network and batch
 * size beside {@link io.mfstream.bench.ScalarReferenceMf}, plain MF in scalar Java (the
 * yardstick), and can profile a step kernel by kernel; {@link io.mfstream.bench.ServingBenchmark}
 * measures answers per second and their latency, over the request topics or over HTTP, while the
 * models learn. Results go to the {@code PrintWriter} the command passes. {@code bench-stream}'s
 * benchmark lives in {@code io.mfstream.stream.app}.
 */
package io.mfstream.bench;
