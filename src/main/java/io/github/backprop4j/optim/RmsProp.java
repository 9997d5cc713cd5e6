package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * RMSProp, exactly as {@code torch.optim.RMSprop(lr, alpha, eps)} (not centered, no momentum):
 *
 * <pre>
 *   s ← α·s + (1 − α)·g²     (s starts at 0)
 *   θ ← θ − η·g / (√s + ε)
 * </pre>
 *
 * with {@code g = ∂C/∂θ} and squares and roots element by element: each parameter's step is divided by a
 * running root-mean-square of its gradients. Tieleman and Hinton (2012), Coursera "Neural Networks for
 * Machine Learning", lecture 6.5. One buffer per parameter, {@value #SQUARE_AVERAGE}. Immutable and
 * thread-safe.
 */
public final class RmsProp implements Optimizer {

    /** torch's default learning rate, 0.01. */
    public static final double DEFAULT_LEARNING_RATE = 1e-2;
    /** torch's default smoothing constant {@code α}, 0.99. */
    public static final double DEFAULT_ALPHA = 0.99;
    /** torch's default {@code ε}, 1e-8. */
    public static final double DEFAULT_EPSILON = 1e-8;
    /** The name of the running mean of squared gradients, torch's {@code square_avg}. */
    public static final String SQUARE_AVERAGE = "square_avg";

    private final double learningRate;
    private final double alpha;
    private final double epsilon;

    private RmsProp(double learningRate, double alpha, double epsilon) {
        this.learningRate = Checks.nonNegativeFinite(learningRate, "learningRate");
        this.alpha = HyperParameters.decayRate(alpha, "alpha");
        this.epsilon = Checks.positiveFinite(epsilon, "epsilon");
    }

    /**
     * RMSProp with the given learning rate and torch's other defaults.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    public static RmsProp withLearningRate(double learningRate) {
        return new RmsProp(learningRate, DEFAULT_ALPHA, DEFAULT_EPSILON);
    }

    /**
     * Returns a copy with another smoothing constant.
     *
     * @param alpha {@code α}, in [0, 1)
     * @return a new optimizer
     * @throws IllegalArgumentException if alpha is out of range
     */
    public RmsProp withAlpha(double alpha) {
        return new RmsProp(learningRate, alpha, epsilon);
    }

    /**
     * Returns a copy with another {@code ε}.
     *
     * @param epsilon {@code ε}, finite and &gt; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if epsilon is not finite and positive
     */
    public RmsProp withEpsilon(double epsilon) {
        return new RmsProp(learningRate, alpha, epsilon);
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    /**
     * Returns the smoothing constant.
     *
     * @return {@code α}
     */
    public double alpha() {
        return alpha;
    }

    /**
     * Returns {@code ε}, added to the root mean square.
     *
     * @return {@code ε > 0}
     */
    public double epsilon() {
        return epsilon;
    }

    /** {@code s ← α·s + (1 − α)·g²}; {@code θ ← θ − η·g / (√s + ε)}. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        Matrix s = state.slot(SQUARE_AVERAGE);
        Matrix.rmsPropStep(parameter, gradient, s, eta, alpha, epsilon); // s ← α·s + (1 − α)·g²; θ ← θ − η·g / (√s + ε)
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RmsProp o && Double.compare(o.learningRate, learningRate) == 0
                && Double.compare(o.alpha, alpha) == 0 && Double.compare(o.epsilon, epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return (31 * Double.hashCode(learningRate) + Double.hashCode(alpha)) * 31 + Double.hashCode(epsilon);
    }

    @Override
    public String toString() {
        return "RmsProp[learningRate=" + learningRate + ", alpha=" + alpha + ", epsilon=" + epsilon + "]";
    }
}
