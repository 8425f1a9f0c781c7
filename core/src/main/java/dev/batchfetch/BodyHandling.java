package dev.batchfetch;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a fetcher does with response bodies: keep them in the {@link Result} (the default), discard
 * them, or hand each success's body to a handler of the user's as a stream, to write it to a file
 * for example. In every case the body is closed, and no more than {@link
 * BatchFetcher.Builder#maxBodySize} bytes are read: a longer body makes the result {@link
 * ErrorKind#BODY_TOO_LARGE}.
 *
 * <pre>{@code
 * BatchFetcher.builder().bodyHandling(BodyHandling.discard());   // status and headers only
 * BatchFetcher.builder().bodyHandling(BodyHandling.stream((response, body) -> {
 *   try (OutputStream out = Files.newOutputStream(dir.resolve(response.index() + ".html"))) {
 *     body.transferTo(out);
 *   }
 * }));
 * }</pre>
 *
 * <p>Instances are immutable and thread-safe; a {@link Handler} must be thread-safe itself, since
 * calls end on many threads at once.
 */
public sealed interface BodyHandling
    permits BodyHandling.Keep, BodyHandling.Discard, BodyHandling.Stream {

  /** Keeps every body in its result: {@link Result#body()}, {@link Result#text()}. */
  static BodyHandling keep() {
    return Keep.INSTANCE;
  }

  /**
   * Reads every body to its end and drops it: results have their status and headers and an empty
   * body. Reading to the end, rather than closing early, lets the connection be reused.
   */
  static BodyHandling discard() {
    return Discard.INSTANCE;
  }

  /**
   * Hands the body of every 2xx response to {@code handler}, on the thread that read the response,
   * before the result is made; the result's body is empty. Bodies of other statuses are kept in
   * their results, for diagnosis, as {@link #keep()} does. An {@link IOException} the handler
   * throws makes the result {@link ErrorKind#IO}; any other exception, {@link
   * ErrorKind#UNEXPECTED}. A 2xx is never retried, so the handler sees each input's body at most
   * once.
   *
   * @throws NullPointerException if {@code handler} is null
   */
  static BodyHandling stream(Handler handler) {
    return new Stream(handler);
  }

  /** Receives the body of a successful response as a stream. Must be thread-safe. */
  @FunctionalInterface
  interface Handler {
    /**
     * Reads {@code body}, which is closed after this returns; reading past {@link
     * BatchFetcher.Builder#maxBodySize} throws an {@link IOException}.
     *
     * @param response the status and headers of the response, and the input it answers
     * @param body the body; its end is the end of the response
     * @throws IOException if reading or storing the body fails; the result is then a failure
     */
    void handle(ResponseHead response, InputStream body) throws IOException;
  }

  /**
   * What is known of a response before its body is read.
   *
   * @param index the input's position in its batch, from 0
   * @param url the input's URL as given
   * @param status the HTTP status code
   * @param headers the response headers, keys in lower case
   */
  record ResponseHead(int index, String url, int status, Map<String, List<String>> headers) {
    /**
     * @throws NullPointerException if {@code url} or {@code headers} is null
     */
    public ResponseHead {
      Objects.requireNonNull(url, "url");
      headers = Map.copyOf(headers);
    }
  }

  /** Bodies kept in results. Obtain with {@link BodyHandling#keep()}. */
  enum Keep implements BodyHandling {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "keep";
    }
  }

  /** Bodies read and dropped. Obtain with {@link BodyHandling#discard()}. */
  enum Discard implements BodyHandling {
    /** The only instance. */
    INSTANCE;

    @Override
    public String toString() {
      return "discard";
    }
  }

  /**
   * Bodies of successes handed to a handler. Obtain with {@link BodyHandling#stream(Handler)}.
   *
   * @param handler receives each body
   */
  record Stream(Handler handler) implements BodyHandling {
    /**
     * @throws NullPointerException if {@code handler} is null
     */
    public Stream {
      Objects.requireNonNull(handler, "handler");
    }

    @Override
    public String toString() {
      return "stream";
    }
  }
}
