/**
 * Optimizers: the {@link io.github.backprop4j.optim.Optimizer} contract, its per-run
 * {@link io.github.backprop4j.optim.OptimizerState state}, and the implementations
 * ({@link io.github.backprop4j.optim.GradientDescent}, {@link io.github.backprop4j.optim.Momentum},
 * {@link io.github.backprop4j.optim.Nesterov}, {@link io.github.backprop4j.optim.AdaGrad},
 * {@link io.github.backprop4j.optim.RmsProp}, {@link io.github.backprop4j.optim.Adam},
 * {@link io.github.backprop4j.optim.AdamW}), each reproducing torch.optim. Options that work with any
 * optimizer are {@link io.github.backprop4j.optim.GradientTransform gradient transforms} (L2, L1, clipping)
 * and freezing, reached through default methods of {@code Optimizer}; learning-rate schedules are
 * {@link io.github.backprop4j.optim.LearningRateSchedule}s. Configuration, state and model are kept apart.
 * See {@code docs/optimizers.md}.
 */
package io.github.backprop4j.optim;
