/**
 * Runnable programs that show batchfetch at work: {@link
 * dev.batchfetch.examples.ClassicComparison}, the sequential / thread pool / async lesson timed
 * against a local {@link dev.batchfetch.examples.IdServer}.
 */
@NullMarked
package dev.batchfetch.examples;

import org.jspecify.annotations.NullMarked;
