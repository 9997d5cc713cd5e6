package io.github.backprop4j.train;

import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerComputation;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A batch fed forward through a network, with every layer's weighted sums and activations recorded for
 * backpropagation:
 *
 * <pre>
 *   a⁰ = x
 *   zˡ = aˡ⁻¹·Wˡᵀ + bˡ      (1)     for a dense layer; zˡ = fˡ(aˡ⁻¹) for the other kinds (see Layer)
 *   aˡ = σˡ(zˡ)            (2)     for l = 1..L
 * </pre>
 *
 * <p>Rows are samples. Layers are numbered 1..L and the input is layer 0. A pass runs in training mode (batch
 * normalization uses the batch's statistics and the pass records its updated running statistics) unless made
 * by {@link #runForEvaluation}. Immutable: the recorded matrices are handed out as read-only views.
 */
public final class ForwardPass {

    private final Network network;
    private final List<Matrix> weightedSums;
    private final List<Matrix> activations;
    /** Per layer 0..L: the activations as passed on, after dropout; the same matrix where none applied. */
    private final List<Matrix> passedOn;
    /** Per layer 0..L: the dropout mask, or {@code null} where none applied. */
    private final List<Matrix> masks;
    /** Per layer 1..L: the computation of a layer that is not dense (it holds what its backward pass needs), else null. */
    private final LayerComputation[] computations;
    /** Per layer 1..L: the named values its computation recorded in the forward pass; empty for a dense one. */
    private final List<Map<String, Matrix>> recorded;
    private final boolean training;

    private ForwardPass(Network network, List<Matrix> weightedSums, List<Matrix> activations,
            List<Matrix> passedOn, List<Matrix> masks, LayerComputation[] computations,
            List<Map<String, Matrix>> recorded, boolean training) {
        this.network = network;
        this.weightedSums = weightedSums;
        this.activations = activations;
        this.passedOn = passedOn;
        this.masks = masks;
        this.computations = computations;
        this.recorded = recorded;
        this.training = training;
    }

    /**
     * Runs a batch through the network, recording {@code zˡ} and {@code aˡ} for every layer.
     *
     * @param network the network
     * @param inputs {@code [batch × inputSize]}, one sample per row; converted to the network's precision
     *     if it differs
     * @return the recorded pass
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the input width is not the network's input size, or a value is not
     *     finite
     */
    public static ForwardPass run(Network network, Matrix inputs) {
        return run(network, inputs, Dropout.none(), null);
    }

    /**
     * Runs a training batch with dropout: after (2), the activations {@code aˡ} that layer {@code l} passes
     * on are multiplied by a fresh mask, {@code ãˡ = aˡ ⊙ mˡ}, where each mask element is 0 with
     * probability {@code pˡ} and {@code 1/(1 − pˡ)} otherwise. Layer {@code l + 1} then computes
     * {@code zˡ⁺¹ = ãˡ·Wˡ⁺¹ᵀ + bˡ⁺¹}. The masks are drawn from {@code random} layer by layer, row by row.
     *
     * @param network the network
     * @param inputs {@code [batch × inputSize]}
     * @param dropout the rates per layer; {@link Dropout#none()} for none
     * @param random the source of the masks; may be {@code null} only when {@code dropout} is none
     * @return the recorded pass
     * @throws IllegalArgumentException if the inputs do not fit, or dropout names a layer that cannot drop
     */
    public static ForwardPass run(Network network, Matrix inputs, Dropout dropout,
            RandomGenerator random) {
        return run(network, inputs, dropout, random, true);
    }

    /**
     * Runs a batch in evaluation mode, as prediction sees it: batch normalization uses its running statistics
     * (and changes none), no dropout. Backpropagating it gives the gradients of PyTorch's {@code model.eval()}
     * mode, which pass through no batch statistic.
     *
     * @param network the network
     * @param inputs {@code [batch × inputSize]}
     * @return the recorded pass
     * @throws IllegalArgumentException if the inputs do not fit
     */
    public static ForwardPass runForEvaluation(Network network, Matrix inputs) {
        return run(network, inputs, Dropout.none(), null, false);
    }

    private static ForwardPass run(Network network, Matrix inputs, Dropout dropout, RandomGenerator random,
            boolean training) {
        Checks.notNull(network, "network");
        Checks.notNull(dropout, "dropout");
        dropout.checkFits(network);
        if (random == null && !dropout.isNone()) {
            throw new NullPointerException("random must not be null when dropout is used");
        }
        Matrix a = network.checkInputs(inputs, "inputs");
        a = a == inputs ? a.copy() : a;
        List<Matrix> zs = new ArrayList<>();
        List<Matrix> as = new ArrayList<>();
        List<Matrix> passed = new ArrayList<>();
        List<Matrix> ms = new ArrayList<>();
        LayerComputation[] computations = new LayerComputation[network.layerCount() + 1];
        List<Map<String, Matrix>> recorded = new ArrayList<>();
        for (int l = 0; l <= network.layerCount(); l++) {
            if (l > 0) {
                Layer layer = network.layer(l);
                Matrix z;
                if (layer instanceof DenseLayer dense) {
                    z = dense.weightedSums(passed.get(l - 1)); //     (1) zˡ = ãˡ⁻¹·Wˡᵀ + bˡ
                } else {
                    z = Matrix.zeros(network.precision(), a.rows(), layer.outputSize());
                    computations[l] = layer.newComputation();
                    try {
                        computations[l].forward(passed.get(l - 1), z, training); // zˡ = fˡ(ãˡ⁻¹), the kind's own
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("layer " + l + ": " + e.getMessage(), e);
                    }
                }
                // the forward pass's own values; its computation's backward pass (Backpropagator) leaves them as they are
                recorded.add(computations[l] == null ? Map.of() : computations[l].recorded());
                a = Matrix.zeros(z.precision(), z.rows(), z.cols());
                layer.activation().forward(z, a); //                      (2) aˡ = σˡ(zˡ)
                zs.add(z.readOnlyView());
            }
            as.add(a.readOnlyView());
            double rate = dropout.rate(l);
            if (rate > 0) {
                Matrix mask = Matrix.zeros(a.precision(), a.rows(), a.cols());
                mask.fillDropoutMask(random, rate);
                Matrix dropped = a.copy();
                Matrix.zip(a, mask, (x, m) -> x * m, dropped); //    ãˡ = aˡ ⊙ mˡ
                passed.add(dropped.readOnlyView());
                ms.add(mask.readOnlyView());
            } else {
                passed.add(a.readOnlyView());
                ms.add(null);
            }
        }
        return new ForwardPass(network, List.copyOf(zs), List.copyOf(as), Collections.unmodifiableList(passed),
                Collections.unmodifiableList(ms), computations, List.copyOf(recorded), training);
    }

    /**
     * Runs a batch given as rows of doubles; see {@link #run(Network, Matrix)}.
     *
     * @param network the network
     * @param inputs {@code [batch × inputSize]}
     * @return the recorded pass
     * @throws IllegalArgumentException if the batch is empty, ragged, of the wrong width, or not finite
     */
    public static ForwardPass run(Network network, double[][] inputs) {
        Checks.notNull(network, "network");
        return run(network, Matrix.of(network.precision(), inputs, "inputs"));
    }

    /**
     * Runs a batch given as rows of floats; see {@link #run(Network, Matrix)}.
     *
     * @param network the network
     * @param inputs {@code [batch × inputSize]}
     * @return the recorded pass
     * @throws IllegalArgumentException if the batch is empty, ragged, of the wrong width, or not finite
     */
    public static ForwardPass run(Network network, float[][] inputs) {
        Checks.notNull(network, "network");
        return run(network, Matrix.of(network.precision(), inputs, "inputs"));
    }

    /**
     * Returns the network the batch went through.
     *
     * @return the network
     */
    public Network network() {
        return network;
    }

    /**
     * Returns whether the pass ran in training mode (batch statistics) rather than evaluation mode.
     *
     * @return true unless made by {@link #runForEvaluation}
     */
    public boolean isTraining() {
        return training;
    }

    /** The computation of a layer that is not dense, holding what its backward pass needs; null for a dense one. */
    LayerComputation computation(int layer) {
        return computations[layer];
    }

    /**
     * Returns a layer as this pass leaves it: in training mode a batch normalization layer (also inside a
     * residual block) with its running statistics updated by the batch; every other layer unchanged.
     *
     * @param layer 1..L
     * @return the layer
     */
    Layer layerAfter(int layer) {
        Layer original = network.layer(layer);
        return training && computations[layer] != null && !original.buffers().isEmpty()
                ? computations[layer].snapshot() // the forward pass changed the buffers only
                : original;
    }

    /**
     * Returns the number of samples.
     *
     * @return the number of input rows
     */
    public int batchSize() {
        return activations.get(0).rows();
    }

    /**
     * Returns the precision of every recorded matrix, the network's.
     *
     * @return the precision
     */
    public Precision precision() {
        return network.precision();
    }

    /**
     * Returns the input batch, {@code a⁰}.
     *
     * @return {@code [batch × inputSize]}, read-only
     */
    public Matrix input() {
        return activations.get(0);
    }

    /**
     * Returns a layer's weighted sums, {@code zˡ = aˡ⁻¹·Wˡᵀ + bˡ} (for a layer of another kind, its output before
     * its activation).
     *
     * @param layer 1..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Matrix weightedSums(int layer) {
        checkLayer(layer, 1);
        return weightedSums.get(layer - 1);
    }

    /**
     * Returns a layer's activations, {@code aˡ = σˡ(zˡ)}; layer 0 is the input.
     *
     * @param layer 0..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Matrix activations(int layer) {
        checkLayer(layer, 0);
        return activations.get(layer);
    }

    /**
     * Returns the activations of a layer as the next layer received them: {@code ãˡ = aˡ ⊙ mˡ} where dropout
     * applied, otherwise {@code aˡ} itself.
     *
     * @param layer 0..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Matrix passedOn(int layer) {
        checkLayer(layer, 0);
        return passedOn.get(layer);
    }

    /**
     * Returns the named intermediate values a layer computed on the way to its {@code zˡ}, as its
     * {@link LayerComputation#recorded()} names them: a layer normalization's {@code "mean"}, {@code "var"}
     * ({@code [batch × 1]}) and {@code "x_hat"}; a batch normalization's batch {@code "mean"} and {@code "var"}
     * ({@code [1 × F]}, training mode only) and {@code "x_hat"}; a residual block's {@code "inner.j.z"} and
     * {@code "inner.j.a"} for each inner layer {@code j} from 0 (and their own values, prefixed
     * {@code "inner.j."}). The inner layers' error signals are in {@link Gradients#recorded(int)}.
     *
     * @param layer 1..L
     * @return an unmodifiable map, values read-only; empty for a dense or embedding layer
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Map<String, Matrix> recorded(int layer) {
        checkLayer(layer, 1);
        return recorded.get(layer - 1);
    }

    /**
     * Returns the dropout mask of a layer, if dropout applied to it.
     *
     * @param layer 0..L
     * @return the mask {@code mˡ} (elements 0 or {@code 1/(1 − p)}), read-only, or {@code null} if none
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Matrix dropoutMask(int layer) {
        checkLayer(layer, 0);
        return masks.get(layer);
    }

    /**
     * Returns the network's output, {@code aᴸ}.
     *
     * @return {@code [batch × outputSize]}, read-only
     */
    public Matrix output() {
        return activations.get(activations.size() - 1);
    }

    private void checkLayer(int layer, int first) {
        int last = network.layerCount();
        if (layer < first || layer > last) {
            throw new IndexOutOfBoundsException("layer " + layer + " does not exist here: the valid layers are "
                    + first + ".." + last + " (the input is layer 0)");
        }
    }

    @Override
    public String toString() {
        return "ForwardPass[" + batchSize() + " samples through " + network + "]";
    }
}
