package io.github.backprop4j.io;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerNorm;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;

/**
 * A network's architecture without its values, as a file describes it: the kind, sizes, hyper-parameters and
 * activation of every layer (and of the inner layers of residual blocks), read from or written to the
 * metadata, and the names, shapes and dtypes of the tensors it needs under either {@link Naming}. Knows the
 * layer kinds; knows nothing of the container.
 */
final class Architecture {

    /** The required feature that marks a file whose layers are not all dense. */
    static final String LAYER_KINDS = "layer_kinds";
    /** How deep residual blocks may nest in a file (a block inside a block is depth 2). */
    static final int MAX_DEPTH = 8;

    private Architecture() {
    }

    /** How tensor names number the modules of an {@code nn.Sequential} (and of a residual block's {@code f}). */
    enum Naming {
        /**
         * Format version 1's rule: each layer takes one module index, and each activation other than the identity
         * takes the next one, as in {@code nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.LayerNorm(5), ...)}.
         */
        SEQUENTIAL("one index per layer and one per non-identity activation module after it"),
        /** Module {@code i} is layer {@code i}, its activation applied inside it (the layers-1 fixtures). */
        MODULE_PER_LAYER("module i is layer i, activations inside the modules");

        final String description;

        Naming(String description) {
            this.description = description;
        }

        /** Returns the module index of each layer, element 0 for the first. */
        int[] indices(List<Spec> layers) {
            int[] indices = new int[layers.size()];
            for (int l = 1; l < indices.length; l++) {
                boolean activationModule = this == SEQUENTIAL && !layers.get(l - 1).activation().equals(
                        Activation.IDENTITY);
                indices[l] = indices[l - 1] + (activationModule ? 2 : 1);
            }
            return indices;
        }
    }

    /**
     * One tensor a network's file holds.
     *
     * @param name the tensor's name in the file, e.g. {@code "3.f.2.weight"}
     * @param parameter the name within its top-level layer as {@link Layer#parameters()} or {@link Layer#buffers()}
     *     give it ({@code "f.1.weight"}), or {@code "num_batches_tracked"} for a count
     * @param kind what the parameter is to optimizers; {@code null} for a buffer or a count
     * @param shape the shape in the file: {@code [rows, cols]}, {@code [n]} for one row, {@code []} for a count
     * @param count whether it is a batch normalization's {@code num_batches_tracked}, an {@code I64} scalar
     */
    record TensorSpec(String name, String parameter, ParameterKind kind, long[] shape, boolean count) {
    }

    /** One layer's description. */
    sealed interface Spec permits Dense, Norm, Embed, Block {
        /** Returns the input width. */
        int inputSize();

        /** Returns the output width. */
        int outputSize();

        /** Returns the activation after the layer. */
        Activation activation();

        /** Returns the kind's name, {@link Layer#kind()}. */
        String kind();
    }

    /** A dense layer, {@code [out × in]} weights and {@code [out]} biases. */
    record Dense(int inputSize, int outputSize, Activation activation) implements Spec {
        @Override
        public String kind() {
            return "dense";
        }
    }

    /** A layer or batch normalization over {@code features}; {@code momentum} is unused for layer normalization. */
    record Norm(boolean batch, int features, double eps, double momentum, Activation activation) implements Spec {
        @Override
        public int inputSize() {
            return features;
        }

        @Override
        public int outputSize() {
            return features;
        }

        @Override
        public String kind() {
            return batch ? "batch_norm" : "layer_norm";
        }
    }

    /** An embedding layer: {@code numeric} columns, then one table per categorical column. */
    record Embed(int numeric, int[] cardinalities, int[] dimensions, Activation activation) implements Spec {
        @Override
        public int inputSize() {
            return numeric + cardinalities.length;
        }

        @Override
        public int outputSize() {
            int width = numeric;
            for (int d : dimensions) {
                width += d;
            }
            return width;
        }

        @Override
        public String kind() {
            return "embedding";
        }
    }

    /** A residual block over inner layers. */
    record Block(List<Spec> inner, Activation activation) implements Spec {
        @Override
        public int inputSize() {
            return inner.get(0).inputSize();
        }

        @Override
        public int outputSize() {
            return inputSize();
        }

        @Override
        public String kind() {
            return "residual";
        }
    }

    // ------------------------------------------------------------------ from a network

    /** Returns the description of each of the network's layers. */
    static List<Spec> of(Network network) {
        List<Spec> specs = new ArrayList<>();
        for (Layer layer : network.layers()) {
            specs.add(of(layer));
        }
        return specs;
    }

