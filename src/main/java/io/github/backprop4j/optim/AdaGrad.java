package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * AdaGrad, exactly as {@code torch.optim.Adagrad(lr, lr_decay=0, eps, initial_accumulator_value)}:
 *
 * <pre>
 *   s ← s₀                   before the first step (s₀ = initial accumulator value, default 0)
 *   s ← s + g²
 *   θ ← θ − η·g / (√s + ε)
 * </pre>
 *
 * with {@code g = ∂C/∂θ} and squares and roots element by element: each parameter's step shrinks with
 * the sum of its squared gradients. Duchi, Hazan and Singer (2011), "Adaptive subgradient methods for
 * online learning and stochastic optimization". torch's {@code lr_decay} is left to a
 * {@link LearningRateSchedule}. One buffer per parameter, {@value #SUM}. Immutable and thread-safe.
 */
public final class AdaGrad implements Optimizer {

    /** torch's default learning rate, 0.01. */
    public static final double DEFAULT_LEARNING_RATE = 1e-2;
    /** torch's default {@code ε}, 1e-10. */
    public static final double DEFAULT_EPSILON = 1e-10;
    /** torch's default initial accumulator value, 0. */
    public static final double DEFAULT_INITIAL_ACCUMULATOR = 0;
    /** The name of the sum of squared gradients in the {@link ParameterState}, torch's {@code sum}. */
    public static final String SUM = "sum";

    private final double learningRate;
    private final double epsilon;
    private final double initialAccumulator;

    private AdaGrad(double learningRate, double epsilon, double initialAccumulator) {
        this.learningRate = Checks.nonNegativeFinite(learningRate, "learningRate");
        this.epsilon = Checks.positiveFinite(epsilon, "epsilon");
        this.initialAccumulator = Checks.nonNegativeFinite(initialAccumulator, "initialAccumulator");
    }

    /**
     * AdaGrad with the given learning rate and torch's other defaults.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    public static AdaGrad withLearningRate(double learningRate) {
        return new AdaGrad(learningRate, DEFAULT_EPSILON, DEFAULT_INITIAL_ACCUMULATOR);
    }

    /**
     * Returns a copy with another {@code ε}.
     *
     * @param epsilon {@code ε}, finite and &gt; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if epsilon is not finite and positive
     */
    public AdaGrad withEpsilon(double epsilon) {
        return new AdaGrad(learningRate, epsilon, initialAccumulator);
    }

    /**
     * Returns a copy whose sums of squares start at {@code s₀} instead of 0.
     *
     * @param initialAccumulator {@code s₀}, finite and &ge; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if the value is negative or not finite
     */
    public AdaGrad withInitialAccumulator(double initialAccumulator) {
        return new AdaGrad(learningRate, epsilon, initialAccumulator);
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    /**
     * Returns {@code ε}, added to the root of the sum of squares.
     *
     * @return {@code ε > 0}
     */
    public double epsilon() {
        return epsilon;
    }

    /**
     * Returns the initial value of the sum of squares.
     *
     * @return {@code s₀ ≥ 0}
     */
    public double initialAccumulator() {
        return initialAccumulator;
    }

    /** {@code s ← s + g²}; {@code θ ← θ − η·g / (√s + ε)}. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        boolean first = !state.hasSlot(SUM);
        Matrix s = state.slot(SUM);
        if (first) {
            s.fill(initialAccumulator); //                                      s ← s₀
        }
        Matrix.adaGradStep(parameter, gradient, s, eta, epsilon); //           s ← s + g²; θ ← θ − η·g / (√s + ε)
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AdaGrad o && Double.compare(o.learningRate, learningRate) == 0
                && Double.compare(o.epsilon, epsilon) == 0
                && Double.compare(o.initialAccumulator, initialAccumulator) == 0;
    }

    @Override
    public int hashCode() {
        return (31 * Double.hashCode(learningRate) + Double.hashCode(epsilon)) * 31
                + Double.hashCode(initialAccumulator);
    }

    @Override
    public String toString() {
        return "AdaGrad[learningRate=" + learningRate + ", epsilon=" + epsilon + ", initialAccumulator="
                + initialAccumulator + "]";
    }
}
