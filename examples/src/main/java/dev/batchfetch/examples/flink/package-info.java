/** The Flink example job: URLs from files, fetched within one quota, JSON Lines out. */
@NullMarked
package dev.batchfetch.examples.flink;

import org.jspecify.annotations.NullMarked;
