/** picocli commands; each parses its arguments and calls one thing. */
package io.mergelab.cli;
