package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Inverted dropout rates per layer, used only while training: during a training forward pass each
 * activation of layer {@code l} is dropped (set to 0) with probability {@code pˡ} and the survivors are
 * scaled by {@code 1/(1 − pˡ)}, so that the trained network needs no change for inference.
 *
 * <p>Rates apply to the activations a layer passes on: layer 0 (the inputs) up to layer L−1; dropping the
 * output layer's activations would corrupt the loss and is refused. Immutable.
 */
public final class Dropout {

    private static final Dropout NONE = new Dropout(Map.of());

    private final Map<Integer, Double> rates;

    private Dropout(Map<Integer, Double> rates) {
        this.rates = Collections.unmodifiableMap(new TreeMap<>(rates));
    }

    /**
     * No dropout anywhere.
     *
     * @return the empty configuration
     */
    public static Dropout none() {
        return NONE;
    }

    /**
     * Returns a copy that also drops the activations of one layer.
     *
     * @param layer the layer whose activations are dropped, 0 (inputs) .. L−1
     * @param rate the probability of dropping each activation, in [0, 1)
     * @return a new configuration
     * @throws IllegalArgumentException if the layer is negative or the rate outside [0, 1)
     */
    public Dropout with(int layer, double rate) {
        if (layer < 0) {
            throw new IllegalArgumentException("dropout layer must be >= 0 (0 is the input), was " + layer);
        }
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate of layer " + layer + " must be in [0, 1), was " + rate);
        }
        Map<Integer, Double> copy = new TreeMap<>(rates);
        copy.put(layer, rate);
        return new Dropout(copy);
    }

    /**
     * Returns the rate of one layer.
     *
     * @param layer the layer, 0..L−1
     * @return its dropout rate, 0 if none was set
     */
    public double rate(int layer) {
        return rates.getOrDefault(layer, 0.0);
    }

    /**
     * Returns whether no layer drops anything.
     *
     * @return {@code true} if every rate is 0
     */
    public boolean isNone() {
        return rates.values().stream().allMatch(r -> r == 0);
    }

    /**
     * Checks that every configured layer exists in the network and is not the output layer, and that the inputs
     * do not drop when layer 1 is an {@link io.github.backprop4j.Embedding} (a dropped or rescaled category index
     * is no category; drop the embedding's output, layer 1, instead).
     *
     * @param network the network to be trained
     * @throws IllegalArgumentException naming the layer and the valid range
     */
    public void checkFits(Network network) {
        Checks.notNull(network, "network");
        for (int layer : rates.keySet()) {
            if (layer > network.layerCount() - 1) {
                throw new IllegalArgumentException("dropout on layer " + layer + " is not possible: it may apply to "
                        + "layers 0.." + (network.layerCount() - 1) + " (the output layer " + network.layerCount()
                        + " cannot drop)");
            }
            if (layer == 0 && rate(0) > 0 && network.layer(1) instanceof io.github.backprop4j.Embedding) {
                throw new IllegalArgumentException("dropout on layer 0 (the inputs) is not possible: layer 1 is an "
                        + "embedding layer, whose category index columns cannot be dropped or rescaled; drop its "
                        + "output, layer 1, instead");
            }
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Dropout d && d.rates.equals(rates);
    }

    @Override
    public int hashCode() {
        return rates.hashCode();
    }

    /** Returns the rates by layer, e.g. {@code "Dropout{1=0.5}"}. */
    @Override
    public String toString() {
        return "Dropout" + rates;
    }
}
