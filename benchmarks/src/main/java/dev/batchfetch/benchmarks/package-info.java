/**
 * The benchmark suite: batchfetch side by side with raw OkHttp, the JDK {@code HttpClient}, the
 * tutorial's Python variants and {@code wrk}, against loopback servers, and a JMH benchmark of the
 * admission path. Run it with {@code benchmarks/run.sh}; {@link dev.batchfetch.benchmarks.Suite} is
 * the entry point. Not part of the library.
 */
@NullMarked
package dev.batchfetch.benchmarks;

import org.jspecify.annotations.NullMarked;
