/**
 * The transport: one HTTP exchange on OkHttp, blocking on the policy's threads or asynchronous on
 * OkHttp's dispatcher; the body read within its limit and closed; the failure classified; what the
 * response says of the quota read. Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.transport;

import org.jspecify.annotations.NullMarked;
