package dev.batchfetch.internal.transport;

import dev.batchfetch.BodyHandling;
import dev.batchfetch.internal.admission.Answer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Reads response bodies as the fetcher is configured to: kept, discarded or streamed to a handler,
 * never more than {@code maxBytes} of them. A body kept in memory takes its bytes from the {@link
 * BodyBudget} first, unless it is small (at most {@code free} bytes, which a call in flight may
 * always hold); discarded and streamed bodies are read through a small buffer and take none. The
 * caller closes the response. Thread-safe.
 */
public final class BodyReader {
  private static final byte[] NO_BODY = new byte[0];

  /** The longest body a byte array holds. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  private static final long CHUNK = 64 * 1024;

  /** The least and the most a body may hold without the budget. */
  private static final long MIN_FREE = 8 * 1024;

  private static final long MAX_FREE = 64 * 1024;

  private final BodyHandling handling;
  private final long maxBytes;
  private final BodyBudget budget;
  private final long free;

  /**
   * @param concurrency the most calls in flight at once: the bodies they may hold without the
   *     budget together stay within a quarter of it (and at least 8 KiB each)
   */
  public BodyReader(BodyHandling handling, long maxBytes, BodyBudget budget, int concurrency) {
    this.handling = handling;
    this.maxBytes = maxBytes;
    this.budget = budget;
    this.free = Math.max(MIN_FREE, Math.min(MAX_FREE, budget.capacity() / 4 / concurrency));
  }

  /**
   * Reads the body of {@code response}, whose headers are {@code headers}, and returns what the
   * result keeps of it; {@code received} hears of every byte read, and {@code abandoned} says when
   * a wait for the budget is to end (the input was cancelled or timed out).
   *
   * @throws BodyTooLargeException if the body is longer than the limit
   * @throws IOException if reading fails, or the user's handler fails with one
   */
  byte[] read(
      Response response,
      Map<String, List<String>> headers,
      int index,
      String url,
      LongConsumer received,
      BooleanSupplier abandoned)
      throws IOException {
    ResponseBody body = response.body();
    long declared = body.contentLength();
    if (declared > maxBytes) {
      throw new BodyTooLargeException(maxBytes, declared);
    }
    int status = response.code();
    boolean success = Answer.isSuccess(status);
    if (handling instanceof BodyHandling.Discard) {
      discard(body.source(), received);
      return NO_BODY;
    }
    if (handling instanceof BodyHandling.Stream stream && success) {
      BodyHandling.ResponseHead head = new BodyHandling.ResponseHead(index, url, status, headers);
      try (InputStream in = new Limited(body.byteStream(), maxBytes, received)) {
        stream.handler().handle(head, in);
      }
      return NO_BODY;
    }
    return keep(body.source(), declared, received, abandoned);
  }

  /**
   * Reads a body into an array: at once when it is small, else within the budget. A body of known
   * length is read straight into its array, and takes its length; one of unknown length is read
   * into a buffer, then copied, and takes twice what it reads.
   */
  private byte[] keep(
      BufferedSource source, long declared, LongConsumer received, BooleanSupplier abandoned)
      throws IOException {
    long limit = Math.min(maxBytes, MAX_ARRAY);
    if (declared > limit) {
      throw new BodyTooLargeException(limit, declared);
    }
    if (declared >= 0 && declared <= free) {
      return readFully(source, (int) declared, received);
    }
    if (declared < 0 && !source.request(Math.min(free, limit) + 1)) {
      byte[] bytes = source.readByteArray(); // the whole body, no longer than the free bytes
      received.accept(bytes.length);
      return bytes;
    }
    try (BodyBudget.Account account = budget.open(abandoned)) {
      if (declared >= 0) {
        account.cover(declared, 0);
        return readFully(source, (int) declared, received);
      }
      Buffer buffer = new Buffer();
      long total = source.read(buffer, source.getBuffer().size()); // what request() read ahead
      received.accept(total);
      while (total <= limit) {
        account.cover(2 * (total + CHUNK), 2 * CHUNK);
        long n = source.read(buffer, CHUNK);
        if (n == -1) {
          return buffer.readByteArray();
        }
        total += n;
        received.accept(n);
      }
      throw new BodyTooLargeException(limit, -1);
    }
  }

  private static byte[] readFully(BufferedSource source, int length, LongConsumer received)
      throws IOException {
    byte[] bytes = new byte[length];
    source.readFully(bytes);
    received.accept(length);
    return bytes;
  }

  private void discard(BufferedSource source, LongConsumer received) throws IOException {
    Buffer scratch = new Buffer();
    long total = 0;
    for (long n = source.read(scratch, CHUNK); n != -1; n = source.read(scratch, CHUNK)) {
      total += n;
      received.accept(n);
      scratch.clear();
      if (total > maxBytes) {
        throw new BodyTooLargeException(maxBytes, -1);
      }
    }
  }

  /** A stream that counts what is read and fails past the limit. */
  private static final class Limited extends FilterInputStream {
    private final long limit;
    private final LongConsumer received;
    private long count;

    Limited(InputStream in, long limit, LongConsumer received) {
      super(in);
      this.limit = limit;
      this.received = received;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b != -1) {
        counted(1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        counted(n);
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(n);
      if (skipped > 0) {
        counted(skipped);
      }
      return skipped;
    }

    @Override
    public boolean markSupported() {
      return false;
    }

    private void counted(long n) throws BodyTooLargeException {
      count += n;
      received.accept(n);
      if (count > limit) {
        throw new BodyTooLargeException(limit, -1);
      }
    }
  }
}
