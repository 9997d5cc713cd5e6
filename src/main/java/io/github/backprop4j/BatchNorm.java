package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.ParameterKind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Batch normalization of each feature over the samples of a batch, with a learned scale and shift and running
 * statistics (PyTorch's {@code nn.BatchNorm1d(features, eps=1e-5, momentum=0.1)}), then an optional activation.
 *
 * <p><b>Training</b> normalizes with the batch's statistics, per feature {@code j} over the {@code N} samples,
 * and the gradient flows through them:
 * <pre>
 *   μⱼ  = Σₙ xₙⱼ / N                    σ²ⱼ = Σₙ (xₙⱼ − μⱼ)² / N      (the biased variance)
 *   x̂ₙⱼ = (xₙⱼ − μⱼ) / √(σ²ⱼ + ε)       zₙⱼ = γⱼ·x̂ₙⱼ + βⱼ             a = σ(z)
 *   ∂C/∂γⱼ = Σₙ δₙⱼ·x̂ₙⱼ    ∂C/∂βⱼ = Σₙ δₙⱼ    g = δ ⊙ γ
 *   ∂C/∂xₙⱼ = (gₙⱼ − meanₙ gₙⱼ − x̂ₙⱼ·meanₙ(gₙⱼ·x̂ₙⱼ)) / √(σ²ⱼ + ε)
 * </pre>
 * and then updates the running statistics with momentum {@code m}, PyTorch's convention (the weight of the new
 * batch): {@code running_mean ← (1 − m)·running_mean + m·μ}, {@code running_var ← (1 − m)·running_var +
 * m·σ²·N/(N − 1)} (the unbiased variance), {@code num_batches_tracked ← num_batches_tracked + 1}. A training
 * batch of one sample has no unbiased variance and is refused, as PyTorch refuses it.
 *
 * <p><b>Prediction</b> (and an evaluation-mode pass) normalizes with the running statistics,
 * {@code z = γ ⊙ (x − running_mean)/√(running_var + ε) + β}, changes nothing, and its gradient
 * {@code ∂C/∂x = δ ⊙ γ / √(running_var + ε)} passes through no statistic.
 *
 * <p>The running statistics are buffers, not parameters: part of the immutable model and of its file, but
 * with no gradient, no optimizer state and no weight decay. A training step returns a network whose batch
 * normalization layers carry the updated statistics. Parameters: {@code "weight"} ({@code γ},
 * {@link ParameterKind#SCALE}, starts at 1) and {@code "bias"} ({@code β}, {@link ParameterKind#SHIFT}, starts
 * at 0); buffers {@code "running_mean"} (starts at 0) and {@code "running_var"} (starts at 1), each
 * {@code [1 × F]}, and the count {@link #numBatchesTracked()}. Immutable and thread-safe.
 */
public final class BatchNorm extends Layer {

    /** PyTorch's default {@code ε}, added to the variance. */
    public static final double DEFAULT_EPSILON = 1e-5;
    /** PyTorch's default momentum of the running statistics, the weight of each new batch. */
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final Matrix gamma;
    private final Matrix beta;
    private final Matrix runningMean;
    private final Matrix runningVar;
    private final long numBatchesTracked;
    private final double eps;
    private final double momentum;
    private final Activation activation;

    private BatchNorm(Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar, long numBatchesTracked,
            double eps, double momentum, Activation activation) {
        this.gamma = gamma.freeze();
        this.beta = beta.freeze();
        this.runningMean = runningMean.freeze();
        this.runningVar = runningVar.freeze();
        this.numBatchesTracked = numBatchesTracked;
        this.eps = eps;
        this.momentum = momentum;
        this.activation = activation;
    }

    /**
     * A fresh batch normalization: {@code γ = 1}, {@code β = 0}, running mean 0 and variance 1, no batch
     * tracked, {@code ε = 1e-5}, momentum 0.1.
     *
     * @param features the number of features, at least 1
     * @param activation the activation after it
     * @param precision the precision of the parameters and buffers
     * @return the layer
     * @throws IllegalArgumentException if {@code features} is below 1
     */
    public static BatchNorm of(int features, Activation activation, Precision precision) {
        Checks.positive(features, "features");
        Checks.notNull(precision, "precision");
        Matrix ones = Matrix.zeros(precision, 1, features);
        ones.fill(1);
        return of(ones, Matrix.zeros(precision, 1, features), Matrix.zeros(precision, 1, features), ones, 0,
                DEFAULT_EPSILON, DEFAULT_MOMENTUM, activation);
    }

    /**
     * A batch normalization with given parameters and buffers, e.g. loaded or imported.
     *
     * @param gamma {@code γ}, {@code [1 × F]}; copied
     * @param beta {@code β}, {@code [1 × F]}; copied
     * @param runningMean {@code [1 × F]}; copied
     * @param runningVar {@code [1 × F]}, every value &ge; 0; copied
     * @param numBatchesTracked the training batches seen, &ge; 0
     * @param eps {@code ε}, finite and &gt; 0
     * @param momentum the weight of a new batch in the running statistics, in (0, 1]
     * @param activation the activation after it
     * @return the layer
     * @throws IllegalArgumentException naming the argument, if a shape, a precision or a value does not fit
     */
    public static BatchNorm of(Matrix gamma, Matrix beta, Matrix runningMean, Matrix runningVar,
            long numBatchesTracked, double eps, double momentum, Activation activation) {
        LayerNorm.checkScaleShift(gamma, beta, "batch normalization");
        Checks.notNull(runningMean, "runningMean");
        Checks.notNull(runningVar, "runningVar");
        for (Matrix m : new Matrix[] {runningMean, runningVar}) {
            if (m.rows() != 1 || m.cols() != gamma.cols() || m.precision() != gamma.precision()) {
                throw new IllegalArgumentException("batch normalization: a running statistic is " + m + " but gamma is "
                        + gamma + "; they must be one row each, of one width and precision");
            }
        }
        runningMean.requireFinite("runningMean");
        runningVar.requireFinite("runningVar");
        int[] negative = runningVar.firstWhere(v -> v < 0);
        if (negative != null) {
            throw new IllegalArgumentException("runningVar: feature " + negative[1] + " is "
                    + runningVar.get(0, negative[1]) + ", but a variance is never negative");
        }
        if (numBatchesTracked < 0) {
            throw new IllegalArgumentException("numBatchesTracked must be at least 0, was " + numBatchesTracked);
        }
        Checks.positiveFinite(eps, "eps");
        if (!(momentum > 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in (0, 1], was " + momentum);
        }
        Checks.notNull(activation, "activation");
        return new BatchNorm(gamma.copy(), beta.copy(), runningMean.copy(), runningVar.copy(), numBatchesTracked, eps,
                momentum, activation);
    }

    @Override
    public String kind() {
        return "batch_norm";
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
     * Returns {@code ε}, added to the variance.
     *
     * @return {@code ε}
     */
    public double epsilon() {
        return eps;
    }

    /**
     * Returns the momentum of the running statistics, the weight of each new batch.
     *
     * @return {@code m}
     */
    public double momentum() {
        return momentum;
    }

    /**
     * Returns the running mean of each feature.
     *
     * @return {@code [1 × F]}, read-only
     */
    public Matrix runningMean() {
        return runningMean;
    }

    /**
     * Returns the running (unbiased) variance of each feature.
     *
     * @return {@code [1 × F]}, read-only
     */
    public Matrix runningVar() {
        return runningVar;
    }

    /**
     * Returns how many training batches have updated the running statistics (PyTorch's
     * {@code num_batches_tracked}; with a numeric momentum it changes no value).
     *
     * @return the count, &ge; 0
     */
    public long numBatchesTracked() {
        return numBatchesTracked;
    }

    /** Returns {@code "weight"} ({@code γ}) and {@code "bias"} ({@code β}), each {@code [1 × F]}. */
    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter("weight", ParameterKind.SCALE, gamma), new Parameter("bias", ParameterKind.SHIFT,
                beta));
    }

    /** Returns {@code "running_mean"} and {@code "running_var"}; see {@link #numBatchesTracked()} for the count. */
    @Override
    public Map<String, Matrix> buffers() {
        Map<String, Matrix> b = new LinkedHashMap<>();
        b.put("running_mean", runningMean);
        b.put("running_var", runningVar);
        return java.util.Collections.unmodifiableMap(b);
    }

    @Override
    public BatchNorm withParameters(List<Matrix> values) {
        checkValues(values, parameters(), this);
        return new BatchNorm(values.get(0).copy(), values.get(1).copy(), runningMean, runningVar, numBatchesTracked, eps,
                momentum, activation);
    }

    /**
     * Returns this layer with other running statistics, keeping its parameters.
     *
     * @param newMean {@code [1 × F]}
     * @param newVar {@code [1 × F]}, &ge; 0
     * @param newCount the training batches seen, &ge; 0
     * @return a new layer
     * @throws IllegalArgumentException as {@link #of(Matrix, Matrix, Matrix, Matrix, long, double, double, Activation)}
     */
    public BatchNorm withRunningStatistics(Matrix newMean, Matrix newVar, long newCount) {
        return of(gamma, beta, newMean, newVar, newCount, eps, momentum, activation);
    }

    @Override
    public BatchNorm withActivation(Activation newActivation) {
        return new BatchNorm(gamma, beta, runningMean, runningVar, numBatchesTracked, eps, momentum,
                Checks.notNull(newActivation, "activation"));
    }

    @Override
    public BatchNorm toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        return newPrecision == precision() ? this
                : new BatchNorm(gamma.toPrecision(newPrecision, "gamma"), beta.toPrecision(newPrecision, "beta"),
                        runningMean.toPrecision(newPrecision, "running_mean"),
                        runningVar.toPrecision(newPrecision, "running_var"), numBatchesTracked, eps, momentum,
                        activation);
    }

    @Override
    public LayerComputation newComputation() {
        return new Computation(this);
    }

    @Override
    Matrix predict(Matrix input) {
        Matrix z = Matrix.zeros(precision(), input.rows(), outputSize());
        Computation.forwardWithRunningStatistics(input, gamma, beta, runningMean, runningVar, eps, z, z);
        activation.forward(z, z);
        return z;
    }

    @Override
    String details() {
        return "eps=" + eps + ", momentum=" + momentum + ", " + numBatchesTracked + " batches tracked";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BatchNorm l && l.eps == eps && l.momentum == momentum
                && l.numBatchesTracked == numBatchesTracked && l.activation.equals(activation) && l.gamma.equals(gamma)
                && l.beta.equals(beta) && l.runningMean.equals(runningMean) && l.runningVar.equals(runningVar);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(gamma, beta, runningMean, runningVar, numBatchesTracked, eps, momentum,
                activation);
    }

    /** Returns the width, activation and precision, e.g. {@code "BatchNorm[6, relu, FLOAT64]"}. */
    @Override
    public String toString() {
        return "BatchNorm[" + gamma.cols() + ", " + activation + ", " + precision() + "]";
    }

    /** The equations above on writable copies of {@code γ}, {@code β} and the running statistics. */
    static final class Computation extends LayerComputation {

        private final Matrix gamma;
        private final Matrix beta;
        private final Matrix runningMean;
        private final Matrix runningVar;
        private long numBatchesTracked;
        private final Matrix dGamma;
        private final Matrix dBeta;
        private final Matrix mean;
        private final Matrix var;
        private final double eps;
        private final double momentum;
        private final Activation sigma;
        /** Whether the last forward was a training one (batch statistics) or not (running statistics). */
        private boolean trainingPass;
        /** Per batch size: {@code x̂ [batch × F]}, {@code g [batch × F]}. */
        private final PerBatch buffers;
        /** The batch size of the last forward pass; 0 before the first. */
        private int lastRows;

        Computation(BatchNorm layer) {
            this.gamma = layer.gamma.copy();
            this.beta = layer.beta.copy();
            this.runningMean = layer.runningMean.copy();
            this.runningVar = layer.runningVar.copy();
            this.numBatchesTracked = layer.numBatchesTracked;
            this.eps = layer.eps;
            this.momentum = layer.momentum;
            this.sigma = layer.activation;
            Precision p = gamma.precision();
            int f = gamma.cols();
            this.dGamma = Matrix.zeros(p, 1, f);
            this.dBeta = Matrix.zeros(p, 1, f);
            this.mean = Matrix.zeros(p, 1, f);
            this.var = Matrix.zeros(p, 1, f);
            this.buffers = new PerBatch(rows -> new Matrix[] {Matrix.zeros(p, rows, f), Matrix.zeros(p, rows, f)});
        }

        @Override
        public void forward(Matrix x, Matrix z, boolean training) {
            Matrix[] b = buffers.forRows(x.rows());
            trainingPass = training;
            lastRows = 0;
            if (!training) {
                lastRows = x.rows();
                forwardWithRunningStatistics(x, gamma, beta, runningMean, runningVar, eps, b[0], z);
                return;
            }
            int n = x.rows();
            if (n < 2) {
                throw new IllegalArgumentException("batch normalization (" + gamma.cols() + " features) cannot train "
                        + "on a batch of 1 sample: it has no batch variance (PyTorch refuses it too); use batches of "
                        + "at least 2 samples, and a batch size that leaves no last batch of 1");
            }
            lastRows = n;
            Matrix.normalizeColumns(x, eps, b[0], mean, var); // μⱼ, σ²ⱼ (biased), x̂ = (x − μ)/√(σ² + ε)
            Matrix.scaleShift(b[0], gamma, beta, z); //           z = γ ⊙ x̂ + β
            runningMean.scale(1 - momentum); //                   running_mean ← (1 − m)·running_mean + m·μ
            runningMean.addScaled(momentum, mean);
            runningVar.scale(1 - momentum); //                    running_var ← (1 − m)·running_var + m·σ²·N/(N − 1)
            runningVar.addScaled(momentum * n / (n - 1), var);
            numBatchesTracked++;
        }

        /**
         * The forward pass of prediction and of an evaluation-mode pass, with the running statistics:
         * {@code x̂ = (x − running_mean)/√(running_var + ε)}, {@code z = γ ⊙ x̂ + β}; {@code z} may be {@code xhat}.
         */
        static void forwardWithRunningStatistics(Matrix x, Matrix gamma, Matrix beta, Matrix runningMean,
                Matrix runningVar, double eps, Matrix xhat, Matrix z) {
            Matrix.normalizeColumnsWith(x, runningMean, runningVar, eps, xhat); // x̂ = (x − r_mean)/√(r_var + ε)
            Matrix.scaleShift(xhat, gamma, beta, z); //                           z = γ ⊙ x̂ + β
        }

        @Override
        public void backward(Matrix x, Matrix delta, Matrix dx) {
            Matrix[] b = buffers.forRows(x.rows());
            Matrix.columnDots(delta, b[0], dGamma); //         ∂C/∂γ = Σₙ δ ⊙ x̂
            delta.columnSums(dBeta); //                        ∂C/∂β = Σₙ δ
            if (dx == null) {
                return;
            }
            Matrix.multiplyColumns(delta, gamma, b[1]); //     g = ∂C/∂x̂ = δ ⊙ γ
            if (trainingPass) {
                Matrix.normalizeColumnsBackward(b[1], b[0], var, eps, dx); // (g − mean g − x̂·mean(g ⊙ x̂))/√(σ² + ε)
            } else {
                Matrix.normalizeColumnsWithBackward(b[1], runningVar, eps, dx); // g/√(running_var + ε)
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
        public BatchNorm snapshot() {
            return of(gamma, beta, runningMean, runningVar, numBatchesTracked, eps, momentum, sigma);
        }

        /**
         * Returns, after a training forward pass, the batch's {@code "mean"} and {@code "var"} ({@code [1 × F]})
         * and {@code "x_hat"}; after an evaluation one only {@code "x_hat"}.
         */
        @Override
        public Map<String, Matrix> recorded() {
            if (lastRows == 0) {
                return Map.of();
            }
            Map<String, Matrix> r = new LinkedHashMap<>();
            if (trainingPass) {
                r.put("mean", mean.readOnlyView());
                r.put("var", var.readOnlyView());
            }
            r.put("x_hat", buffers.forRows(lastRows)[0].readOnlyView());
            return java.util.Collections.unmodifiableMap(r);
        }
    }
}
