/**
 * The code shown in {@code README.md} and the pages of {@code docs/}, kept here so that it compiles
 * and runs. Each snippet sits between {@code // [START name]} and {@code // [END name]}; a page
 * shows it after {@code <!-- snippet: path#name -->}, and a test checks that the two agree.
 */
@NullMarked
package dev.batchfetch.examples.docs;

import org.jspecify.annotations.NullMarked;
