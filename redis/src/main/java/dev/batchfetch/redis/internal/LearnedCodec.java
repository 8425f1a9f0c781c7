package dev.batchfetch.redis.internal;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.batchfetch.QuotaStore.Learned;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;

/**
 * A host's learned quota in Redis: the value {@code "<rate> <pausedUntil ms> <at ms>"} (0 for no
 * pause) under {@code <prefix><host>}, written by a script that keeps the newer rate and the later
 * pause, so that processes writing at once never lose a pause. Stateless.
 */
public final class LearnedCodec {
  /** KEYS[1]; ARGV: rate, paused ms, at ms, now ms, ttl ms. */
  private static final String MERGE =
      """
      local rate, paused, at = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
      local cur = redis.call('GET', KEYS[1])
      if cur then
        local r, p, a = string.match(cur, '^(%S+) (%d+) (%d+)$')
        if r then
          p = tonumber(p)
          a = tonumber(a)
          if a > at then rate = r; at = a end
          if p > paused then paused = p end
        end
      end
      local ttl = tonumber(ARGV[5])
      local left = paused - tonumber(ARGV[4])
      if left > 0 then ttl = ttl + left end
      redis.call('SET', KEYS[1], rate .. ' ' .. string.format('%d', paused) .. ' ' ..
          string.format('%d', at), 'PX', string.format('%d', ttl))
      return 1
      """;

  /** Keys asked for in one MGET. */
  private static final int BATCH = 500;

  private LearnedCodec() {}

  /** Merges {@code learned} into {@code key}, which then lives {@code ttlMillis} past its pause. */
  public static void merge(
      RedisAsyncCommands<String, byte[]> redis,
      String key,
      Learned learned,
      long nowMillis,
      long ttlMillis,
      Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    Instant pause = learned.pausedUntil();
    Future<Long> done =
        redis.eval(
            MERGE,
            ScriptOutputType.INTEGER,
            new String[] {key},
            bytes(Double.toString(learned.rate())),
            bytes(Long.toString(pause == null ? 0 : pause.toEpochMilli())),
            bytes(Long.toString(learned.at().toEpochMilli())),
            bytes(Long.toString(nowMillis)),
            bytes(Long.toString(ttlMillis)));
    done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * What Redis holds of {@code hosts} under {@code prefix}, by host; the hosts it lacks left out.
   */
  public static Map<String, Learned> get(
      RedisAsyncCommands<String, byte[]> redis,
      String prefix,
      Collection<String> hosts,
      Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    List<String> all = new ArrayList<>(hosts);
    Map<String, Learned> found = new HashMap<>();
    for (int from = 0; from < all.size(); from += BATCH) {
      List<String> some = all.subList(from, Math.min(all.size(), from + BATCH));
      String[] keys = some.stream().map(host -> prefix + host).toArray(String[]::new);
      List<KeyValue<String, byte[]>> values =
          redis.mget(keys).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      for (KeyValue<String, byte[]> value : values) {
        Learned learned = value.hasValue() ? parse(value.getValue()) : null;
        if (learned != null) {
          found.put(value.getKey().substring(prefix.length()), learned);
        }
      }
    }
    return found;
  }

  /** The hosts under {@code prefix}, at most {@code limit}. */
  public static Set<String> scan(
      RedisAsyncCommands<String, byte[]> redis, String prefix, int limit, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    Set<String> hosts = new HashSet<>();
    ScanArgs match = ScanArgs.Builder.matches(prefix + "*").limit(1000);
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> page =
          redis.scan(cursor, match).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      for (String key : page.getKeys()) {
        if (hosts.size() < limit) {
          hosts.add(key.substring(prefix.length()));
        }
      }
      cursor = page;
    } while (!cursor.isFinished() && hosts.size() < limit);
    return hosts;
  }

  /** The entry {@code value} holds, or null if it is not one (written by something else). */
  static @Nullable Learned parse(byte[] value) {
    String[] parts = new String(value, UTF_8).split(" ", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      long paused = Long.parseLong(parts[1]);
      return new Learned(
          Double.parseDouble(parts[0]),
          paused == 0 ? null : Instant.ofEpochMilli(paused),
          Instant.ofEpochMilli(Long.parseLong(parts[2])));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      return null;
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(UTF_8);
  }
}
