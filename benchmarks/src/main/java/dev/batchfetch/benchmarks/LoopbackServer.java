package dev.batchfetch.benchmarks;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * The benchmarks' own HTTP/1.1 server on a free loopback port, in the shape of the demo's {@code
 * IdServer}: {@code GET /id/{n}} answers {@code n} as {@code text/plain}, after a fixed delay that
 * stands in for a real server's work; {@code GET /quota/id/{n}} does the same within a {@link
 * TokenBucket} and answers 429 beyond it, as nginx's {@code limit_req} does.
 *
 * <p>Why not the demo's {@code IdServer}: the JDK's {@code HttpServer} tops out near 10,000
 * requests a second on two cores, so every client would measure the server. This one is a single
 * non-blocking loop (keep-alive, pipelining, {@code TCP_NODELAY}) that holds delayed answers in a
 * timer queue rather than on sleeping threads: it uses at most one core and one thread, however
 * many requests wait out their delay. Timers fire on the selector's millisecond clock, so a delay
 * is at least the configured one and at most about a millisecond longer.
 *
 * <p>Thread-safe to start, query and close; everything else runs on its own thread.
 */
final class LoopbackServer implements AutoCloseable {
  private static final byte[] NOT_FOUND =
      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII);
  private static final byte[] TOO_MANY =
      "HTTP/1.1 429 Too Many Requests\r\nContent-Length: 0\r\n\r\n".getBytes(US_ASCII);
  private static final byte[] BAD_REQUEST =
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(US_ASCII);
  private static final byte[] OK_HEAD =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ".getBytes(US_ASCII);
  private static final int MAX_HEAD = 16 * 1024;

  private final ServerSocketChannel listener;
  private final Selector selector;
  private final long delayNanos;
  private final @Nullable TokenBucket quota;
  private final ArrayDeque<Delayed> timers = new ArrayDeque<>(); // same delay for all: FIFO
  private final LongAdder ok = new LongAdder();
  private final LongAdder tooMany = new LongAdder();
  private final LongAdder other = new LongAdder();
  private final Thread loop;
  private volatile boolean running = true;

  private LoopbackServer(Duration delay, @Nullable TokenBucket quota) throws IOException {
    this.delayNanos = delay.toNanos();
    this.quota = quota;
    this.selector = Selector.open();
    this.listener = ServerSocketChannel.open();
    listener.bind(
        new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 1024);
    listener.configureBlocking(false);
    listener.register(selector, SelectionKey.OP_ACCEPT);
    this.loop = new Thread(this::run, "loopback-server-" + port());
    loop.setDaemon(true);
  }

  /**
   * Starts a server.
   *
   * @param delay how long every answer waits; zero for none
   * @param quota the bucket of {@code /quota/id/}, or null to answer 404 there
   */
  static LoopbackServer start(Duration delay, @Nullable TokenBucket quota) throws IOException {
    LoopbackServer server = new LoopbackServer(delay, quota);
    server.loop.start();
    return server;
  }

  int port() {
    return ((InetSocketAddress) listenerAddress()).getPort();
  }

  /** {@code http://127.0.0.1:PORT}, without a trailing slash. */
  String base() {
    return "http://127.0.0.1:" + port();
  }

  /** Answers sent or queued so far: 200s. */
  long okCount() {
    return ok.sum();
  }

  /** Answers sent or queued so far: 429s. */
  long tooManyCount() {
    return tooMany.sum();
  }

  /** Answers sent or queued so far: 404s and 400s. */
  long otherCount() {
    return other.sum();
  }

  @Override
  public void close() {
    running = false;
    selector.wakeup();
    try {
      loop.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private Object listenerAddress() {
    try {
      return listener.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void run() {
    try {
      while (running) {
        Delayed next = timers.peek();
        if (next == null) {
          selector.select();
        } else {
          long waitNanos = next.dueNanos - System.nanoTime();
          if (waitNanos > 0) {
            selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos + 999_999)));
          } else {
            selector.selectNow();
          }
        }
        Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey key = keys.next();
          keys.remove();
          handle(key);
        }
        fireTimers();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (SelectionKey key : selector.keys()) {
        closeQuietly(key);
      }
      try {
        selector.close();
        listener.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  private void handle(SelectionKey key) {
    if (!key.isValid()) {
      return;
    }
    try {
      if (key.isAcceptable()) {
        accept();
        return;
      }
      Connection c = (Connection) key.attachment();
      if (key.isReadable()) {
        read(c);
      }
      if (key.isValid() && key.isWritable()) {
        flush(c);
      }
    } catch (IOException e) {
      closeQuietly(key); // the client went away
    }
  }

  private void accept() throws IOException {
    for (SocketChannel channel = listener.accept(); channel != null; channel = listener.accept()) {
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
      key.attach(new Connection(channel, key));
    }
  }

  private void read(Connection c) throws IOException {
    int n = c.channel.read(c.in);
    if (n < 0) {
      closeQuietly(c.key);
      return;
    }
    c.in.flip();
    int start = 0;
    int limit = c.in.limit();
    byte[] bytes = c.in.array();
    for (int end = headEnd(bytes, start, limit); end >= 0; end = headEnd(bytes, start, limit)) {
      answer(c, bytes, start, end);
      start = end;
    }
    c.in.position(start);
    c.in.compact();
    if (c.in.position() >= MAX_HEAD) {
      c.closeAfter = true;
      respond(c, BAD_REQUEST);
    }
    flush(c);
  }

  /** The index just past the {@code \r\n\r\n} ending the request head at {@code from}, or -1. */
  private static int headEnd(byte[] b, int from, int limit) {
    for (int i = from; i + 3 < limit; i++) {
      if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
        return i + 4;
      }
    }
    return -1;
  }

  private void answer(Connection c, byte[] b, int start, int end) {
    String head = new String(b, start, end - start, US_ASCII);
    int lineEnd = head.indexOf("\r\n");
    String[] line = head.substring(0, lineEnd).split(" ", 3);
    if (line.length != 3 || !line[0].equals("GET")) {
      other.increment();
      c.closeAfter = true;
      respond(c, BAD_REQUEST);
      return;
    }
    String lower = head.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("\r\nconnection: close")
        || (line[2].equals("HTTP/1.0") && !lower.contains("\r\nconnection: keep-alive"))) {
      c.closeAfter = true;
    }
    String path = line[1];
    byte[] response;
    if (path.startsWith("/id/") && isId(path, 4)) {
      response = okResponse(path, 4);
      ok.increment();
    } else if (quota != null && path.startsWith("/quota/id/") && isId(path, 10)) {
      if (quota.tryTake(System.nanoTime())) {
        response = okResponse(path, 10);
        ok.increment();
      } else {
        response = TOO_MANY;
        tooMany.increment();
      }
    } else {
      response = NOT_FOUND;
      other.increment();
    }
    respond(c, response);
  }

  private static boolean isId(String path, int from) {
    int length = path.length() - from;
    if (length < 1 || length > 9) {
      return false;
    }
    for (int i = from; i < path.length(); i++) {
      char ch = path.charAt(i);
      if (ch < '0' || ch > '9') {
        return false;
      }
    }
    return true;
  }

  private static byte[] okResponse(String path, int from) {
    String id = String.valueOf(Integer.parseInt(path.substring(from)));
    byte[] body = id.getBytes(US_ASCII);
    byte[] length = (body.length + "\r\n\r\n").getBytes(US_ASCII);
    byte[] response = new byte[OK_HEAD.length + length.length + body.length];
    System.arraycopy(OK_HEAD, 0, response, 0, OK_HEAD.length);
    System.arraycopy(length, 0, response, OK_HEAD.length, length.length);
    System.arraycopy(body, 0, response, OK_HEAD.length + length.length, body.length);
    return response;
  }

  /** Sends {@code response} now, or after the delay; answers on a connection keep their order. */
  private void respond(Connection c, byte[] response) {
    if (delayNanos == 0) {
      c.append(response);
    } else {
      c.delayed++;
      timers.add(new Delayed(System.nanoTime() + delayNanos, c, response));
    }
  }

  private void fireTimers() {
    long now = System.nanoTime();
    for (Delayed d = timers.peek(); d != null && d.dueNanos - now <= 0; d = timers.peek()) {
      timers.poll();
      Connection c = d.connection;
      c.delayed--;
      if (!c.key.isValid()) {
        continue;
      }
      c.append(d.response);
      try {
        flush(c);
      } catch (IOException e) {
        closeQuietly(c.key);
      }
    }
  }

  private void flush(Connection c) throws IOException {
    if (!c.key.isValid()) {
      return;
    }
    c.out.flip();
    if (c.out.hasRemaining()) {
      c.channel.write(c.out);
    }
    boolean drained = !c.out.hasRemaining();
    c.out.compact();
    if (drained) {
      if (c.closeAfter && c.delayed == 0) {
        closeQuietly(c.key);
      } else {
        c.key.interestOps(SelectionKey.OP_READ);
      }
    } else {
      c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
    }
  }

  private static void closeQuietly(SelectionKey key) {
    key.cancel();
    try {
      key.channel().close();
    } catch (IOException e) {
      // already gone
    }
  }

  /** One client connection: its unread request bytes and its unsent answers. */
  private static final class Connection {
    final SocketChannel channel;
    final SelectionKey key;
    final ByteBuffer in = ByteBuffer.allocate(2 * MAX_HEAD);
    ByteBuffer out = ByteBuffer.allocate(8 * 1024);
    int delayed;
    boolean closeAfter;

    Connection(SocketChannel channel, SelectionKey key) {
      this.channel = channel;
      this.key = key;
    }

    void append(byte[] response) {
      if (out.remaining() < response.length) {
        ByteBuffer bigger =
            ByteBuffer.allocate(Math.max(2 * out.capacity(), out.position() + response.length));
        out.flip();
        bigger.put(out);
        out = bigger;
      }
      out.put(response);
    }
  }

  /** An answer waiting for its delay. */
  private static final class Delayed {
    final long dueNanos;
    final Connection connection;
    final byte[] response;

    Delayed(long dueNanos, Connection connection, byte[] response) {
      this.dueNanos = dueNanos;
      this.connection = connection;
      this.response = response;
    }
  }
}
