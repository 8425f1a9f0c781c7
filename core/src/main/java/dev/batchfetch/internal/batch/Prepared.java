package dev.batchfetch.internal.batch;

import dev.batchfetch.ErrorKind;
import okhttp3.Request;
import org.jspecify.annotations.Nullable;

/** One input of a batch turned into an OkHttp request, or the reason it cannot be one. */
public sealed interface Prepared {

  /** The URL as the user gave it, for the result; null when the input was not a URL at all. */
  @Nullable String url();

  /** A request ready to be admitted. */
  record Ready(String url, Request request) implements Prepared {}

  /** An input that fails without being sent. */
  record Invalid(@Nullable String url, ErrorKind kind, Exception exception) implements Prepared {}
}
