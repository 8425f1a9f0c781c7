package dev.batchfetch.internal.transport;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import okhttp3.Headers;
import org.jspecify.annotations.Nullable;

/**
 * A response's headers as the immutable map a {@code Result} holds (names in lower case, looked up
 * ignoring case, in name order), made without copying: lookups read OkHttp's immutable {@link
 * Headers} directly, and the sorted entries are built only if someone iterates them. {@code Result}
 * keeps an instance as it is instead of copying it. Thread-safe.
 */
public final class ResponseHeaders extends AbstractMap<String, List<String>> {
  private final Headers headers;
  private volatile @Nullable Map<String, List<String>> sorted;

  public ResponseHeaders(Headers headers) {
    this.headers = headers;
  }

  @Override
  public @Nullable List<String> get(@Nullable Object name) {
    if (!(name instanceof String s)) {
      return null;
    }
    List<String> values = headers.values(s);
    return values.isEmpty() ? null : values;
  }

  @Override
  public boolean containsKey(@Nullable Object name) {
    return name instanceof String s && headers.get(s) != null;
  }

  @Override
  public boolean isEmpty() {
    return headers.size() == 0;
  }

  @Override
  public int size() {
    return sorted().size();
  }

  @Override
  public Set<Entry<String, List<String>>> entrySet() {
    return sorted().entrySet();
  }

  private Map<String, List<String>> sorted() {
    Map<String, List<String>> map = sorted;
    if (map == null) {
      TreeMap<String, List<String>> byName = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (String name : headers.names()) {
        byName.put(name.toLowerCase(Locale.ROOT), headers.values(name));
      }
      map = Collections.unmodifiableMap(byName);
      sorted = map;
    }
    return map;
  }
}
