package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A feed-forward network of layers, numbered 1..L, with the input as layer 0: dense layers, and layer
 * normalization, batch normalization, embeddings for categorical columns and residual blocks (see {@link Layer}).
 *
 * <pre>{@code
 * Network network = Network.builder()
 *         .input(4)
 *         .dense(16, Activation.RELU)
 *         .dense(3, Activation.SOFTMAX)
 *         .seed(42)
 *         .build();
 * double[] probabilities = network.predict(new double[] {5.1, 3.5, 1.4, 0.2});
 * }</pre>
 *
 * <p>Immutable and thread-safe: one instance can serve predictions on many threads at once, and
 * training returns new networks rather than changing this one. All layers share one {@link Precision};
 * inputs given in the other precision are converted on the way in.
 *
 * <p>Memory: the parameters, {@link Precision#bytesPerElement()} bytes each. On the scalar kernel path (the JVM
 * runs without {@code --add-modules jdk.incubator.vector}), predicting also keeps a transposed copy of each
 * layer's weights, made on first use: up to twice the weights' memory.
 */
public final class Network {

    private static final Logger LOG = LoggerFactory.getLogger(Network.class);

    /** The precision a builder uses unless told otherwise. */
    static final Precision DEFAULT_PRECISION = Precision.FLOAT32;

    private final List<Layer> layers;

    private Network(List<? extends Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    /**
     * A network of the given layers, in order.
     *
     * @param layers at least one layer; each layer's input size must equal the previous layer's output size,
     *     and all must have one precision
     * @return the network
     * @throws NullPointerException if the list or a layer is {@code null}
     * @throws IllegalArgumentException if there are no layers, or they do not chain, naming the layers and
     *     sizes involved
     */
    public static Network of(List<? extends Layer> layers) {
        Checks.notNull(layers, "layers");
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("layers: a network needs at least one layer");
        }
        for (int i = 0; i < layers.size(); i++) {
            Checks.notNull(layers.get(i), "layer " + (i + 1));
        }
        for (int l = 2; l <= layers.size(); l++) {
            Layer previous = layers.get(l - 2);
            Layer layer = layers.get(l - 1);
            if (layer.inputSize() != previous.outputSize()) {
                throw new IllegalArgumentException("layers do not chain: layer " + l + " has " + layer.inputSize()
                        + " inputs but layer " + (l - 1) + " has " + previous.outputSize() + " outputs");
            }
            if (layer.precision() != previous.precision()) {
                throw new IllegalArgumentException("layers differ in precision: layer " + l + " is "
                        + layer.precision() + " but layer " + (l - 1) + " is " + previous.precision());
            }
            if (layer instanceof Embedding) {
                throw new IllegalArgumentException("layer " + l + " is an embedding layer, which must be layer 1: it "
                        + "reads the categorical columns of the input");
            }
        }
        return new Network(new ArrayList<>(layers));
    }

    /**
     * A network of the given layers, in order.
     *
     * @param layers at least one layer, chaining as {@link #of(List)} requires
     * @return the network
     * @throws IllegalArgumentException if the layers do not chain
     */
    public static Network of(Layer... layers) {
        Checks.notNull(layers, "layers");
        return of(java.util.Arrays.asList(layers));
    }

    /**
     * Starts a fluent description of a new network.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a builder that starts with this network's layers, to add more layers after them.
     *
     * @return a builder holding this network's input size, layers and precision
     */
    public Builder toBuilder() {
        Builder builder = builder().input(inputSize()).precision(precision());
        layers.forEach(builder::layer);
        return builder;
    }

    /**
     * Returns the number of inputs, the size of layer 0.
     *
     * @return the input size of layer 1
     */
    public int inputSize() {
        return layers.get(0).inputSize();
    }

    /**
     * Returns the number of outputs.
     *
     * @return the output size of layer L
     */
    public int outputSize() {
        return outputLayer().outputSize();
    }

    /**
     * Returns the number of layers, L (the input does not count).
     *
     * @return the number of layers, at least 1
     */
    public int layerCount() {
        return layers.size();
    }

