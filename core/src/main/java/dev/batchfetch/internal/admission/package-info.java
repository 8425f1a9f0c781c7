/**
 * Admission: may this call start now? One loop, thread-confined ({@link
 * dev.batchfetch.internal.admission.Loop}), takes inputs from the batches into a queue per {@link
 * dev.batchfetch.internal.admission.Host}, serves the ready hosts in input order through their
 * bulkheads and rate limiters ({@link dev.batchfetch.internal.admission.Admission}), hands each
 * admitted {@link dev.batchfetch.internal.admission.Exchange} to the {@link
 * dev.batchfetch.internal.admission.Transport}, and applies what a pure step ({@link
 * dev.batchfetch.internal.admission.Decision}) makes of each ended attempt: hold the host, retry at
 * a time, or complete. Not a public API.
 */
@NullMarked
package dev.batchfetch.internal.admission;

import org.jspecify.annotations.NullMarked;
