package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.Objects;

/**
 * AdamW, Adam with decoupled weight decay, exactly as
 * {@code torch.optim.AdamW(lr, betas=(β1, β2), eps, weight_decay=λ)}:
 *
 * <pre>
 *   θ ← θ·(1 − η·λ)                      decoupled decay first (biases included unless excluded)
 *   m ← β1·m + (1 − β1)·g
 *   v ← β2·v + (1 − β2)·g²
 *   θ ← θ − η·m̂ / (√v̂ + ε),  m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
 * </pre>
 *
 * with {@code g = ∂C/∂θ}. The decay shrinks the parameter directly instead of entering the moments, so it
 * is not scaled down where gradients are large. Loshchilov and Hutter (2019), "Decoupled weight decay
 * regularization". The Adam part and its buffers are those of {@link Adam}. Immutable and thread-safe.
 */
public final class AdamW implements Optimizer {

    /** torch's default learning rate, the same as Adam's. */
    public static final double DEFAULT_LEARNING_RATE = Adam.DEFAULT_LEARNING_RATE;
    /** torch's default weight decay {@code λ}, 0.01. */
    public static final double DEFAULT_WEIGHT_DECAY = 1e-2;

    private final Adam adam;
    private final double weightDecay;
    private final boolean decayBiases;

    private AdamW(Adam adam, double weightDecay, boolean decayBiases) {
        this.adam = adam;
        this.weightDecay = Checks.nonNegativeFinite(weightDecay, "weightDecay");
        this.decayBiases = decayBiases;
    }

    /**
     * AdamW with the given learning rate and weight decay, and torch's other defaults; biases are decayed.
     *
     * @param learningRate {@code η}, finite and &ge; 0
     * @param weightDecay {@code λ}, finite and &ge; 0
     * @return the optimizer
     * @throws IllegalArgumentException if a hyper-parameter is negative or not finite
     */
    public static AdamW of(double learningRate, double weightDecay) {
        return new AdamW(Adam.withLearningRate(learningRate), weightDecay, true);
    }

    /**
     * Returns a copy with other moment decay rates.
     *
     * @param beta1 {@code β1}, in [0, 1)
     * @param beta2 {@code β2}, in [0, 1)
     * @return a new optimizer
     * @throws IllegalArgumentException if a rate is out of range
     */
    public AdamW withBetas(double beta1, double beta2) {
        return new AdamW(adam.withBetas(beta1, beta2), weightDecay, decayBiases);
    }

    /**
     * Returns a copy with another {@code ε}.
     *
     * @param epsilon {@code ε}, finite and &gt; 0
     * @return a new optimizer
     * @throws IllegalArgumentException if epsilon is not finite and positive
     */
    public AdamW withEpsilon(double epsilon) {
        return new AdamW(adam.withEpsilon(epsilon), weightDecay, decayBiases);
    }

    /**
     * Returns a copy that decays only weights and embedding tables, and leaves biases and the scales and shifts
     * of normalization layers to the Adam step alone (a common choice; torch decays whatever is in the parameter
     * group, as this optimizer does by default).
     *
     * @return a new optimizer
     */
    public AdamW excludingBiasesFromDecay() {
        return new AdamW(adam, weightDecay, false);
    }

    @Override
    public double learningRate() {
        return adam.learningRate();
    }

    /**
     * Returns the decoupled weight decay.
     *
     * @return {@code λ ≥ 0}
     */
    public double weightDecay() {
        return weightDecay;
    }

    /**
     * Returns whether biases, and the scales and shifts of normalization layers, are decayed too.
     *
     * @return {@code true} by default, as in torch
     */
    public boolean decaysBiases() {
        return decayBiases;
    }

    /**
     * Returns the Adam part of this optimizer.
     *
     * @return Adam with the same learning rate, betas and {@code ε}
     */
    public Adam adam() {
        return adam;
    }

    /** {@code θ ← θ·(1 − η·λ)}, then the {@link Adam} step. */
    @Override
    public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        boolean decays = decayBiases || !state.kind().isVector(); // weights and embedding tables always
        adam.step(parameter, gradient, eta, state, decays ? 1 - eta * weightDecay : 1); // θ ← θ·(1 − η·λ), then Adam
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AdamW o && o.adam.equals(adam) && Double.compare(o.weightDecay, weightDecay) == 0
                && o.decayBiases == decayBiases;
    }

    @Override
    public int hashCode() {
        return Objects.hash(adam, weightDecay, decayBiases);
    }

    @Override
    public String toString() {
        return "AdamW[learningRate=" + adam.learningRate() + ", beta1=" + adam.beta1() + ", beta2=" + adam.beta2()
                + ", epsilon=" + adam.epsilon() + ", weightDecay=" + weightDecay + ", decayBiases=" + decayBiases
                + "]";
    }
}
