/**
 * What servers say about their quotas: {@code Retry-After}, the IETF {@code RateLimit} fields, the
 * {@code X-RateLimit-*} family and the vendors' own (OpenAI, Anthropic, X, Shopify), read from
 * untrusted headers into a {@link dev.batchfetch.internal.quota.QuotaSignal} without ever throwing.
 * Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.quota;

import org.jspecify.annotations.NullMarked;
