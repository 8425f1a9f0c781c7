package dev.batchfetch.benchmarks;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Command-line options: {@code --name value} pairs and bare {@code --flag}s. */
final class Args {
  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();

  /**
   * @param booleanFlags the options that take no value
   * @throws IllegalArgumentException for an argument that is not an option, or a missing value
   */
  Args(String[] args, Set<String> booleanFlags) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + arg);
      }
      String name = arg.substring(2);
      if (booleanFlags.contains(name)) {
        flags.add(name);
      } else if (i + 1 < args.length) {
        values.put(name, args[++i]);
      } else {
        throw new IllegalArgumentException(arg + " needs a value");
      }
    }
  }

  boolean flag(String name) {
    return flags.contains(name);
  }

  String get(String name) {
    String value = values.get(name);
    if (value == null) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  String get(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  int getInt(String name) {
    return Integer.parseInt(get(name));
  }

  int getInt(String name, int fallback) {
    String value = values.get(name);
    return value == null ? fallback : Integer.parseInt(value);
  }

  boolean has(String name) {
    return values.containsKey(name);
  }

  long getLong(String name, long fallback) {
    String value = values.get(name);
    return value == null ? fallback : Long.parseLong(value);
  }
}
