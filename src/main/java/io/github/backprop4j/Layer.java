package io.github.backprop4j;

import io.github.backprop4j.math.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;

/**
 * One dense layer: weights, biases and an activation. Each of its neurons computes a weighted sum of
 * the previous layer's activations plus its bias, {@code zⱼ = Σₖ wⱼₖ·a_prevₖ + bⱼ}, and then its
 * activation {@code aⱼ = σ(z)ⱼ}.
 *
 * <p>Weights are {@code [out × in]}: {@code weights[j][k]} joins neuron {@code k} of the previous layer
 * to neuron {@code j} of this one (PyTorch's {@code nn.Linear} layout). The bias has one entry per
 * neuron.
 *
 * <p>Immutable and thread-safe: arrays are copied in and out, matrices are handed out as read-only
 * views, and the {@code with…} methods return new layers. Every parameter is finite.
 */
public final class Layer {

    private final Matrix weights;
    private final Matrix bias;
    private final Activation activation;

    private Layer(Matrix weights, Matrix bias, Activation activation) {
        this.weights = weights.freeze(); // nobody else holds it: never written again, it may keep a transposed copy
        this.bias = bias.readOnlyView();
        this.activation = activation;
    }

    /**
     * A {@link Precision#FLOAT64} layer from explicit weights and biases, e.g. imported from elsewhere.
     *
     * @param weights {@code [out × in]}: {@code weights[j][k]} joins input {@code k} to neuron {@code j}
     * @param bias {@code [out]}
     * @param activation the activation {@code σ}
     * @return the layer, holding copies of the arrays
     * @throws NullPointerException if an argument or a row is {@code null}
     * @throws IllegalArgumentException if the arrays are empty, ragged, of sizes that do not fit, or hold a
     *     value that is not finite
     */
    public static Layer of(double[][] weights, double[] bias, Activation activation) {
        return of(weights, bias, activation, Precision.FLOAT64);
    }

    /**
     * A layer of the given precision from explicit weights and biases (rounded to float for
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
    public static Layer of(double[][] weights, double[] bias, Activation activation, Precision precision) {
        Checks.notNull(precision, "precision");
        return create(Matrix.of(precision, weights, "weights"), Matrix.rowVector(precision, bias, "bias"),
                activation);
    }

    /**
     * A {@link Precision#FLOAT32} layer from explicit weights and biases.
     *
     * @param weights {@code [out × in]}: {@code weights[j][k]} joins input {@code k} to neuron {@code j}
     * @param bias {@code [out]}
     * @param activation the activation {@code σ}
     * @return the layer, holding copies of the arrays
     * @throws NullPointerException if an argument or a row is {@code null}
     * @throws IllegalArgumentException if the arrays are empty, ragged, of sizes that do not fit, or hold a
     *     value that is not finite
     */
    public static Layer of(float[][] weights, float[] bias, Activation activation) {
        return create(Matrix.of(Precision.FLOAT32, weights, "weights"),
                Matrix.rowVector(Precision.FLOAT32, bias, "bias"), activation);
    }

    /**
     * A layer from weight and bias matrices of one precision, which it copies.
     *
     * @param weights {@code [out × in]}
     * @param bias {@code [1 × out]}
     * @param activation the activation {@code σ}
     * @return the layer, in the matrices' precision
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the shapes do not fit, the precisions differ, or a value is not
     *     finite
     */
    public static Layer of(Matrix weights, Matrix bias, Activation activation) {
        Checks.notNull(weights, "weights");
        Checks.notNull(bias, "bias");
        return create(weights.copy(), bias.copy(), activation);
    }

    /** Checks and wraps matrices that nobody else holds. */
    private static Layer create(Matrix weights, Matrix bias, Activation activation) {
        Checks.notNull(activation, "activation");
        if (bias.precision() != weights.precision()) {
            throw new IllegalArgumentException("bias is " + bias.precision() + " but weights are "
                    + weights.precision());
        }
        if (bias.rows() != 1) {
            throw new IllegalArgumentException("bias must be one row, but is " + bias.shape());
        }
        Checks.sameSize(bias.cols(), weights.rows(), "bias length", "the number of weight rows (the layer's outputs)");
        weights.requireFinite("weights");
        bias.requireFinite("bias");
        return new Layer(weights, bias, activation);
    }

    /**
     * Returns the number of inputs, the width of the previous layer.
     *
     * @return the number of weight columns
     */
    public int inputSize() {
        return weights.cols();
    }

    /**
     * Returns the number of neurons.
     *
     * @return the number of weight rows
     */
    public int outputSize() {
        return weights.rows();
    }

    /**
     * Returns the activation.
     *
     * @return {@code σ}
     */
    public Activation activation() {
        return activation;
    }

    /**
     * Returns the precision of the parameters.
     *
     * @return the precision
     */
    public Precision precision() {
        return weights.precision();
    }

    /**
     * Returns the number of trainable parameters.
     *
     * @return {@code out·in + out}
     */
    public long parameterCount() {
        return (long) outputSize() * inputSize() + outputSize();
    }

    /**
     * Returns a copy of the weights.
     *
     * @return {@code [out × in]}, widened to double
     */
    public double[][] weights() {
        return weights.toDoubleArray();
    }

    /**
     * Returns a copy of the biases.
     *
     * @return {@code [out]}, widened to double
     */
    public double[] bias() {
        return bias.row(0);
    }

