package io.github.backprop4j.optim;

/**
 * What a parameter tensor is, as optimizers, gradient transforms and weight decay see it. A dense layer has
 * {@link #WEIGHTS} and {@link #BIAS}; a normalization layer a {@link #SCALE} {@code γ} and a {@link #SHIFT}
 * {@code β} (PyTorch's {@code weight} and {@code bias}); an embedding layer one {@link #EMBEDDING} table per
 * categorical column. The kinds of a residual block are those of its inner layers. New constants may be added;
 * the labels of the existing ones never change, since optimizer states are saved under them.
 */
public enum ParameterKind {
    /** The weights, {@code [out × in]}. */
    WEIGHTS("weights"),
    /** The biases, {@code [1 × out]}. */
    BIAS("bias"),
    /** The learned per-feature scale {@code γ} of a normalization layer, {@code [1 × features]}. */
    SCALE("scale"),
    /** The learned per-feature shift {@code β} of a normalization layer, {@code [1 × features]}. */
    SHIFT("shift"),
    /** An embedding table, {@code [categories × dimension]}: one row per category of one column. */
    EMBEDDING("embedding");

    private final String label;

    ParameterKind(String label) {
        this.label = label;
    }

    /**
     * Returns the lower-case label used in state names and messages.
     *
     * @return {@code "weights"}, {@code "bias"}, {@code "scale"}, {@code "shift"} or {@code "embedding"}
     */
    public String label() {
        return label;
    }

    /**
     * Returns whether a tensor of this kind is one row, one value per feature or neuron.
     *
     * @return true for {@link #BIAS}, {@link #SCALE} and {@link #SHIFT}
     */
    public boolean isVector() {
        return this == BIAS || this == SCALE || this == SHIFT;
    }
}