    /**
     * Returns one layer.
     *
     * @param layer its number, 1..L
     * @return the layer
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Layer layer(int layer) {
        checkLayerNumber(layer);
        return layers.get(layer - 1);
    }

    /**
     * Returns one dense layer, for its weights and biases.
     *
     * @param layer its number, 1..L
     * @return the layer
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     * @throws IllegalArgumentException naming its kind, if the layer is not dense
     */
    public DenseLayer dense(int layer) {
        if (layer(layer) instanceof DenseLayer d) {
            return d;
        }
        throw new IllegalArgumentException("layer " + layer + " is a " + layer(layer).kind() + " layer, not a dense "
                + "one: " + layer(layer));
    }

    /**
     * Returns the last layer, L.
     *
     * @return the output layer
     */
    public Layer outputLayer() {
        return layers.get(layers.size() - 1);
    }

    /**
     * Returns the layers in order: element 0 is layer 1.
     *
     * @return an unmodifiable list
     */
    public List<Layer> layers() {
        return layers;
    }

    /**
     * Returns the precision shared by all layers.
     *
     * @return the precision
     */
    public Precision precision() {
        return layers.get(0).precision();
    }

    /**
     * Returns the number of trainable parameters, all weights and biases.
     *
     * @return the sum over layers of {@code out·in + out}
     */
    public long parameterCount() {
        return layers.stream().mapToLong(Layer::parameterCount).sum();
    }

    /**
     * Returns a network with one layer replaced.
     *
     * @param layer the number of the layer to replace, 1..L
     * @param replacement the new layer, which must chain with its neighbours and share their precision
     * @return a new network
     * @throws IndexOutOfBoundsException if there is no such layer
     * @throws IllegalArgumentException if the replacement does not chain
     */
    public Network withLayer(int layer, Layer replacement) {
        checkLayerNumber(layer);
        List<Layer> copy = new ArrayList<>(layers);
        copy.set(layer - 1, Checks.notNull(replacement, "replacement"));
        return of(copy);
    }

