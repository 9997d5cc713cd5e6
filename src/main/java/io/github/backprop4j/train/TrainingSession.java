package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.random.RandomGenerator;

/**
 * The private, mutable side of one {@link Trainer#fit} run: the parameters, updated in place, and every
 * buffer of a step (weighted sums, activations, masks, error signals, gradients), allocated once per batch
 * size and reused. It computes exactly what {@link ForwardPass#run}, {@link Backpropagator#gradients} and
 * {@link Backpropagator#apply} compute, with the same facade operations on the same shapes in the same
 * order, so the bits are the same; it only skips the allocations and copies that keep the public objects
 * immutable. The published {@link Network} is a {@linkplain #snapshot() snapshot}, taken when asked.
 *
 * <p>Equations (1)–(7) as in {@code package-info.java}. Not thread-safe: used on the training thread only.
 */
final class TrainingSession {

    /** {@code ãˡ = aˡ ⊙ mˡ}, the same operator as in {@link ForwardPass}. */
    private static final DoubleBinaryOperator TIMES = (x, m) -> x * m;

    private final Loss loss;
    private final Optimizer optimizer;
    private final OptimizerState state;
    private final Dropout dropout;
    private final double clipNorm;
    private final int last;
    private final Activation[] sigma;
    /** Parameters per layer 1..L, updated in place: {@code Wˡ [out × in]}, {@code bˡ [1 × out]}. */
    private final Matrix[] w;
    private final Matrix[] b;
    private final Matrix[] dW;
    private final Matrix[] db;

    /** Buffers of the current batch size, per layer 0..L. */
    private int rows;
    private Matrix[] z;
    private Matrix[] a;
    private Matrix[] passed;
    private Matrix[] mask;
    private Matrix[] delta;
    /**
     * The buffers of the batch size before, kept so that an epoch whose last batch is shorter switches between
     * two sets instead of allocating one each time: {@code {z, a, passed, mask, delta}}, of {@link #spareRows}.
     */
    private Matrix[][] spare;
    private int spareRows;

    private Network snapshot;
    private boolean changedSinceSnapshot;
    private double cost = Double.NaN;

    TrainingSession(Network start, Loss loss, Optimizer optimizer, OptimizerState state, Dropout dropout,
            double clipNorm) {
        this.loss = loss;
        this.optimizer = optimizer;
        this.state = state;
        this.dropout = dropout;
        this.clipNorm = clipNorm;
        this.last = start.layerCount();
        this.sigma = new Activation[last + 1];
        this.w = new Matrix[last + 1];
        this.b = new Matrix[last + 1];
        this.dW = new Matrix[last + 1];
        this.db = new Matrix[last + 1];
        for (int l = 1; l <= last; l++) {
            Layer layer = start.layer(l);
            sigma[l] = layer.activation();
            w[l] = layer.weightMatrix().copy();
            b[l] = layer.biasVector().copy();
            dW[l] = Matrix.zeros(w[l].precision(), w[l].rows(), w[l].cols());
            db[l] = Matrix.zeros(b[l].precision(), 1, b[l].cols());
        }
        this.snapshot = start;
    }

    private void ensureBuffers(int batchRows) {
        if (batchRows == rows) {
            return;
        }
        Matrix[][] current = rows == 0 ? null : new Matrix[][] {z, a, passed, mask, delta};
        int currentRows = rows;
        if (spare != null && spareRows == batchRows) {
            rows = spareRows;
            z = spare[0];
            a = spare[1];
            passed = spare[2];
            mask = spare[3];
            delta = spare[4];
            spare = current;
            spareRows = currentRows;
            return;
        }
        spare = current;
        spareRows = currentRows;
        rows = batchRows;
        z = new Matrix[last + 1];
        a = new Matrix[last + 1];
        passed = new Matrix[last + 1];
        mask = new Matrix[last + 1];
        delta = new Matrix[last + 1];
        for (int l = 0; l <= last; l++) {
            int width = l == 0 ? w[1].cols() : w[l].rows();
            if (l > 0) {
                z[l] = Matrix.zeros(w[l].precision(), rows, width);
                a[l] = Matrix.zeros(w[l].precision(), rows, width);
                delta[l] = Matrix.zeros(w[l].precision(), rows, width);
            }
            if (dropout.rate(l) > 0) {
                mask[l] = Matrix.zeros(w[1].precision(), rows, width);
                passed[l] = Matrix.zeros(w[1].precision(), rows, width);
            }
        }
    }

    /**
     * Feeds a batch forward and backpropagates it, leaving the gradients in the session's buffers.
     *
     * @param x {@code [batch × inputSize]} in the network's precision
     * @param y {@code [batch × outputSize]} in the network's precision
     * @param random the dropout masks' source, or {@code null} without dropout
     * @return the batch's loss {@code C}
     */
    double gradients(Matrix x, Matrix y, RandomGenerator random) {
        return gradients(x, y, random, false);
    }

