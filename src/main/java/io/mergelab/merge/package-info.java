/**
 * The merge engine: mergekit-compatible recipes ({@link io.mergelab.merge.recipe}), merge methods found
 * through {@link java.util.ServiceLoader} ({@link io.mergelab.merge.MergeMethod}), a planner that resolves
 * every tensor's inputs and parameters up front, and a streaming, bounded-memory runner.
 */
package io.mergelab.merge;
