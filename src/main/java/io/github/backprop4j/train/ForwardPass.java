package io.github.backprop4j.train;

import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch fed forward through a network, with every layer's weighted sums and activations recorded for
 * backpropagation:
 *
 * <pre>
 *   a⁰ = x
 *   zˡ = aˡ⁻¹·Wˡᵀ + bˡ      (1)
 *   aˡ = σˡ(zˡ)            (2)     for l = 1..L
 * </pre>
 *
 * <p>Rows are samples. Layers are numbered 1..L and the input is layer 0. Immutable: the recorded
 * matrices are handed out as read-only views.
 */
public final class ForwardPass {

    private final Network network;
    private final List<Matrix> weightedSums;
    private final List<Matrix> activations;

    private ForwardPass(Network network, List<Matrix> weightedSums, List<Matrix> activations) {
        this.network = network;
        this.weightedSums = weightedSums;
        this.activations = activations;
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
        Checks.notNull(network, "network");
        Matrix a = network.checkInputs(inputs, "inputs");
        List<Matrix> zs = new ArrayList<>();
        List<Matrix> as = new ArrayList<>();
        as.add(a == inputs ? a.copy().readOnlyView() : a.readOnlyView());
        for (Layer layer : network.layers()) {
            Matrix z = layer.weightedSums(a); // (1) zˡ = aˡ⁻¹·Wˡᵀ + bˡ
            a = layer.activate(z); //            (2) aˡ = σˡ(zˡ)
            zs.add(z.readOnlyView());
            as.add(a.readOnlyView());
        }
        return new ForwardPass(network, List.copyOf(zs), List.copyOf(as));
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
     * Returns a layer's weighted sums, {@code zˡ = aˡ⁻¹·Wˡᵀ + bˡ}.
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
