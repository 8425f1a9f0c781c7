package dev.batchfetch.internal.quota;

import dev.batchfetch.internal.quota.QuotaHeaders.Part;
import dev.batchfetch.internal.quota.QuotaSignal.Quota;
import dev.batchfetch.internal.quota.StructuredFields.Bytes;
import dev.batchfetch.internal.quota.StructuredFields.Item;
import dev.batchfetch.internal.quota.StructuredFields.Token;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the IETF structured rate-limit fields of draft-ietf-httpapi-ratelimit-headers, in both of
 * the forms servers send:
 *
 * <ul>
 *   <li>current: {@code RateLimit-Policy: "burst";q=100;w=60, "daily";q=1000;w=86400} (quota {@code
 *       q} per window of {@code w} seconds, named by a String or a Token) and {@code RateLimit:
 *       "burst";r=50;t=30} ({@code r} remaining, {@code t} seconds until more quota);
 *   <li>earlier: {@code RateLimit-Policy: 100;w=60} (the quota as the Integer) and the Dictionary
 *       {@code RateLimit: limit=100, remaining=50, reset=5}. A policy given inline in {@code
 *       RateLimit-Limit: 100, 100;w=60} counts as one of RateLimit-Policy's.
 * </ul>
 *
 * <p>Several lines of a field are joined with commas, as RFC 9651 says; a field that is not valid
 * structured syntax is ignored whole, and so is a parameter that is not a non-negative Integer (a
 * zero window too).
 *
 * <p>Only quotas of requests are read: a policy whose quota unit {@code qu} is a String other than
 * {@code "requests"} (draft 11 also names {@code "content-bytes"} and {@code
 * "concurrent-requests"}) is left out, and so is the state of {@code RateLimit} that names it. A
 * {@code qu} that is not a String is ignored, leaving the default unit, requests. The partition key
 * {@code pk}, a Byte Sequence, is kept as its base64 text: from the chosen state, else from the
 * chosen policy.
 *
 * <p>With several limits, the most restrictive one that matters:
 *
 * <ul>
 *   <li>of {@code RateLimit}'s items, the one with the fewest remaining (so any with {@code r=0},
 *       which gives the hold); among equals, the one that resets last;
 *   <li>the policy is the one that item names; else the one whose quota equals the limit announced
 *       (by the Dictionary's {@code limit}, {@code RateLimit-Limit} or {@code X-RateLimit-Limit});
 *       else the one with the lowest rate (quota / window), which binds in a long run.
 * </ul>
 *
 * <p>Stateless and thread-safe; never throws on any field value.
 */
final class RateLimitFields {
  private static final Part NONE = new Part(-1, -1, null, null);

  /** The quota of a policy counted in another unit than requests, left out. */
  private static final long OTHER_UNIT = -2;

  private RateLimitFields() {}

  private record Policy(@Nullable String name, long quota, long window, @Nullable String pk) {}

  private record State(@Nullable String name, long remaining, long reset, @Nullable String pk) {}

  /** What the fields give: the binding quota's parts, the other quotas announced, the partition. */
  record Reading(Part part, List<Quota> others, @Nullable String partition) {}

  private static final Reading NOTHING = new Reading(NONE, List.of(), null);

  /**
   * The limit, remaining, reset and window these fields give; -1 or null for the parts they do not.
   *
   * @param rateLimit the {@code RateLimit} field, lines joined; empty when absent
   * @param policy the {@code RateLimit-Policy} field, lines joined; empty when absent
   * @param rateLimitLimit the {@code RateLimit-Limit} field, lines joined, for its inline policies
   * @param announcedLimit the limit other fields announce, or -1
   */
  static Reading read(
      String rateLimit,
      String policy,
      String rateLimitLimit,
      long announcedLimit,
      Horizon horizon) {
    if (rateLimit.isEmpty() && policy.isEmpty() && rateLimitLimit.isEmpty()) {
      return NOTHING;
    }
    List<Policy> policies = new ArrayList<>();
    List<String> otherUnits = new ArrayList<>();
    for (Policy p : policies(policy)) {
      if (p.quota() == OTHER_UNIT) {
        otherUnits.add(String.valueOf(p.name()));
      } else {
        policies.add(p);
      }
    }
    List<Item> inline = StructuredFields.parseList(rateLimitLimit);
    for (Item item : inline == null ? List.<Item>of() : inline) {
      if (item.value() instanceof Long quota && quota >= 0 && item.nonNegative("w") > 0) {
        policies.add(new Policy(null, quota, item.nonNegative("w"), null));
      }
    }
    long limit = -1;
    List<State> states = new ArrayList<>();
    List<Item> list = StructuredFields.parseList(rateLimit);
    if (list != null) {
      for (Item item : list) {
        State state = new State(name(item), item.nonNegative("r"), item.nonNegative("t"), pk(item));
        boolean ofRequests = state.name() == null || !otherUnits.contains(state.name());
        if (ofRequests && (state.remaining() >= 0 || state.reset() >= 0)) {
          states.add(state);
        }
      }
    } else {
      Map<String, Item> dictionary = StructuredFields.parseDictionary(rateLimit);
      if (dictionary != null) {
        limit = integer(dictionary.get("limit"));
        State state =
            new State(
                null, integer(dictionary.get("remaining")), integer(dictionary.get("reset")), null);
        if (state.remaining() >= 0 || state.reset() >= 0) {
          states.add(state);
        }
      }
    }
    State state =
        states.stream()
            .min(
                Comparator.comparingLong(
                        (State s) -> s.remaining() < 0 ? Long.MAX_VALUE : s.remaining())
                    .thenComparing(Comparator.comparingLong(State::reset).reversed()))
            .orElse(new State(null, -1, -1, null));
    Policy chosen = choose(policies, state.name(), limit >= 0 ? limit : announcedLimit);
    Part part =
        new Part(
            limit >= 0 ? limit : chosen == null ? -1 : chosen.quota(),
            state.remaining(),
            reset(state, horizon),
            chosen == null ? null : window(chosen));
    List<Quota> others = new ArrayList<>();
    for (Policy p : policies) {
      if (!p.equals(chosen)) {
        State own = stateOf(states, p.name());
        others.add(
            new Quota(
                p.quota(),
                window(p),
                own == null ? -1 : own.remaining(),
                own == null ? null : reset(own, horizon)));
      }
    }
    for (State s : states) {
      if (!s.equals(state) && (s.name() == null || policies.stream().noneMatch(p -> named(p, s)))) {
        others.add(new Quota(-1, null, s.remaining(), reset(s, horizon)));
      }
    }
    String partition = state.pk() != null ? state.pk() : chosen == null ? null : chosen.pk();
    return new Reading(part, others, partition);
  }

  private static @Nullable State stateOf(List<State> states, @Nullable String name) {
    for (State s : states) {
      if (name != null && name.equals(s.name())) {
        return s;
      }
    }
    return null;
  }

  private static boolean named(Policy p, State s) {
    return s.name() != null && s.name().equals(p.name());
  }

  private static @Nullable Instant reset(State state, Horizon horizon) {
    return state.reset() < 0 ? null : horizon.after(millis(state.reset()));
  }

  private static @Nullable Duration window(Policy p) {
    return p.window() <= 0 ? null : Duration.ofSeconds(p.window());
  }

  /** The policies of the field; one in another unit than requests has quota OTHER_UNIT. */
  private static List<Policy> policies(String field) {
    List<Policy> policies = new ArrayList<>();
    List<Item> items = StructuredFields.parseList(field);
    for (Item item : items == null ? List.<Item>of() : items) {
      long quota = item.nonNegative("q");
      if (quota < 0 && item.value() instanceof Long n && n >= 0) {
        quota = n; // the earlier form: 100;w=60
      }
      long window = item.nonNegative("w") > 0 ? item.nonNegative("w") : -1;
      if (item.params().get("qu") instanceof String unit && !unit.equals("requests")) {
        policies.add(new Policy(name(item), OTHER_UNIT, window, pk(item)));
      } else if (quota >= 0 || window > 0) {
        policies.add(new Policy(name(item), quota, window, pk(item)));
      }
    }
    return policies;
  }

  private static @Nullable String pk(Item item) {
    return item.params().get("pk") instanceof Bytes key ? key.base64() : null;
  }

  private static @Nullable Policy choose(List<Policy> policies, @Nullable String name, long limit) {
    for (Policy p : policies) {
      if (name != null && name.equals(p.name())) {
        return p;
      }
    }
    for (Policy p : policies) {
      if (limit >= 0 && p.quota() == limit) {
        return p;
      }
    }
    return policies.stream().min(Comparator.comparingDouble(RateLimitFields::rate)).orElse(null);
  }

  // Requests per second; unknown quota or window sorts last.
  private static double rate(Policy p) {
    return p.quota() < 0 || p.window() <= 0
        ? Double.POSITIVE_INFINITY
        : (double) p.quota() / p.window();
  }

  private static @Nullable String name(Item item) {
    if (item.value() instanceof String s) {
      return s;
    }
    return item.value() instanceof Token t ? t.value() : null;
  }

  private static long integer(@Nullable Item member) {
    return member != null && member.value() instanceof Long n && n >= 0 ? n : -1;
  }

  private static long millis(long seconds) {
    return seconds > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : seconds * 1000;
  }
}
