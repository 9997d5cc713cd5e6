package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * Plain (stochastic) gradient descent, exactly as {@code torch.optim.SGD} without momentum:
 *
 * <pre>
 *   g ← ∂C/∂θ + λ·θ        (only when the weight decay λ &gt; 0; biases included, as in PyTorch)
 *   θ ← θ − η·g
 * </pre>
 *
 * so that {@code W ← W − η·∂C/∂W} and {@code b ← b − η·∂C/∂b}. Stateless. Immutable and thread-safe.
 */
public final class GradientDescent implements Optimizer {

    private final double learningRate;
    private final double weightDecay;

    private GradientDescent(double learningRate, double weightDecay) {
        this.learningRate = Checks.nonNegativeFinite(learningRate, "learningRate");
        this.weightDecay = Checks.nonNegativeFinite(weightDecay, "weightDecay");
    }

    /**
     * Gradient descent with the given learning rate and no weight decay.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    public static GradientDescent withLearningRate(double learningRate) {
        return new GradientDescent(learningRate, 0);
    }

    /**
     * Returns a copy with L2 weight decay {@code λ}, added to the gradient as {@code λ·θ}.
     *
     * @param lambda {@code λ}, finite and &ge; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if lambda is negative or not finite
     */
    public GradientDescent withWeightDecay(double lambda) {
        return new GradientDescent(learningRate, lambda);
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    /**
     * Returns the weight decay {@code λ}.
     *
     * @return {@code λ ≥ 0}; 0 means none
     */
    public double weightDecay() {
        return weightDecay;
    }

    /** {@code θ ← θ − η·(∂C/∂θ + λ·θ)}. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        Matrix.gradientDescentStep(parameter, gradient, eta, weightDecay); // θ ← θ − η·(∂C/∂θ + λ·θ)
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof GradientDescent o && Double.compare(o.learningRate, learningRate) == 0
                && Double.compare(o.weightDecay, weightDecay) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(learningRate) + Double.hashCode(weightDecay);
    }

    @Override
    public String toString() {
        return "GradientDescent[learningRate=" + learningRate + ", weightDecay=" + weightDecay + "]";
    }
}
