package dev.batchfetch.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A server's quota as a model: what it answers a request arriving at a moment, in nanoseconds from
 * any origin. Deterministic: the discovery simulation (in virtual time) and {@link QuotaServer} (on
 * loopback, in real time) answer from the same models. Not thread-safe: one caller at a time.
 */
public interface QuotaModel {
  /** Nanoseconds in a second. */
  long S = 1_000_000_000L;

  /** The answer to a request arriving at {@code arrivalNanos}; arrivals come in time order. */
  Reply answer(long arrivalNanos);

  /** The quota's long-run rate, calls per second: the most any client can have accepted. */
  double quota();

  /** A model of the same quota, fresh: as it was before any arrival. */
  QuotaModel fresh();

  /**
   * A status and headers.
   *
   * @param status 200 or 429
   * @param headers the quota headers, by name
   */
  record Reply(int status, Map<String, List<String>> headers) {
    /** 200 with no header. */
    public static Reply ok() {
      return new Reply(200, Map.of());
    }

    /** 429 with no header. */
    public static Reply tooMany() {
      return new Reply(429, Map.of());
    }

    /** This reply with one more header line. */
    public Reply with(String name, String value) {
      Map<String, List<String>> more = new LinkedHashMap<>(headers);
      more.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
      return new Reply(status, more);
    }
  }

  /** Seconds, rounded up to a whole one, at least {@code least}: how Retry-After and t are sent. */
  static long wholeSeconds(double seconds, long least) {
    return Math.max(least, (long) Math.ceil(seconds - 1e-9));
  }

  /**
   * A token bucket of {@code capacity} tokens refilled at {@code rate} a second, full at first;
   * with headers, the IETF draft's fields: {@code RateLimit-Policy: "tb";q=rate;w=1} and {@code
   * RateLimit: "tb";r=tokens} (with {@code t}, the seconds until a token, when none is left).
   */
  final class TokenBucket implements QuotaModel {
    private final double rate;
    private final double capacity;
    private final boolean headers;
    private final boolean retryAfter;
    private double tokens;
    private long last;

    /** A bucket of {@code capacity} at {@code rate} per second, with the fields asked for. */
    public TokenBucket(double rate, long capacity, boolean headers, boolean retryAfter) {
      this.rate = rate;
      this.capacity = capacity;
      this.headers = headers;
      this.retryAfter = retryAfter;
      this.tokens = capacity;
    }

    @Override
    public Reply answer(long at) {
      tokens = Math.min(capacity, tokens + (at - last) * rate / S);
      last = at;
      Reply reply;
      if (tokens >= 1) {
        tokens -= 1;
        reply = Reply.ok();
      } else {
        reply = Reply.tooMany();
        if (retryAfter) {
          reply = reply.with("Retry-After", Long.toString(wholeSeconds((1 - tokens) / rate, 1)));
        }
      }
      if (headers) {
        long left = (long) Math.floor(tokens);
        reply =
            reply
                .with("RateLimit-Policy", "\"tb\";q=" + (long) rate + ";w=1")
                .with(
                    "RateLimit",
                    "\"tb\";r="
                        + left
                        + (left == 0 ? ";t=" + wholeSeconds((1 - tokens) / rate, 1) : ""));
      }
      return reply;
    }

    @Override
    public double quota() {
      return rate;
    }

    @Override
    public QuotaModel fresh() {
      return new TokenBucket(rate, (long) capacity, headers, retryAfter);
    }

    @Override
    public String toString() {
      return "token bucket "
          + (long) rate
          + "/s burst "
          + (long) capacity
          + (headers ? ", headers" : "")
          + (retryAfter ? ", Retry-After" : "");
    }
  }

  /**
   * nginx's {@code limit_req ... nodelay}: a leaky bucket kept in milliseconds and thousandths of a
   * request, as ngx_http_limit_req_module keeps it; a request is refused when its excess would pass
   * {@code burst}, and a refused one changes nothing. With {@code retryAfter}, the constant {@code
   * Retry-After: 1} that {@code add_header} sends.
   */
  final class Nginx implements QuotaModel {
    private final long rate; // requests per second
    private final long burst;
    private final boolean retryAfter;
    private long excess; // thousandths of a request
    private long lastMillis = Long.MIN_VALUE;

    /** {@code rate=<rate>r/s} and {@code burst=<burst>}, with the constant Retry-After or not. */
    public Nginx(long rate, long burst, boolean retryAfter) {
      this.rate = rate;
      this.burst = burst;
      this.retryAfter = retryAfter;
    }

    @Override
    public Reply answer(long at) {
      long ms = at / 1_000_000;
      long next =
          lastMillis == Long.MIN_VALUE
              ? 0
              : Math.max(0, excess - rate * 1000 * Math.max(0, ms - lastMillis) / 1000 + 1000);
      if (next > burst * 1000) {
        Reply reply = Reply.tooMany();
        return retryAfter ? reply.with("Retry-After", "1") : reply;
      }
      excess = next;
      lastMillis = ms;
      return Reply.ok();
    }

    @Override
    public double quota() {
      return rate;
    }

    @Override
    public QuotaModel fresh() {
      return new Nginx(rate, burst, retryAfter);
    }

    @Override
    public String toString() {
      return "nginx "
          + rate
          + "r/s "
          + (burst == 0 ? "no burst" : "burst " + burst)
          + (retryAfter ? ", Retry-After" : "");
    }
  }

  /**
   * A fixed-window counter: {@code limit} calls per window of {@code windowSeconds}, counted from
   * time 0; with headers, the draft's policy and the calls left until the window ends.
   */
  final class FixedWindow implements QuotaModel {
    private final long limit;
    private final long windowNanos;
    private final boolean headers;
    private final boolean retryAfter;
    private long window = -1;
    private long count;

    /** {@code limit} calls per window of {@code windowSeconds}, with the fields asked for. */
    public FixedWindow(long limit, long windowSeconds, boolean headers, boolean retryAfter) {
      this.limit = limit;
      this.windowNanos = windowSeconds * S;
      this.headers = headers;
      this.retryAfter = retryAfter;
    }

    @Override
    public Reply answer(long at) {
      long index = Math.floorDiv(at, windowNanos);
      if (index != window) {
        window = index;
        count = 0;
      }
      double toEnd = ((index + 1) * windowNanos - at) / (double) S;
      Reply reply;
      if (count < limit) {
        count++;
        reply = Reply.ok();
      } else {
        reply = Reply.tooMany();
        if (retryAfter) {
          reply = reply.with("Retry-After", Long.toString(wholeSeconds(toEnd, 1)));
        }
      }
      if (headers) {
        reply =
            reply
                .with("RateLimit-Policy", "\"fw\";q=" + limit + ";w=" + windowNanos / S)
                .with("RateLimit", "\"fw\";r=" + (limit - count) + ";t=" + wholeSeconds(toEnd, 0));
      }
      return reply;
    }

    @Override
    public double quota() {
      return limit * (double) S / windowNanos;
    }

    @Override
    public QuotaModel fresh() {
      return new FixedWindow(limit, windowNanos / S, headers, retryAfter);
    }

    @Override
    public String toString() {
      return "fixed window "
          + limit
          + "/"
          + windowNanos / S
          + "s"
          + (headers ? ", headers" : "")
          + (retryAfter ? ", Retry-After" : "");
    }
  }
}
