/**
 * The Flink module's internals: the fetchers shared by the subtasks of a task manager, the local
 * share of a quota, and the type serializers. Not part of the API; may change in any release.
 */
@NullMarked
package dev.batchfetch.flink.internal;

import org.jspecify.annotations.NullMarked;
