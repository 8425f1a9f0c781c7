package dev.batchfetch.internal.quota;

import static dev.batchfetch.internal.quota.Property.expectEqual;

import dev.batchfetch.internal.quota.QuotaInputs.Line;
import dev.batchfetch.internal.quota.QuotaSignal.Quota;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link QuotaHeaders} over many generated inputs; {@link Property} prints a failing case's seed.
 */
@Timeout(30)
class QuotaHeadersPropertiesTest {
  private static final long HORIZON_MILLIS = QuotaHeaders.MAX_HORIZON.toMillis();
  private static final Pattern OWS = Pattern.compile("^[ \t]+|[ \t]+$");
  private static final Pattern DECIMAL = Pattern.compile("[0-9]+(\\.[0-9]+)?");
  private static final Pattern DIGITS = Pattern.compile("[0-9]+");

  @Test
  void neverThrowsAndKeepsEveryPartInRange() {
    Property.forAll(
        "any headers",
        30_000,
        QuotaInputs::response,
        response -> {
          Headers.Builder builder = new Headers.Builder();
          Map<String, List<String>> raw = new LinkedHashMap<>();
          for (Line line : response.lines()) {
            builder.addUnsafeNonAscii(line.name(), line.value());
            raw.computeIfAbsent(line.name(), k -> new ArrayList<>()).add(line.value());
          }
          Headers headers = builder.build();
          QuotaSignal signal = QuotaHeaders.parse(headers, response.now());

          assertInRange(signal, response.now());
          assertInRange(QuotaHeaders.parse(raw, response.now()), response.now());
          expectEqual(
              "the map form of the same headers",
              QuotaHeaders.parse(headers.toMultimap(), response.now()),
              signal);
        });
  }

  record Delta(Instant now, String name, String value, long seconds) {}

  @Test
  void aWellFormedDeltaYieldsExactlyNowPlusItCapped() {
    Property.forAll(
        "well-formed deltas",
        20_000,
        r -> {
          long seconds =
              switch (r.nextInt(4)) {
                case 0 -> r.nextInt(3_600);
                case 1 -> r.nextInt(999_999_999);
                case 2 -> HORIZON_MILLIS / 1000 - 2 + r.nextInt(4);
                default -> r.nextLong() & Long.MAX_VALUE;
              };
          String digits = Long.toString(seconds);
          int variant = r.nextInt(10);
          if (variant == 0) {
            digits = "0".repeat(1 + r.nextInt(30)) + digits; // leading zeros change nothing
          } else if (variant == 1) {
            digits = "1" + QuotaInputs.digits(r, 19 + r.nextInt(400)); // overflows a long
            seconds = Long.MAX_VALUE;
          }
          String name =
              List.of(
                      "Retry-After",
                      "RateLimit-Reset",
                      "X-RateLimit-Reset",
                      "X-RateLimit-Reset-After")
                  .get(r.nextInt(4));
          if (seconds >= 1_000_000_000L && name.endsWith("-Reset")) {
            name = "X-RateLimit-Reset-After"; // a delta whatever its size
          }
          String value = QuotaInputs.whitespace(r) + digits + QuotaInputs.whitespace(r);
          if (r.nextInt(5) == 0 && digits.length() <= 15) {
            name = "RateLimit"; // t is a structured Integer: at most 15 digits
            value = "\"p\";r=0;t=" + digits;
          }
          return new Delta(QuotaInputs.realisticNow(r), name, value, seconds);
        },
        c -> {
          QuotaSignal signal = QuotaHeaders.parse(Map.of(c.name(), List.of(c.value())), c.now());
          Instant expected =
              c.seconds() >= HORIZON_MILLIS / 1000
                  ? c.now().plus(QuotaHeaders.MAX_HORIZON)
                  : c.now().plusSeconds(c.seconds());
          Instant at = c.name().equals("Retry-After") ? signal.retryAfter() : signal.reset();
          expectEqual(c.name(), at, expected);
        });
  }

  record GoDuration(String text, long millis) {}

