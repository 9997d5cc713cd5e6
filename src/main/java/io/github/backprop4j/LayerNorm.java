package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.ParameterKind;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Layer normalization over the features of each sample, with a learned scale and shift (PyTorch's
 * {@code nn.LayerNorm(features, eps=1e-5)}), then an optional activation. For each sample (row) {@code n}:
 * <pre>
 *   μₙ  = Σⱼ xₙⱼ / F                    σ²ₙ = Σⱼ (xₙⱼ − μₙ)² / F      (the biased variance, F features)
 *   x̂ₙⱼ = (xₙⱼ − μₙ) / √(σ²ₙ + ε)
 *   zₙⱼ = γⱼ·x̂ₙⱼ + βⱼ                   a = σ(z)
 * </pre>
 * and backwards, from {@code δ = ∂C/∂z}:
 * <pre>
 *   ∂C/∂γⱼ = Σₙ δₙⱼ·x̂ₙⱼ                ∂C/∂βⱼ = Σₙ δₙⱼ                g = δ ⊙ γ  (= ∂C/∂x̂)
 *   ∂C/∂xₙⱼ = (gₙⱼ − meanⱼ gₙⱼ − x̂ₙⱼ·meanⱼ(gₙⱼ·x̂ₙⱼ)) / √(σ²ₙ + ε)
 * </pre>
 * The same computation in training and prediction. Parameters: {@code "weight"} ({@code γ},
 * {@link ParameterKind#SCALE}, starts at 1) and {@code "bias"} ({@code β}, {@link ParameterKind#SHIFT}, starts
 * at 0), each {@code [1 × F]}. Immutable and thread-safe.
 */
public final class LayerNorm extends Layer {

    /** PyTorch's default {@code ε}, added to the variance. */
    public static final double DEFAULT_EPSILON = 1e-5;

    private final Matrix gamma;
    private final Matrix beta;
    private final double eps;
    private final Activation activation;

    private LayerNorm(Matrix gamma, Matrix beta, double eps, Activation activation) {
        this.gamma = gamma.freeze();
        this.beta = beta.freeze();
        this.eps = eps;
        this.activation = activation;
    }

    /**
     * A fresh layer normalization: {@code γ = 1}, {@code β = 0}, {@code ε = 1e-5}.
     *
     * @param features the number of features {@code F}, at least 2 (one feature normalizes to 0)
     * @param activation the activation after it
     * @param precision the precision of the parameters
     * @return the layer
     * @throws IllegalArgumentException if there are fewer than 2 features
     */
    public static LayerNorm of(int features, Activation activation, Precision precision) {
        Checks.notNull(precision, "precision");
        if (features < 2) {
            throw new IllegalArgumentException("layer normalization needs at least 2 features, was " + features);
        }
        Matrix g = Matrix.zeros(precision, 1, features);
        g.fill(1);
        return of(g, Matrix.zeros(precision, 1, features), DEFAULT_EPSILON, activation);
    }

    /**
     * A layer normalization with given parameters, e.g. loaded or imported.
     *
     * @param gamma {@code γ}, {@code [1 × F]}; copied
     * @param beta {@code β}, {@code [1 × F]}, of {@code gamma}'s precision; copied
     * @param eps {@code ε}, finite and &gt; 0
     * @param activation the activation after it
     * @return the layer
     * @throws IllegalArgumentException if the shapes or precisions differ, a value is not finite, or
     *     {@code eps} is not positive
     */
    public static LayerNorm of(Matrix gamma, Matrix beta, double eps, Activation activation) {
        checkScaleShift(gamma, beta, "layer normalization");
        Checks.positiveFinite(eps, "eps");
        Checks.notNull(activation, "activation");
        return new LayerNorm(gamma.copy(), beta.copy(), eps, activation);
    }

    /** Requires {@code γ} and {@code β} of one row each, of one shape and precision, and finite. */
    static void checkScaleShift(Matrix gamma, Matrix beta, String kind) {
        Checks.notNull(gamma, "gamma");
        Checks.notNull(beta, "beta");
        if (gamma.rows() != 1 || beta.rows() != 1 || gamma.cols() != beta.cols()
                || gamma.precision() != beta.precision()) {
            throw new IllegalArgumentException(kind + ": gamma is " + gamma + " and beta " + beta
                    + ", but they must be one row each, of one width and precision");
        }
        if (gamma.cols() < 2 && kind.startsWith("layer")) {
            throw new IllegalArgumentException(kind + " needs at least 2 features, was " + gamma.cols());
        }
        gamma.requireFinite("gamma");
        beta.requireFinite("beta");
    }

    @Override
    public String kind() {
        return "layer_norm";
    }

    @Override
    public int inputSize() {
        return gamma.cols();
    }

    @Override
    public int outputSize() {
        return gamma.cols();
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public Precision precision() {
        return gamma.precision();
    }

    /**
     * Returns {@code ε}, added to each sample's variance.
     *
     * @return {@code ε}
     */
    public double epsilon() {
        return eps;
    }

    /** Returns {@code "weight"} ({@code γ}) and {@code "bias"} ({@code β}), each {@code [1 × F]}. */
    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter("weight", ParameterKind.SCALE, gamma.readOnlyView()),
                new Parameter("bias", ParameterKind.SHIFT, beta.readOnlyView()));
    }

    @Override
    public LayerNorm withParameters(List<Matrix> values) {
        checkValues(values, parameters(), this);
        return new LayerNorm(values.get(0).copy(), values.get(1).copy(), eps, activation);
    }

    @Override
    public LayerNorm withActivation(Activation newActivation) {
        return new LayerNorm(gamma, beta, eps, Checks.notNull(newActivation, "activation"));
    }

    @Override
    public LayerNorm toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        return newPrecision == precision() ? this
                : new LayerNorm(gamma.toPrecision(newPrecision, "gamma"), beta.toPrecision(newPrecision, "beta"), eps,
                        activation);
    }

    @Override
    public LayerComputation newComputation() {
        return new Computation(gamma.copy(), beta.copy(), eps, activation);
    }

    @Override
    Matrix predict(Matrix input) {
        Matrix z = Matrix.zeros(precision(), input.rows(), outputSize());
        Computation.forward(input, gamma, beta, eps, z, Matrix.zeros(precision(), input.rows(), 1),
                Matrix.zeros(precision(), input.rows(), 1), z); // x̂ computed in z, then z = γ ⊙ x̂ + β over it
        activation.forward(z, z);
        return z;
    }

    @Override
    String details() {
        return "eps=" + eps;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LayerNorm l && l.eps == eps && l.activation.equals(activation)
                && l.gamma.equals(gamma) && l.beta.equals(beta);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(gamma, beta, eps, activation);
    }

    /** Returns the width, activation and precision, e.g. {@code "LayerNorm[8, tanh, FLOAT64]"}. */
    @Override
    public String toString() {
        return "LayerNorm[" + gamma.cols() + ", " + activation + ", " + precision() + "]";
    }

    /** The equations above on writable copies of {@code γ} and {@code β}. */
    static final class Computation extends LayerComputation {

        private final Matrix gamma;
        private final Matrix beta;
        private final Matrix dGamma;
        private final Matrix dBeta;
        private final double eps;
        private final Activation sigma;
        /** Per batch size: {@code x̂ [batch × F]}, {@code μ [batch × 1]}, {@code σ² [batch × 1]}, {@code g [batch × F]}. */
        private final PerBatch buffers;
        /** The batch size of the last forward pass; 0 before the first. */
        private int lastRows;

        Computation(Matrix gamma, Matrix beta, double eps, Activation sigma) {
            this.gamma = gamma;
            this.beta = beta;
            this.eps = eps;
            this.sigma = sigma;
            Precision p = gamma.precision();
            int f = gamma.cols();
            this.dGamma = Matrix.zeros(p, 1, f);
            this.dBeta = Matrix.zeros(p, 1, f);
            this.buffers = new PerBatch(rows -> new Matrix[] {Matrix.zeros(p, rows, f), Matrix.zeros(p, rows, 1),
                Matrix.zeros(p, rows, 1), Matrix.zeros(p, rows, f)});
        }

        /**
         * The forward pass, shared by training and prediction: {@code μₙ}, {@code σ²ₙ} and
         * {@code x̂ = (x − μₙ)/√(σ²ₙ + ε)} per row, then {@code z = γ ⊙ x̂ + β}; {@code z} may be {@code xhat}.
         */
        static void forward(Matrix x, Matrix gamma, Matrix beta, double eps, Matrix xhat, Matrix mean, Matrix var,
                Matrix z) {
            Matrix.normalizeRows(x, eps, xhat, mean, var); // μₙ, σ²ₙ, x̂ₙ = (xₙ − μₙ)/√(σ²ₙ + ε)
            Matrix.scaleShift(xhat, gamma, beta, z); //         z = γ ⊙ x̂ + β
        }

        @Override
        public void forward(Matrix x, Matrix z, boolean training) {
            Matrix[] b = buffers.forRows(x.rows());
            lastRows = x.rows();
            forward(x, gamma, beta, eps, b[0], b[1], b[2], z);
        }

        /** Returns {@code "mean"} and {@code "var"} ({@code [batch × 1]}) and {@code "x_hat"} of the last forward. */
        @Override
        public Map<String, Matrix> recorded() {
            if (lastRows == 0) {
                return Map.of();
            }
            Matrix[] b = buffers.forRows(lastRows);
            Map<String, Matrix> r = new LinkedHashMap<>();
            r.put("mean", b[1].readOnlyView());
            r.put("var", b[2].readOnlyView());
            r.put("x_hat", b[0].readOnlyView());
            return Collections.unmodifiableMap(r);
        }

        @Override
        public void backward(Matrix x, Matrix delta, Matrix dx) {
            Matrix[] b = buffers.forRows(x.rows());
            Matrix.columnDots(delta, b[0], dGamma); //          ∂C/∂γ = Σₙ δ ⊙ x̂
            delta.columnSums(dBeta); //                         ∂C/∂β = Σₙ δ
            if (dx != null) {
                Matrix.multiplyColumns(delta, gamma, b[3]); //  g = ∂C/∂x̂ = δ ⊙ γ
                Matrix.normalizeRowsBackward(b[3], b[0], b[2], eps, dx); // ∂C/∂x = (g − mean g − x̂·mean(g ⊙ x̂))/√(σ² + ε)
            }
        }

        @Override
        public Activation activation() {
            return sigma;
        }

        @Override
        public List<Matrix> values() {
            return List.of(gamma, beta);
        }

        @Override
        public List<Matrix> gradients() {
            return List.of(dGamma, dBeta);
        }

        @Override
        public LayerNorm snapshot() {
            return of(gamma, beta, eps, sigma);
        }
    }
}
