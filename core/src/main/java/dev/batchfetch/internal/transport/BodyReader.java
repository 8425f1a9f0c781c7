package dev.batchfetch.internal.transport;

import dev.batchfetch.BodyHandling;
import dev.batchfetch.internal.admission.Answer;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;

/**
 * Reads response bodies as the fetcher is configured to: kept, discarded or streamed to a handler,
 * never more than {@code maxBytes} of them. The caller closes the response. Thread-safe.
 */
public final class BodyReader {
  private static final byte[] NO_BODY = new byte[0];

  /** The longest body a byte array holds. */
  private static final long MAX_ARRAY = Integer.MAX_VALUE - 16;

  private static final long CHUNK = 64 * 1024;

  private final BodyHandling handling;
  private final long maxBytes;

  public BodyReader(BodyHandling handling, long maxBytes) {
    this.handling = handling;
    this.maxBytes = maxBytes;
  }

  /**
   * Reads the body of {@code response}, whose headers are {@code headers}, and returns what the
   * result keeps of it; {@code received} hears of every byte read.
   *
   * @throws BodyTooLargeException if the body is longer than the limit
   * @throws IOException if reading fails, or the user's handler fails with one
   */
  byte[] read(
      Response response,
      Map<String, List<String>> headers,
      int index,
      String url,
      LongConsumer received)
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
    return keep(body.source(), received);
  }

  private byte[] keep(BufferedSource source, LongConsumer received) throws IOException {
    long limit = Math.min(maxBytes, MAX_ARRAY);
    if (source.request(limit + 1)) {
      received.accept(source.getBuffer().size());
      throw new BodyTooLargeException(limit, -1);
    }
    byte[] bytes = source.readByteArray();
    received.accept(bytes.length);
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
