/**
 * Implementation of batchfetch; not part of the API, and anything here may change in any release.
 *
 * <p>The rooms, each a package: {@code time} (the one ticker and the scheduler of timers), {@code
 * batch} (what callers submit, how inputs become requests, results and counts), {@code admission}
 * (the loop that decides when each call may start, and the pure decision after each attempt),
 * {@code limit} (rate-limit permits and bulkhead slots), {@code quota} (what servers' headers say
 * of their quotas) and {@code transport} (one HTTP exchange on OkHttp). This package wires them
 * into a fetcher ({@link dev.batchfetch.internal.Engine}) from its {@link
 * dev.batchfetch.internal.Settings}. See {@code docs/architecture.md}.
 */
@NullMarked
package dev.batchfetch.internal;

import org.jspecify.annotations.NullMarked;
