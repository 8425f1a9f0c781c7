/**
 * Time, from one source: the {@link dev.batchfetch.internal.time.Ticker} every part of a fetcher
 * reads, and the {@link dev.batchfetch.internal.time.Scheduler} that runs its timers. Tests give a
 * fetcher a manual one of each and advance time by hand. Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.time;

import org.jspecify.annotations.NullMarked;
