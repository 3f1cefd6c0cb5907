/**
 * The {@code mfstream} command line (picocli): {@code train}, {@code prequential}, {@code
 * compare}, {@code bench}, {@code download}, {@code generate}, {@code replay}, {@code run},
 * {@code ask}, {@code produce}, {@code bench-stream} and {@code bench-serve}. The only package
 * that writes to standard output.
 */
package io.mfstream.cli;
