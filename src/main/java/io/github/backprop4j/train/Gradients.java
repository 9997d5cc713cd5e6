package io.github.backprop4j.train;

import io.github.backprop4j.math.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * The result of backpropagating one batch: the loss, and for every layer the error signal
 * {@code δˡ = ∂C/∂zˡ} and the gradients {@code ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹} and {@code ∂C/∂bˡ = Σ_samples δˡ}.
 *
 * <p>Layers are numbered 1..L. Immutable: matrices are handed out as read-only views.
 *
 * <p>Gradients assembled with {@link #of(double, List, List)}, e.g. summed from the parts of a batch that
 * were backpropagated on different machines, carry no error signals.
 */
public final class Gradients {

    private final double loss;
    private final List<Matrix> errorSignals;
    private final List<Matrix> weightGradients;
    private final List<Matrix> biasGradients;

    Gradients(double loss, List<Matrix> errorSignals, List<Matrix> weightGradients, List<Matrix> biasGradients) {
        this.loss = loss;
        this.errorSignals = readOnly(errorSignals);
        this.weightGradients = readOnly(weightGradients);
        this.biasGradients = readOnly(biasGradients);
    }

    private static List<Matrix> readOnly(List<Matrix> matrices) {
        return matrices == null ? null : matrices.stream().map(Matrix::readOnlyView).toList();
    }

    /**
     * Assembles gradients computed elsewhere, e.g. the sum {@code ∂C/∂θ = Σₚ (nₚ/N)·∂Cₚ/∂θ} of the
     * gradients of the parts of a batch of {@code N} samples that {@code io.github.backprop4j.spark} computes
     * on separate partitions. The result has no error signals ({@link #errorSignal} throws).
     *
     * @param loss the cost of the whole batch, {@code C}
     * @param weightGradients {@code ∂C/∂Wˡ} for l = 1..L, each {@code [out × in]}; copied
     * @param biasGradients {@code ∂C/∂bˡ} for l = 1..L, each {@code [1 × out]}; copied
     * @return the gradients, ready for {@link Backpropagator#apply}
     * @throws NullPointerException if a list or a matrix is {@code null}
     * @throws IllegalArgumentException if the lists are empty or of different lengths, or a layer's bias
     *     gradient is not one row as wide as its weight gradient is high, or the precisions differ
     */
    public static Gradients of(double loss, List<Matrix> weightGradients, List<Matrix> biasGradients) {
        Checks.notNull(weightGradients, "weightGradients");
        Checks.notNull(biasGradients, "biasGradients");
        if (weightGradients.isEmpty()) {
            throw new IllegalArgumentException("weightGradients: there must be at least one layer");
        }
        Checks.sameSize(biasGradients.size(), weightGradients.size(),
                "biasGradients: the number of layers", "the number of weight gradients");
        List<Matrix> w = new ArrayList<>();
        List<Matrix> b = new ArrayList<>();
        for (int l = 1; l <= weightGradients.size(); l++) {
            Matrix dW = Checks.notNull(weightGradients.get(l - 1), "layer " + l
                    + " weight gradient");
            Matrix db = Checks.notNull(biasGradients.get(l - 1), "layer " + l
                    + " bias gradient");
            if (db.rows() != 1 || db.cols() != dW.rows() || db.precision() != dW.precision()
                    || dW.precision() != weightGradients.get(0).precision()) {
                throw new IllegalArgumentException("layer " + l + ": the bias gradient " + db + " does not fit "
                        + "the weight gradient " + dW);
            }
            w.add(dW.copy());
            b.add(db.copy());
        }
        return new Gradients(loss, null, w, b);
    }

    /**
     * Returns the cost of the batch, {@code C}, as the loss function's batch mean.
     *
     * @return the loss
     */
    public double loss() {
        return loss;
    }

    /**
     * Returns the number of layers, L.
     *
     * @return the number of layers
     */
    public int layerCount() {
        return weightGradients.size();
    }

    /**
     * Returns a layer's error signal {@code δˡ = ∂C/∂zˡ}, one row per sample (already scaled by the batch
     * mean).
     *
     * @param layer 1..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     * @throws IllegalStateException if these gradients were assembled by {@link #of(double, List, List)}
     */
    public Matrix errorSignal(int layer) {
        int i = index(layer);
        if (errorSignals == null) {
            throw new IllegalStateException("these gradients were assembled from parts with Gradients.of and "
                    + "carry no error signals");
        }
        return errorSignals.get(i);
    }

    /**
     * Returns a layer's weight gradient {@code ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹}.
     *
     * @param layer 1..L
     * @return {@code [out × in]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    public Matrix weightGradient(int layer) {
        return weightGradients.get(index(layer));
    }

    /**
     * Returns a layer's bias gradient {@code ∂C/∂bˡ = Σ_samples δˡ}.
     *
     * @param layer 1..L
     * @return {@code [1 × out]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    public Matrix biasGradient(int layer) {
        return biasGradients.get(index(layer));
    }

    /**
     * Returns the global L2 norm of all weight and bias gradients, {@code ‖g‖ = √(Σ (∂C/∂θ)²)} over every
     * parameter of every layer.
     *
     * @return the norm, accumulated in double
     */
    public double globalNorm() {
        double sumOfSquares = 0;
        for (int l = 0; l < weightGradients.size(); l++) {
            sumOfSquares += Matrix.dot(weightGradients.get(l), weightGradients.get(l));
            sumOfSquares += Matrix.dot(biasGradients.get(l), biasGradients.get(l));
        }
        return Math.sqrt(sumOfSquares);
    }

    /**
     * Clips by global norm: if {@code ‖g‖ > maxNorm}, every weight and bias gradient is scaled by
     * {@code maxNorm / ‖g‖} (as {@code torch.nn.utils.clip_grad_norm_}); otherwise they are returned as they
     * are. The loss and the error signals are kept.
     *
     * @param maxNorm the largest allowed global norm, finite and &gt; 0
     * @return these gradients, or a scaled copy
     * @throws IllegalArgumentException if {@code maxNorm} is not a finite number &gt; 0
     */
    public Gradients clippedByGlobalNorm(double maxNorm) {
        Checks.positiveFinite(maxNorm, "maxNorm");
        double norm = globalNorm();
        if (!(norm > maxNorm)) {
            return this;
        }
        double factor = maxNorm / norm;
        return new Gradients(loss, errorSignals, scaled(weightGradients, factor), scaled(biasGradients, factor));
    }

    private static List<Matrix> scaled(List<Matrix> matrices, double factor) {
        return matrices.stream().map(m -> {
            Matrix copy = m.copy();
            copy.scale(factor);
            return copy;
        }).toList();
    }

    private int index(int layer) {
        if (layer < 1 || layer > weightGradients.size()) {
            throw new IndexOutOfBoundsException("layer " + layer + " does not exist: layers are numbered 1.."
                    + weightGradients.size());
        }
        return layer - 1;
    }

    @Override
    public String toString() {
        return "Gradients[loss=" + loss + ", " + layerCount() + " layers]";
    }
}
