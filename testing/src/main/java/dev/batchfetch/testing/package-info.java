/**
 * Test fixtures of the project's modules (servers as child processes, the API dump), in the
 * never-published batchfetch-testing module; the benchmarks use them too. Not part of the library.
 */
@NullMarked
package dev.batchfetch.testing;

import org.jspecify.annotations.NullMarked;
