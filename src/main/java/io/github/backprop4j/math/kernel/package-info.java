/**
 * Loops over flat row-major arrays, one class per element type. Called only by
 * {@link io.github.backprop4j.math.Matrix}, which checks shapes first; kernels allocate nothing, log
 * nothing and know no model types. The plain kernels here are the reference that every faster kernel is
 * tested against.
 */
package io.github.backprop4j.math.kernel;
