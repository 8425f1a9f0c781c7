package dev.batchfetch.redis.internal;

import io.github.bucket4j.redis.lettuce.RedisApi;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The Lettuce connection Bucket4j talks through: string keys, byte-array values. One made here is
 * opened on first use, not when the limiters are built, so that an application can start while
 * Redis is away; a connection that cannot be opened fails the call that needed it, like any other
 * Redis failure.
 *
 * <p>Keys are strings, typed {@code Object} because Bucket4j hands them over in an {@code
 * Object[]}: a {@code RedisApi<String>} would fail to cast it.
 *
 * <p>Thread-safe: Lettuce connections are.
 */
public final class RedisConnection implements RedisApi<Object>, AutoCloseable {
  private static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final String description;
  private final Supplier<StatefulRedisConnection<String, byte[]>> opener;
  private final boolean ownsConnection;
  private final @Nullable RedisClient ownedClient;

  // Written under this.
  private @Nullable StatefulRedisConnection<String, byte[]> connection;
  private boolean closed;
  private final AtomicLong connectFailures = new AtomicLong();
  private @Nullable RuntimeException lastConnectFailure;

  private RedisConnection(
      String description,
      Supplier<StatefulRedisConnection<String, byte[]>> opener,
      boolean ownsConnection,
      @Nullable RedisClient ownedClient) {
    this.description = description;
    this.opener = opener;
    this.ownsConnection = ownsConnection;
    this.ownedClient = ownedClient;
  }

  /** A user's connection, used as it is and never closed here. */
  public static RedisConnection of(StatefulRedisConnection<String, byte[]> connection) {
    return new RedisConnection("Redis", () -> connection, false, null);
  }

  /** A connection of a user's client, with the client's options; closed here, the client not. */
  public static RedisConnection of(RedisClient client) {
    return new RedisConnection("Redis", () -> client.connect(CODEC), true, null);
  }

  /**
   * A client and connection of this library's own for {@code uri}: commands bounded by {@code
   * commandTimeout} and rejected at once while the connection is down, rather than queued for when
   * it comes back; connecting, and the handshake after it, bounded by {@code connectTimeout}. Both
   * closed here.
   *
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   */
  public static RedisConnection of(String uri, Duration commandTimeout, Duration connectTimeout) {
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(connectTimeout); // Lettuce bounds the handshake with the URI's timeout
    RedisClient client = RedisClient.create(redisUri);
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
            .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
            .build());
    return new RedisConnection(
        "Redis at " + redisUri.getHost() + ":" + redisUri.getPort(),
        () -> client.connect(CODEC),
        true,
        client);
  }

  /** What to call this Redis in messages; never its password. */
  public String description() {
    return description;
  }

  @Override
  public <V> RedisFuture<V> eval(
      String script, ScriptOutputType scriptOutputType, Object[] keys, byte[][] params) {
    return commands()
        .eval(script, scriptOutputType, Arrays.copyOf(keys, keys.length, String[].class), params);
  }

  @Override
  public RedisFuture<byte[]> get(Object key) {
    return commands().get((String) key);
  }

  @Override
  public RedisFuture<?> delete(Object key) {
    return commands().del((String) key);
  }

  /**
   * Opens the connection if it is not open yet, waiting at most the connect timeout. Called before
   * each Bucket4j request, so that connecting, which can take a second in a cold JVM, is not
   * counted against the request's timeout. A thread that waited while another tried to open it and
   * failed gets that failure rather than trying again: an outage costs one connect timeout, not one
   * per waiting thread.
   *
   * @throws RuntimeException what Lettuce threw, if the connection cannot be opened
   * @throws IllegalStateException if closed
   */
  public void open() {
    commands();
  }

  /**
   * The connection's asynchronous commands, opening it first if it is not open yet.
   *
   * @throws RuntimeException what Lettuce threw, if the connection cannot be opened
   * @throws IllegalStateException if closed
   */
  public RedisAsyncCommands<String, byte[]> async() {
    return commands();
  }

  private RedisAsyncCommands<String, byte[]> commands() {
    long failuresSeen = connectFailures.get();
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("the Redis rate limiters were closed");
      }
      StatefulRedisConnection<String, byte[]> current = connection;
      if (current == null) {
        RuntimeException failure = lastConnectFailure;
        if (connectFailures.get() != failuresSeen && failure != null) {
          throw failure;
        }
        try {
          current = opener.get();
        } catch (RuntimeException e) {
          lastConnectFailure = e;
          connectFailures.incrementAndGet();
          throw e;
        }
        connection = current;
      }
      return current.async();
    }
  }

  /** Closes the connection and client made here, if any; idempotent. */
  @Override
  public void close() {
    StatefulRedisConnection<String, byte[]> open;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      open = connection;
      connection = null;
    }
    if (open != null && ownsConnection) {
      open.close();
    }
    if (ownedClient != null) {
      ownedClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }
}
