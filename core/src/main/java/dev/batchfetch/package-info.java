/**
 * batchfetch: fetch large batches of URLs as fast as the servers' quotas allow, and never faster.
 *
 * <p>Start with {@link dev.batchfetch.BatchFetcher}. Everything a user needs is in this package;
 * {@code dev.batchfetch.internal} is not part of the API and may change in any release.
 */
@NullMarked
package dev.batchfetch;

import org.jspecify.annotations.NullMarked;
