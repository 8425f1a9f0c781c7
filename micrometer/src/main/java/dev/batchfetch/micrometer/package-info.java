/**
 * Micrometer meters from batchfetch's events: start with {@link
 * dev.batchfetch.micrometer.BatchFetcherMetrics}.
 */
@NullMarked
package dev.batchfetch.micrometer;

import org.jspecify.annotations.NullMarked;
