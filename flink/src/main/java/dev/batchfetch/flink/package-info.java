/** Apache Flink Async I/O for batchfetch. */
@NullMarked
package dev.batchfetch.flink;

import org.jspecify.annotations.NullMarked;
