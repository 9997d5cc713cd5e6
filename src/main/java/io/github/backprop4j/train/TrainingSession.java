package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerComputation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.random.RandomGenerator;

/**
 * The workspace of one training run, the private, mutable side of {@link Trainer#fit}: one
 * {@link LayerComputation} per layer (its parameters, updated in place, their gradients and its own buffers), and
 * every buffer between the layers (outputs, activations, masks, error signals), allocated once per batch size and
 * reused. It performs the forward pass, the error signals and the updates layer kind by layer kind, through the
 * same computations that {@link ForwardPass} and {@link Backpropagator} use for every kind but dense, and, for
 * dense layers, the same facade operations on the same shapes in the same order as theirs, so the bits are the
 * same; it only skips the allocations and copies that keep the public objects immutable. The published
 * {@link Network} is a {@linkplain #snapshot() snapshot}, taken when asked.
 *
 * <p>Equations (1)–(7) as in {@code package-info.java}. Not thread-safe: used on the training thread only.
 */
final class TrainingSession {

    /** {@code ãˡ = aˡ ⊙ mˡ}, the same operator as in {@link ForwardPass}. */
    private static final DoubleBinaryOperator TIMES = (x, m) -> x * m;

    private final Loss loss;
    private final Optimizer optimizer;
    private final OptimizerState state;
    /** Per layer 0..L: its dropout rate, read once ({@link Dropout#rate} boxes its answer). */
    private final double[] dropRate;
    private final double clipNorm;
    private final int last;
    private final Activation[] sigma;
    /** Per layer 1..L: the layer's computation, holding its parameters and their gradients. */
    private final LayerComputation[] layer;
    /** Per layer 1..L, per parameter: its value (updated in place), gradient, place and kind. */
    private final Matrix[][] theta;
    private final Matrix[][] gradient;
    private final Parameter[][] parameters;
    /** Per layer 1..L, per parameter: its optimizer state, asked for at the first update. */
    private final ParameterState[][] parameterStates;
    private final int[] width;

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
    /** The current set, {@code {z, a, passed, mask, delta}} (the arrays above), kept to swap with {@link #spare}. */
    private Matrix[][] held;

    private Network snapshot;
    private boolean changedSinceSnapshot;
    private double cost = Double.NaN;

    TrainingSession(Network start, Loss loss, Optimizer optimizer, OptimizerState state, Dropout dropout,
            double clipNorm) {
        this.loss = loss;
        this.optimizer = optimizer;
        this.state = state;
        this.clipNorm = clipNorm;
        this.last = start.layerCount();
        this.sigma = new Activation[last + 1];
        this.layer = new LayerComputation[last + 1];
        this.theta = new Matrix[last + 1][];
        this.gradient = new Matrix[last + 1][];
        this.parameters = new Parameter[last + 1][];
        this.parameterStates = new ParameterState[last + 1][];
        this.width = new int[last + 1];
        this.dropRate = new double[last + 1];
        for (int l = 0; l <= last; l++) {
            dropRate[l] = dropout.rate(l);
        }
        width[0] = start.inputSize();
        for (int l = 1; l <= last; l++) {
            Layer original = start.layer(l);
            sigma[l] = original.activation();
            layer[l] = original.newComputation();
            theta[l] = layer[l].values().toArray(Matrix[]::new);
            gradient[l] = layer[l].gradients().toArray(Matrix[]::new);
            parameters[l] = original.parameters().toArray(Parameter[]::new);
            parameterStates[l] = new ParameterState[parameters[l].length];
            width[l] = original.outputSize();
        }
        this.snapshot = start;
    }

