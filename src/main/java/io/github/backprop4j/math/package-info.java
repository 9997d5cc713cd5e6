/**
 * The dense-matrix facade that model and training code call: {@link io.github.backprop4j.math.Matrix}
 * in two {@link io.github.backprop4j.math.Precision precisions}. Each operation states its equation and
 * dispatches to a kernel of its precision in {@code io.github.backprop4j.math.kernel}.
 */
package io.github.backprop4j.math;
