/**
 * The {@code mfstream} command line (picocli): {@code train}, {@code prequential}, {@code bench},
 * {@code download}, {@code generate}. The only package that writes to standard output.
 */
package io.mfstream.cli;
