package dev.batchfetch;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import mockwebserver3.MockWebServer;

final class Urls {
  private Urls() {}

  /** {@code /id/0} to {@code /id/(count-1)} on {@code server}. */
  static List<String> ids(MockWebServer server, int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> server.url("/id/" + i).toString())
        .collect(Collectors.toList());
  }
}
