package dev.batchfetch;

import java.util.stream.Stream;

/** The three policies every scenario runs under. */
final class Policies {
  private Policies() {}

  static Stream<ExecutionPolicy> all() {
    return Stream.of(
        ExecutionPolicy.sequential(), ExecutionPolicy.pool(4), ExecutionPolicy.async(16));
  }

  /** The policies that run more than one call at a time. */
  static Stream<ExecutionPolicy> concurrent() {
    return Stream.of(ExecutionPolicy.pool(8), ExecutionPolicy.async(8));
  }
}
