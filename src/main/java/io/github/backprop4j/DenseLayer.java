package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.ParameterKind;
import java.util.List;

/**
 * A dense layer: weights, biases and an activation. Each of its neurons computes a weighted sum of
 * the previous layer's activations plus its bias, {@code zⱼ = Σₖ wⱼₖ·a_prevₖ + bⱼ}, and then its
 * activation {@code aⱼ = σ(z)ⱼ}.
 *
 * <p>Weights are {@code [out × in]}: {@code weights[j][k]} joins neuron {@code k} of the previous layer
 * to neuron {@code j} of this one (PyTorch's {@code nn.Linear} layout). The bias has one entry per
 * neuron.
 *
 * <p>Immutable and thread-safe: arrays are copied in and out, matrices are handed out as read-only
 * views, and the {@code with…} methods return new layers. Every parameter is finite. Made by
 * {@link Layer#of(double[][], double[], Activation)} and its overloads, or by {@link Network.Builder#dense}.
 */
public final class DenseLayer extends Layer {

    /** The two parameters' names, as PyTorch's {@code nn.Linear} names them. */
    static final String WEIGHT = "weight";
    static final String BIAS = "bias";

    private final Matrix weights;
    private final Matrix bias;
    private final Activation activation;

    private DenseLayer(Matrix weights, Matrix bias, Activation activation) {
        this.weights = weights.freeze(); // nobody else holds it: never written again, it may keep a transposed copy
        this.bias = bias.readOnlyView();
        this.activation = activation;
    }

    static DenseLayer create(double[][] weights, double[] bias, Activation activation, Precision precision) {
        Checks.notNull(precision, "precision");
        return create(Matrix.of(precision, weights, "weights"), Matrix.rowVector(precision, bias, "bias"),
                activation);
    }

    static DenseLayer create(float[][] weights, float[] bias, Activation activation) {
        return create(Matrix.of(Precision.FLOAT32, weights, "weights"),
                Matrix.rowVector(Precision.FLOAT32, bias, "bias"), activation);
    }

    static DenseLayer create(Matrix weights, Matrix bias, Activation activation) {
        Checks.notNull(weights, "weights");
        Checks.notNull(bias, "bias");
        return wrap(weights.copy(), bias.copy(), activation);
    }

    /** Checks and wraps matrices that nobody else holds. */
    private static DenseLayer wrap(Matrix weights, Matrix bias, Activation activation) {
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
        return new DenseLayer(weights, bias, activation);
    }

    /**
     * Returns the number of inputs, the width of the previous layer.
     *
     * @return the number of weight columns
     */
    @Override
    public int inputSize() {
        return weights.cols();
    }

    /**
     * Returns the number of neurons.
     *
     * @return the number of weight rows
     */
    @Override
    public int outputSize() {
        return weights.rows();
    }

    /**
     * Returns the activation.
     *
     * @return {@code σ}
     */
    @Override
    public Activation activation() {
        return activation;
    }

    /**
     * Returns the precision of the parameters.
     *
     * @return the precision
     */
    @Override
    public Precision precision() {
        return weights.precision();
    }

    /**
     * Returns the number of trainable parameters.
     *
     * @return {@code out·in + out}
     */
    @Override
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
    public DenseLayer withWeights(double[][] newWeights) {
        Matrix w = Matrix.of(precision(), newWeights, "weights");
        if (w.rows() != outputSize() || w.cols() != inputSize()) {
            throw new IllegalArgumentException("weights are " + w.shape() + " but this layer's weights are "
                    + weights.shape());
        }
        return wrap(w, bias.copy(), activation);
    }

    /**
     * Returns a layer with these biases instead, keeping the weights and activation.
     *
     * @param newBias {@code [out]}, as long as now
     * @return a new layer, in this layer's precision
     * @throws IllegalArgumentException if the length differs or a value is not finite
     */
    public DenseLayer withBias(double[] newBias) {
        return wrap(weights.copy(), Matrix.rowVector(precision(), newBias, "bias"), activation);
    }

    /**
     * Returns a layer with another activation and the same parameters.
     *
     * @param newActivation the activation
     * @return a new layer
     */
    @Override
    public DenseLayer withActivation(Activation newActivation) {
        return new DenseLayer(weights, bias, Checks.notNull(newActivation, "activation"));
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
    @Override
    public DenseLayer toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        return newPrecision == precision() ? this
                : new DenseLayer(weights.toPrecision(newPrecision, "weights"), bias.toPrecision(newPrecision, "bias"),
                        activation);
    }

    /** Wraps matrices that nobody else holds, without copying them (for the builder's fresh weights). */
    static DenseLayer ofOwned(Matrix weights, Matrix bias, Activation activation) {
        return wrap(weights, bias, activation);
    }

