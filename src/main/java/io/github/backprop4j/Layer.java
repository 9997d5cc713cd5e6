package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.List;
import java.util.Map;

/**
 * One layer of a {@link Network}, of one of five kinds: {@link DenseLayer} (weights, biases), {@link LayerNorm}
 * and {@link BatchNorm} (normalization with a learned scale and shift), {@link Embedding} (tables for
 * categorical input columns) and {@link Residual} ({@code x + f(x)} over inner layers). Each kind computes its
 * output {@code z} from its input, and then every kind applies its optional {@link #activation()},
 * {@code a = σ(z)} ({@link Activation#IDENTITY} for none).
 *
 * <p>Every kind knows its {@linkplain #parameters() parameters}, named as PyTorch names them, its forward pass,
 * and its backward pass from {@code ∂C/∂z} to {@code ∂C/∂input} and the parameter gradients; training and
 * prediction run them through a {@link LayerComputation}. For dense layers the seed's error signal
 * {@code δ = ∂C/∂z} is the named quantity; for the others {@code ∂C/∂z} is their error signal too.
 *
 * <p>Immutable and thread-safe. The set of kinds is closed (the class is sealed) so that every kind can be
 * saved, loaded and exported.
 */
public abstract sealed class Layer permits DenseLayer, LayerNorm, BatchNorm, Embedding, Residual {

    Layer() {
    }

    /**
     * A {@link Precision#FLOAT64} dense layer from explicit weights and biases, e.g. imported from elsewhere.
     *
     * @param weights {@code [out × in]}: {@code weights[j][k]} joins input {@code k} to neuron {@code j}
     * @param bias {@code [out]}
     * @param activation the activation {@code σ}
     * @return the layer, holding copies of the arrays
     * @throws NullPointerException if an argument or a row is {@code null}
     * @throws IllegalArgumentException if the arrays are empty, ragged, of sizes that do not fit, or hold a
     *     value that is not finite
     */
    public static DenseLayer of(double[][] weights, double[] bias, Activation activation) {
        return DenseLayer.create(weights, bias, activation, Precision.FLOAT64);
    }

    /**
     * A dense layer of the given precision from explicit weights and biases (rounded to float for
     * {@link Precision#FLOAT32}).
     *
     * @param weights {@code [out × in]}: {@code weights[j][k]} joins input {@code k} to neuron {@code j}
     * @param bias {@code [out]}
     * @param activation the activation {@code σ}
     * @param precision the precision of the layer
     * @return the layer, holding copies of the arrays
     * @throws NullPointerException if an argument or a row is {@code null}
     * @throws IllegalArgumentException if the arrays are empty, ragged, of sizes that do not fit, or hold a
     *     value that is not finite
     */
    public static DenseLayer of(double[][] weights, double[] bias, Activation activation, Precision precision) {
        return DenseLayer.create(weights, bias, activation, precision);
    }

    /**
     * A {@link Precision#FLOAT32} dense layer from explicit weights and biases.
     *
     * @param weights {@code [out × in]}: {@code weights[j][k]} joins input {@code k} to neuron {@code j}
     * @param bias {@code [out]}
     * @param activation the activation {@code σ}
     * @return the layer, holding copies of the arrays
     * @throws NullPointerException if an argument or a row is {@code null}
     * @throws IllegalArgumentException if the arrays are empty, ragged, of sizes that do not fit, or hold a
     *     value that is not finite
     */
    public static DenseLayer of(float[][] weights, float[] bias, Activation activation) {
        return DenseLayer.create(weights, bias, activation);
    }

    /**
     * A dense layer from weight and bias matrices of one precision, which it copies.
     *
     * @param weights {@code [out × in]}
     * @param bias {@code [1 × out]}
     * @param activation the activation {@code σ}
     * @return the layer, in the matrices' precision
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the shapes do not fit, the precisions differ, or a value is not
     *     finite
     */
    public static DenseLayer of(Matrix weights, Matrix bias, Activation activation) {
        return DenseLayer.create(weights, bias, activation);
    }

    /**
     * Returns the kind's name, as model files and summaries write it.
     *
     * @return {@code "dense"}, {@code "layer_norm"}, {@code "batch_norm"}, {@code "embedding"} or
     *     {@code "residual"}
     */
    public abstract String kind();

