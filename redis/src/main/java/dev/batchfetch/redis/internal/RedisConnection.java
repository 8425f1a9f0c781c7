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

  // Guarded by this.
  private @Nullable StatefulRedisConnection<String, byte[]> connection;
  private boolean closed;

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
   * A client and connection of this library's own for {@code uri}: commands and connecting bounded
   * by {@code timeout}, and rejected at once while the connection is down rather than queued for
   * when it comes back. Both closed here.
   *
   * @throws IllegalArgumentException if {@code uri} is not a Redis URI
   */
  public static RedisConnection of(String uri, Duration timeout) {
    RedisURI redisUri = RedisURI.create(uri);
    redisUri.setTimeout(timeout);
    RedisClient client = RedisClient.create(redisUri);
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
            .timeoutOptions(TimeoutOptions.enabled(timeout))
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

  private synchronized RedisAsyncCommands<String, byte[]> commands() {
    if (closed) {
      throw new IllegalStateException("the Redis rate limiters were closed");
    }
    StatefulRedisConnection<String, byte[]> current = connection;
    if (current == null) {
      current = opener.get(); // throws while Redis is away: the next call tries again
      connection = current;
    }
    return current.async();
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
