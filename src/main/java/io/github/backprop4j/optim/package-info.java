/**
 * Optimizers: the {@link io.github.backprop4j.optim.Optimizer} contract, its per-run
 * {@link io.github.backprop4j.optim.OptimizerState state}, and the implementations
 * ({@link io.github.backprop4j.optim.GradientDescent}). Configuration, state and model are kept apart.
 */
package io.github.backprop4j.optim;
