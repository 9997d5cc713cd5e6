package io.github.backprop4j.golden;

import io.github.backprop4j.io.JsonTrees;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One reference case of {@code src/test/resources/golden/layers} in the "layers-1" format (its README defines
 * every key): a small network of {@code dense}, {@code layer_norm}, {@code batch_norm}, {@code embedding} and
 * {@code residual} layers, one mini-batch, and the values PyTorch computed for it in float64.
 *
 * <p>Layers count from 0 as in the file ({@code layers().get(i)}, {@code forward().get(i)},
 * {@code delta().get(i)} belong together). Matrices are batch × width, weights out × in (PyTorch's). The file
 * is read with the library's strict JSON reader; a key the format does not define, a missing key, a ragged
 * matrix or a value of the wrong type is an {@link IllegalArgumentException} naming the file and the path of
 * the value. The records hold the arrays as read (no copies): treat them as read-only.
 *
 * @param name the case's name, the file's name without {@code .json}
 * @param seed the {@code torch.manual_seed} the case was drawn with
 * @param layers the network, layer by layer
 * @param stateDict every parameter and buffer by its PyTorch {@code state_dict} name, in the file's order
 * @param parameterOrder the parameter names in {@code model.parameters()} order
 * @param loss the loss name ({@code mse}, {@code mae}, {@code huber}, {@code cross_entropy},
 *     {@code binary_cross_entropy}); see {@link GoldenCase#loss(String)}
 * @param input the numeric inputs, [batch × numeric width]
 * @param categories embedding networks only (else {@code null}): category indices, [batch × tables]
 * @param target the targets, [batch × output width]
 * @param training the training-mode pass: {@code forward}, {@code loss_value}, {@code delta},
 *     {@code inner_delta}, {@code gradients}, {@code input_gradient}
 * @param runningStatsAfterForward batch_norm networks only (else empty): every buffer after the training pass
 * @param eval batch_norm networks only (else {@code null}): the same pass in eval mode
 * @param optimizers {@code sgd}, {@code momentum} and {@code adam}, three steps each
 */
public record LayerGoldenCase(
        String name,
        long seed,
        List<LayerSpec> layers,
        Map<String, Tensor> stateDict,
        List<String> parameterOrder,
        String loss,
        double[][] input,
        int[][] categories,
        double[][] target,
        Pass training,
        Map<String, Tensor> runningStatsAfterForward,
        Pass eval,
        Map<String, OptimizerRun> optimizers) {

    /** The format this reader understands. */
    public static final String FORMAT = "layers-1";
    /** The classpath directory of the cases. */
    public static final String DIRECTORY = "/golden/layers/";

    // ------------------------------------------------------------------------------------------------------
    // Values

    /**
     * A parameter, buffer or gradient as the file gives it: a scalar, a vector or a matrix.
     *
     * @param shape its shape: {@code []}, {@code [n]} or {@code [rows, columns]}
     * @param values its elements, row-major
     * @param integer whether the file wrote it as an integer ({@code num_batches_tracked})
     */
    public record Tensor(int[] shape, double[] values, boolean integer) {

        /**
         * Returns the tensor's rank.
         *
         * @return 0, 1 or 2
         */
        public int rank() {
            return shape.length;
        }

        /**
         * Returns a matrix tensor's elements.
         *
         * @return a new [rows × columns] array
         * @throws IllegalStateException if the tensor is not a matrix
         */
        public double[][] matrix() {
            if (rank() != 2) {
                throw new IllegalStateException("a tensor of shape " + Arrays.toString(shape) + " is not a matrix");
            }
            double[][] m = new double[shape[0]][];
            for (int r = 0; r < shape[0]; r++) {
                m[r] = Arrays.copyOfRange(values, r * shape[1], (r + 1) * shape[1]);
            }
            return m;
        }

        /**
         * Returns a vector tensor's elements.
         *
         * @return a new array of length {@code shape[0]}
         * @throws IllegalStateException if the tensor is not a vector
         */
        public double[] vector() {
            if (rank() != 1) {
                throw new IllegalStateException("a tensor of shape " + Arrays.toString(shape) + " is not a vector");
            }
            return values.clone();
        }

        /**
         * Returns an integer scalar ({@code num_batches_tracked}).
         *
         * @return its value
         * @throws IllegalStateException if the tensor is not an integer scalar
         */
        public long count() {
            if (rank() != 0 || !integer) {
                throw new IllegalStateException("a tensor of shape " + Arrays.toString(shape)
                        + (integer ? "" : " of floats") + " is not an integer scalar");
            }
            return (long) values[0];
        }

        /**
         * Wraps a matrix.
         *
         * @param m the matrix, [rows × columns], rectangular
         * @return the tensor
         */
        public static Tensor of(double[][] m) {
            int columns = m.length == 0 ? 0 : m[0].length;
            double[] flat = new double[m.length * columns];
            for (int r = 0; r < m.length; r++) {
                if (m[r].length != columns) {
                    throw new IllegalArgumentException("row " + r + " has " + m[r].length + " values, row 0 has "
                            + columns);
                }
                System.arraycopy(m[r], 0, flat, r * columns, columns);
            }
            return new Tensor(new int[] {m.length, columns}, flat, false);
        }

        /**
         * Wraps a vector.
         *
         * @param v the vector
         * @return the tensor
         */
        public static Tensor of(double[] v) {
            return new Tensor(new int[] {v.length}, v.clone(), false);
        }

        /**
         * Wraps an integer scalar.
         *
         * @param count the value
         * @return the tensor
         */
        public static Tensor ofCount(long count) {
            return new Tensor(new int[0], new double[] {count}, true);
        }

        @Override
        public String toString() {
            return "Tensor" + Arrays.toString(shape);
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Layers

    /** One layer of the file's {@code layers}. */
    public sealed interface LayerSpec permits Dense, LayerNorm, BatchNorm, Embedding, Residual {

        /**
         * Returns the layer's kind as the file names it.
         *
         * @return {@code dense}, {@code layer_norm}, {@code batch_norm}, {@code embedding} or {@code residual}
         */
        String kind();

        /**
         * Returns the activation applied to the layer's {@code z}.
         *
         * @return one of the golden README's names; {@code identity} for none
         */
        String activation();

        /**
         * Returns how many values of a sample the layer takes.
         *
         * @return its input width; for an embedding, its numeric columns only
         */
        int inputWidth();

        /**
         * Returns how many values of a sample the layer gives.
         *
         * @return its output width
         */
        int outputWidth();

        /**
         * Returns the layer's parameters by state_dict name, in {@code model.parameters()} order, inner layers'
         * and tables included.
         *
         * @return name → value
         */
        Map<String, Tensor> parameters();

        /**
         * Returns the layer's buffers by state_dict name.
         *
         * @return name → value, as they stand before the case runs; empty but for batch_norm
         */
        default Map<String, Tensor> buffers() {
            return Map.of();
        }
    }

    /**
     * {@code z = a_prev · Wᵀ + b}, {@code a = act(z)}.
     *
     * @param in the input width
     * @param out the output width
     * @param activation the activation
     * @param weights W, [out × in]
     * @param bias b, [out]
     * @param parameterNames {@code weights} and {@code bias} → state_dict names
     */
    public record Dense(int in, int out, String activation, double[][] weights, double[] bias,
            Map<String, String> parameterNames) implements LayerSpec {

        @Override
        public String kind() {
            return "dense";
        }

        @Override
        public int inputWidth() {
            return in;
        }

        @Override
        public int outputWidth() {
            return out;
        }

        @Override
        public Map<String, Tensor> parameters() {
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put(parameterNames.get("weights"), Tensor.of(weights));
            p.put(parameterNames.get("bias"), Tensor.of(bias));
            return p;
        }
    }

    /**
     * Normalization over each sample's features: {@code z = γ ⊙ (x − μₙ)/√(σ²ₙ + eps) + β}.
     *
     * @param features the width
     * @param eps added to the variance
     * @param activation the activation
     * @param gamma γ (PyTorch's {@code weight}), [features]
     * @param beta β ({@code bias}), [features]
     * @param parameterNames {@code gamma} and {@code beta} → state_dict names
     */
    public record LayerNorm(int features, double eps, String activation, double[] gamma, double[] beta,
            Map<String, String> parameterNames) implements LayerSpec {

        @Override
        public String kind() {
            return "layer_norm";
        }

        @Override
        public int inputWidth() {
            return features;
        }

        @Override
        public int outputWidth() {
            return features;
        }

        @Override
        public Map<String, Tensor> parameters() {
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put(parameterNames.get("gamma"), Tensor.of(gamma));
            p.put(parameterNames.get("beta"), Tensor.of(beta));
            return p;
        }
    }

    /**
     * Normalization of each feature over the batch (training) or by the running statistics (eval).
     *
     * @param features the width
     * @param eps added to the variance
     * @param momentum the weight of a new batch in the running statistics
     * @param activation the activation
     * @param gamma γ, [features]
     * @param beta β, [features]
     * @param runningMean the running mean before the case runs, [features]
     * @param runningVar the running (unbiased) variance before the case runs, [features]
     * @param numBatchesTracked training-mode forwards counted before the case runs
     * @param parameterNames {@code gamma} and {@code beta} → state_dict names
     * @param bufferNames {@code running_mean}, {@code running_var}, {@code num_batches_tracked} → state_dict names
     */
    public record BatchNorm(int features, double eps, double momentum, String activation, double[] gamma,
            double[] beta, double[] runningMean, double[] runningVar, long numBatchesTracked,
            Map<String, String> parameterNames, Map<String, String> bufferNames) implements LayerSpec {

        @Override
        public String kind() {
            return "batch_norm";
        }

        @Override
        public int inputWidth() {
            return features;
        }

        @Override
        public int outputWidth() {
            return features;
        }

        @Override
        public Map<String, Tensor> parameters() {
            Map<String, Tensor> p = new LinkedHashMap<>();
            p.put(parameterNames.get("gamma"), Tensor.of(gamma));
            p.put(parameterNames.get("beta"), Tensor.of(beta));
            return p;
        }

        @Override
        public Map<String, Tensor> buffers() {
            Map<String, Tensor> b = new LinkedHashMap<>();
            b.put(bufferNames.get("running_mean"), Tensor.of(runningMean));
            b.put(bufferNames.get("running_var"), Tensor.of(runningVar));
            b.put(bufferNames.get("num_batches_tracked"), Tensor.ofCount(numBatchesTracked));
            return b;
        }
    }

    /**
     * One embedding table of a categorical column.
     *
     * @param column the column of {@code categories} that indexes it (its position in the list)
     * @param cardinality the number of categories (rows)
     * @param dim the width of an embedding vector
     * @param weight the table, [cardinality × dim]
     * @param parameterName its state_dict name, {@code i.tables.k.weight}
     */
    public record Table(int column, int cardinality, int dim, double[][] weight, String parameterName) {
    }

    /**
     * The first layer of a network with categorical columns: output row = numeric columns, then
     * {@code tables[k][c_k]} for each table in order; no activation.
     *
     * @param numeric the number of numeric columns (the width of {@code input})
     * @param tables the tables in column order
     * @param out {@code numeric + Σ dim}
     * @param activation always {@code identity}
     */
    public record Embedding(int numeric, List<Table> tables, int out, String activation) implements LayerSpec {

        @Override
        public String kind() {
            return "embedding";
        }

        @Override
        public int inputWidth() {
            return numeric;
        }

        @Override
        public int outputWidth() {
            return out;
        }

        @Override
        public Map<String, Tensor> parameters() {
            Map<String, Tensor> p = new LinkedHashMap<>();
            for (Table t : tables) {
                p.put(t.parameterName(), Tensor.of(t.weight()));
            }
            return p;
        }
    }

    /**
     * {@code z = x + f(x)} with {@code f} a chain of dense layers, {@code a = act(z)}.
     *
     * @param features the width, in and out
     * @param activation the activation after the sum
     * @param layers the inner dense layers, named {@code i.f.j.weight} and {@code i.f.j.bias}
     */
    public record Residual(int features, String activation, List<Dense> layers) implements LayerSpec {

        @Override
        public String kind() {
            return "residual";
        }

        @Override
        public int inputWidth() {
            return features;
        }

        @Override
        public int outputWidth() {
            return features;
        }

        @Override
        public Map<String, Tensor> parameters() {
            Map<String, Tensor> p = new LinkedHashMap<>();
            for (Dense d : layers) {
                p.putAll(d.parameters());
            }
            return p;
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Passes and optimizers

    /**
     * An inner dense layer's recorded values.
     *
     * @param z its weighted sums, [batch × width]
     * @param a its activations, [batch × width]
     */
    public record InnerForward(double[][] z, double[][] a) {
    }

    /**
     * One layer's recorded values.
     *
     * @param z before the activation, [batch × width]
     * @param a after it, [batch × width]
     * @param mean norm layers (batch_norm in training mode only), else {@code null}: μ per sample (layer_norm,
     *     [batch]) or per feature (batch_norm, [features])
     * @param var the biased variance beside {@code mean}, or {@code null}
     * @param inner residual layers only (else empty): each inner layer's z and a
     */
    public record LayerForward(double[][] z, double[][] a, double[] mean, double[] var, List<InnerForward> inner) {
    }

    /**
     * A forward and backward pass on the case's batch.
     *
     * @param forward each layer's values
     * @param lossValue the loss, a batch mean
     * @param delta ∂C/∂z of each layer, [batch × width]
     * @param innerDelta residual networks only (else empty): layer index → ∂C/∂z of each inner layer
     * @param gradients ∂C/∂p for every parameter, by state_dict name
     * @param inputGradient ∂C/∂input, [batch × numeric width]
     */
    public record Pass(List<LayerForward> forward, double lossValue, List<double[][]> delta,
            Map<Integer, List<double[][]>> innerDelta, Map<String, Tensor> gradients, double[][] inputGradient) {
    }

    /**
     * Steps of one optimizer from the case's parameters and buffers, each on the same batch.
     *
     * @param name {@code sgd}, {@code momentum} or {@code adam}
     * @param hyperparameters by the file's names ({@code lr}, {@code momentum}, {@code beta1}, {@code beta2},
     *     {@code eps})
     * @param steps the number of steps (3)
     * @param lossBeforeEachStep the loss each step saw
     * @param after every parameter by state_dict name after the steps
     * @param runningStatsAfterEachStep batch_norm networks only (else empty): the buffers after each step
     */
    public record OptimizerRun(String name, Map<String, Double> hyperparameters, int steps,
            double[] lossBeforeEachStep, Map<String, Tensor> after, List<Map<String, Tensor>> runningStatsAfterEachStep) {

        /**
         * Returns a hyper-parameter.
         *
         * @param key its name in the file
         * @return its value
         * @throws IllegalArgumentException if the run has no such hyper-parameter
         */
        public double number(String key) {
            Double v = hyperparameters.get(key);
            if (v == null) {
                throw new IllegalArgumentException("optimizer " + name + " has no hyper-parameter " + key + " in "
                        + hyperparameters);
            }
            return v;
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Conveniences

    /**
     * Returns the training pass's layer values.
     *
     * @return {@code training().forward()}
     */
    public List<LayerForward> forward() {
        return training.forward();
    }

    /**
     * Returns the training pass's loss.
     *
     * @return {@code training().lossValue()}
     */
    public double lossValue() {
        return training.lossValue();
    }

    /**
     * Returns the training pass's error signals.
     *
     * @return {@code training().delta()}
     */
    public List<double[][]> delta() {
        return training.delta();
    }

    /**
     * Returns the training pass's gradients.
     *
     * @return {@code training().gradients()}
     */
    public Map<String, Tensor> gradients() {
        return training.gradients();
    }

    /**
     * Returns the number of samples in the batch.
     *
     * @return the rows of {@code input}
     */
    public int batchSize() {
        return input.length;
    }

    /**
     * Returns whether a layer of the network is a batch_norm (then {@link #eval()} and the running statistics
     * are present).
     *
     * @return whether any layer is a {@link BatchNorm}
     */
    public boolean hasBatchNorm() {
        return layers.stream().anyMatch(l -> l instanceof BatchNorm);
    }

    /**
     * Returns every parameter of the layers by state_dict name, in layer order.
     *
     * @return name → value as the layers give it
     */
    public Map<String, Tensor> layerParameters() {
        Map<String, Tensor> p = new LinkedHashMap<>();
        layers.forEach(l -> p.putAll(l.parameters()));
        return p;
    }

    @Override
    public String toString() {
        return name;
    }

    // ------------------------------------------------------------------------------------------------------
    // Loading

    /**
     * Returns the names of every case in the test resources' {@code golden/layers} directory.
     *
     * @return the file names without {@code .json}, sorted
     */
    public static List<String> files() {
        URL url = LayerGoldenCase.class.getResource(DIRECTORY);
        if (url == null) {
            throw new IllegalStateException("missing test resource directory " + DIRECTORY);
        }
        try (Stream<Path> listing = Files.list(Path.of(url.toURI()))) {
            return listing.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url + " is not a directory URI", e);
        }
    }

    /**
     * Reads a case from the test resources.
     *
     * @param file its name without {@code .json}
     * @return the case
     * @throws IllegalArgumentException if the file is not a valid layers-1 case
     */
    public static LayerGoldenCase load(String file) {
        String path = DIRECTORY + file + ".json";
        try (InputStream in = LayerGoldenCase.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            LayerGoldenCase c = read(new InputStreamReader(in, StandardCharsets.UTF_8), path);
            if (!c.name().equals(file)) {
                throw new IllegalArgumentException(path + ": name is \"" + c.name() + "\", not the file's name");
            }
            return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses a layers-1 case.
     *
     * @param in the JSON text, read to its end; not closed
     * @param where what the text is, for messages
     * @return the case
     * @throws IllegalArgumentException if the text is not valid JSON or not a valid layers-1 case
     * @throws IOException if reading fails
     */
    public static LayerGoldenCase read(Reader in, String where) throws IOException {
        Object tree;
        try {
            tree = JsonTrees.parse(in, where);
        } catch (io.github.backprop4j.io.ModelFormatException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        Node root = new Node(tree, where, "");
        root.keys(Set.of("name", "format", "seed", "layers", "state_dict", "parameter_order", "loss", "input",
                "target", "forward", "loss_value", "delta", "gradients", "input_gradient", "optimizers"),
                Set.of("categories", "inner_delta", "running_stats_after_forward", "eval"));
        String format = root.get("format").string();
        if (!format.equals(FORMAT)) {
            throw root.get("format").error("format \"" + format + "\" is not \"" + FORMAT + "\"");
        }
        List<LayerSpec> layers = new ArrayList<>();
        List<Node> layerNodes = root.get("layers").list();
        for (Node n : layerNodes) {
            layers.add(layer(n));
        }
        Node categories = root.opt("categories");
        Node stats = root.opt("running_stats_after_forward");
        Node eval = root.opt("eval");
        Map<String, OptimizerRun> optimizers = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : root.get("optimizers").members().entrySet()) {
            optimizers.put(e.getKey(), optimizer(e.getKey(), e.getValue()));
        }
        return new LayerGoldenCase(
                root.get("name").string(),
                root.get("seed").integer(),
                List.copyOf(layers),
                root.get("state_dict").tensors(),
                root.get("parameter_order").strings(),
                root.get("loss").string(),
                root.get("input").matrix(),
                categories == null ? null : categories.intMatrix(),
                root.get("target").matrix(),
                pass(root, false),
                stats == null ? Map.of() : stats.tensors(),
                eval == null ? null : pass(eval, true),
                Collections.unmodifiableMap(optimizers));
    }

    private static LayerSpec layer(Node n) {
        String kind = n.get("kind").string();
        switch (kind) {
            case "dense":
                return dense(n);
            case "layer_norm":
                n.keys(Set.of("kind", "features", "eps", "activation", "gamma", "beta", "parameter_names"), Set.of());
                return new LayerNorm(n.get("features").intValue(), n.get("eps").number(),
                        n.get("activation").string(), n.get("gamma").vector(), n.get("beta").vector(),
                        n.get("parameter_names").names(Set.of("gamma", "beta")));
            case "batch_norm":
                n.keys(Set.of("kind", "features", "eps", "momentum", "activation", "gamma", "beta", "running_mean",
                        "running_var", "num_batches_tracked", "parameter_names", "buffer_names"), Set.of());
                return new BatchNorm(n.get("features").intValue(), n.get("eps").number(),
                        n.get("momentum").number(), n.get("activation").string(), n.get("gamma").vector(),
                        n.get("beta").vector(), n.get("running_mean").vector(), n.get("running_var").vector(),
                        n.get("num_batches_tracked").integer(),
                        n.get("parameter_names").names(Set.of("gamma", "beta")),
                        n.get("buffer_names").names(Set.of("running_mean", "running_var", "num_batches_tracked")));
            case "embedding": {
                n.keys(Set.of("kind", "numeric", "tables", "out", "activation"), Set.of());
                List<Table> tables = new ArrayList<>();
                for (Node t : n.get("tables").list()) {
                    t.keys(Set.of("column", "cardinality", "dim", "weight", "parameter_name"), Set.of());
                    tables.add(new Table(t.get("column").intValue(), t.get("cardinality").intValue(),
                            t.get("dim").intValue(), t.get("weight").matrix(), t.get("parameter_name").string()));
                }
                return new Embedding(n.get("numeric").intValue(), List.copyOf(tables), n.get("out").intValue(),
                        n.get("activation").string());
            }
            case "residual": {
                n.keys(Set.of("kind", "features", "activation", "layers"), Set.of());
                List<Dense> inner = new ArrayList<>();
                for (Node d : n.get("layers").list()) {
                    String innerKind = d.get("kind").string();
                    if (!innerKind.equals("dense")) {
                        throw d.error("a residual's inner layer is \"" + innerKind + "\", only dense is defined");
                    }
                    inner.add(dense(d));
                }
                return new Residual(n.get("features").intValue(), n.get("activation").string(), List.copyOf(inner));
            }
            default:
                throw n.get("kind").error("unknown layer kind \"" + kind + "\"");
        }
    }

    private static Dense dense(Node n) {
        n.keys(Set.of("kind", "in", "out", "activation", "weights", "bias", "parameter_names"), Set.of());
        return new Dense(n.get("in").intValue(), n.get("out").intValue(), n.get("activation").string(),
                n.get("weights").matrix(), n.get("bias").vector(),
                n.get("parameter_names").names(Set.of("weights", "bias")));
    }

    /** The pass at the top level ({@code isEval} false) or in {@code eval}. */
    private static Pass pass(Node n, boolean isEval) {
        if (isEval) {
            n.keys(Set.of("forward", "loss_value", "delta", "gradients", "input_gradient"), Set.of("inner_delta"));
        }
        List<LayerForward> forward = new ArrayList<>();
        for (Node f : n.get("forward").list()) {
            f.keys(Set.of("z", "a"), Set.of("mean", "var", "inner"));
            Node mean = f.opt("mean");
            Node var = f.opt("var");
            if ((mean == null) != (var == null)) {
                throw f.error("has one of mean and var without the other");
            }
            Node innerNode = f.opt("inner");
            List<InnerForward> inner = new ArrayList<>();
            if (innerNode != null) {
                for (Node q : innerNode.list()) {
                    q.keys(Set.of("z", "a"), Set.of());
                    inner.add(new InnerForward(q.get("z").matrix(), q.get("a").matrix()));
                }
            }
            forward.add(new LayerForward(f.get("z").matrix(), f.get("a").matrix(),
                    mean == null ? null : mean.vector(), var == null ? null : var.vector(), List.copyOf(inner)));
        }
        List<double[][]> delta = new ArrayList<>();
        for (Node d : n.get("delta").list()) {
            delta.add(d.matrix());
        }
        Map<Integer, List<double[][]>> innerDelta = new LinkedHashMap<>();
        Node id = n.opt("inner_delta");
        if (id != null) {
            for (Map.Entry<String, Node> e : id.members().entrySet()) {
                int layer;
                try {
                    layer = Integer.parseInt(e.getKey());
                } catch (NumberFormatException notIndex) {
                    throw e.getValue().error("inner_delta's key \"" + e.getKey() + "\" is not a layer index");
                }
                List<double[][]> list = new ArrayList<>();
                for (Node d : e.getValue().list()) {
                    list.add(d.matrix());
                }
                innerDelta.put(layer, List.copyOf(list));
            }
        }
        return new Pass(List.copyOf(forward), n.get("loss_value").number(), List.copyOf(delta),
                Collections.unmodifiableMap(innerDelta), n.get("gradients").tensors(),
                n.get("input_gradient").matrix());
    }

    private static OptimizerRun optimizer(String name, Node n) {
        n.keys(Set.of("hyperparameters", "steps", "loss_before_each_step", "after"),
                Set.of("running_stats_after_each_step"));
        Map<String, Double> hyper = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : n.get("hyperparameters").members().entrySet()) {
            hyper.put(e.getKey(), e.getValue().number());
        }
        List<Map<String, Tensor>> stats = new ArrayList<>();
        Node s = n.opt("running_stats_after_each_step");
        if (s != null) {
            for (Node step : s.list()) {
                stats.add(step.tensors());
            }
        }
        return new OptimizerRun(name, Collections.unmodifiableMap(hyper), n.get("steps").intValue(),
                n.get("loss_before_each_step").vector(), n.get("after").tensors(), List.copyOf(stats));
    }

    /** A value of the parsed tree with its place in the file, for messages. */
    private record Node(Object value, String file, String path) {

        IllegalArgumentException error(String message) {
            return new IllegalArgumentException(file + ": " + (path.isEmpty() ? "the top level" : path) + ": "
                    + message);
        }

        private static String describe(Object v) {
            if (v instanceof Map) {
                return "an object";
            }
            if (v instanceof List<?> l) {
                return "an array of " + l.size();
            }
            if (v instanceof String s) {
                return "the string \"" + s + "\"";
            }
            return String.valueOf(v);
        }

        @SuppressWarnings("unchecked")
        private Map<String, Object> object() {
            if (!(value instanceof Map)) {
                throw error("expected an object, found " + describe(value));
            }
            return (Map<String, Object>) value;
        }

        private String child(String key) {
            return path.isEmpty() ? key : path + "." + key;
        }

        Node get(String key) {
            Map<String, Object> o = object();
            if (!o.containsKey(key)) {
                throw error("missing key \"" + key + "\" (has " + o.keySet() + ")");
            }
            return new Node(o.get(key), file, child(key));
        }

        Node opt(String key) {
            Map<String, Object> o = object();
            return o.containsKey(key) ? new Node(o.get(key), file, child(key)) : null;
        }

        /** Refuses missing required and unknown keys. */
        void keys(Set<String> required, Set<String> optional) {
            Map<String, Object> o = object();
            for (String k : required) {
                if (!o.containsKey(k)) {
                    throw error("missing key \"" + k + "\" (has " + o.keySet() + ")");
                }
            }
            for (String k : o.keySet()) {
                if (!required.contains(k) && !optional.contains(k)) {
                    throw error("unknown key \"" + k + "\" (the format defines " + new LinkedHashSet<>(required)
                            + (optional.isEmpty() ? "" : " and optionally " + optional) + ")");
                }
            }
        }

        Map<String, Node> members() {
            Map<String, Node> m = new LinkedHashMap<>();
            for (Map.Entry<String, Object> e : object().entrySet()) {
                m.put(e.getKey(), new Node(e.getValue(), file, child(e.getKey())));
            }
            return m;
        }

        List<Node> list() {
            if (!(value instanceof List<?> l)) {
                throw error("expected an array, found " + describe(value));
            }
            List<Node> out = new ArrayList<>(l.size());
            for (int i = 0; i < l.size(); i++) {
                out.add(new Node(l.get(i), file, path + "[" + i + "]"));
            }
            return out;
        }

        String string() {
            if (!(value instanceof String s)) {
                throw error("expected a string, found " + describe(value));
            }
            return s;
        }

        double number() {
            if (value instanceof Double d) {
                return d;
            }
            if (value instanceof Long l) {
                return l;
            }
            throw error("expected a number, found " + describe(value));
        }

        long integer() {
            if (!(value instanceof Long l)) {
                throw error("expected an integer, found " + describe(value));
            }
            return l;
        }

        int intValue() {
            long l = integer();
            if (l < 0 || l > Integer.MAX_VALUE) {
                throw error("expected a size or index, found " + l);
            }
            return (int) l;
        }

        List<String> strings() {
            List<String> out = new ArrayList<>();
            for (Node n : list()) {
                out.add(n.string());
            }
            return List.copyOf(out);
        }

        /** Role → state_dict name, with exactly the given roles. */
        Map<String, String> names(Set<String> roles) {
            keys(roles, Set.of());
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, Node> e : members().entrySet()) {
                out.put(e.getKey(), e.getValue().string());
            }
            return Collections.unmodifiableMap(out);
        }

        double[] vector() {
            List<Node> l = list();
            double[] v = new double[l.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = l.get(i).number();
            }
            return v;
        }

        double[][] matrix() {
            List<Node> rows = list();
            double[][] m = new double[rows.size()][];
            for (int r = 0; r < m.length; r++) {
                m[r] = rows.get(r).vector();
                if (m[r].length != m[0].length) {
                    throw rows.get(r).error("has " + m[r].length + " values, row 0 has " + m[0].length
                            + " (ragged matrix)");
                }
            }
            return m;
        }

        int[][] intMatrix() {
            List<Node> rows = list();
            int[][] m = new int[rows.size()][];
            for (int r = 0; r < m.length; r++) {
                List<Node> row = rows.get(r).list();
                m[r] = new int[row.size()];
                for (int c = 0; c < m[r].length; c++) {
                    m[r][c] = row.get(c).intValue();
                }
                if (m[r].length != m[0].length) {
                    throw rows.get(r).error("has " + m[r].length + " values, row 0 has " + m[0].length
                            + " (ragged matrix)");
                }
            }
            return m;
        }

        /** A scalar integer, a vector or a matrix. */
        Tensor tensor() {
            if (value instanceof Long l) {
                return Tensor.ofCount(l);
            }
            List<Node> l = list();
            if (!l.isEmpty() && l.get(0).value() instanceof List) {
                return Tensor.of(matrix());
            }
            return Tensor.of(vector());
        }

        Map<String, Tensor> tensors() {
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, Node> e : members().entrySet()) {
                out.put(e.getKey(), e.getValue().tensor());
            }
            return Collections.unmodifiableMap(out);
        }
    }
}
