/**
 * Implementation of batchfetch: admission (rate limiter and bulkhead), scheduling and transport.
 * Not part of the API; anything here may change in any release.
 */
@NullMarked
package dev.batchfetch.internal;

import org.jspecify.annotations.NullMarked;
