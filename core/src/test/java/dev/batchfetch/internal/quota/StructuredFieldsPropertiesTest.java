package dev.batchfetch.internal.quota;

import static dev.batchfetch.internal.quota.Property.expectEqual;

import dev.batchfetch.internal.quota.StructuredFields.Bytes;
import dev.batchfetch.internal.quota.StructuredFields.Item;
import dev.batchfetch.internal.quota.StructuredFields.Token;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The structured-field parser over generated fields; {@link Property} prints a failing seed. */
@Timeout(30)
class StructuredFieldsPropertiesTest {
  private static final String TOKEN_CHARS =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~:/";

  record Field(String text, List<Item> items, Map<String, Item> members) {}

  @Test
  void serializedListsAndDictionariesParseBackToTheirItems() {
    Property.forAll(
        "structured round trip",
        10_000,
        StructuredFieldsPropertiesTest::field,
        f -> {
          if (f.members() == null) {
            expectEqual("list", StructuredFields.parseList(f.text()), f.items());
          } else {
            expectEqual("dictionary", StructuredFields.parseDictionary(f.text()), f.members());
          }
        });
  }

  @Test
  void mangledFieldsNeverThrow() {
    Property.forAll(
        "mangled structured fields",
        20_000,
        r -> QuotaInputs.mutate(r, r.nextBoolean() ? field(r).text() : QuotaInputs.structured(r)),
        text -> {
          StructuredFields.parseList(text);
          StructuredFields.parseDictionary(text);
        });
  }

  private static Field field(Random r) {
    StringBuilder text = new StringBuilder(" ".repeat(r.nextInt(2)));
    boolean dictionary = r.nextBoolean();
    List<Item> items = new ArrayList<>();
    Map<String, Item> members = new LinkedHashMap<>();
    for (int n = r.nextInt(4); n > 0; n--) {
      Object value = bareItem(r);
      Map<String, Object> params = new LinkedHashMap<>();
      StringBuilder serialized = new StringBuilder();
      for (int p = r.nextInt(4); p > 0; p--) {
        String key = key(r);
        Object param = bareItem(r);
        params.put(key, param);
        serialized.append(';').append(key);
        if (!Boolean.TRUE.equals(param) || r.nextBoolean()) {
          serialized.append('=').append(serialize(param));
        }
      }
      if (dictionary) {
        String key = key(r);
        members.put(key, new Item(value, params));
        text.append(key);
        if (!Boolean.TRUE.equals(value) || r.nextBoolean()) {
          text.append('=').append(serialize(value));
        }
      } else {
        items.add(new Item(value, params));
        text.append(serialize(value));
      }
      text.append(serialized).append(n > 1 ? "," + QuotaInputs.whitespace(r) : "");
    }
    return new Field(text + " ".repeat(r.nextInt(2)), items, dictionary ? members : null);
  }

  private static Object bareItem(Random r) {
    return switch (r.nextInt(6)) {
      case 0 -> r.nextLong() % 1_000_000_000_000_000L; // at most 15 digits
      case 1 -> {
        int scale = 1 + r.nextInt(3);
        long unscaled = r.nextLong() % BigInteger.TEN.pow(12 + scale).longValueExact();
        yield BigDecimal.valueOf(unscaled, scale);
      }
      case 2 -> {
        StringBuilder s = new StringBuilder();
        for (int n = r.nextInt(8); n > 0; n--) {
          s.append((char) (0x20 + r.nextInt(0x5f)));
        }
        yield s.toString();
      }
      case 3 -> {
        StringBuilder t = new StringBuilder(r.nextBoolean() ? "*" : "q");
        for (int n = r.nextInt(6); n > 0; n--) {
          t.append(TOKEN_CHARS.charAt(r.nextInt(TOKEN_CHARS.length())));
        }
        yield new Token(t.toString());
      }
      case 4 -> {
        byte[] bytes = new byte[r.nextInt(8)];
        r.nextBytes(bytes);
        yield new Bytes(Base64.getEncoder().encodeToString(bytes));
      }
      default -> r.nextBoolean();
    };
  }

  private static String serialize(Object value) {
    if (value instanceof String s) {
      return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    } else if (value instanceof Token t) {
      return t.value();
    } else if (value instanceof Bytes b) {
      return ':' + b.base64() + ':';
    } else if (value instanceof Boolean b) {
      return b ? "?1" : "?0";
    } else if (value instanceof BigDecimal d) {
      return d.toPlainString();
    }
    return value.toString();
  }

  private static String key(Random r) {
    StringBuilder key = new StringBuilder(r.nextBoolean() ? "*" : "k");
    for (int n = r.nextInt(4); n > 0; n--) {
      key.append("abcxyz0189_-.*".charAt(r.nextInt(14)));
    }
    return key.toString();
  }
}
