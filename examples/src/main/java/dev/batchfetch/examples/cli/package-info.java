/**
 * The command-line fetcher, {@link dev.batchfetch.examples.cli.FetchCli}: fetches the URLs of a
 * file or of standard input with a {@link dev.batchfetch.BatchFetcher} configured from its options,
 * and writes one JSON line per input line.
 */
@NullMarked
package dev.batchfetch.examples.cli;

import org.jspecify.annotations.NullMarked;
