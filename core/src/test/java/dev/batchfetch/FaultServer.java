package dev.batchfetch;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * An HTTP/1.1 server of raw sockets on loopback, for the faults MockWebServer cannot make: a status
 * line of the test's choosing, stray bytes after a response, a connection closed after reading a
 * request, a reset in the middle of a body, a body that drips. It counts every request it read, so
 * that a test can compare what the server saw with the {@link Result#attempts()} the fetcher
 * reported.
 *
 * <p>Requests are answered by the first segment of their path ({@code /stall/3} by the answer of
 * {@code /stall}); a path with no answer gets a 200 whose body is the path. Connections are kept
 * alive unless an answer closes them. {@link #close()} ends every stall and closes every socket.
 * Thread-safe; its threads are named {@code fault-server-N}.
 */
final class FaultServer implements AutoCloseable {
  /**
   * One request as the server read it.
   *
   * @param method the method
   * @param target the request target, path and query
   * @param headers the headers, names in lower case
   * @param body the body, read by its {@code Content-Length}
   * @param connection the number of the connection it came on, from 1
   */
  @SuppressWarnings("ArrayRecordComponent") // a test's record, never compared
  record Request(
      String method, String target, Map<String, String> headers, byte[] body, int connection) {
    String path() {
      int query = target.indexOf('?');
      return query < 0 ? target : target.substring(0, query);
    }
  }

  /** What the server does on a connection after an answer. */
  enum Next {
    KEEP_ALIVE,
    CLOSE
  }

  /** Answers one request by writing to its connection. */
  @FunctionalInterface
  interface Answer {
    Next answer(Request request, Wire wire) throws IOException, InterruptedException;
  }

  private final ServerSocket serverSocket;
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final List<Request> received = new CopyOnWriteArrayList<>();
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final CountDownLatch closed = new CountDownLatch(1);
  private final ExecutorService threads;

  private FaultServer() throws IOException {
    serverSocket = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    AtomicInteger threadCount = new AtomicInteger();
    threads =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "fault-server-" + threadCount.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
    threads.execute(this::acceptLoop);
  }

  /** A server listening on a free loopback port. */
  static FaultServer start() {
    try {
      return new FaultServer();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Answers the requests whose path's first segment is {@code prefix} ({@code "/stall"}). */
  FaultServer on(String prefix, Answer answer) {
    answers.put(prefix, answer);
    return this;
  }

  String url(String path) {
    return "http://127.0.0.1:" + serverSocket.getLocalPort() + path;
  }

  /** {@code path + "/0"} to {@code path + "/(count-1)"}. */
  List<String> urls(String path, int count) {
    return java.util.stream.IntStream.range(0, count).mapToObj(i -> url(path + "/" + i)).toList();
  }

  int port() {
    return serverSocket.getLocalPort();
  }

  /** Requests read so far. */
  int requests() {
    return received.size();
  }

  /** Requests read so far whose path starts with {@code prefix}. */
  int requests(String prefix) {
    return (int) received.stream().filter(r -> r.path().startsWith(prefix)).count();
  }

  List<Request> received() {
    return List.copyOf(received);
  }

  /** Connections accepted so far. */
  int connections() {
    return connections.get();
  }

  /** Ends every stall, closes every connection and stops the server. */
  @Override
  public void close() {
    closed.countDown();
    try {
      serverSocket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket socket : sockets) {
      closeQuietly(socket);
    }
    threads.shutdownNow();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void acceptLoop() {
    while (!serverSocket.isClosed()) {
      Socket socket;
      try {
        socket = serverSocket.accept();
      } catch (IOException e) {
        return; // closed
      }
      int number = connections.incrementAndGet();
      sockets.add(socket);
      try {
        threads.execute(() -> serve(socket, number));
      } catch (java.util.concurrent.RejectedExecutionException e) {
        closeQuietly(socket);
      }
    }
  }

  private void serve(Socket socket, int number) {
    try (socket) {
      socket.setTcpNoDelay(true);
      InputStream in = new BufferedInputStream(socket.getInputStream());
      Wire wire = new Wire(socket);
      while (true) {
        Request request = read(in, number);
        if (request == null) {
          return;
        }
        received.add(request);
        String path = request.path();
        int second = path.indexOf('/', 1);
        Answer answer = answers.get(second < 0 ? path : path.substring(0, second));
        Next next =
            answer == null
                ? wire.respond(200, "OK", path.getBytes(ISO_8859_1))
                : answer.answer(request, wire);
        wire.flush();
        if (next == Next.CLOSE || socket.isClosed()) {
          return;
        }
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the server is closing
    } finally {
      sockets.remove(socket);
    }
  }

  private static @Nullable Request read(InputStream in, int connection) throws IOException {
    String requestLine = line(in);
    if (requestLine == null || requestLine.isEmpty()) {
      return null;
    }
    String[] parts = requestLine.split(" ", 3);
    if (parts.length < 2) {
      return null;
    }
    Map<String, String> headers = new TreeMap<>();
    for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
      int colon = header.indexOf(':');
      if (colon > 0) {
        headers.put(
            header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
            header.substring(colon + 1).trim());
      }
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new Request(parts[0], parts[1], Map.copyOf(headers), body, connection);
  }

  private static @Nullable String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b != -1; b = in.read()) {
      if (b == '\n') {
        String text = line.toString(ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
      }
      line.write(b);
    }
    return null;
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  /** One connection, as an answer writes to it. */
  final class Wire {
    private final Socket socket;
    private final OutputStream out;

    Wire(Socket socket) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
    }

    /** Writes {@code text} as ISO-8859-1 bytes, at once. */
    Wire write(String text) throws IOException {
      return write(text.getBytes(ISO_8859_1));
    }

    Wire write(byte[] bytes) throws IOException {
      out.write(bytes);
      out.flush();
      return this;
    }

    void flush() throws IOException {
      if (!socket.isClosed()) {
        out.flush();
      }
    }

    /** A whole response with a {@code Content-Length}, the connection kept alive. */
    Next respond(int code, String reason, byte[] body, String... headers) throws IOException {
      StringBuilder head = new StringBuilder("HTTP/1.1 " + code + " " + reason + "\r\n");
      for (int i = 0; i < headers.length; i += 2) {
        head.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
      write(head.toString());
      write(body);
      return Next.KEEP_ALIVE;
    }

    /** Holds the connection, writing nothing more, until the server closes. */
    Next stall() throws InterruptedException {
      closed.await();
      return Next.CLOSE;
    }

    /** Whether the server is closing; for answers that loop, such as a drip. */
    boolean serverClosed() {
      return closed.getCount() == 0;
    }

    /** Waits {@code millis} or until the server closes; true if the server is still open. */
    boolean pause(long millis) throws InterruptedException {
      return !closed.await(millis, TimeUnit.MILLISECONDS);
    }

    /** Resets the connection: a TCP RST instead of an orderly close. */
    Next reset() throws IOException {
      try {
        socket.setSoLinger(true, 0);
      } catch (SocketException ignored) {
        // already closed
      }
      socket.close();
      return Next.CLOSE;
    }

    /** Closes the connection in order, without answering (what is written is flushed). */
    Next hangUp() throws IOException {
      out.flush();
      socket.close();
      return Next.CLOSE;
    }
  }
}