  /** Well-formed Go durations of h, m, s and ms components, against their exact sum. */
  @Test
  void goDurationsAreTheSumOfTheirComponents() {
    Property.forAll(
        "go durations",
        10_000,
        r -> {
          StringBuilder text = new StringBuilder();
          long millis = 0;
          long[] units = {3_600_000, 60_000, 1_000, 1};
          String[] names = {"h", "m", "s", "ms"};
          for (int i = 0; i < units.length; i++) {
            if (r.nextBoolean() || (i == units.length - 1 && text.length() == 0)) {
              long n = r.nextInt(100_000);
              text.append(n).append(names[i]);
              millis += n * units[i];
            }
          }
          return new GoDuration(text.toString(), millis);
        },
        c -> expectEqual(c.text(), VendorFields.goDurationMillis(c.text()), c.millis()));
  }

  record NumberCase(Instant now, String value) {}

  /** Numbers of every size and spelling, against an oracle in BigDecimal. */
  @Test
  void numbersAreReadAsTheirOracleSays() {
    Property.forAll(
        "numbers",
        30_000,
        r -> new NumberCase(QuotaInputs.realisticNow(r), QuotaInputs.number(r)),
        c -> {
          Instant now = c.now();
          String v = c.value();
          expectEqual("Retry-After", parse("Retry-After", v, now).retryAfter(), retryAfter(v, now));
          expectEqual("remaining", parse("X-RateLimit-Remaining", v, now).remaining(), count(v));
          expectEqual("limit", parse("RateLimit-Limit", v, now).limit(), count(v));
          expectEqual("reset", parse("X-RateLimit-Reset", v, now).reset(), reset(v, now));
        });
  }

  record Policies(Instant now, List<Line> lines, QuotaSignal expected) {}

  /** Several policies and states: the fewest remaining wins, paired with its policy by name. */
  @Test
  void structuredFieldsFollowTheMultiPolicyRule() {
    Property.forAll(
        "multi-policy",
        10_000,
        QuotaHeadersPropertiesTest::policies,
        c -> {
          Map<String, List<String>> headers = new LinkedHashMap<>();
          for (Line line : c.lines()) {
            headers.computeIfAbsent(line.name(), k -> new ArrayList<>()).add(line.value());
          }
          expectEqual("signal", QuotaHeaders.parse(headers, c.now()), c.expected());
        });
  }

  private static Policies policies(Random r) {
    Instant now = QuotaInputs.realisticNow(r);
    int count = 1 + r.nextInt(4);
    List<String> policies = new ArrayList<>();
    List<String> states = new ArrayList<>();
    long[] best = null; // remaining, reset, quota, window, index of the expected policy
    long[] slowest = null;
    List<long[]> all = new ArrayList<>(); // the same parts of every policy, reset -1 when unknown
    for (int i = 0; i < count; i++) {
      long quota = r.nextInt(1_000_000);
      long window = 1L + r.nextInt(100_000);
      long[] parts = {-1, -1, quota, window, i};
      all.add(parts);
      policies.add(
          name(r, i)
              + ";q="
              + quota
              + (r.nextBoolean() ? ";qu=\"requests\"" : "")
              + ";w="
              + window);
      if (slowest == null || quota * slowest[3] < slowest[2] * window) {
        slowest = parts;
      }
      if (r.nextBoolean()) {
        long remaining = r.nextInt(250) * 4L + i; // distinct
        long reset = r.nextInt(100_000);
        states.add(name(r, i) + ";r=" + remaining + ";t=" + reset);
        parts[0] = remaining;
        parts[1] = reset;
        if (best == null || remaining < best[0]) {
          best = parts;
        }
      }
    }
    Collections.shuffle(states, r);
    long[] e = best != null ? best : slowest;
    List<Quota> quotas = new ArrayList<>();
    quotas.add(quota(e, now));
    for (long[] parts : all) {
      if (parts != e) {
        quotas.add(quota(parts, now)); // the others, in the order of RateLimit-Policy
      }
    }
    QuotaSignal expected =
        new QuotaSignal(
            null,
            e[2],
            e[0],
            e[1] < 0 ? null : now.plusSeconds(e[1]),
            Duration.ofSeconds(e[3]),
            quotas,
            null);
    List<Line> lines = new ArrayList<>();
    lines.addAll(lines(r, "RateLimit-Policy", policies));
    lines.addAll(lines(r, "RateLimit", states));
    return new Policies(now, lines, expected);
  }

  private static Quota quota(long[] parts, Instant now) {
    return new Quota(
        parts[2],
        Duration.ofSeconds(parts[3]),
        parts[0],
        parts[1] < 0 ? null : now.plusSeconds(parts[1]));
  }

  private static String name(Random r, int i) {
    return r.nextBoolean() ? "\"p" + i + "\"" : "p" + i;
  }

