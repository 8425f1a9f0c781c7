package dev.batchfetch.internal;

import dev.batchfetch.internal.admission.Transport;
import dev.batchfetch.internal.time.Scheduler;
import dev.batchfetch.internal.time.Ticker;
import java.util.concurrent.Executor;

/**
 * What a test puts in place of a fetcher's clock, threads and network, so that it runs in virtual
 * time: a manual ticker, a scheduler that runs what is due when the test advances the ticker, an
 * executor for the work the fetcher would hand to its other threads (asking a user's limiter,
 * delivering a streamed batch's results), and a scripted transport. A fetcher built with hooks
 * starts no thread and opens no connection of its own.
 *
 * @param ticker read for every time
 * @param scheduler runs the admission loop's timers, deadlines and progress reports
 * @param executor runs the work of the fetcher's quota and delivery threads
 * @param transport sends the attempts
 */
public record Hooks(Ticker ticker, Scheduler scheduler, Executor executor, Transport transport) {}
