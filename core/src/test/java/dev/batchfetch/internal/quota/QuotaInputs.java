package dev.batchfetch.internal.quota;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/** Generators of quota headers for the property tests: well-formed, mangled and garbage. */
final class QuotaInputs {
  static final List<String> NAMES =
      List.of(
          "Retry-After",
          "RateLimit",
          "RateLimit-Policy",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
          "X-RateLimit-Limit",
          "X-RateLimit-Remaining",
          "X-RateLimit-Reset",
          "X-RateLimit-Reset-After",
          "x-rate-limit-limit",
          "x-rate-limit-remaining",
          "x-rate-limit-reset",
          "x-ratelimit-limit-requests",
          "x-ratelimit-remaining-requests",
          "x-ratelimit-reset-requests",
          "anthropic-ratelimit-requests-limit",
          "anthropic-ratelimit-requests-remaining",
          "anthropic-ratelimit-requests-reset",
          "X-Shopify-Shop-Api-Call-Limit");

  /** The three HTTP-date forms, in the order IMF-fixdate, RFC 850, asctime. */
  static final List<DateTimeFormatter> DATE_FORMS =
      List.of(
          DateTimeFormatter.ofPattern("EEE, dd MMM uuuu HH:mm:ss 'GMT'", Locale.US),
          DateTimeFormatter.ofPattern("EEEE, dd-MMM-uu HH:mm:ss 'GMT'", Locale.US),
          DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss uuuu", Locale.US));

  private static final String NASTY =
      "\",;=:()?*-.+ \t\r\n\0e0123456789abcXYZ\u00e9\u0663\uffff\ud800";
  private static final long YEAR_SECONDS = 31_556_952L;
  private static final List<String> EDGES =
      List.of(
          "0",
          "-0",
          "000",
          Long.toString(Long.MIN_VALUE),
          Long.toString(Long.MAX_VALUE),
          "9223372036854775808",
          "-9223372036854775809",
          "31622400",
          "999999999",
          "1000000000",
          "999999999999",
          "1000000000000");
  private static final List<String> MALFORMED =
      List.of(".5", "5.", "1..2", "1.2.3", "-1.5", "0x1F", "Infinity", "NaN", "", "\u0663");

  private QuotaInputs() {}

  /** One field line. */
  record Line(String name, String value) {
    @Override
    public String toString() {
      return name + ": " + value;
    }
  }

  /** The lines of one response and when it was received. */
  record Response(Instant now, List<Line> lines) {}

  /** Mostly a time between 1970 and 2100 with any nanoseconds; now and then an extreme. */
  static Instant now(Random r) {
    if (r.nextInt(50) == 0) {
      return List.of(Instant.MIN, Instant.MAX, Instant.EPOCH, Instant.MAX.minusSeconds(1))
          .get(r.nextInt(4));
    }
    return realisticNow(r);
  }

  static Instant realisticNow(Random r) {
    return Instant.ofEpochSecond(r.nextInt(Integer.MAX_VALUE) * 2L, r.nextInt(1_000_000_000));
  }

  static Response response(Random r) {
    Instant now = now(r);
    List<Line> lines = new ArrayList<>();
    for (int i = r.nextInt(9); i > 0; i--) {
      String name =
          r.nextInt(8) == 0
              ? "X-" + letters(r, 1 + r.nextInt(8))
              : NAMES.get(r.nextInt(NAMES.size()));
      lines.add(new Line(randomCase(r, name), value(r, now)));
    }
    return new Response(now, lines);
  }

  static String value(Random r, Instant now) {
    return switch (r.nextInt(8)) {
      case 0 -> garbage(r);
      case 1, 2 -> number(r);
      case 3 -> date(r, now);
      case 4, 5 -> structured(r);
      case 6 -> vendor(r, now);
      default -> mutate(r, value(r, now));
    };
  }

  /** The vendors' forms: a Go duration, an RFC 3339 time, Shopify's used/size. */
  static String vendor(Random r, Instant now) {
    return switch (r.nextInt(3)) {
      case 0 -> {
        StringBuilder out = new StringBuilder();
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
          out.append(r.nextInt(5) == 0 ? number(r) : Integer.toString(r.nextInt(100)))
              .append(List.of("h", "m", "s", "ms", "us", "\u00b5s", "ns", "").get(r.nextInt(8)));
        }
        yield out.toString();
      }
      case 1 -> realisticNow(r).toString().replace('T', r.nextBoolean() ? 'T' : ' ');
      default -> number(r) + "/" + number(r);
    };
  }

  /** Any characters: ASCII, controls, separators, other scripts, lone surrogates. */
  static String garbage(Random r) {
    StringBuilder out = new StringBuilder();
    for (int n = r.nextInt(40); n > 0; n--) {
      int kind = r.nextInt(4);
      out.append(
          kind == 0
              ? (char) r.nextInt(0x80)
              : kind == 1 ? (char) r.nextInt(0x10000) : NASTY.charAt(r.nextInt(NASTY.length())));
    }
    return out.toString();
  }