  // The members over one or two lines, with random OWS after the commas.
  private static List<Line> lines(Random r, String name, List<String> members) {
    List<Line> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String member : members) {
      if (line.length() > 0 && r.nextInt(3) == 0) {
        lines.add(new Line(name, line.toString()));
        line.setLength(0);
      }
      line.append(line.length() > 0 ? "," + QuotaInputs.whitespace(r) : "").append(member);
    }
    if (line.length() > 0) {
      lines.add(new Line(name, line.toString()));
    }
    return lines;
  }

  private static QuotaSignal parse(String name, String value, Instant now) {
    return QuotaHeaders.parse(Map.of(name, List.of(value)), now);
  }

  // Plain checks, not AssertJ: they run 90,000 times, and Property reports the failing input.
  private static void assertInRange(QuotaSignal signal, Instant now) {
    Instant last =
        now.isAfter(Instant.MAX.minus(QuotaHeaders.MAX_HORIZON))
            ? Instant.MAX
            : now.plus(QuotaHeaders.MAX_HORIZON);
    for (Instant time : new Instant[] {signal.retryAfter(), signal.reset(), signal.holdUntil()}) {
      if (time != null && (time.isBefore(now) || time.isAfter(last))) {
        throw new AssertionError(time + " is outside [" + now + ", " + last + "] in " + signal);
      }
    }
    for (Quota quota : signal.quotas()) {
      Instant reset = quota.reset();
      if (reset != null && (reset.isBefore(now) || reset.isAfter(last))) {
        throw new AssertionError(reset + " is outside [" + now + ", " + last + "] in " + signal);
      }
    }
    if (!signal.quotas().isEmpty()
        && !signal
            .quotas()
            .get(0)
            .equals(
                new Quota(signal.limit(), signal.window(), signal.remaining(), signal.reset()))) {
      throw new AssertionError("the binding quota is not first in " + signal);
    }
    Duration window = signal.window();
    if (signal.limit() < -1
        || signal.remaining() < -1
        || (window != null && (window.isNegative() || window.isZero()))) {
      throw new AssertionError("a part out of range in " + signal);
    }
  }

  // ---- the oracle: the documented rules, in BigDecimal, apart from the parser ----

  private static @Nullable BigDecimal decimal(String value) {
    String s = OWS.matcher(value).replaceAll("");
    return DECIMAL.matcher(s).matches() ? new BigDecimal(s) : null;
  }

  private static String firstElement(String value) {
    return value.split(",", -1)[0].split(";", -1)[0];
  }

  private static long count(String value) {
    String s = OWS.matcher(firstElement(value)).replaceAll("");
    if (!DIGITS.matcher(s).matches()) {
      return -1;
    }
    return new BigInteger(s).min(BigInteger.valueOf(Long.MAX_VALUE)).longValueExact();
  }

  private static Instant retryAfter(String value, Instant now) {
    BigDecimal seconds = decimal(value);
    if (seconds == null) {
      return null;
    }
    return after(now, seconds.setScale(0, RoundingMode.CEILING).movePointRight(3));
  }

  private static Instant reset(String value, Instant now) {
    BigDecimal x = decimal(firstElement(value));
    if (x == null) {
      return null;
    }
    BigDecimal millis;
    if (x.compareTo(BigDecimal.valueOf(1_000_000_000_000L)) >= 0) {
      millis = x.setScale(0, RoundingMode.CEILING); // epoch milliseconds
    } else if (x.compareTo(BigDecimal.valueOf(1_000_000_000L)) >= 0) {
      millis = x.movePointRight(3).setScale(0, RoundingMode.CEILING); // epoch seconds
    } else {
      return after(now, x.movePointRight(3).setScale(0, RoundingMode.CEILING));
    }
    Instant last = now.plus(QuotaHeaders.MAX_HORIZON);
    if (millis.compareTo(BigDecimal.valueOf(last.toEpochMilli() + 1)) > 0) {
      return last;
    }
    Instant at = Instant.ofEpochMilli(millis.longValueExact());
    return at.isBefore(now) ? now : at.isAfter(last) ? last : at;
  }

  private static Instant after(Instant now, BigDecimal millis) {
    return millis.compareTo(BigDecimal.valueOf(HORIZON_MILLIS)) >= 0
        ? now.plus(QuotaHeaders.MAX_HORIZON)
        : now.plusMillis(millis.longValueExact());
  }
}
