package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * Gradient descent with (heavy-ball) momentum, exactly as {@code torch.optim.SGD(lr, momentum=μ)}
 * (dampening 0, not Nesterov):
 *
 * <pre>
 *   v ← g                    on the first step (t = 1), as torch.optim does
 *   v ← μ·v + g              on every later step
 *   θ ← θ − η·v
 * </pre>
 *
 * with {@code g = ∂C/∂θ}. Polyak (1964), "Some methods of speeding up the convergence of iteration
 * methods"; the form is PyTorch's, where {@code η} multiplies the velocity rather than the gradient
 * (the two agree while {@code η} is constant). One buffer per parameter, {@value #VELOCITY}.
 * Immutable and thread-safe.
 */
public final class Momentum implements Optimizer {

    /** The name of the velocity buffer in the {@link ParameterState}, torch's {@code momentum_buffer}. */
    public static final String VELOCITY = "momentum_buffer";

    private final double learningRate;
    private final double momentum;

    private Momentum(double learningRate, double momentum) {
        this.learningRate = Checks.nonNegativeFinite(learningRate, "learningRate");
        this.momentum = HyperParameters.decayRate(momentum, "momentum");
    }

    /**
     * Momentum with the given learning rate and momentum coefficient.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @param momentum {@code μ}, in [0, 1); 0.9 is usual
     * @return the optimizer
     * @throws IllegalArgumentException if a hyper-parameter is out of range
     */
    public static Momentum of(double learningRate, double momentum) {
        return new Momentum(learningRate, momentum);
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

    /** {@code v ← μ·v + g} (v = g at t = 1); {@code θ ← θ − η·v}. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        boolean first = !state.hasSlot(VELOCITY);
        Matrix v = state.slot(VELOCITY);
        Matrix.momentumStep(parameter, gradient, v, eta, momentum, first, false); // v ← μ·v + g; θ ← θ − η·v
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Momentum o && Double.compare(o.learningRate, learningRate) == 0
                && Double.compare(o.momentum, momentum) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Double.hashCode(learningRate) + Double.hashCode(momentum);
    }

    @Override
    public String toString() {
        return "Momentum[learningRate=" + learningRate + ", momentum=" + momentum + "]";
    }
}
