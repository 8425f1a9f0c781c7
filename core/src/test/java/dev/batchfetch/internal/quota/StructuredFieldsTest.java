package dev.batchfetch.internal.quota;

import static org.assertj.core.api.Assertions.assertThat;

import dev.batchfetch.internal.quota.StructuredFields.Bytes;
import dev.batchfetch.internal.quota.StructuredFields.Item;
import dev.batchfetch.internal.quota.StructuredFields.Token;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Known answers for the structured-field subset, after the examples of RFC 9651. */
@Timeout(10)
class StructuredFieldsTest {

  @Test
  void readsAListOfItemsWithParameters() {
    List<Item> list = StructuredFields.parseList("\"burst\";q=100;w=60, \"daily\";q=1000;w=86400");

    assertThat(list)
        .containsExactly(
            new Item("burst", Map.of("q", 100L, "w", 60L)),
            new Item("daily", Map.of("q", 1000L, "w", 86400L)));
    assertThat(list.get(0).nonNegative("q")).isEqualTo(100);
    assertThat(list.get(0).nonNegative("r")).isEqualTo(-1);
  }

  @Test
  void readsEveryBareItemType() {
    List<Item> list =
        StructuredFields.parseList(
            "42, -7, 4.5, -0.125, \"a \\\"q\\\" \\\\\", tok*en:/x, *t, :cHJldGVuZA==:, ?1, ?0");

    assertThat(list)
        .extracting(Item::value)
        .containsExactly(
            42L,
            -7L,
            new BigDecimal("4.5"),
            new BigDecimal("-0.125"),
            "a \"q\" \\",
            new Token("tok*en:/x"),
            new Token("*t"),
            new Bytes("cHJldGVuZA=="),
            true,
            false);
  }

  @Test
  void readsParametersWithoutValuesAsTrueAndKeepsTheLastOfARepeatedKey() {
    assertThat(StructuredFields.parseList("a;x;y=1;x=2"))
        .containsExactly(new Item(new Token("a"), Map.of("x", 2L, "y", 1L)));
  }

  @Test
  void readsADictionary() {
    Map<String, Item> dictionary =
        StructuredFields.parseDictionary("limit=100, remaining=50,reset=5 ,\tflag;p=1");

    assertThat(dictionary)
        .containsExactly(
            Map.entry("limit", new Item(100L, Map.of())),
            Map.entry("remaining", new Item(50L, Map.of())),
            Map.entry("reset", new Item(5L, Map.of())),
            Map.entry("flag", new Item(true, Map.of("p", 1L))));
  }

  @Test
  void readsEmptyAsEmpty() {
    assertThat(StructuredFields.parseList("")).isEmpty();
    assertThat(StructuredFields.parseList("   ")).isEmpty();
    assertThat(StructuredFields.parseDictionary("")).isEmpty();
  }

  @Test
  void readsTheLimitsOfNumbers() {
    assertThat(StructuredFields.parseList("999999999999999, -999999999999999"))
        .extracting(Item::value)
        .containsExactly(999_999_999_999_999L, -999_999_999_999_999L);
    assertThat(StructuredFields.parseList("999999999999.999"))
        .extracting(Item::value)
        .containsExactly(new BigDecimal("999999999999.999"));
  }

  @Test
  void failsTheWholeFieldOnAnyError() {
    String[] bad = {
      "1,", // trailing comma
      ",1",
      "1,,2",
      "1 2",
      "1000000000000000", // 16 digits
      "1000000000000.5", // 13 integer digits
      "1.2345", // 4 fraction digits
      "1.",
      "-",
      "-a",
      "+1",
      "1e3",
      "\"open",
      "\"bad \\n escape\"",
      "\"tab\there\"",
      "\"é\"",
      ":not base64!:",
      ":open",
      "?2",
      "(inner list)",
      "@1659578233", // a Date
      "%\"display\"",
      "a;Q=1", // upper-case key
      "a;=1",
      "a; ;b",
      "a;b=",
      "\t1", // a leading tab is not a leading space
      "é",
    };
    for (String value : bad) {
      assertThat(StructuredFields.parseList(value)).as(value).isNull();
    }
  }

  @Test
  void failsADictionaryWithABadKey() {
    for (String value : new String[] {"Limit=1", "1=1", "limit=", "limit=1,", "\"a\"=1"}) {
      assertThat(StructuredFields.parseDictionary(value)).as(value).isNull();
    }
  }
}
