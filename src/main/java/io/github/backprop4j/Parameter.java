package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.ParameterKind;

/**
 * One trainable tensor of a layer: its name within the layer as PyTorch names it ({@code "weight"},
 * {@code "bias"}, {@code "tables.0.weight"} for an embedding table, {@code "f.1.weight"} for the second inner
 * layer of a residual block), what it is to optimizers, and its value.
 *
 * @param name the name within the layer, dot-separated
 * @param kind what the tensor is: weights, bias, scale, shift or an embedding table
 * @param value the values, read-only
 */
public record Parameter(String name, ParameterKind kind, Matrix value) {

    /**
     * Checks the components.
     *
     * @param name the name within the layer, dot-separated
     * @param kind what the tensor is
     * @param value the values
     * @throws NullPointerException if one is {@code null}
     */
    public Parameter {
        Checks.notNull(name, "name");
        Checks.notNull(kind, "kind");
        Checks.notNull(value, "value");
    }

    /**
     * Returns the prefix that places the tensor inside its layer, for optimizer-state names: the name up to and
     * including its last dot, {@code ""} for a top-level tensor, {@code "f.1."} for {@code "f.1.weight"}.
     *
     * @return the prefix
     */
    public String path() {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot + 1);
    }

    /**
     * Returns the number of values.
     *
     * @return rows × columns
     */
    public long size() {
        return (long) value.rows() * value.cols();
    }
}
