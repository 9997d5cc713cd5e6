package io.github.backprop4j.optim;

/** Which of a layer's two parameter tensors an optimizer is updating. */
public enum ParameterKind {
    /** The weights, {@code [out × in]}. */
    WEIGHTS("weights"),
    /** The biases, {@code [1 × out]}. */
    BIAS("bias");

    private final String label;

    ParameterKind(String label) {
        this.label = label;
    }

    /**
     * Returns the lower-case label used in state names and messages.
     *
     * @return {@code "weights"} or {@code "bias"}
     */
    public String label() {
        return label;
    }
}