    /** Returns the description of one layer. */
    static Spec of(Layer layer) {
        if (layer instanceof DenseLayer d) {
            return new Dense(d.inputSize(), d.outputSize(), d.activation());
        } else if (layer instanceof LayerNorm n) {
            return new Norm(false, n.inputSize(), n.epsilon(), 0, n.activation());
        } else if (layer instanceof BatchNorm b) {
            return new Norm(true, b.inputSize(), b.epsilon(), b.momentum(), b.activation());
        } else if (layer instanceof Embedding e) {
            int[] dimensions = e.tables().stream().mapToInt(Matrix::cols).toArray();
            return new Embed(e.numericColumns(), e.cardinalities(), dimensions, e.activation());
        }
        Residual r = (Residual) layer;
        List<Spec> inner = new ArrayList<>();
        for (Layer l : r.inner()) {
            inner.add(of(l));
        }
        return new Block(List.copyOf(inner), r.activation());
    }

    /** Returns whether every layer is dense, so that the file is plain format version 1. */
    static boolean allDense(List<Spec> layers) {
        return layers.stream().allMatch(s -> s instanceof Dense);
    }

    // ------------------------------------------------------------------ tensors

    /** Returns the tensors of each layer, in {@code state_dict} order, under the given naming. */
    static List<List<TensorSpec>> tensors(List<Spec> layers, Naming naming) {
        int[] indices = naming.indices(layers);
        List<List<TensorSpec>> all = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            List<TensorSpec> out = new ArrayList<>();
            tensors(layers.get(l), indices[l] + ".", "", naming, out);
            all.add(out);
        }
        return all;
    }

    private static void tensors(Spec spec, String prefix, String inLayer, Naming naming, List<TensorSpec> out) {
        if (spec instanceof Dense d) {
            out.add(new TensorSpec(prefix + "weight", inLayer + "weight", ParameterKind.WEIGHTS,
                    new long[] {d.outputSize(), d.inputSize()}, false));
            out.add(new TensorSpec(prefix + "bias", inLayer + "bias", ParameterKind.BIAS, new long[] {d.outputSize()},
                    false));
        } else if (spec instanceof Norm n) {
            long[] vector = {n.features()};
            out.add(new TensorSpec(prefix + "weight", inLayer + "weight", ParameterKind.SCALE, vector, false));
            out.add(new TensorSpec(prefix + "bias", inLayer + "bias", ParameterKind.SHIFT, vector, false));
            if (n.batch()) {
                out.add(new TensorSpec(prefix + "running_mean", inLayer + "running_mean", null, vector, false));
                out.add(new TensorSpec(prefix + "running_var", inLayer + "running_var", null, vector, false));
                out.add(new TensorSpec(prefix + "num_batches_tracked", inLayer + "num_batches_tracked", null,
                        new long[0], true));
            }
        } else if (spec instanceof Embed e) {
            for (int k = 0; k < e.cardinalities().length; k++) {
                String table = "tables." + k + ".weight";
                out.add(new TensorSpec(prefix + table, inLayer + table, ParameterKind.EMBEDDING,
                        new long[] {e.cardinalities()[k], e.dimensions()[k]}, false));
            }
        } else {
            Block b = (Block) spec;
            int[] indices = naming.indices(b.inner());
            for (int j = 0; j < b.inner().size(); j++) {
                tensors(b.inner().get(j), prefix + "f." + indices[j] + ".", inLayer + "f." + j + ".", naming, out);
            }
        }
    }

    // ------------------------------------------------------------------ building

    /**
     * Builds one layer from its decoded tensors, removing each from {@code values} as it is used.
     *
     * @param values the decoded tensors by file name: a {@link Matrix} ({@code [1 × n]} for a vector) or, for a
     *     count, a {@link Long}
     * @throws IllegalArgumentException if the values do not make a valid layer (a negative running variance)
     */
    static Layer build(Spec spec, List<TensorSpec> tensors, Map<String, Object> values) {
        int[] next = {0};
        return build(spec, tensors, next, values);
    }

    private static Layer build(Spec spec, List<TensorSpec> tensors, int[] next, Map<String, Object> values) {
        if (spec instanceof Dense d) {
            return Layer.of(matrix(tensors, next, values), matrix(tensors, next, values), d.activation());
        } else if (spec instanceof Norm n) {
            Matrix gamma = matrix(tensors, next, values);
            Matrix beta = matrix(tensors, next, values);
            if (!n.batch()) {
                return LayerNorm.of(gamma, beta, n.eps(), n.activation());
            }
            Matrix mean = matrix(tensors, next, values);
            Matrix var = matrix(tensors, next, values);
            long count = (Long) values.remove(tensors.get(next[0]++).name());
            return BatchNorm.of(gamma, beta, mean, var, count, n.eps(), n.momentum(), n.activation());
        } else if (spec instanceof Embed e) {
            List<Matrix> tables = new ArrayList<>();
            for (int k = 0; k < e.cardinalities().length; k++) {
                tables.add(matrix(tensors, next, values));
            }
            return Embedding.of(e.numeric(), tables, e.activation());
        }
        Block b = (Block) spec;
        List<Layer> inner = new ArrayList<>();
        for (Spec s : b.inner()) {
            inner.add(build(s, tensors, next, values));
        }
        return Residual.of(inner, b.activation());
    }

    private static Matrix matrix(List<TensorSpec> tensors, int[] next, Map<String, Object> values) {
        return (Matrix) values.remove(tensors.get(next[0]++).name());
    }

    // ------------------------------------------------------------------ metadata

    /**
     * Writes one layer's description under {@code key} ({@code "layer3."}, or {@code "layer3.f.0."} for an inner
     * layer): its kind if {@code withKind}, its units, activation and the kind's own keys.
     */
    static void describe(Spec spec, String key, Map<String, String> meta, boolean withKind) {
        if (withKind) {
            meta.put(key + "kind", spec.kind());
        }
        meta.put(key + "units", Integer.toString(spec.outputSize()));
        Components.Described activation = Components.describe(spec.activation());
        meta.put(key + "activation", activation.name());
        activation.parameters().forEach((k, v) -> meta.put(key + "activation." + k, Double.toString(v)));
        if (spec instanceof Norm n) {
            meta.put(key + "eps", Double.toString(n.eps()));
            if (n.batch()) {
                meta.put(key + "momentum", Double.toString(n.momentum()));
            }
        } else if (spec instanceof Embed e) {
            meta.put(key + "numeric_columns", Integer.toString(e.numeric()));
            meta.put(key + "tables", Integer.toString(e.cardinalities().length));
            for (int k = 0; k < e.cardinalities().length; k++) {
                meta.put(key + "tables." + k + ".cardinality", Integer.toString(e.cardinalities()[k]));
                meta.put(key + "tables." + k + ".dimension", Integer.toString(e.dimensions()[k]));
            }
        } else if (spec instanceof Block b) {
            meta.put(key + "inner_layers", Integer.toString(b.inner().size()));
            for (int j = 0; j < b.inner().size(); j++) {
                describe(b.inner().get(j), key + "f." + j + ".", meta, true);
            }
        }
    }

    /**
     * What reading the metadata may still spend: each layer, inner layer and embedding table needs at least one
     * tensor, so their number is bounded by the header's before any loop runs over them.
     */
    static final class Budget {
        private long left;

        Budget(long tensors) {
            this.left = tensors;
        }

        void take(long n, String key, String where) throws ModelFormatException {
            if (n > left) {
                throw new ModelFormatException("metadata \"" + Json.shorten(key) + "\" of " + where + " asks for " + n
                        + " more layers or tables than the file's tensors can hold (" + Math.max(left, 0) + " left)");
            }
            left -= n;
        }
    }

    /**
     * Reads one layer's description from the metadata and checks it against the width before it.
     *
     * @param key {@code "layer3."} or {@code "layer3.f.0."}
     * @param width the width of what feeds the layer (for layer 1, {@code input_size})
     * @param first whether it is the network's first layer (the only place for an embedding)
     * @param depth 0 for a network's layer, 1 for a block's inner layer, …
     * @param kinds whether the file declares the {@link #LAYER_KINDS} feature
     */
    static Spec read(NavigableMap<String, String> meta, String key, int width, boolean first, int depth,
            boolean kinds, Budget budget, String where) throws ModelFormatException {
        String kindKey = key + "kind";
        String kind = meta.getOrDefault(kindKey, "dense");
        if (!kind.equals("dense") && !kinds) {
            throw new ModelFormatException("metadata \"" + Json.shorten(kindKey) + "\" of " + where + " is \""
                    + Json.shorten(kind) + "\", but the file does not list \"" + LAYER_KINDS + "\" in its "
                    + "required_features, which every file with layers other than dense must");
        }
        String what = layerName(key);
        int units = ModelFile.positiveInt(meta, key + "units", where);
        Activation activation = ModelFile.activation(meta, key + "activation", where);
        switch (kind) {
            case "dense" -> {
                return new Dense(width, units, activation);
            }
            case "layer_norm", "batch_norm" -> {
                boolean batch = kind.equals("batch_norm");
                requireUnits(units, width, key, what + " (" + kind + ")", where);
                if (!batch && width < 2) {
                    throw new ModelFormatException(what + " of " + where + " is a layer normalization over " + width
                            + " feature, but it needs at least 2");
                }
                double eps = ModelFile.decimal(meta, key + "eps", where);
                if (!(eps > 0) || Double.isInfinite(eps)) {
                    throw new ModelFormatException("metadata \"" + Json.shorten(key + "eps") + "\" of " + where
                            + " is " + eps + ", but eps must be finite and above 0");
                }
                double momentum = 0;
                if (batch) {
                    momentum = ModelFile.decimal(meta, key + "momentum", where);
                    if (!(momentum > 0 && momentum <= 1)) {
                        throw new ModelFormatException("metadata \"" + Json.shorten(key + "momentum") + "\" of "
                                + where + " is " + momentum + ", but a momentum must be in (0, 1]");
                    }
                }
                return new Norm(batch, width, eps, momentum, activation);
            }
            case "embedding" -> {
                if (!first) {
                    throw new ModelFormatException(what + " of " + where + " is an embedding layer, which must be "
                            + "layer 1: it reads the categorical columns of the input");
                }
                long numeric = ModelFile.nonNegativeLong(meta, key + "numeric_columns", where);
                int tables = ModelFile.positiveInt(meta, key + "tables", where);
                budget.take(tables - 1, key + "tables", where);
                if (numeric + tables != width) {
                    throw new ModelFormatException(what + " of " + where + " reads " + numeric + " numeric columns and "
                            + tables + " categorical ones, " + (numeric + tables) + " in all, but \"input_size\" is "
                            + width);
                }
                int[] cardinalities = new int[tables];
                int[] dimensions = new int[tables];
                long out = numeric;
                for (int k = 0; k < tables; k++) {
                    cardinalities[k] = ModelFile.positiveInt(meta, key + "tables." + k + ".cardinality", where);
                    dimensions[k] = ModelFile.positiveInt(meta, key + "tables." + k + ".dimension", where);
                    out += dimensions[k];
                }
                requireUnits(units, out, key, what + " (embedding)", where);
                return new Embed((int) numeric, cardinalities, dimensions, activation);
            }
            case "residual" -> {
                requireUnits(units, width, key, what + " (residual)", where);
                if (depth + 1 >= MAX_DEPTH) {
                    throw new ModelFormatException(what + " of " + where + " nests residual blocks deeper than "
                            + MAX_DEPTH + " levels");
                }
                int count = ModelFile.positiveInt(meta, key + "inner_layers", where);
                budget.take(count, key + "inner_layers", where);
                List<Spec> inner = new ArrayList<>();
                int previous = width;
                for (int j = 0; j < count; j++) {
                    Spec s = read(meta, key + "f." + j + ".", previous, false, depth + 1, kinds, budget, where);
                    inner.add(s);
                    previous = s.outputSize();
                }
                if (previous != width) {
                    throw new ModelFormatException(what + " of " + where + " is a residual block over " + width
                            + " features, but its last inner layer gives " + previous);
                }
                return new Block(List.copyOf(inner), activation);
            }
            default -> throw new ModelFormatException("metadata \"" + Json.shorten(kindKey) + "\" of " + where
                    + " is \"" + Json.shorten(kind) + "\", not dense, layer_norm, batch_norm, embedding or residual");
        }
    }

    private static void requireUnits(int units, long width, String key, String what, String where)
            throws ModelFormatException {
        if (units != width) {
            throw new ModelFormatException("metadata \"" + Json.shorten(key + "units") + "\" of " + where + " is "
                    + units + ", but " + what + " gives " + width + " outputs");
        }
    }

    /** {@code "layer3."} → {@code "layer 3"}; {@code "layer3.f.0."} → {@code "inner layer 0 of layer 3"}. */
    static String layerName(String key) {
        String[] parts = key.split("\\.");
        StringBuilder s = new StringBuilder("layer " + parts[0].substring("layer".length()));
        for (int i = 2; i < parts.length; i += 2) {
            s.insert(0, "inner layer " + parts[i] + " of ");
        }
        return s.toString();
    }
}
