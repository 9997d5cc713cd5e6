package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * Adam, exactly as {@code torch.optim.Adam(lr, betas=(β1, β2), eps)} (no weight decay, not AMSGrad):
 *
 * <pre>
 *   m ← β1·m + (1 − β1)·g                first moment, starts at 0
 *   v ← β2·v + (1 − β2)·g²               second moment, starts at 0
 *   m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)  bias corrections, t = 1, 2, 3… ({@link ParameterState#step()})
 *   θ ← θ − η·m̂ / (√v̂ + ε)
 * </pre>
 *
 * with {@code g = ∂C/∂θ} and squares and roots element by element. On the first step {@code m̂ = g} and
 * {@code v̂ = g²}, so every parameter moves by about {@code η}. Kingma and Ba (2015), "Adam: a method for
 * stochastic optimization", in PyTorch's form ({@code ε} added to {@code √v̂}). Two buffers per parameter,
 * {@value #FIRST_MOMENT} and {@value #SECOND_MOMENT}. Coupled L2 decay (torch's {@code weight_decay}) is
 * {@code adam.withL2(λ)}; decoupled decay is {@link AdamW}. Immutable and thread-safe.
 */
public final class Adam implements Optimizer {

    /** torch's default learning rate, 0.001. */
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** torch's default {@code β1}, 0.9. */
    public static final double DEFAULT_BETA1 = 0.9;
    /** torch's default {@code β2}, 0.999. */
    public static final double DEFAULT_BETA2 = 0.999;
    /** torch's default {@code ε}, 1e-8. */
    public static final double DEFAULT_EPSILON = 1e-8;
    /** The name of the first-moment buffer {@code m}, torch's {@code exp_avg}. */
    public static final String FIRST_MOMENT = "exp_avg";
    /** The name of the second-moment buffer {@code v}, torch's {@code exp_avg_sq}. */
    public static final String SECOND_MOMENT = "exp_avg_sq";

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;

    private Adam(double learningRate, double beta1, double beta2, double epsilon) {
        this.learningRate = Checks.nonNegativeFinite(learningRate, "learningRate");
        this.beta1 = HyperParameters.decayRate(beta1, "beta1");
        this.beta2 = HyperParameters.decayRate(beta2, "beta2");
        this.epsilon = Checks.positiveFinite(epsilon, "epsilon");
    }

    /**
     * Adam with the given learning rate and torch's other defaults.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if the learning rate is negative or not finite
     */
    public static Adam withLearningRate(double learningRate) {
        return new Adam(learningRate, DEFAULT_BETA1, DEFAULT_BETA2, DEFAULT_EPSILON);
    }

    /**
     * Returns a copy with other moment decay rates.
     *
     * @param beta1 {@code β1}, in [0, 1)
     * @param beta2 {@code β2}, in [0, 1)
     * @return a new optimizer
     * @throws IllegalArgumentException if a rate is out of range
     */
    public Adam withBetas(double beta1, double beta2) {
        return new Adam(learningRate, beta1, beta2, epsilon);
    }

    /**
     * Returns a copy with another {@code ε}.
     *
     * @param epsilon {@code ε}, finite and &gt; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if epsilon is not finite and positive
     */
    public Adam withEpsilon(double epsilon) {
        return new Adam(learningRate, beta1, beta2, epsilon);
    }

    @Override
    public double learningRate() {
        return learningRate;
    }

    /**
     * Returns the decay rate of the first moment.
     *
     * @return {@code β1}
     */
    public double beta1() {
        return beta1;
    }

    /**
     * Returns the decay rate of the second moment.
     *
     * @return {@code β2}
     */
    public double beta2() {
        return beta2;
    }

    /**
     * Returns {@code ε}, added to {@code √v̂}.
     *
     * @return {@code ε > 0}
     */
    public double epsilon() {
        return epsilon;
    }

    /** {@code m ← β1·m + (1 − β1)·g}; {@code v ← β2·v + (1 − β2)·g²}; {@code θ ← θ − η·m̂ / (√v̂ + ε)}. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        step(parameter, gradient, eta, state, 1);
    }

    /**
     * The Adam step after the decoupled decay {@code θ ← d·θ} (d = 1 for Adam itself), in one pass; shared with
     * {@link AdamW}.
     */
    void step(Matrix parameter, Matrix gradient, double eta, ParameterState state, double decay) {
        Matrix m = state.slot(FIRST_MOMENT);
        Matrix v = state.slot(SECOND_MOMENT);
        long t = state.step();
        double correction1 = 1 - Math.pow(beta1, t); //                 1 − β1ᵗ
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, t)); //  √(1 − β2ᵗ)
        // m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²;  θ ← θ − η·m̂ / (√v̂ + ε), with m̂ = m / (1 − β1ᵗ) and
        // √v̂ = √v / √(1 − β2ᵗ), element by element in one pass
        Matrix.adamStep(parameter, gradient, m, v, beta1, beta2, epsilon, -eta / correction1, sqrtCorrection2,
                decay);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Adam o && Double.compare(o.learningRate, learningRate) == 0
                && Double.compare(o.beta1, beta1) == 0 && Double.compare(o.beta2, beta2) == 0
                && Double.compare(o.epsilon, epsilon) == 0;
    }

    @Override
    public int hashCode() {
        int h = Double.hashCode(learningRate);
        h = 31 * h + Double.hashCode(beta1);
        h = 31 * h + Double.hashCode(beta2);
        return 31 * h + Double.hashCode(epsilon);
    }

    @Override
    public String toString() {
        return "Adam[learningRate=" + learningRate + ", beta1=" + beta1 + ", beta2=" + beta2 + ", epsilon="
                + epsilon + "]";
    }
}
