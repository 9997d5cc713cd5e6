package io.github.backprop4j.optim;

import io.github.backprop4j.math.Matrix;

/**
 * The plug-in contract of every optimizer: how one step turns a parameter and its gradient
 * {@code ∂C/∂θ} into the updated parameter.
 *
 * <p>Three things are kept apart, as in Keras and torch.optim:
 * <ul>
 *   <li>the <b>configuration</b> — an {@code Optimizer} instance: immutable hyper-parameters, shareable
 *       between any number of training runs and threads;</li>
 *   <li>the <b>state</b> — an {@link OptimizerState}: per-parameter buffers (momentum, moments) and the
 *       step count of one training run, created empty and filled by the optimizer on first use through
 *       {@link ParameterState#slot(String)};</li>
 *   <li>the <b>model</b> — an immutable {@code Network}; the caller hands the optimizer a writable copy of
 *       one parameter at a time and builds the new network from the results.</li>
 * </ul>
 *
 * <p>The lifecycle of one step: the caller copies each layer's weights and biases, calls
 * {@link #update} once per parameter tensor (layer 1 weights, layer 1 bias, layer 2 weights, …) with the
 * {@link ParameterState} of that tensor, then calls {@link OptimizerState#completeStep()}. A gradient
 * always means {@code ∂C/∂θ}, never its negative.
 */
public interface Optimizer {

    /**
     * Plain gradient descent, {@code θ ← θ − η·∂C/∂θ}.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    static GradientDescent sgd(double learningRate) {
        return GradientDescent.withLearningRate(learningRate);
    }

    /**
     * Returns the learning rate {@code η} that this configuration uses for every step.
     *
     * @return the learning rate, finite and &ge; 0
     */
    double learningRate();

    /**
     * Updates one parameter tensor in place.
     *
     * @param parameter {@code θ}: a writable copy of the weights {@code [out × in]} or bias {@code [1 × out]}
     *     of one layer, to be overwritten with the updated values
     * @param gradient {@code ∂C/∂θ}, the same shape and precision; must not be changed
     * @param learningRate {@code η} for this step
     * @param state the state of this parameter in this training run
     */
    void update(Matrix parameter, Matrix gradient, double learningRate, ParameterState state);
}
