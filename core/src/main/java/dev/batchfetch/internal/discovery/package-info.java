/**
 * Quota discovery: what rate a host accepts, learned from each attempt's outcome (429s, the rate
 * the server accepted, quota headers) by a pure controller with no thread and no clock of its own.
 * Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.discovery;

import org.jspecify.annotations.NullMarked;