    @Override
    public String kind() {
        return "dense";
    }

    /** Returns the weights ({@code "weight"}, {@code [out × in]}) and the biases ({@code "bias"}, {@code [1 × out]}). */
    @Override
    public List<Parameter> parameters() {
        return List.of(new Parameter(WEIGHT, ParameterKind.WEIGHTS, weights), new Parameter(BIAS, ParameterKind.BIAS,
                bias));
    }

    @Override
    public DenseLayer withParameters(List<Matrix> values) {
        checkValues(values, parameters(), this);
        return new DenseLayer(values.get(0).copy(), values.get(1).copy(), activation);
    }

    @Override
    public LayerComputation newComputation() {
        return new Computation(weights.copy(), bias.copy(), activation);
    }

    /** {@code a = σ(x·Wᵀ + b)}, the bias added and the activation applied in one pass over {@code z}. */
    @Override
    Matrix predict(Matrix input) {
        Matrix z = Matrix.zeros(precision(), input.rows(), outputSize());
        Computation.forward(input, weights, bias, activation, z, z); // in place: no zˡ kept
        return z;
    }

    /**
     * {@link #predict}, as layer 1: the inputs must be finite, as {@link Network#checkInputs} requires, but the
     * products answer that for less: a NaN or infinite feature makes every product of its sample NaN or infinite
     * (x·w is NaN or ±∞ for every w, and sums keep it). So the inputs are scanned, for the message, only when the
     * products are not all finite; if they pass, the sums overflowed, which is not the caller's error.
     */
    Matrix predictCheckingInputs(Matrix input, Matrix original, String name) {
        Matrix z = Matrix.zeros(precision(), input.rows(), outputSize());
        Matrix.multiplyTransposed(input, weights, z); //   a⁰·W¹ᵀ
        if (z.firstNonFinite() != null) {
            original.requireFinite(name);
        }
        activation.forward(z, bias, z); //                 z¹ = … + b¹, a¹ = σ¹(z¹), in place
        return z;
    }

    /**
     * Equations (1), (5), (6) and the product of (4) on writable copies of the weights and biases.
     */
    static final class Computation extends LayerComputation {

        private final Matrix w;
        private final Matrix b;
        private final Matrix dW;
        private final Matrix db;
        private final Activation sigma;

        Computation(Matrix w, Matrix b, Activation sigma) {
            this.w = w;
            this.b = b;
            this.sigma = sigma;
            this.dW = Matrix.zeros(w.precision(), w.rows(), w.cols());
            this.db = Matrix.zeros(b.precision(), 1, b.cols());
        }

        @Override
        public void forward(Matrix x, Matrix z, boolean training) {
            Matrix.multiplyTransposed(x, w, z); // (1) zˡ = aˡ⁻¹·Wˡᵀ
            z.addRowVector(b); //                        + bˡ
        }

        /** {@code z = x·Wᵀ}, then the bias and the activation in one pass: {@code z += b}, {@code a = σ(z)}. */
        @Override
        public void forward(Matrix x, Matrix z, Matrix a, boolean training) {
            forward(x, w, b, sigma, z, a);
        }

        /**
         * Equations (1) and (2), shared by training and prediction: {@code z = x·Wᵀ}, then {@code z += b} and
         * {@code a = σ(z)} in one pass; {@code a} may be {@code z}.
         */
        static void forward(Matrix x, Matrix w, Matrix b, Activation sigma, Matrix z, Matrix a) {
            Matrix.multiplyTransposed(x, w, z); // (1) zˡ = ãˡ⁻¹·Wˡᵀ
            sigma.forward(z, b, a); //                   + bˡ, then (2) aˡ = σˡ(zˡ)
        }

        @Override
        public void backward(Matrix x, Matrix delta, Matrix dx) {
            Matrix.transposedMultiply(delta, x, dW); // (5) ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹
            delta.columnSums(db); //                    (6) ∂C/∂bˡ = Σ δˡ
            if (dx != null) {
                Matrix.multiply(delta, w, dx); //           δˡ·Wˡ = ∂C/∂aˡ⁻¹, the product of (4)
            }
        }

        @Override
        public Activation activation() {
            return sigma;
        }

        @Override
        public List<Matrix> values() {
            return List.of(w, b);
        }

        @Override
        public List<Matrix> gradients() {
            return List.of(dW, db);
        }

        @Override
        public DenseLayer snapshot() {
            return Layer.of(w, b, sigma);
        }
    }

    /**
     * Layers are equal when their activations are equal and their weights and biases have the same
     * precision, shape and bit-identical values.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof DenseLayer l && l.activation.equals(activation) && l.weights.equals(weights)
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
