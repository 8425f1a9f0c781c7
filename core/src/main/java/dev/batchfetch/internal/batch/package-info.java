/**
 * The batches callers submit: where their inputs come from ({@link
 * dev.batchfetch.internal.batch.ListBatch} holds a list, {@link
 * dev.batchfetch.internal.batch.StreamBatch} reads an iterator lazily), how each input becomes a
 * request, where results go, and the counts of progress reports and summaries. Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.batch;

import org.jspecify.annotations.NullMarked;
