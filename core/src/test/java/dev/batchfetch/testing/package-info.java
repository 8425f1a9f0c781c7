/**
 * Test fixtures shared beyond core's own tests through its test jar: the benchmarks module uses
 * them too. Not part of the library.
 */
@NullMarked
package dev.batchfetch.testing;

import org.jspecify.annotations.NullMarked;
