package dev.batchfetch.internal.quota;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The part of HTTP Structured Field Values (RFC 9651, formerly RFC 8941) that the rate-limit fields
 * use: Lists and Dictionaries of Items with Parameters, whose bare values are Integers ({@link
 * Long}), Decimals ({@link BigDecimal}), Strings ({@link String}), Tokens ({@link Token}), Byte
 * Sequences ({@link Bytes}, not decoded) and Booleans ({@link Boolean}).
 *
 * <p>Parsing follows RFC 9651 §4.2 and fails the whole field where it says to; Inner Lists, Dates
 * and Display Strings are not needed here and fail it too. Failure is a null result, never an
 * exception. A repeated key keeps its first place and its last value, as the RFC says.
 *
 * <p>Stateless and thread-safe.
 */
final class StructuredFields {
  private StructuredFields() {}

  /** A Token, kept apart from a String. */
  record Token(String value) {}

  /** A Byte Sequence, as its base64 text. */
  record Bytes(String base64) {}

  /** An Item: a bare value and its parameters, in order. */
  record Item(Object value, Map<String, Object> params) {
    /** The parameter as a non-negative Integer, or -1 when absent, negative or not an Integer. */
    long nonNegative(String key) {
      return params.get(key) instanceof Long n && n >= 0 ? n : -1;
    }
  }

  /** The field value as a List, or null when it is not a valid one. Empty input is empty list. */
  static @Nullable List<Item> parseList(String field) {
    try {
      StructuredFieldParser p = new StructuredFieldParser(field);
      List<Item> list = new ArrayList<>();
      while (!p.atEnd()) {
        list.add(p.item());
        p.separator();
      }
      return list;
    } catch (StructuredFieldParser.Malformed e) {
      return null;
    }
  }

  /** The field value as a Dictionary, or null when it is not a valid one. */
  static @Nullable Map<String, Item> parseDictionary(String field) {
    try {
      StructuredFieldParser p = new StructuredFieldParser(field);
      Map<String, Item> dictionary = new LinkedHashMap<>();
      while (!p.atEnd()) {
        String key = p.key();
        Item member = p.accept('=') ? p.item() : new Item(true, p.parameters());
        dictionary.put(key, member);
        p.separator();
      }
      return dictionary;
    } catch (StructuredFieldParser.Malformed e) {
      return null;
    }
  }
}
