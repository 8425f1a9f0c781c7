/**
 * Events: what a fetcher tells its {@link dev.batchfetch.FetchListener}s and its log. {@link
 * dev.batchfetch.internal.events.Events} takes them from the admission loop and the calls' threads
 * into a bounded queue, and a thread of its own hands them on, so that no listener and no log line
 * sits on the path of a call. Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.events;

import org.jspecify.annotations.NullMarked;
