package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * The state of one parameter tensor (a layer's weights, bias, scale, shift or embedding table) during one training run, as an
 * {@link Optimizer} sees it: named buffers of the parameter's shape, and the number of the current step.
 *
 * <p>A view into an {@link OptimizerState}; not thread-safe.
 */
public final class ParameterState {

    private final OptimizerState owner;
    private final int layer;
    private final String path;
    private final ParameterKind kind;
    private final Matrix shapeOf;
    /** Buffers already looked up, by short name: a step's lookups then allocate nothing. */
    private final java.util.Map<String, Matrix> found = new java.util.HashMap<>();
    /** See {@link #scratch()}. */
    private Matrix scratch;

    ParameterState(OptimizerState owner, int layer, String path, ParameterKind kind, Matrix shapeOf) {
        this.owner = owner;
        this.layer = layer;
        this.path = path;
        this.kind = kind;
        this.shapeOf = shapeOf;
    }

    /**
     * Returns the number of the layer this parameter belongs to.
     *
     * @return 1..L
     */
    public int layer() {
        return layer;
    }

    /**
     * Returns where in its layer this tensor is: {@code ""} for a top-level one (a dense layer's weights, a
     * normalization's scale), {@code "f.1."} inside the second inner layer of a residual block,
     * {@code "tables.0."} for the first table of an embedding layer.
     *
     * @return the path, empty or ending in a dot
     */
    public String path() {
        return path;
    }

    /**
     * Returns what this tensor is.
     *
     * @return weights, bias, scale, shift or embedding
     */
    public ParameterKind kind() {
        return kind;
    }

    /**
     * Returns the number of the step being made, {@code t}: 1 for the first update of a training run.
     *
     * @return {@code t ≥ 1}
     */
    public long step() {
        return owner.stepCount() + 1;
    }

    /**
     * Returns whether a buffer of this name exists yet (false on the first step).
     *
     * @param name the buffer's name, e.g. {@code "momentum"}
     * @return whether {@link #slot(String)} has been called for it before
     */
    public boolean hasSlot(String name) {
        Checks.notNull(name, "name");
        return found.containsKey(name) || owner.hasSlot(OptimizerState.slotName(layer, path, kind, name));
    }

    /**
     * Returns the named buffer, created as zeros of the parameter's shape and precision on first use.
     * The optimizer updates it in place.
     *
     * @param name the buffer's name, e.g. {@code "momentum"}; letters, digits and underscores
     * @return the writable buffer
     * @throws IllegalArgumentException if the name is not a simple identifier
     */
    public Matrix slot(String name) {
        Checks.notNull(name, "name");
        Matrix buffer = found.get(name);
        if (buffer == null) {
            buffer = owner.slot(OptimizerState.slotName(layer, path, kind, name), shapeOf);
            found.put(name, buffer);
        }
        return buffer;
    }

    /**
     * Returns a buffer of the parameter's shape and precision for the intermediate results of one step (the
     * transformed gradient), made on first use and reused: not part of the state, never saved or copied.
     */
    Matrix scratch() {
        if (scratch == null) {
            scratch = Matrix.zeros(shapeOf.precision(), shapeOf.rows(), shapeOf.cols());
        }
        return scratch;
    }

    /** Whether buffers made through this view would have the shape and precision of {@code parameter}. */
    boolean fits(Matrix parameter) {
        return parameter.rows() == shapeOf.rows() && parameter.cols() == shapeOf.cols()
                && parameter.precision() == shapeOf.precision();
    }

    @Override
    public String toString() {
        return "ParameterState[layer " + layer + " " + path + kind.label() + ", step " + step() + "]";
    }
}