    private void ensureBuffers(int batchRows) {
        if (batchRows == rows) {
            return;
        }
        if (spare != null && spareRows == batchRows) { // swap the two sets: no allocation
            Matrix[][] current = held;
            held = spare;
            spare = current;
            spareRows = rows;
            rows = batchRows;
            z = held[0];
            a = held[1];
            passed = held[2];
            mask = held[3];
            delta = held[4];
            return;
        }
        spare = held;
        spareRows = rows;
        rows = batchRows;
        z = new Matrix[last + 1];
        a = new Matrix[last + 1];
        passed = new Matrix[last + 1];
        mask = new Matrix[last + 1];
        delta = new Matrix[last + 1];
        var precision = theta[1][0].precision();
        for (int l = 0; l <= last; l++) {
            if (l > 0) {
                z[l] = Matrix.zeros(precision, rows, width[l]);
                a[l] = Matrix.zeros(precision, rows, width[l]);
                delta[l] = Matrix.zeros(precision, rows, width[l]);
            }
            if (dropRate[l] > 0) {
                mask[l] = Matrix.zeros(precision, rows, width[l]);
                passed[l] = Matrix.zeros(precision, rows, width[l]);
            }
        }
        held = new Matrix[][] {z, a, passed, mask, delta};
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
                try {
                    layer[l].forward(passed[l - 1], z[l], a[l], true); // (1) zˡ = ãˡ⁻¹·Wˡᵀ + bˡ or fˡ(ãˡ⁻¹), (2) aˡ = σˡ(zˡ)
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("layer " + l + ": " + e.getMessage(), e);
                }
            }
            Matrix al = l == 0 ? x : a[l];
            double rate = dropRate[l];
            if (rate > 0) {
                mask[l].fillDropoutMask(random, rate);
                Matrix.zip(al, mask[l], TIMES, passed[l]); //          ãˡ = aˡ ⊙ mˡ
            } else {
                passed[l] = al;
            }
        }
        cost = loss.value(z[last], a[last], y);
        loss.outputErrorSignal(sigma[last], z[last], a[last], y, delta[last]); // (3) δᴸ
        for (int l = last; l >= 1; l--) {
            Matrix upstream = l > 1 ? delta[l - 1] : null;
            layer[l].backward(passed[l - 1], delta[l], upstream); // (5), (6) ∂C/∂θˡ; δˡ·Wˡ = ∂C/∂aˡ⁻¹
            if (l > 1) {
                if (mask[l - 1] != null) {
                    Matrix.zip(upstream, mask[l - 1], TIMES, upstream);
                }
                sigma[l - 1].backward(z[l - 1], a[l - 1], upstream, upstream); //  (4) δˡ⁻¹
            }
        }
        return cost;
    }

    /**
     * Applies the gradients in place, (7), layer 1 first, each layer's parameters in order (a dense layer's
     * weights before its bias), then completes the step.
     *
     * @param eta the learning rate of this step
     */
    void update(double eta) {
        Matrix[][] g = gradient;
        if (clipNorm > 0) {
            g = clippedGradients();
        }
        changedSinceSnapshot = true;
        for (int l = 1; l <= last; l++) {
            for (int i = 0; i < theta[l].length; i++) {
                optimizer.update(theta[l][i], g[l][i], eta, parameterState(l, i)); // (7)
            }
        }
        state.completeStep();
    }

    /**
     * Returns the gradient buffers that {@link #gradients} fills and {@link #update} applies, layer 1 first, each
     * layer's parameters in order: a caller may overwrite them (e.g. with gradients summed over machines) before
     * the update.
     *
     * @return the live, writable buffers
     */
    List<Matrix> gradientBuffers() {
        List<Matrix> all = new ArrayList<>();
        for (int l = 1; l <= last; l++) {
            all.addAll(Arrays.asList(gradient[l]));
        }
        return all;
    }

    /**
     * The optimizer state of parameter {@code i} of layer {@code l}: what {@link OptimizerState#forParameter}
     * returns for it, asked once (it returns the same view every time for the same shape, but names an inner
     * parameter's buffers by a new string each time it is asked).
     */
    private ParameterState parameterState(int l, int i) {
        ParameterState s = parameterStates[l][i];
        if (s == null) {
            Parameter p = parameters[l][i];
            s = state.forParameter(l, p.path(), p.kind(), theta[l][i]);
            parameterStates[l][i] = s;
        }
        return s;
    }

    /** The gradients clipped by global norm exactly as {@link Gradients#clippedByGlobalNorm} clips them. */
    private Matrix[][] clippedGradients() {
        List<List<Parameter>> byLayer = new ArrayList<>();
        for (int l = 1; l <= last; l++) {
            List<Parameter> list = new ArrayList<>();
            for (int i = 0; i < gradient[l].length; i++) {
                list.add(new Parameter(parameters[l][i].name(), parameters[l][i].kind(), gradient[l][i]));
            }
            byLayer.add(list);
        }
        Gradients clipped = new Gradients(cost, null, byLayer, null, null).clippedByGlobalNorm(clipNorm);
        Matrix[][] g = new Matrix[last + 1][];
        for (int l = 1; l <= last; l++) {
            g[l] = clipped.parameterGradients(l).stream().map(Parameter::value).toArray(Matrix[]::new);
        }
        return g;
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
     * Returns the current parameters (and buffers) as an immutable network, after checking that they are finite.
     *
     * @return the snapshot, the same object until the next update
     * @throws ArithmeticException naming the layer and position of a parameter that is NaN or infinite
     */
    Network snapshot() {
        if (changedSinceSnapshot) {
            List<Layer> layers = new ArrayList<>(last);
            for (int l = 1; l <= last; l++) {
                for (int i = 0; i < theta[l].length; i++) {
                    requireFinite(theta[l][i], l, parameters[l][i]);
                }
                layers.add(layer[l].snapshot());
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

    private static void requireFinite(Matrix value, int layer, Parameter parameter) {
        int[] at = value.firstNonFinite();
        if (at != null) {
            throw new ArithmeticException("the update made layer " + layer + " " + parameter.path()
                    + parameter.kind().label() + " [" + at[0] + "][" + at[1] + "] " + value.get(at[0], at[1])
                    + ": training diverged; try a smaller learning rate or check the inputs' scale");
        }
    }
}
