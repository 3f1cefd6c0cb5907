/**
 * The {@code mfstream} command line (picocli): {@code train}, {@code prequential}, {@code bench},
 * {@code download}, {@code generate}, {@code replay}. The only package that writes to standard
 * output.
 */
package io.mfstream.cli;
