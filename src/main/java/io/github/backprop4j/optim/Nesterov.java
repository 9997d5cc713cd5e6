package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * Gradient descent with Nesterov momentum, exactly as {@code torch.optim.SGD(lr, momentum=μ, nesterov=True)}:
 *
 * <pre>
 *   v ← g                    on the first step (t = 1)
 *   v ← μ·v + g              on every later step
 *   θ ← θ − η·(g + μ·v)
 * </pre>
 *
 * with {@code g = ∂C/∂θ}: the step looks ahead along the velocity. Nesterov (1983), in the form of
 * Sutskever et al. (2013), "On the importance of initialization and momentum in deep learning", as
 * PyTorch implements it. Shares its velocity buffer {@value Momentum#VELOCITY} with {@link Momentum}.
 * Immutable and thread-safe.
 */
public final class Nesterov implements Optimizer {

    private final double learningRate;
    private final double momentum;

    private Nesterov(double learningRate, double momentum) {
        this.learningRate = Checks.nonNegativeFinite(learningRate, "learningRate");
        this.momentum = HyperParameters.decayRate(momentum, "momentum");
    }

    /**
     * Nesterov momentum with the given learning rate and momentum coefficient.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @param momentum {@code μ}, in [0, 1); 0.9 is usual
     * @return the optimizer
     * @throws IllegalArgumentException if a hyper-parameter is out of range
     */
    public static Nesterov of(double learningRate, double momentum) {
        return new Nesterov(learningRate, momentum);
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    /**
     * Returns the momentum coefficient.
     *
     * @return {@code μ}
     */
    public double momentum() {
        return momentum;
    }

    /** {@code v ← μ·v + g} (v = g at t = 1); {@code θ ← θ − η·(g + μ·v)}. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        boolean first = !state.hasSlot(Momentum.VELOCITY);
        Matrix v = state.slot(Momentum.VELOCITY);
        Matrix.momentumStep(parameter, gradient, v, eta, momentum, first, true); // v ← μ·v + g; θ ← θ − η·(g + μ·v)
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Nesterov o && Double.compare(o.learningRate, learningRate) == 0
                && Double.compare(o.momentum, momentum) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(learningRate) + Double.hashCode(momentum);
    }

    @Override
    public String toString() {
        return "Nesterov[learningRate=" + learningRate + ", momentum=" + momentum + "]";
    }
}