  /** Numbers of every size, sign and spelling, valid or not. */
  static String number(Random r) {
    return switch (r.nextInt(14)) {
      case 0 -> Integer.toString(r.nextInt(1_001));
      case 1 -> Long.toString(r.nextLong());
      case 2 -> EDGES.get(r.nextInt(EDGES.size()));
      case 3 -> digits(r, 19 + r.nextInt(400));
      case 4 -> digits(r, 1 + r.nextInt(20)) + "." + digits(r, 1 + r.nextInt(12));
      case 5 -> r.nextInt(1000) + (r.nextBoolean() ? "e" : "E-") + r.nextInt(30);
      case 6 -> "+" + r.nextInt(100_000);
      case 7 -> "-" + digits(r, 1 + r.nextInt(25));
      case 8 -> whitespace(r) + number(r) + whitespace(r);
      case 9 -> r.nextInt(100) + List.of(" ", ",", ";", "_", "..").get(r.nextInt(5)) + r.nextInt(9);
      case 10 -> MALFORMED.get(r.nextInt(MALFORMED.size()));
      case 11 -> // an epoch in seconds or milliseconds, perhaps with a fraction
          (1_000_000_000L + r.nextInt(Integer.MAX_VALUE))
              + (r.nextBoolean()
                  ? ""
                  : r.nextBoolean() ? "000" : "." + digits(r, 1 + r.nextInt(6)));
      case 12 -> Double.toString(r.nextDouble() * Math.pow(10, r.nextInt(25)));
      default -> Long.toString(r.nextInt(Integer.MAX_VALUE) * (long) r.nextInt(Integer.MAX_VALUE));
    };
  }

  /** An HTTP-date, well-formed or mangled field by field or character by character. */
  static String date(Random r, Instant now) {
    int pick = r.nextInt(3);
    if (pick == 0) {
      long seconds = now.getEpochSecond() + (long) ((r.nextDouble() - 0.5) * 100 * YEAR_SECONDS);
      long clamped = Math.max(-62_000_000_000L, Math.min(253_000_000_000L, seconds));
      return format(r.nextInt(3), Instant.ofEpochSecond(clamped));
    }
    return pick == 1 ? DateFields.random(r).text() : mutate(r, date(r, now));
  }

  static String format(int form, Instant time) {
    return DATE_FORMS.get(form).format(LocalDateTime.ofInstant(time, ZoneOffset.UTC));
  }

  /** A structured field in the shapes RateLimit and RateLimit-Policy take, with random values. */
  static String structured(Random r) {
    if (r.nextInt(4) == 0) {
      return "limit=" + sfNumber(r) + ", remaining=" + sfNumber(r) + ", reset=" + sfNumber(r);
    }
    StringBuilder out = new StringBuilder();
    for (int n = 1 + r.nextInt(4); n > 0; n--) {
      out.append(
          List.of("\"default\"", "burst", "\"da\\\"ily\"", sfNumber(r), "?1", ":cGs=:")
              .get(r.nextInt(6)));
      for (int p = r.nextInt(5); p > 0; p--) {
        String key = List.of("q", "w", "r", "t", "pk", "qu", "x-y").get(r.nextInt(7));
        out.append(';').append(key).append('=').append(sfNumber(r));
      }
      if (n > 1) {
        out.append(',').append(r.nextBoolean() ? " " : r.nextBoolean() ? "\t" : "");
      }
    }
    return out.toString();
  }

  private static String sfNumber(Random r) {
    return switch (r.nextInt(5)) {
      case 0 -> Long.toString(r.nextInt(100));
      case 1 -> digits(r, 1 + r.nextInt(17));
      case 2 -> "-" + r.nextInt(1000);
      case 3 -> r.nextInt(1000) + "." + digits(r, 1 + r.nextInt(4));
      default -> Integer.toString(r.nextInt(Integer.MAX_VALUE));
    };
  }

  /** One to three random edits: delete, insert, duplicate, swap, truncate. */
  static String mutate(Random r, String s) {
    StringBuilder out = new StringBuilder(s);
    for (int n = 1 + r.nextInt(3); n > 0; n--) {
      int at = r.nextInt(out.length() + 1);
      switch (r.nextInt(5)) {
        case 0 -> {
          if (at < out.length()) {
            out.deleteCharAt(at);
          }
        }
        case 1 -> out.insert(at, NASTY.charAt(r.nextInt(NASTY.length())));
        case 2 -> out.insert(at, out.substring(at, Math.min(out.length(), at + 1 + r.nextInt(5))));
        case 3 -> {
          if (at + 1 < out.length()) {
            char ch = out.charAt(at);
            out.setCharAt(at, out.charAt(at + 1));
            out.setCharAt(at + 1, ch);
          }
        }
        default -> out.setLength(at);
      }
    }
    return out.toString();
  }

  static String digits(Random r, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append((char) ('0' + r.nextInt(10)));
    }
    return out.toString();
  }

  static String whitespace(Random r) {
    return List.of("", " ", "\t", "  \t ").get(r.nextInt(4));
  }

  static String randomCase(Random r, String s) {
    int pick = r.nextInt(3);
    if (pick < 2) {
      return pick == 0 ? s : s.toLowerCase(Locale.ROOT);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      out.append(r.nextBoolean() ? Character.toUpperCase(ch) : Character.toLowerCase(ch));
    }
    return out.toString();
  }

  private static String letters(Random r, int n) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < n; i++) {
      out.append((char) ('a' + r.nextInt(26)));
    }
    return out.toString();
  }
}