    /**
     * Returns one weight.
     *
     * @param neuron {@code j}, the neuron of this layer, from 0
     * @param input {@code k}, the neuron of the previous layer, from 0
     * @return {@code w[j][k]}
     * @throws IndexOutOfBoundsException if there is no such weight
     */
    public double weight(int neuron, int input) {
        checkIndex(neuron, outputSize(), "neuron", "neurons");
        checkIndex(input, inputSize(), "input", "inputs");
        return weights.get(neuron, input);
    }

    /**
     * Returns one bias.
     *
     * @param neuron {@code j}, from 0
     * @return {@code b[j]}
     * @throws IndexOutOfBoundsException if there is no such neuron
     */
    public double bias(int neuron) {
        checkIndex(neuron, outputSize(), "neuron", "neurons");
        return bias.get(0, neuron);
    }

    private static void checkIndex(int index, int size, String name, String plural) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(name + " " + index + " does not exist: this layer has " + size + " "
                    + plural + ", numbered 0.." + (size - 1));
        }
    }

    /**
     * Returns the weights as a read-only matrix, without copying.
     *
     * @return {@code [out × in]}, read-only
     */
    public Matrix weightMatrix() {
        return weights;
    }

    /**
     * Returns the biases as a read-only one-row matrix, without copying.
     *
     * @return {@code [1 × out]}, read-only
     */
    public Matrix biasVector() {
        return bias;
    }

    /**
     * Computes the weighted sums of a batch, {@code z = a_prev · Wᵀ + b}: row {@code r} of the result holds
     * {@code zⱼ = Σₖ wⱼₖ·a_prev[r]ₖ + bⱼ} for every neuron {@code j}.
     *
     * @param input the previous layer's activations, {@code [batch × in]}, in this layer's precision
     * @return a new {@code [batch × out]} matrix
     * @throws IllegalArgumentException if the input's width or precision does not fit
     */
    public Matrix weightedSums(Matrix input) {
        Checks.notNull(input, "input");
        Checks.sameSize(input.cols(), inputSize(), "input width", "the layer's input size");
        if (input.precision() != precision()) {
            throw new IllegalArgumentException("input is " + input.precision() + " but the layer is " + precision()
                    + "; convert it with input.toPrecision(" + precision() + ")");
        }
        Matrix z = Matrix.zeros(precision(), input.rows(), outputSize());
        Matrix.multiplyTransposed(input, weights, z); // z = a_prev · Wᵀ
        z.addRowVector(bias); //                          + b
        return z;
    }

    /**
     * Applies the activation to weighted sums, {@code a = σ(z)}.
     *
     * @param z the weighted sums, {@code [batch × out]}
     * @return a new matrix of the same shape
     */
    public Matrix activate(Matrix z) {
        Checks.notNull(z, "z");
        Matrix a = Matrix.zeros(z.precision(), z.rows(), z.cols());
        activation.forward(z, a);
        return a;
    }

    /**
     * Returns a layer with these weights instead, keeping the biases and activation.
     *
     * @param newWeights {@code [out × in]}, the same shape as now
     * @return a new layer, in this layer's precision
     * @throws IllegalArgumentException if the shape differs or a value is not finite
     */
    public Layer withWeights(double[][] newWeights) {
        Matrix w = Matrix.of(precision(), newWeights, "weights");
        if (w.rows() != outputSize() || w.cols() != inputSize()) {
            throw new IllegalArgumentException("weights are " + w.shape() + " but this layer's weights are "
                    + weights.shape());
        }
        return create(w, bias.copy(), activation);
    }

    /**
     * Returns a layer with these biases instead, keeping the weights and activation.
     *
     * @param newBias {@code [out]}, as long as now
     * @return a new layer, in this layer's precision
     * @throws IllegalArgumentException if the length differs or a value is not finite
     */
    public Layer withBias(double[] newBias) {
        return create(weights.copy(), Matrix.rowVector(precision(), newBias, "bias"), activation);
    }

    /**
     * Returns a layer with another activation and the same parameters.
     *
     * @param newActivation the activation
     * @return a new layer
     */
    public Layer withActivation(Activation newActivation) {
        return new Layer(weights, bias, Checks.notNull(newActivation, "activation"));
    }

    /**
     * Returns this layer in the given precision (rounding to float when narrowing). As {@link #of(double[][],
     * double[], Activation, Precision)} does, narrowing refuses a finite value beyond float's range rather
     * than turning it into an infinity that could be saved but not loaded.
     *
     * @param newPrecision the precision
     * @return this layer if it already has that precision, else a converted copy
     * @throws IllegalArgumentException if, narrowing to {@link Precision#FLOAT32}, a weight or bias is beyond
     *     ±{@value Float#MAX_VALUE}, naming the parameter, its row and column, and the value
     */
    public Layer toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        return newPrecision == precision() ? this
                : new Layer(weights.toPrecision(newPrecision, "weights"), bias.toPrecision(newPrecision, "bias"),
                        activation);
    }

    /** Wraps matrices that nobody else holds, without copying them (for the builder's fresh weights). */
    static Layer ofOwned(Matrix weights, Matrix bias, Activation activation) {
        return create(weights, bias, activation);
    }

    /**
     * Layers are equal when their activations are equal and their weights and biases have the same
     * precision, shape and bit-identical values.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof Layer l && l.activation.equals(activation) && l.weights.equals(weights)
                && l.bias.equals(bias);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * activation.hashCode() + weights.hashCode()) + bias.hashCode();
    }

    /** Returns sizes, activation and precision, e.g. {@code "Layer[4 → 16, relu, FLOAT64]"}. */
    @Override
    public String toString() {
        return "Layer[" + inputSize() + " → " + outputSize() + ", " + activation + ", " + precision() + "]";
    }
}