    /**
     * Returns the number of inputs per sample, the width of the previous layer (for an embedding layer: its
     * numeric columns plus one column per table).
     *
     * @return the input width
     */
    public abstract int inputSize();

    /**
     * Returns the number of outputs per sample.
     *
     * @return the output width
     */
    public abstract int outputSize();

    /**
     * Returns the activation applied after the layer's own computation, {@code a = σ(z)}.
     *
     * @return {@code σ}; {@link Activation#IDENTITY} for none
     */
    public abstract Activation activation();

    /**
     * Returns the precision of the parameters.
     *
     * @return the precision
     */
    public abstract Precision precision();

    /**
     * Returns the trainable parameters, in the order PyTorch's {@code parameters()} gives them.
     *
     * @return an unmodifiable list, each value read-only
     */
    public abstract List<Parameter> parameters();

    /**
     * Returns the buffers: state that is part of the model but not trained by gradients (batch normalization's
     * running statistics), by PyTorch's name.
     *
     * @return an unmodifiable map, empty for most kinds; values read-only
     */
    public Map<String, Matrix> buffers() {
        return Map.of();
    }

    /**
     * Returns the number of trainable parameters.
     *
     * @return the sum of the sizes of {@link #parameters()}
     */
    public long parameterCount() {
        long n = 0;
        for (Parameter p : parameters()) {
            n += p.size();
        }
        return n;
    }

    /**
     * Returns a layer of this kind and shape with other parameter values, keeping the activation and buffers.
     *
     * @param values one matrix per {@link #parameters()} entry, in that order and of the same shapes; copied
     * @return a new layer, in this layer's precision
     * @throws NullPointerException if the list or a matrix is {@code null}
     * @throws IllegalArgumentException naming the parameter, if the count, a shape or a precision differs, or a
     *     value is not finite
     */
    public abstract Layer withParameters(List<Matrix> values);

    /**
     * Returns a layer with another activation and the same parameters.
     *
     * @param newActivation the activation
     * @return a new layer
     */
    public abstract Layer withActivation(Activation newActivation);

    /**
     * Returns this layer in the given precision (rounding to float when narrowing, and refusing a finite value
     * beyond float's range).
     *
     * @param newPrecision the precision
     * @return this layer if it already has that precision, else a converted copy
     * @throws IllegalArgumentException if, narrowing, a value is beyond float's range, naming it
     */
    public abstract Layer toPrecision(Precision newPrecision);

    /**
     * Creates the mutable computation of this layer for one training run: writable copies of its parameters
     * (and buffers), their gradients, and the buffers of a batch. Training code uses it; most users never need
     * it.
     *
     * @return a new computation, which nobody else holds
     */
    public abstract LayerComputation newComputation();

    /**
     * Feeds a batch through this layer as prediction does (running statistics, no dropout), into new matrices.
     *
     * @param input {@code [batch × inputSize]}, in this layer's precision, checked by the caller
     * @return {@code [batch × outputSize]}, {@code a = σ(z)}
     */
    abstract Matrix predict(Matrix input);

    /**
     * Returns a one-line description of the kind's configuration for {@link Network#summary()}, e.g.
     * {@code "eps=1e-05"}; empty if there is nothing to say beyond the sizes.
     */
    String details() {
        return "";
    }

    /** Requires values for every parameter, of the parameters' shapes and precision. */
    static void checkValues(List<Matrix> values, List<Parameter> parameters, Layer layer) {
        Checks.notNull(values, "values");
        Checks.sameSize(values.size(), parameters.size(), "values: the number of parameters",
                "the number of parameters of " + layer);
        for (int i = 0; i < values.size(); i++) {
            Parameter p = parameters.get(i);
            Matrix v = Checks.notNull(values.get(i), "values: " + p.name());
            if (v.rows() != p.value().rows() || v.cols() != p.value().cols() || v.precision() != p.value().precision()) {
                throw new IllegalArgumentException("values: " + p.name() + " is " + v + " but the parameter of "
                        + layer + " is " + p.value());
            }
            v.requireFinite(p.name());
        }
    }
}
