package dev.batchfetch.internal.transport;

import java.io.IOException;

/** A response body longer than the fetcher reads: the cause of a {@code BODY_TOO_LARGE} result. */
final class BodyTooLargeException extends IOException {
  private static final long serialVersionUID = 1L;

  BodyTooLargeException(long limit, long declared) {
    super(
        declared >= 0
            ? "the body's Content-Length, " + declared + " bytes, is over the limit of " + limit
            : "the body is longer than the limit of " + limit + " bytes");
  }
}