    /**
     * Feeds a batch forward and backpropagates it, as {@link #gradients(Matrix, Matrix, RandomGenerator)}, but
     * skips the checks of the batch's values when they were all checked before training started.
     *
     * @param x {@code [batch × inputSize]} in the network's precision
     * @param y {@code [batch × outputSize]} in the network's precision
     * @param random the dropout masks' source, or {@code null} without dropout
     * @param checkedBeforehand whether every input is known to be finite and every target known to suit the loss
     * @return the batch's loss {@code C}
     */
    double gradients(Matrix x, Matrix y, RandomGenerator random, boolean checkedBeforehand) {
        if (!checkedBeforehand) {
            x.requireFinite("inputs");
            y.requireFinite("targets");
            loss.checkTargets(y);
        }
        ensureBuffers(x.rows());
        for (int l = 0; l <= last; l++) {
            if (l > 0) {
                Matrix.multiplyTransposed(passed[l - 1], w[l], z[l]); // (1) zˡ = ãˡ⁻¹·Wˡᵀ + bˡ
                sigma[l].forward(z[l], b[l], a[l]); //                  + bˡ, then (2) aˡ = σˡ(zˡ)
            }
            Matrix al = l == 0 ? x : a[l];
            double rate = dropout.rate(l);
            if (rate > 0) {
                mask[l].fillDropoutMask(random, rate);
                Matrix.zip(al, mask[l], TIMES, passed[l]); //            ãˡ = aˡ ⊙ mˡ
            } else {
                passed[l] = al;
            }
        }
        cost = loss.value(z[last], a[last], y);
        loss.outputErrorSignal(sigma[last], z[last], a[last], y, delta[last]); //  (3) δᴸ
        for (int l = last; l >= 1; l--) {
            Matrix.transposedMultiply(delta[l], passed[l - 1], dW[l]); //            (5) ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹
            delta[l].columnSums(db[l]); //                                           (6) ∂C/∂bˡ = Σ δˡ
            if (l > 1) {
                Matrix upstream = delta[l - 1];
                Matrix.multiply(delta[l], w[l], upstream); //                        δˡ·Wˡ = ∂C/∂aˡ⁻¹
                if (mask[l - 1] != null) {
                    Matrix.zip(upstream, mask[l - 1], TIMES, upstream);
                }
                sigma[l - 1].backward(z[l - 1], a[l - 1], upstream, upstream); //    (4) δˡ⁻¹
            }
        }
        return cost;
    }

    /**
     * Applies the gradients in place, (7), layer 1 first, weights before bias, then completes the step.
     *
     * @param eta the learning rate of this step
     */
    void update(double eta) {
        Matrix[] gw = dW;
        Matrix[] gb = db;
        if (clipNorm > 0) {
            Gradients clipped = new Gradients(cost, tail(delta), tail(dW), tail(db)).clippedByGlobalNorm(clipNorm);
            gw = new Matrix[last + 1];
            gb = new Matrix[last + 1];
            for (int l = 1; l <= last; l++) {
                gw[l] = clipped.weightGradient(l);
                gb[l] = clipped.biasGradient(l);
            }
        }
        changedSinceSnapshot = true;
        for (int l = 1; l <= last; l++) {
            optimizer.update(w[l], gw[l], eta, state.forParameter(l, ParameterKind.WEIGHTS, w[l])); // (7)
            optimizer.update(b[l], gb[l], eta, state.forParameter(l, ParameterKind.BIAS, b[l]));
        }
        state.completeStep();
    }

    /**
     * Returns the output of the last batch, {@code aᴸ}.
     *
     * @return a buffer that the next batch overwrites
     */
    Matrix output() {
        return a[last];
    }

    /**
     * Returns the current parameters as an immutable network, after checking that they are finite.
     *
     * @return the snapshot, the same object until the next update
     * @throws ArithmeticException naming the layer and position of a parameter that is NaN or infinite
     */
    Network snapshot() {
        if (changedSinceSnapshot) {
            List<Layer> layers = new ArrayList<>(last);
            for (int l = 1; l <= last; l++) {
                requireFinite(w[l], l, ParameterKind.WEIGHTS);
                requireFinite(b[l], l, ParameterKind.BIAS);
                layers.add(Layer.of(w[l], b[l], sigma[l]));
            }
            snapshot = Network.of(layers);
            changedSinceSnapshot = false;
        }
        return snapshot;
    }

    /**
     * Returns the last snapshot taken, whose parameters were finite.
     *
     * @return the network of the last snapshot (or the starting network)
     */
    Network lastSnapshot() {
        return snapshot;
    }

    private static void requireFinite(Matrix theta, int layer, ParameterKind kind) {
        int[] at = theta.firstNonFinite();
        if (at != null) {
            throw new ArithmeticException("the update made layer " + layer + " " + kind.label() + " [" + at[0]
                    + "][" + at[1] + "] " + theta.get(at[0], at[1]) + ": training diverged; try a smaller "
                    + "learning rate or check the inputs' scale");
        }
    }

    private List<Matrix> tail(Matrix[] byLayer) {
        return Arrays.asList(byLayer).subList(1, byLayer.length);
    }
}
