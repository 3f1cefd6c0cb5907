/**
 * Row-level compute kernels behind the networks, in two implementations chosen by backend: host
 * loops over ND4J's memory on the CPU, pure ND4J ops elsewhere (CUDA). See
 * {@link io.mfstream.model.kernel.Kernels} for why.
 */
package io.mfstream.model.kernel;