    /**
     * Returns this network in the given precision (rounding to float when narrowing). Narrowing refuses a
     * finite value beyond float's range, as {@link Layer#of(double[][], double[], Activation, Precision)} does,
     * rather than turning it into an infinity that would be saved but refused on loading.
     *
     * @param newPrecision the precision
     * @return this network if it already has that precision, else a converted copy
     * @throws IllegalArgumentException if, narrowing to {@link Precision#FLOAT32}, a parameter is beyond
     *     ±{@value Float#MAX_VALUE}, naming the layer, the parameter, its row and column, and the value
     */
    public Network toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        if (newPrecision == precision()) {
            return this;
        }
        List<Layer> converted = new ArrayList<>();
        for (int l = 1; l <= layers.size(); l++) {
            try {
                converted.add(layers.get(l - 1).toPrecision(newPrecision));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layer " + l + ": " + e.getMessage(), e);
            }
        }
        return new Network(converted);
    }

    // ------------------------------------------------------------------ inference

    /**
     * Predicts one sample.
     *
     * @param input the sample's features, {@code [inputSize]}
     * @return the output layer's activations, {@code [outputSize]}
     * @throws IllegalArgumentException if the length is wrong or a value is not finite
     */
    public double[] predict(double[] input) {
        Checks.notNull(input, "input");
        return predict(Matrix.of(precision(), new double[][] {input}, "input"), "input").row(0);
    }

    /**
     * Predicts one sample.
     *
     * @param input the sample's features, {@code [inputSize]}
     * @return the output layer's activations, {@code [outputSize]}
     * @throws IllegalArgumentException if the length is wrong or a value is not finite
     */
    public float[] predict(float[] input) {
        Checks.notNull(input, "input");
        return predict(Matrix.of(precision(), new float[][] {input}, "input"), "input").rowAsFloat(0);
    }

    /**
     * Predicts a batch, one sample per row.
     *
     * @param inputs {@code [batch × inputSize]}
     * @return {@code [batch × outputSize]}
     * @throws IllegalArgumentException if the batch is empty, a row has the wrong length, or a value is not
     *     finite
     */
    public double[][] predict(double[][] inputs) {
        return predict(Matrix.of(precision(), inputs, "inputs")).toDoubleArray();
    }

    /**
     * Predicts a batch, one sample per row.
     *
     * @param inputs {@code [batch × inputSize]}
     * @return {@code [batch × outputSize]}
     * @throws IllegalArgumentException if the batch is empty, a row has the wrong length, or a value is not
     *     finite
     */
    public float[][] predict(float[][] inputs) {
        return predict(Matrix.of(precision(), inputs, "inputs")).toFloatArray();
    }

    /**
     * Predicts a batch: feeds it forward through every layer, {@code aˡ = σ(aˡ⁻¹·Wˡᵀ + bˡ)}, keeping only
     * the output.
     *
     * <p>Finite inputs can still be too large for the precision: features of {@code 3e38} in a float32 network
     * overflow the weighted sums, and the outputs are then infinite or NaN (a softmax of infinities is NaN).
     * This method returns them as computed; {@link Matrix#firstNonFinite()} finds them, and
     * {@link #predictClass(double[])} and {@link #predictClasses(Matrix)} refuse them.
     *
     * @param inputs {@code [batch × inputSize]}, in any precision (converted if it differs)
     * @return a new {@code [batch × outputSize]} matrix in this network's precision
     * @throws IllegalArgumentException if the width is wrong or a value is not finite
     */
    public Matrix predict(Matrix inputs) {
        return predict(inputs, "inputs");
    }

    /** {@link #predict(Matrix)}, with the caller's name of the argument in messages. */
    private Matrix predict(Matrix inputs, String name) {
        Checks.notNull(inputs, name);
        Checks.sameSize(inputs.cols(), inputSize(), name + ": the number of features per sample",
                "the input size of layer 1");
        Matrix a = inputs.precision() == precision() ? inputs : inputs.toPrecision(precision(), name);
        for (int l = 0; l < layers.size(); l++) {
            if (l == 0 && layers.get(0) instanceof DenseLayer first) {
                a = first.predictCheckingInputs(a, inputs, name);
            } else {
                if (l == 0) {
                    inputs.requireFinite(name);
                }
                a = layers.get(l).predict(a); // aˡ = σˡ(fˡ(aˡ⁻¹))
            }
        }
        return a;
    }

    /**
     * The decision threshold for a single output: an output above 0.5 predicts class 1, any other class 0.
     * For a sigmoid output, 0.5 is where both classes are equally likely.
     */
    public static final double BINARY_THRESHOLD = 0.5;

    /**
     * Predicts the class of one sample: the index of the largest output (the first, if several are equal);
     * for a network with a single output, 1 if it exceeds {@link #BINARY_THRESHOLD} and 0 otherwise.
     *
     * @param input the sample's features, {@code [inputSize]}
     * @return the predicted class, {@code 0..outputSize-1}, or 0 or 1 for a single output
     * @throws IllegalArgumentException if the length is wrong or a value is not finite, or if the outputs are not
     *     finite because finite inputs overflowed the network's precision (3e38 in float32, say)
     */
    public int predictClass(double[] input) {
        Checks.notNull(input, "input");
        return predictedClasses(predict(Matrix.of(precision(), new double[][] {input}, "input"), "input"),
                "input")[0];
    }

    /**
     * Predicts the class of one sample; see {@link #predictClass(double[])}.
     *
     * @param input the sample's features, {@code [inputSize]}
     * @return the predicted class, {@code 0..outputSize-1}, or 0 or 1 for a single output
     * @throws IllegalArgumentException if the length is wrong or a value is not finite, or if the outputs are not
     *     finite because finite inputs overflowed the network's precision (3e38 in float32, say)
     */
    public int predictClass(float[] input) {
        Checks.notNull(input, "input");
        return predictedClasses(predict(Matrix.of(precision(), new float[][] {input}, "input"), "input"),
                "input")[0];
    }

    /**
     * Predicts the class of each sample of a batch; see {@link #predictClass(double[])}.
     *
     * @param inputs {@code [batch × inputSize]}
     * @return {@code [batch]} predicted classes
     * @throws IllegalArgumentException if the batch is empty, a row has the wrong length, or a value is not
     *     finite, or if a sample's outputs overflowed the network's precision, naming the sample
     */
    public int[] predictClasses(double[][] inputs) {
        return predictClasses(Matrix.of(precision(), inputs, "inputs"));
    }

    /**
     * Predicts the class of each sample of a batch; see {@link #predictClass(double[])}.
     *
     * @param inputs {@code [batch × inputSize]}, in any precision
     * @return {@code [batch]} predicted classes
     * @throws IllegalArgumentException if the width is wrong or a value is not finite, or if a sample's outputs
     *     are not finite because its finite inputs overflowed the network's precision, naming the sample
     */
    public int[] predictClasses(Matrix inputs) {
        return predictedClasses(predict(inputs), "inputs");
    }

    /**
     * {@link #classesOf}, but refusing a sample whose outputs are not all finite: no class is the largest of
     * NaNs, and reporting class 0 would hide that the weighted sums overflowed.
     */
    private int[] predictedClasses(Matrix outputs, String name) {
        int[] at = outputs.firstNonFinite();
        if (at != null) {
            throw new IllegalArgumentException(name + ": the network's outputs for sample " + at[0] + " are "
                    + java.util.Arrays.toString(outputs.row(at[0])) + ": its weighted sums overflowed " + precision()
                    + " (finite inputs so large that their products exceed ±" + (precision() == Precision.FLOAT32
                            ? Float.MAX_VALUE : Double.MAX_VALUE) + "), so no class can be predicted; scale the "
                    + "inputs" + (precision() == Precision.FLOAT32 ? ", or use FLOAT64" : ""));
        }
        return classesOf(outputs);
    }

    /**
     * Turns rows of outputs (or one-hot targets) into classes, as {@link #predictClass(double[])} does: the
     * index of each row's largest value, the first if several are equal; for a single column, 1 where the
     * value exceeds {@link #BINARY_THRESHOLD} and 0 otherwise.
     *
     * @param outputs {@code [batch × outputs]}
     * @return {@code [batch]} classes
     */
    public static int[] classesOf(Matrix outputs) {
        Checks.notNull(outputs, "outputs");
        int[] classes = new int[outputs.rows()];
        for (int r = 0; r < classes.length; r++) {
            classes[r] = classOf(outputs, r);
        }
        return classes;
    }

    /**
     * Turns one row of outputs (or of one-hot targets) into its class, as {@link #classesOf(Matrix)} does, without
     * allocating: for metrics that run once per batch.
     *
     * @param outputs {@code [batch × outputs]}
     * @param row the row, from 0
     * @return the index of the row's largest value, the first if several are equal; for a single column, 1 where
     *     the value exceeds {@link #BINARY_THRESHOLD} and 0 otherwise
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public static int classOf(Matrix outputs, int row) {
        Checks.notNull(outputs, "outputs");
        if (row < 0 || row >= outputs.rows()) {
            throw new IndexOutOfBoundsException("row " + row + " of outputs " + outputs.shape() + ": rows are 0.."
                    + (outputs.rows() - 1));
        }
        if (outputs.cols() == 1) {
            return outputs.get(row, 0) > BINARY_THRESHOLD ? 1 : 0;
        }
        int best = 0;
        for (int c = 1; c < outputs.cols(); c++) {
            if (outputs.get(row, c) > outputs.get(row, best)) {
                best = c;
            }
        }
        return best;
    }

    /**
     * Checks that a batch fits this network and returns it in the network's precision.
     *
     * @param inputs {@code [batch × inputSize]}
     * @param name the argument's name, for messages
     * @return {@code inputs} itself, or a converted copy if its precision differs
     * @throws NullPointerException if {@code inputs} is {@code null}
     * @throws IllegalArgumentException naming the argument and both sizes if the width differs from the input
     *     size of layer 1, or naming the row and column of a value that is not finite
     */
    public Matrix checkInputs(Matrix inputs, String name) {
        Checks.notNull(inputs, name);
        if (inputs.cols() != inputSize()) { // the message is built only when needed: a training step allocates nothing
            Checks.sameSize(inputs.cols(), inputSize(), name + ": the number of features per sample",
                    "the input size of layer 1");
        }
        inputs.requireFinite(name);
        return inputs.precision() == precision() ? inputs : inputs.toPrecision(precision(), name);
    }

    private void checkLayerNumber(int layer) {
        if (layer < 1 || layer > layers.size()) {
            throw new IndexOutOfBoundsException("layer " + layer + " does not exist: layers are numbered 1.."
                    + layers.size() + " (the input is layer 0)");
        }
    }

    /** Networks are equal when their layers are equal, in order. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Network n && n.layers.equals(layers);
    }

    @Override
    public int hashCode() {
        return layers.hashCode();
    }

    /** Returns the sizes and activations, e.g. {@code "Network[4 → 16 relu → 3 softmax, FLOAT32, 131 parameters]"}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Network[").append(inputSize());
        for (Layer layer : layers) {
            s.append(" → ").append(layer.outputSize()).append(' ');
            if (layer instanceof DenseLayer) {
                s.append(layer.activation());
            } else {
                s.append(layer.kind());
                if (!layer.activation().equals(Activation.IDENTITY)) {
                    s.append('(').append(layer.activation()).append(')');
                }
            }
        }
        return s.append(", ").append(precision()).append(", ").append(parameterCount()).append(" parameters]")
                .toString();
    }

    /**
     * Returns a table of the layers: number, kind, activation, output width and parameters, one line per layer
     * (and per inner layer of a residual block), with the totals.
     *
     * <pre>
     * layer  kind        activation  outputs  parameters  details
     * 1      dense       tanh              8          48
     * 2      layer_norm  identity          8          16  eps=1.0E-5
     * ...
     * </pre>
     *
     * @return the table, lines separated by {@code \n}
     */
    public String summary() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"layer", "kind", "activation", "outputs", "parameters", "details"});
        rows.add(new String[] {"0", "input", "", String.valueOf(inputSize()), "", ""});
        for (int l = 1; l <= layers.size(); l++) {
            addSummaryRows(rows, String.valueOf(l), layers.get(l - 1));
        }
        int[] widths = new int[6];
        for (String[] row : rows) {
            for (int c = 0; c < 6; c++) {
                widths[c] = Math.max(widths[c], row[c].length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < 6; c++) {
                String cell = row[c];
                boolean right = c == 3 || c == 4;
                String pad = " ".repeat(widths[c] - cell.length());
                s.append(right ? pad + cell : c == 5 ? cell : cell + pad).append(c == 5 ? "" : "  ");
            }
            s.setLength(s.length() - (s.charAt(s.length() - 1) == ' ' ? trailingSpaces(s) : 0));
            s.append('\n');
        }
        s.append(parameterCount()).append(" parameters, ").append(precision()).append(", ")
                .append(parameterCount() * precision().bytesPerElement()).append(" bytes of parameters");
        return s.toString();
    }

    private static int trailingSpaces(StringBuilder s) {
        int n = 0;
        while (n < s.length() && s.charAt(s.length() - 1 - n) == ' ') {
            n++;
        }
        return n;
    }

    private static void addSummaryRows(List<String[]> rows, String number, Layer layer) {
        rows.add(new String[] {number, layer.kind(), layer.activation().toString(), String.valueOf(layer.outputSize()),
            String.valueOf(layer.parameterCount()), layer.details()});
        if (layer instanceof Residual r) {
            for (int j = 0; j < r.inner().size(); j++) {
                addSummaryRows(rows, number + ".f." + j, r.inner().get(j));
            }
        }
    }

    /**
     * A fluent description of a network: an input size (and, for tabular data, categorical columns), then layers
     * whose input sizes follow from the layer before. Weights are drawn from the seed, so the same description
     * and seed always build a bit-identical network; biases and shifts start at zero, scales at one, embedding
     * tables from the standard normal distribution.
     *
     * <pre>{@code
     * Network network = Network.builder()
     *         .input(3)                                   // 3 numeric columns,
     *         .categorical(12, 4)                         // then a column of 12 categories, embedded in 4 values
     *         .dense(32, Activation.RELU)
     *         .layerNorm()
     *         .residual(b -> b.dense(32, Activation.TANH).dense(32))
     *         .batchNorm(Activation.RELU)
     *         .dense(3, Activation.SOFTMAX)
     *         .seed(42)
     *         .build();
     * }</pre>
     *
     * <p>Not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {

        private int inputSize;
        private Precision precision = DEFAULT_PRECISION;
        private Long seed;
        private final List<Object> layers = new ArrayList<>();
        private final List<int[]> categorical = new ArrayList<>();
        /** Whether this is the inner builder of a residual block, on which network-wide calls are refused. */
        private final boolean insideBlock;

        private Builder() {
            this(false);
        }

        private Builder(boolean insideBlock) {
            this.insideBlock = insideBlock;
        }

        private record Dense(int size, Activation activation, WeightInit init) {
        }

        private record Norm(boolean batch, Activation activation) {
        }

        private record Block(Builder inner, Activation activation) {
        }

        /**
         * Sets the number of inputs, the size of layer 0 (with {@link #categorical} columns: the number of numeric
         * columns before them). Must come before the first layer.
         *
         * @param size the number of features per sample, at least 1 (at least 0 with categorical columns)
         * @return this builder
         * @throws IllegalArgumentException if the size is below 1
         * @throws IllegalStateException if layers were already added, or inside a residual block
         */
        public Builder input(int size) {
            requireNetworkBuilder("input(" + size + ")");
            if (size < 0 || size == 0 && categorical.isEmpty()) {
                Checks.positive(size, "input size");
            }
            if (!layers.isEmpty()) {
                throw new IllegalStateException("input(" + size + ") must come before the first layer");
            }
            inputSize = size;
            return this;
        }

        /**
         * Adds a categorical input column: the input gains one column after the numeric ones (and after the
         * categorical columns added before), holding a category index {@code 0..cardinality−1}, and the network
         * starts with an {@link Embedding} layer that replaces it by {@code dimension} learned values. Must come
         * before the first layer.
         *
         * @param cardinality the number of categories, at least 1
         * @param dimension the embedding width, at least 1
         * @return this builder
         * @throws IllegalArgumentException if a size is below 1
         * @throws IllegalStateException if layers were already added, or inside a residual block
         */
        public Builder categorical(int cardinality, int dimension) {
            requireNetworkBuilder("categorical(" + cardinality + ", " + dimension + ")");
            Checks.positive(cardinality, "categorical column " + categorical.size() + " cardinality");
            Checks.positive(dimension, "categorical column " + categorical.size() + " dimension");
            if (!layers.isEmpty()) {
                throw new IllegalStateException("categorical(" + cardinality + ", " + dimension + ") must come before "
                        + "the first layer");
            }
            categorical.add(new int[] {cardinality, dimension});
            return this;
        }

        /**
         * Adds a dense layer whose weights are initialised as its activation prefers
         * ({@link Activation#defaultWeightInit()}: He for the ReLU family, Glorot otherwise).
         *
         * @param size the number of neurons, at least 1
         * @param activation the activation
         * @return this builder
         * @throws IllegalArgumentException if the size is below 1
         */
        public Builder dense(int size, Activation activation) {
            Checks.notNull(activation, "activation");
            return dense(size, activation, activation.defaultWeightInit());
        }

        /**
         * Adds a dense layer without activation ({@link Activation#IDENTITY}).
         *
         * @param size the number of neurons, at least 1
         * @return this builder
         * @throws IllegalArgumentException if the size is below 1
         */
        public Builder dense(int size) {
            return dense(size, Activation.IDENTITY);
        }

        /**
         * Adds a dense layer with the given weight initialisation.
         *
         * @param size the number of neurons, at least 1
         * @param activation the activation
         * @param init how to draw the initial weights
         * @return this builder
         * @throws IllegalArgumentException if the size is below 1
         */
        public Builder dense(int size, Activation activation, WeightInit init) {
            Checks.positive(size, (insideBlock ? "inner layer " + layers.size() : "layer "
                    + (layers.size() + (categorical.isEmpty() ? 1 : 2))) + " size");
            Checks.notNull(activation, "activation");
            Checks.notNull(init, "init");
            layers.add(new Dense(size, activation, init));
            return this;
        }

        /**
         * Adds a {@link LayerNorm} over the width of the layer before, without activation.
         *
         * @return this builder
         */
        public Builder layerNorm() {
            return layerNorm(Activation.IDENTITY);
        }

        /**
         * Adds a {@link LayerNorm} over the width of the layer before, then an activation.
         *
         * @param activation the activation after the normalization
         * @return this builder
         */
        public Builder layerNorm(Activation activation) {
            layers.add(new Norm(false, Checks.notNull(activation, "activation")));
            return this;
        }

        /**
         * Adds a {@link BatchNorm} over the width of the layer before, without activation.
         *
         * @return this builder
         */
        public Builder batchNorm() {
            return batchNorm(Activation.IDENTITY);
        }

        /**
         * Adds a {@link BatchNorm} over the width of the layer before, then an activation.
         *
         * @param activation the activation after the normalization
         * @return this builder
         */
        public Builder batchNorm(Activation activation) {
            layers.add(new Norm(true, Checks.notNull(activation, "activation")));
            return this;
        }

        /**
         * Adds a residual block {@code x + f(x)} without an activation after the sum; {@code inner} describes
         * {@code f} on a builder that starts at the current width, and must end at it.
         *
         * @param inner adds the inner layers, e.g. {@code b -> b.dense(32, Activation.TANH).dense(32)}
         * @return this builder
         */
        public Builder residual(java.util.function.Consumer<Builder> inner) {
            return residual(Activation.IDENTITY, inner);
        }

        /**
         * Adds a residual block {@code σ(x + f(x))}; see {@link #residual(java.util.function.Consumer)}.
         *
         * @param activation {@code σ}, after the sum
         * @param inner adds the inner layers
         * @return this builder
         * @throws IllegalArgumentException if {@code inner} adds no layer
         */
        public Builder residual(Activation activation, java.util.function.Consumer<Builder> inner) {
            Checks.notNull(activation, "activation");
            Checks.notNull(inner, "inner");
            Builder block = new Builder(true);
            block.precision = precision;
            inner.accept(block);
            if (block.layers.isEmpty()) {
                throw new IllegalArgumentException("residual: the block's inner builder added no layer");
            }
            layers.add(new Block(block, activation));
            return this;
        }

        /**
         * Adds a layer with explicit parameters, of any kind; its input size must equal the previous layer's
         * output size (or the input size, for the first layer), and it is converted to the builder's precision.
         *
         * @param layer the layer
         * @return this builder
         */
        public Builder layer(Layer layer) {
            layers.add(Checks.notNull(layer, "layer"));
            return this;
        }

        /**
         * Sets the seed of the weight initialisation. Without one, a random seed is drawn and logged at
         * DEBUG level, so that a run can still be reproduced.
         *
         * @param value the seed
         * @return this builder
         * @throws IllegalStateException inside a residual block (the network's seed draws its weights too)
         */
        public Builder seed(long value) {
            requireNetworkBuilder("seed(" + value + ")");
            seed = value;
            return this;
        }

        /**
         * Sets the precision of the parameters and of all computation: {@link Precision#FLOAT32}, the fast
         * default, unless set; {@link Precision#FLOAT64} has twice the memory and about half the speed.
         *
         * @param value the precision
         * @return this builder
         * @throws IllegalStateException inside a residual block (it has the network's precision)
         */
        public Builder precision(Precision value) {
            requireNetworkBuilder("precision(" + value + ")");
            precision = Checks.notNull(value, "precision");
            return this;
        }

        private void requireNetworkBuilder(String call) {
            if (insideBlock) {
                throw new IllegalStateException(call + " describes the whole network and cannot be called inside a "
                        + "residual block");
            }
        }

        /**
         * Builds the network, drawing every initial value from one random stream seeded by {@link #seed}: the
         * embedding tables first, then layer by layer and row by row. Each draw is a double, stored as it is in a
         * float64 network and rounded to float in a float32 one (so a float32 network is the rounding of the
         * float64 one with the same seed, and no float64 copy of its weights is ever made).
         *
         * @return a new network
         * @throws IllegalStateException if no input size or no layer was given
         * @throws IllegalArgumentException if an explicit layer does not chain with the one before, or a residual
         *     block does not end at the width it starts from; or, before anything is allocated, if a dense layer
         *     has more weights than one Java array holds, or the new parameters need more memory than this JVM's
         *     heap has free (the message gives both sizes)
         */
        public Network build() {
            requireNetworkBuilder("build()");
            if (inputSize == 0 && categorical.isEmpty()) {
                throw new IllegalStateException("call input(size) before build()");
            }
            if (layers.isEmpty()) {
                throw new IllegalStateException("a network needs at least one layer: call dense(size, activation)"
                        + " after input(" + inputSize + ")");
            }
            long actualSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
            if (seed == null) {
                LOG.debug("No seed given; initialising weights with seed {}", actualSeed);
            }
            int width = inputSize;
            int embedded = inputSize;
            for (int[] column : categorical) {
                embedded += column[1];
            }
            Checks.fitsInHeap(parameterBytes(categorical.isEmpty() ? width : embedded, ""),
                    "the new parameters of the network (" + precision + ", " + layers.size()
                    + (layers.size() == 1 ? " layer)" : " layers)"));
            SplittableRandom random = new SplittableRandom(actualSeed);
            List<Layer> built = new ArrayList<>();
            if (!categorical.isEmpty()) {
                built.add(Embedding.of(inputSize, categorical.stream().mapToInt(c -> c[0]).toArray(),
                        categorical.stream().mapToInt(c -> c[1]).toArray(), precision, random));
                width = embedded;
            }
            built.addAll(buildLayers(width, random, built.size()));
            return Network.of(built);
        }

        /**
         * Builds this builder's layers from an input of {@code width}: a network's numbered from {@code before + 1}
         * ("layer 2"), a residual block's as its inner layers, from 0 ("inner layer 0"), as {@link Residual} and
         * the parameter names ({@code f.0.weight}) count them.
         */
        private List<Layer> buildLayers(int width, SplittableRandom random, int before) {
            boolean block = insideBlock;
            List<Layer> built = new ArrayList<>();
            int previous = width;
            for (Object spec : layers) {
                int index = built.size();
                String where = block ? "inner layer " + index : "layer " + (before + index + 1);
                Layer layer;
                if (spec instanceof Dense d) {
                    // Each draw is a double from the one stream, rounded as it is stored in a float32 matrix:
                    // a float32 network is the rounding of the float64 one, with no float64 copy in between.
                    Matrix w = Matrix.zeros(precision, d.size(), previous);
                    d.init().initialize(w, random);
                    layer = DenseLayer.ofOwned(w, Matrix.zeros(precision, 1, d.size()), d.activation());
                } else if (spec instanceof Norm n) {
                    try {
                        layer = n.batch() ? BatchNorm.of(previous, n.activation(), precision)
                                : LayerNorm.of(previous, n.activation(), precision);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
                    }
                } else if (spec instanceof Block b) {
                    b.inner().precision = precision;
                    try {
                        layer = Residual.of(b.inner().buildLayers(previous, random, 0), b.activation());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(where + " (residual block): " + e.getMessage(), e);
                    }
                } else {
                    layer = ((Layer) spec).toPrecision(precision);
                    if (layer.inputSize() != previous) {
                        String before1 = index > 0 ? (block ? "inner layer " + (index - 1) : "layer " + (before + index))
                                + " has " + previous + " outputs"
                                : (block ? "the block's input width is " : "the input size is ") + previous;
                        throw new IllegalArgumentException(where + " has " + layer.inputSize() + " inputs but "
                                + before1);
                    }
                }
                built.add(layer);
                previous = layer.outputSize();
            }
            return built;
        }

        /**
         * The bytes of the parameters this builder will draw from an input of {@code width}, refusing, before
         * anything is allocated, a dense layer of more weights than one Java array holds.
         */
        private long parameterBytes(int width, String prefix) {
            long bytes = 0;
            int bytesPerValue = precision == Precision.FLOAT64 ? 8 : 4;
            for (int[] column : categorical) {
                bytes += (long) column[0] * column[1] * bytesPerValue;
            }
            int previous = width;
            for (int l = 1; l <= layers.size(); l++) {
                Object spec = layers.get(l - 1);
                int outputs = previous;
                if (spec instanceof Dense d) {
                    outputs = d.size();
                    long weights = (long) outputs * previous;
                    if (weights > Integer.MAX_VALUE - 8) {
                        throw new IllegalArgumentException(prefix + "layer " + l + " (" + previous + " inputs × "
                                + outputs + " neurons) has " + weights + " weights, more than one Java array can hold ("
                                + (Integer.MAX_VALUE - 8) + ")");
                    }
                    bytes += (weights + outputs) * bytesPerValue;
                } else if (spec instanceof Norm) {
                    bytes += 4L * previous * bytesPerValue;
                } else if (spec instanceof Block b) {
                    b.inner().precision = precision;
                    bytes += b.inner().parameterBytes(previous, prefix + "layer " + l + " inner ");
                } else if (spec instanceof Layer layer) {
                    outputs = layer.outputSize();
                }
                previous = outputs;
            }
            return bytes;
        }
    }
}
