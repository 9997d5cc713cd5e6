package io.github.backprop4j.onnx;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerNorm;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Imports an ONNX model as a {@link Network}: the models {@link OnnxExport} writes and those
 * {@code torch.onnx.export} writes for an {@code nn.Sequential} of {@code Linear}, {@code LayerNorm},
 * {@code BatchNorm1d} (eval mode) and the activations the library has, opsets 13 to 17.
 *
 * <p>The graph must be one chain from its single input to its single output, with weights as initializers or
 * {@code Constant} nodes. It is read pattern by pattern:
 * <ul>
 *   <li>a dense layer is {@code Gemm(x, W, b)} ({@code transB} 0 or 1, {@code alpha = beta = 1}) or
 *       {@code MatMul(x, W)} with an optional {@code Add} of a constant bias;</li>
 *   <li>a layer normalization is {@code LayerNormalization(axis=−1)} or its decomposition ({@code ReduceMean},
 *       {@code Sub}, {@code Mul} or {@code Pow 2}, {@code ReduceMean}, {@code Add ε}, {@code Sqrt}, {@code Div},
 *       then {@code Mul γ}, {@code Add β}), as PyTorch writes it below opset 17 and {@link OnnxExport} in
 *       float64;</li>
 *   <li>a batch normalization is {@code BatchNormalization} in inference form, or {@link OnnxExport}'s float64
 *       form {@code Sub mean}, {@code Div std}, {@code Mul γ}, {@code Add β} (read with ε = 10⁻⁵ and
 *       {@code running_var = std² − ε});</li>
 *   <li>an embedding layer, as the first layer, is {@link OnnxExport}'s {@code Slice} of the numeric columns
 *       (when there are any), {@code Gather}, {@code Cast}, {@code Gather} per table and {@code Concat};</li>
 *   <li>a residual block is a chain of layers whose result is {@code Add}ed to the chain's input;</li>
 *   <li>{@code Softmax} over the last axis; and any other run of element-wise operators with scalar constants
 *       ({@code Relu}, {@code Tanh}, {@code Mul}, {@code Pow}, {@code Where}…) is an activation when it computes
 *       one of the built-in activations: the importer evaluates it at sample points and compares, so PyTorch's
 *       tanh-GELU subgraph, SiLU as {@code x·Sigmoid(x)} and the float64 formulas of the export are all
 *       recognised; leaky ReLU's slope and ELU's alpha are read from the values;</li>
 *   <li>{@code Identity} and {@code Constant} nodes are followed through.</li>
 * </ul>
 * In a float32 model, float attributes (ε, slopes) are read as the shortest decimal that rounds to them, so
 * a float32 export reads back as the network that was exported.
 *
 * <p>Anything else is refused with an {@link OnnxFormatException} that names the node, its op type and what is
 * supported. Decoding is bounded: lengths, dims and counts are checked against the bytes that remain before
 * anything is allocated. Stateless and thread-safe.
 */
public final class OnnxImport {

    /** The lowest default-domain opset accepted. */
    public static final long MIN_OPSET = 13;
    /** The highest default-domain opset accepted. */
    public static final long MAX_OPSET = 17;
    /** The largest model read, in bytes. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 16;

    private static final String SUPPORTED = "Gemm, MatMul(+Add), LayerNormalization (or its decomposition), "
            + "BatchNormalization (inference), Add of a residual, Softmax, Identity, Constant, and element-wise "
            + "runs (Relu, Sigmoid, Tanh, LeakyRelu, Elu, Softplus, Exp, Log, Neg, Sqrt, Add, Sub, Mul, Div, Pow, "
            + "Where, Greater) that compute a built-in activation";
    private static final Set<String> ELEMENTWISE = Set.of("Relu", "Sigmoid", "Tanh", "LeakyRelu", "Elu", "Softplus",
            "Exp", "Log", "Neg", "Sqrt", "Add", "Sub", "Mul", "Div", "Pow", "Where", "Greater");
    private static final int MAX_REGION = 64;
    private static final int MAX_DEPTH = 32;

    private OnnxImport() {
    }

    /**
     * Reads an ONNX model file as a network.
     *
     * @param path the file
     * @return the network
     * @throws OnnxFormatException if the file is malformed or outside the supported subset (the message names the
     *     node, its op type and what is supported)
     * @throws IOException if the file cannot be read
     */
    public static Network load(Path path) throws IOException {
        Checks.notNull(path, "path");
        long size = Files.size(path);
        if (size > MAX_BYTES) {
            throw new OnnxFormatException(path + " has " + size + " bytes, more than the " + MAX_BYTES + " import reads");
        }
        return read(Files.readAllBytes(path));
    }

    /**
     * Reads an ONNX model from a stream, to its end; the stream is left open.
     *
     * @param in the stream
     * @return the network
     * @throws OnnxFormatException if the model is malformed or outside the supported subset
     * @throws IOException if the stream cannot be read
     */
    public static Network read(InputStream in) throws IOException {
        Checks.notNull(in, "in");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        for (int n; (n = in.read(buffer)) > 0;) {
            total += n;
            if (total > MAX_BYTES) {
                throw new OnnxFormatException("the stream holds more than the " + MAX_BYTES + " bytes import reads");
            }
            out.write(buffer, 0, n);
        }
        return read(out.toByteArray());
    }

    /**
     * Decodes an ONNX model ({@code ModelProto}) as a network.
     *
     * @param bytes the model
     * @return the network
     * @throws OnnxFormatException if the model is malformed or outside the supported subset, or is a bundle that
     *     {@link OnnxExport} wrote with a feature scaler (its {@code metadata_props} name the scaler), whose scaling a
     *     network cannot hold
     */
    public static Network read(byte[] bytes) throws OnnxFormatException {
        Checks.notNull(bytes, "bytes");
        OnnxModel model = OnnxModel.decode(bytes);
        String scaler = model.metadata.get(OnnxExport.METADATA_SCALER);
        if (scaler != null) {
            throw new OnnxFormatException("the model is a backprop4j bundle whose graph starts with its feature scaler "
                    + "(metadata_props " + OnnxExport.METADATA_SCALER + "=" + scaler + "); import reads networks only, "
                    + "so that no scaling is silently lost: load the bundle's own file with ModelBundle.load, or export "
                    + "its network alone with OnnxExport.save(bundle.network(), path)");
        }
        try {
            return new Reader(model).network();
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new OnnxFormatException("the ONNX graph does not make a valid network: " + e.getMessage(), e);
        }
    }

    /** Reads one graph. */
    private static final class Reader {
        private final OnnxModel model;
        private final Map<String, OnnxModel.Tensor> constants = new HashMap<>();
        private final Map<String, String> alias = new HashMap<>();
        private final List<OnnxModel.Node> nodes = new ArrayList<>();
        private final Map<String, List<Integer>> consumers = new HashMap<>();
        private final Precision precision;
        private final String output;
        private int pos;

        Reader(OnnxModel model) throws OnnxFormatException {
            this.model = model;
            Long opset = model.opsets.get("");
            if (opset == null) {
                opset = model.opsets.get("ai.onnx");
            }
            if (opset == null || opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new OnnxFormatException("the model imports the default opset " + opset + "; import supports opsets "
                        + MIN_OPSET + " to " + MAX_OPSET);
            }
            constants.putAll(model.initializers);
            List<Map.Entry<String, Integer>> inputs = new ArrayList<>();
            for (Map.Entry<String, Integer> in : model.inputs) {
                if (!constants.containsKey(in.getKey())) {
                    inputs.add(in);
                }
            }
            if (inputs.size() != 1 || model.outputs.size() != 1) {
                throw new OnnxFormatException("the graph has " + inputs.size() + " inputs (besides initializers) and "
                        + model.outputs.size() + " outputs; import reads graphs with one of each");
            }
            int elemType = inputs.get(0).getValue();
            if (elemType != GraphBuilder.FLOAT && elemType != GraphBuilder.DOUBLE) {
                throw new OnnxFormatException("the graph input '" + inputs.get(0).getKey() + "' has the element type "
                        + elemType + "; import reads float (1) and double (11)");
            }
            precision = elemType == GraphBuilder.DOUBLE ? Precision.FLOAT64 : Precision.FLOAT32;
            for (OnnxModel.Node node : model.nodes) {
                if (!node.domain().isEmpty() && !node.domain().equals("ai.onnx")) {
                    throw refuse(node, "is in the domain '" + node.domain() + "'");
                }
                if (node.outputs().size() < 1) {
                    throw refuse(node, "has no output");
                }
                if (node.opType().equals("Constant")) {
                    OnnxModel.Attribute value = node.attributes().get("value");
                    OnnxModel.Attribute valueFloat = node.attributes().get("value_float");
                    if (value != null && value.t() != null) {
                        constants.put(node.outputs().get(0), value.t());
                    } else if (valueFloat != null && valueFloat.f() != null) {
                        constants.put(node.outputs().get(0), new OnnxModel.Tensor(node.outputs().get(0),
                                GraphBuilder.FLOAT, new long[0], new double[] {valueFloat.f()}));
                    } else {
                        throw refuse(node, "has neither a tensor 'value' nor 'value_float'");
                    }
                } else if (node.opType().equals("Identity") || node.opType().equals("Dropout")) {
                    String in = resolve(node, 0);
                    if (constants.containsKey(in)) {
                        constants.put(node.outputs().get(0), constants.get(in));
                    } else {
                        alias.put(node.outputs().get(0), in);
                    }
                } else {
                    if (node.outputs().size() != 1) {
                        throw refuse(node, "has " + node.outputs().size() + " outputs");
                    }
                    List<String> resolved = new ArrayList<>();
                    for (int k = 0; k < node.inputs().size(); k++) {
                        resolved.add(resolve(node, k));
                    }
                    OnnxModel.Node n = new OnnxModel.Node(node.index(), node.name(), node.opType(), node.domain(),
                            resolved, node.outputs(), node.attributes());
                    for (String in : resolved) {
                        if (!constants.containsKey(in)) {
                            consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(nodes.size());
                        }
                    }
                    nodes.add(n);
                }
            }
            String out = model.outputs.get(0);
            output = alias.getOrDefault(out, out);
            alias.put(inputs.get(0).getKey(), inputs.get(0).getKey());
            this.input = inputs.get(0).getKey();
        }

        private final String input;

        private String resolve(OnnxModel.Node node, int k) {
            String name = node.inputs().get(k);
            return alias.getOrDefault(name, name);
        }

        Network network() throws OnnxFormatException {
            List<Layer> layers = chain(input, nodes.size(), 0);
            if (!current.equals(output)) {
                throw new OnnxFormatException("the graph output '" + output + "' is not the end of the chain of layers "
                        + "from the input (which ends at '" + current + "')");
            }
            if (layers.isEmpty()) {
                throw new OnnxFormatException("the graph has no layer; supported: " + SUPPORTED);
            }
            return Network.of(layers);
        }

        private String current;

        /** Reads nodes {@code [pos, stop)} as a chain of layers starting from value {@code x}; sets current. */
        private List<Layer> chain(String x, int stop, int depth) throws OnnxFormatException {
            if (depth > MAX_DEPTH) {
                throw new OnnxFormatException("residual blocks nest deeper than " + MAX_DEPTH);
            }
            current = x;
            List<Layer> layers = new ArrayList<>();
            while (pos < stop) {
                OnnxModel.Node node = nodes.get(pos);
                if (!node.inputs().contains(current)) {
                    throw refuse(node, "does not read the previous layer's output '" + current + "'");
                }
                for (String in : node.inputs()) {
                    if (!in.isEmpty() && !in.equals(current) && !constants.containsKey(in)) {
                        if (!(node.opType().equals("Add") || ELEMENTWISE.contains(node.opType()))) {
                            throw refuse(node, "reads '" + in + "', which is neither the previous layer's output nor "
                                    + "a constant");
                        }
                    }
                }
                String op = node.opType();
                List<Integer> ends = ELEMENTWISE.contains(op) && !isVectorAffine(node) ? regionEnds(pos) : List.of();
                List<Integer> uses = new ArrayList<>();
                for (int use : consumers.getOrDefault(current, List.of())) {
                    if (use < stop) {
                        uses.add(use); //                         a use at or after stop is the enclosing block's Add
                    }
                }
                if (ends.isEmpty() && layers.isEmpty() && depth == 0 && (op.equals("Slice") || op.equals("Gather"))) {
                    layers.add(embedding(node));
                    continue;
                }
                if (ends.isEmpty() && uses.size() > 1 && isResidualAdd(uses.get(uses.size() - 1))) {
                    layers.add(residual(uses, depth));
                    continue;
                }
                if (!ends.isEmpty()) {
                    int region = activationRegion(node, pos, ends);
                    attach(layers, node, found);
                    current = nodes.get(region).outputs().get(0);
                    pos = region + 1;
                    continue;
                }
                switch (op) {
                    case "Gemm" -> layers.add(gemm(node));
                    case "MatMul" -> layers.add(matMul(node));
                    case "LayerNormalization" -> layers.add(layerNorm(node));
                    case "BatchNormalization" -> layers.add(batchNorm(node));
                    case "ReduceMean" -> layers.add(decomposedLayerNorm(node));
                    case "Sub" -> layers.add(decomposedBatchNorm(node));
                    case "Softmax" -> {
                        long axis = intAttr(node, "axis", -1);
                        if (axis != -1 && axis != 1) {
                            throw refuse(node, "has axis " + axis + "; softmax is read over the last axis only");
                        }
                        attach(layers, node, Activation.SOFTMAX);
                        current = node.outputs().get(0);
                        pos++;
                    }
                    default -> throw refuse(node, "is not supported");
                }
            }
            return layers;
        }

        /** Whether the node adds two values that are not constants (the end of a residual block). */
        private boolean isResidualAdd(int index) {
            OnnxModel.Node n = nodes.get(index);
            return index > pos && n.opType().equals("Add") && n.inputs().size() == 2
                    && !constants.containsKey(n.inputs().get(0)) && !constants.containsKey(n.inputs().get(1));
        }

        /**
         * OnnxExport's embedding layer: an optional {@code Slice} of the numeric columns, then per table
         * {@code Gather(x, column, axis=1)}, {@code Cast(to=int64)}, {@code Gather(table, index, axis=0)}, then
         * {@code Concat(axis=1)} of the parts when there is more than one.
         */
        private Layer embedding(OnnxModel.Node first) throws OnnxFormatException {
            String x = current;
            List<String> parts = new ArrayList<>();
            int numeric = 0;
            if (first.opType().equals("Slice")) {
                if (first.inputs().size() < 3 || scalarOrFirst(first, 1) != 0
                        || first.inputs().size() > 3 && scalarOrFirst(first, 3) != 1
                        || first.inputs().size() > 4 && scalarOrFirst(first, 4) != 1) {
                    throw refuse(first, "is not a Slice of the first columns (starts 0, axis 1, step 1)");
                }
                double end = scalarOrFirst(first, 2);
                if (end < 1 || end > Integer.MAX_VALUE) {
                    throw refuse(first, "slices up to column " + end);
                }
                numeric = (int) end;
                parts.add(first.outputs().get(0));
                pos++;
            }
            List<Matrix> tables = new ArrayList<>();
            while (pos + 2 < nodes.size() && nodes.get(pos).opType().equals("Gather")
                    && nodes.get(pos).inputs().size() == 2 && nodes.get(pos).inputs().get(0).equals(x)) {
                OnnxModel.Node column = nodes.get(pos);
                OnnxModel.Node cast = nodes.get(pos + 1);
                OnnxModel.Node lookup = nodes.get(pos + 2);
                if (intAttr(column, "axis", 0) != 1 || scalarOrFirst(column, 1) != numeric + tables.size()) {
                    throw refuse(column, "does not read category column " + (numeric + tables.size()) + " (axis 1)");
                }
                if (!cast.opType().equals("Cast") || !cast.inputs().equals(List.of(column.outputs().get(0)))
                        || !lookup.opType().equals("Gather") || lookup.inputs().size() != 2
                        || !lookup.inputs().get(1).equals(cast.outputs().get(0)) || intAttr(lookup, "axis", 0) != 0) {
                    throw refuse(cast, "does not follow " + column.describe() + " as Cast, then Gather(table, index, "
                            + "axis=0) of an embedding table");
                }
                OnnxModel.Tensor table = constant(lookup, 0);
                requireRank(lookup, table, 2);
                tables.add(Matrix.of(precision, rows(table), "table"));
                parts.add(lookup.outputs().get(0));
                pos += 3;
            }
            if (tables.isEmpty()) {
                throw refuse(first, "starts an embedding layer without a Gather, Cast, Gather of a table");
            }
            current = parts.get(0);
            if (parts.size() > 1) {
                OnnxModel.Node concat = pos < nodes.size() ? nodes.get(pos) : first;
                if (!concat.opType().equals("Concat") || !concat.inputs().equals(parts) || intAttr(concat, "axis", 0) != 1) {
                    throw refuse(concat, "is not the Concat(axis=1) of the embedding layer's " + parts.size() + " parts");
                }
                current = concat.outputs().get(0);
                pos++;
            }
            return io.github.backprop4j.Embedding.of(numeric, tables, Activation.IDENTITY);
        }

        /** The first value of a constant input (an int64 or float scalar or 1-element vector). */
        private double scalarOrFirst(OnnxModel.Node n, int input) throws OnnxFormatException {
            OnnxModel.Tensor t = input < n.inputs().size() ? constants.get(n.inputs().get(input)) : null;
            if (t == null || t.count() != 1) {
                throw refuse(n, "has no one-element constant as input " + input);
            }
            return t.values()[0];
        }

        /** A residual block: nodes up to the last reader of {@code current}, an Add of it and the inner chain. */
        private Layer residual(List<Integer> uses, int depth) throws OnnxFormatException {
            String start = current;
            int end = uses.get(uses.size() - 1);
            OnnxModel.Node add = nodes.get(end);
            if (!add.opType().equals("Add") || add.inputs().size() != 2 || end <= pos) {
                throw refuse(nodes.get(pos), "reads '" + start + "', which is also read by " + add.describe()
                        + "; only a residual block (an Add of the block's input) may read a value twice");
            }
            List<Layer> inner = chain(start, end, depth + 1);
            String other = add.inputs().get(0).equals(start) ? add.inputs().get(1) : add.inputs().get(0);
            if (!other.equals(current) || !add.inputs().contains(start) || inner.isEmpty()) {
                throw refuse(add, "does not add the block's input '" + start + "' to the end of its inner layers");
            }
            current = add.outputs().get(0);
            pos = end + 1;
            return Residual.of(inner, Activation.IDENTITY);
        }

        private void attach(List<Layer> layers, OnnxModel.Node node, Activation a) throws OnnxFormatException {
            if (layers.isEmpty() || !layers.get(layers.size() - 1).activation().equals(Activation.IDENTITY)) {
                throw refuse(node, "computes the activation " + a.name() + " with no layer before it that has none");
            }
            Layer last = layers.get(layers.size() - 1);
            layers.set(layers.size() - 1, last.withActivation(a));
        }

        private Layer gemm(OnnxModel.Node node) throws OnnxFormatException {
            if (node.inputs().size() < 2 || node.inputs().size() > 3) {
                throw refuse(node, "has " + node.inputs().size() + " inputs");
            }
            if (intAttr(node, "transA", 0) != 0 || floatAttr(node, "alpha", 1) != 1 || floatAttr(node, "beta", 1) != 1) {
                throw refuse(node, "has transA, alpha or beta other than 0, 1, 1");
            }
            boolean transB = intAttr(node, "transB", 0) != 0;
            OnnxModel.Tensor w = constant(node, 1);
            requireRank(node, w, 2);
            double[][] weights = transB ? rows(w) : transposed(w);
            double[] bias = new double[weights.length];
            if (node.inputs().size() == 3 && !node.inputs().get(2).isEmpty()) {
                bias = vector(node, constant(node, 2), weights.length);
            }
            current = node.outputs().get(0);
            pos++;
            return Layer.of(weights, bias, Activation.IDENTITY, precision);
        }

        private Layer matMul(OnnxModel.Node node) throws OnnxFormatException {
            OnnxModel.Tensor w = constant(node, 1);
            requireRank(node, w, 2);
            double[][] weights = transposed(w);
            double[] bias = new double[weights.length];
            current = node.outputs().get(0);
            pos++;
            List<Integer> uses = consumers.getOrDefault(current, List.of());
            if (pos < nodes.size() && uses.size() == 1 && uses.get(0) == pos && nodes.get(pos).opType().equals("Add")) {
                OnnxModel.Node add = nodes.get(pos);
                String other = add.inputs().get(0).equals(current) ? add.inputs().get(1) : add.inputs().get(0);
                if (constants.containsKey(other)) {
                    bias = vector(add, constants.get(other), weights.length);
                    current = add.outputs().get(0);
                    pos++;
                }
            }
            return Layer.of(weights, bias, Activation.IDENTITY, precision);
        }

        private Layer layerNorm(OnnxModel.Node node) throws OnnxFormatException {
            long axis = intAttr(node, "axis", -1);
            if (axis != -1 && axis != 1) {
                throw refuse(node, "normalizes from axis " + axis + "; import reads the last axis only (axis −1)");
            }
            OnnxModel.Tensor gamma = constant(node, 1);
            int f = (int) gamma.count();
            double[] beta = node.inputs().size() > 2 && !node.inputs().get(2).isEmpty()
                    ? vector(node, constant(node, 2), f) : new double[f];
            current = node.outputs().get(0);
            pos++;
            return LayerNorm.of(row(vector(node, gamma, f)), row(beta), floatValue(floatAttr(node, "epsilon", 1e-5f)),
                    Activation.IDENTITY);
        }

        private Layer batchNorm(OnnxModel.Node node) throws OnnxFormatException {
            if (node.inputs().size() != 5 || intAttr(node, "training_mode", 0) != 0 || node.outputs().size() != 1) {
                throw refuse(node, "is not in inference form (five inputs, one output, training_mode 0)");
            }
            int f = (int) constant(node, 1).count();
            double[] gamma = vector(node, constant(node, 1), f);
            double[] beta = vector(node, constant(node, 2), f);
            double[] mean = vector(node, constant(node, 3), f);
            double[] var = vector(node, constant(node, 4), f);
            double momentum = node.attributes().containsKey("momentum")
                    ? floatValue(1 - floatAttr(node, "momentum", 0.9f)) : BatchNorm.DEFAULT_MOMENTUM;
            current = node.outputs().get(0);
            pos++;
            return BatchNorm.of(row(gamma), row(beta), row(mean), row(var), 0,
                    floatValue(floatAttr(node, "epsilon", 1e-5f)), momentum, Activation.IDENTITY);
        }

        /** ReduceMean, Sub, Mul|Pow, ReduceMean, Add ε, Sqrt, Div, [Mul γ], [Add β]. */
        private Layer decomposedLayerNorm(OnnxModel.Node first) throws OnnxFormatException {
            String x = current;
            OnnxModel.Node mean = expect(first, "ReduceMean", x);
            requireLastAxis(mean);
            String m = mean.outputs().get(0);
            OnnxModel.Node sub = expect(first, "Sub", x);
            if (!sub.inputs().equals(List.of(x, m))) {
                throw refuse(sub, "does not compute x − mean in a layer normalization");
            }
            String d = sub.outputs().get(0);
            OnnxModel.Node sq = expect(first, null, d);
            boolean square = sq.opType().equals("Mul") && sq.inputs().equals(List.of(d, d))
                    || sq.opType().equals("Pow") && sq.inputs().get(0).equals(d) && scalar(sq, 1) == 2;
            if (!square) {
                throw refuse(sq, "does not square x − mean in a layer normalization");
            }
            OnnxModel.Node var = expect(first, "ReduceMean", sq.outputs().get(0));
            requireLastAxis(var);
            OnnxModel.Node addEps = expect(first, "Add", var.outputs().get(0));
            double eps = scalar(addEps, addEps.inputs().get(0).equals(var.outputs().get(0)) ? 1 : 0);
            OnnxModel.Node sqrt = expect(first, "Sqrt", addEps.outputs().get(0));
            OnnxModel.Node div = expect(first, "Div", d);
            if (!div.inputs().equals(List.of(d, sqrt.outputs().get(0)))) {
                throw refuse(div, "does not divide x − mean by the standard deviation");
            }
            current = div.outputs().get(0);
            double[] gamma = null;
            double[] beta = null;
            int f = -1;
            if (pos < nodes.size() && nodes.get(pos).opType().equals("Mul") && singleUse(current)) {
                OnnxModel.Node mul = nodes.get(pos);
                OnnxModel.Tensor g = otherConstant(mul);
                if (g != null) {
                    f = (int) g.count();
                    gamma = vector(mul, g, f);
                    current = mul.outputs().get(0);
                    pos++;
                }
            }
            if (pos < nodes.size() && nodes.get(pos).opType().equals("Add") && singleUse(current)) {
                OnnxModel.Node add = nodes.get(pos);
                OnnxModel.Tensor b = otherConstant(add);
                if (b != null && (f < 0 || b.count() == f)) {
                    f = (int) b.count();
                    beta = vector(add, b, f);
                    current = add.outputs().get(0);
                    pos++;
                }
            }
            if (f < 0) {
                throw refuse(first, "starts a layer normalization without a constant scale or shift, whose width "
                        + "import cannot tell");
            }
            if (gamma == null) {
                gamma = new double[f];
                java.util.Arrays.fill(gamma, 1);
            }
            if (beta == null) {
                beta = new double[f];
            }
            double epsilon = precision == Precision.FLOAT32 ? floatValue((float) eps) : eps;
            return LayerNorm.of(row(gamma), row(beta), epsilon, Activation.IDENTITY);
        }

        /** OnnxExport's float64 batch normalization: Sub mean, Div std, Mul γ, Add β, all constant vectors. */
        private Layer decomposedBatchNorm(OnnxModel.Node sub) throws OnnxFormatException {
            String[] ops = {"Sub", "Div", "Mul", "Add"};
            double[][] v = new double[4][];
            int f = -1;
            for (int k = 0; k < 4; k++) {
                if (pos >= nodes.size()) {
                    throw refuse(sub, "starts a batch normalization (Sub, Div, Mul, Add) that the graph does not finish");
                }
                OnnxModel.Node n = nodes.get(pos);
                if (!n.opType().equals(ops[k]) || !n.inputs().get(0).equals(current) || n.inputs().size() != 2
                        || !constants.containsKey(n.inputs().get(1)) || (k > 0 && !singleUse(current))) {
                    throw refuse(n, "is not step " + (k + 1) + " (" + ops[k] + " of a constant) of a batch "
                            + "normalization's inference form Sub mean, Div std, Mul γ, Add β");
                }
                OnnxModel.Tensor t = constants.get(n.inputs().get(1));
                if (f < 0) {
                    f = (int) t.count();
                }
                v[k] = vector(n, t, f);
                current = n.outputs().get(0);
                pos++;
            }
            double eps = BatchNorm.DEFAULT_EPSILON;
            double[] var = new double[f];
            for (int j = 0; j < f; j++) {
                var[j] = Math.max(0, v[1][j] * v[1][j] - eps);
            }
            return BatchNorm.of(row(v[2]), row(v[3]), row(v[0]), row(var), 0, eps, BatchNorm.DEFAULT_MOMENTUM,
                    Activation.IDENTITY);
        }

        /** Whether the node is a Sub of a constant with more than one element (the start of a batch norm). */
        private boolean isVectorAffine(OnnxModel.Node node) {
            if (!node.opType().equals("Sub") || node.inputs().size() != 2 || !node.inputs().get(0).equals(current)) {
                return false;
            }
            OnnxModel.Tensor t = constants.get(node.inputs().get(1));
            return t != null && t.count() > 1;
        }

        /**
         * The ends of the closed runs of element-wise nodes that start at {@code start}, shortest first: runs whose
         * values other than the last are read only inside the run.
         */
        private List<Integer> regionEnds(int start) {
            List<Integer> ends = new ArrayList<>();
            Set<String> values = new HashSet<>();
            values.add(current);
            for (int k = start; k < nodes.size() && k < start + MAX_REGION; k++) {
                OnnxModel.Node n = nodes.get(k);
                if (!ELEMENTWISE.contains(n.opType())) {
                    return ends;
                }
                for (String in : n.inputs()) {
                    if (!values.contains(in) && !constants.containsKey(in)) {
                        return ends;
                    }
                    if (constants.containsKey(in) && constants.get(in).count() != 1) {
                        return ends;
                    }
                }
                String out = n.outputs().get(0);
                values.add(out);
                boolean closed = true;
                for (String v : values) {
                    if (v.equals(out)) {
                        continue;
                    }
                    if (v.equals(output)) {
                        closed = false;
                    }
                    List<Integer> uses = consumers.getOrDefault(v, List.of());
                    if (uses.size() > MAX_REGION) {
                        return ends; //                                    read more often than a run can hold
                    }
                    for (int use : uses) {
                        if (use < start || use > k) {
                            closed = false;
                        }
                    }
                }
                if (closed) {
                    ends.add(k);
                }
            }
            return ends;
        }

        /** The activation found by {@link #activationRegion}. */
        private Activation found;

        /** The end of the longest closed run that computes a built-in activation; sets {@link #found}. */
        private int activationRegion(OnnxModel.Node first, int start, List<Integer> ends) throws OnnxFormatException {
            for (int k = ends.size() - 1; k >= 0; k--) {
                found = activation(start, ends.get(k));
                if (found != null) {
                    return ends.get(k);
                }
            }
            int end = ends.get(ends.size() - 1);
            throw refuse(first, "starts a run of " + (end - start + 1) + " element-wise nodes (to "
                    + nodes.get(end).describe() + ") that computes none of the built-in activations (identity, relu, "
                    + "sigmoid, tanh, softplus, silu, gelu_tanh, leaky_relu, elu)");
        }

        /** The built-in activation that nodes {@code [start, end]} compute, found by evaluating them, or null. */
        private Activation activation(int start, int end) throws OnnxFormatException {
            double[] t = new double[61];
            for (int k = 0; k < 56; k++) {
                t[k] = -7 + k * 0.25 + 0.013;
            }
            t[56] = 21;
            t[57] = 25;
            t[58] = 30;
            t[59] = -0.5;
            t[60] = -1;
            double[] y = evaluate(start, end, t);
            List<Activation> candidates = new ArrayList<>(List.of(Activation.IDENTITY, Activation.RELU,
                    Activation.SIGMOID, Activation.TANH, Activation.SOFTPLUS, Activation.SILU, Activation.GELU));
            double slope = y[60] / -1;
            double alpha = y[60] / Math.expm1(-1);
            if (precision == Precision.FLOAT32) {
                slope = floatValue((float) slope);
                alpha = floatValue((float) alpha);
            }
            if (Double.isFinite(slope) && slope >= 0) {
                candidates.add(Activation.leakyRelu(slope));
            }
            if (Double.isFinite(alpha) && alpha > 0) {
                candidates.add(Activation.elu(alpha));
            }
            Matrix z = Matrix.rowVector(Precision.FLOAT64, t, "z");
            Matrix a = Matrix.zeros(Precision.FLOAT64, 1, t.length);
            double rel = precision == Precision.FLOAT32 ? 1e-5 : 1e-12;
            double abs = precision == Precision.FLOAT32 ? 1e-6 : 1e-14;
            for (Activation c : candidates) {
                c.forward(z, a);
                boolean same = true;
                for (int k = 0; k < t.length && same; k++) {
                    double expected = a.get(0, k);
                    same = Math.abs(y[k] - expected) <= rel * Math.abs(expected) + abs;
                }
                if (same) {
                    return c;
                }
            }
            return null;
        }

        /** Evaluates nodes {@code [start, end]} element-wise on the sample points. */
        private double[] evaluate(int start, int end, double[] t) throws OnnxFormatException {
            Map<String, double[]> env = new HashMap<>();
            env.put(current, t);
            double[] last = t;
            for (int k = start; k <= end; k++) {
                OnnxModel.Node n = nodes.get(k);
                double[][] in = new double[n.inputs().size()][];
                for (int i = 0; i < in.length; i++) {
                    String name = n.inputs().get(i);
                    in[i] = env.containsKey(name) ? env.get(name) : new double[] {constants.get(name).values()[0]};
                }
                int arity = switch (n.opType()) {
                    case "Add", "Sub", "Mul", "Div", "Pow", "Greater" -> 2;
                    case "Where" -> 3;
                    default -> 1;
                };
                if (in.length != arity) {
                    throw refuse(n, "has " + in.length + " inputs, not " + arity);
                }
                double[] out = new double[t.length];
                double alpha = floatValue(n.opType().equals("LeakyRelu") ? floatAttr(n, "alpha", 0.01f)
                        : floatAttr(n, "alpha", 1f)); //  a float attribute stands for its shortest decimal
                for (int j = 0; j < t.length; j++) {
                    double a = in[0][in[0].length == 1 ? 0 : j];
                    double b = arity > 1 ? in[1][in[1].length == 1 ? 0 : j] : 0;
                    double c = arity > 2 ? in[2][in[2].length == 1 ? 0 : j] : 0;
                    out[j] = switch (n.opType()) {
                        case "Relu" -> Math.max(a, 0);
                        case "Sigmoid" -> 1 / (1 + Math.exp(-a));
                        case "Tanh" -> Math.tanh(a);
                        case "LeakyRelu" -> a > 0 ? a : alpha * a;
                        case "Elu" -> a > 0 ? a : alpha * Math.expm1(a);
                        case "Softplus" -> a > 20 ? a : Math.log1p(Math.exp(a)); //     PyTorch's threshold
                        case "Exp" -> Math.exp(a);
                        case "Log" -> Math.log(a);
                        case "Neg" -> -a;
                        case "Sqrt" -> Math.sqrt(a);
                        case "Add" -> a + b;
                        case "Sub" -> a - b;
                        case "Mul" -> a * b;
                        case "Div" -> a / b;
                        case "Pow" -> Math.pow(a, b);
                        case "Greater" -> a > b ? 1 : 0;
                        case "Where" -> a != 0 ? b : c;
                        default -> throw refuse(n, "is not element-wise");
                    };
                }
                env.put(n.outputs().get(0), out);
                last = out;
            }
            return last;
        }

        private boolean singleUse(String value) {
            return consumers.getOrDefault(value, List.of()).size() == 1 && !value.equals(output);
        }

        private OnnxModel.Tensor otherConstant(OnnxModel.Node n) {
            if (n.inputs().size() != 2) {
                return null;
            }
            String other = n.inputs().get(0).equals(current) ? n.inputs().get(1) : n.inputs().get(0);
            return constants.get(other);
        }

        /** The next node, which must have the op type (if given) and read {@code in}. */
        private OnnxModel.Node expect(OnnxModel.Node first, String op, String in) throws OnnxFormatException {
            if (pos >= nodes.size()) {
                throw refuse(first, "starts a layer normalization that the graph does not finish");
            }
            OnnxModel.Node n = nodes.get(pos);
            if (op != null && !n.opType().equals(op) || !n.inputs().contains(in)) {
                throw refuse(n, "is not the expected step " + (op == null ? "(Mul or Pow)" : op) + " of the layer "
                        + "normalization that " + first.describe() + " starts (ReduceMean, Sub, Mul|Pow, ReduceMean, "
                        + "Add, Sqrt, Div, Mul, Add)");
            }
            pos++;
            return n;
        }

        private void requireLastAxis(OnnxModel.Node n) throws OnnxFormatException {
            OnnxModel.Attribute axes = n.attributes().get("axes");
            if (axes == null || axes.ints().size() != 1 || (axes.ints().get(0) != -1 && axes.ints().get(0) != 1)
                    || n.inputs().size() != 1) {
                throw refuse(n, "does not reduce over the last axis alone (axes=[−1])");
            }
        }

        private double scalar(OnnxModel.Node n, int input) throws OnnxFormatException {
            OnnxModel.Tensor t = input < n.inputs().size() ? constants.get(n.inputs().get(input)) : null;
            if (t == null || !t.isScalar()) {
                throw refuse(n, "has no scalar constant as input " + input);
            }
            return t.values()[0];
        }

        private OnnxModel.Tensor constant(OnnxModel.Node n, int input) throws OnnxFormatException {
            OnnxModel.Tensor t = input < n.inputs().size() ? constants.get(n.inputs().get(input)) : null;
            if (t == null) {
                throw refuse(n, "has no constant (initializer) as input " + input
                        + (input < n.inputs().size() ? " ('" + n.inputs().get(input) + "')" : ""));
            }
            if (t.dataType() != (precision == Precision.FLOAT64 ? GraphBuilder.DOUBLE : GraphBuilder.FLOAT)) {
                throw refuse(n, "has the constant '" + t.name() + "' of data type " + t.dataType()
                        + ", not the graph's " + (precision == Precision.FLOAT64 ? "double (11)" : "float (1)"));
            }
            return t;
        }

        private void requireRank(OnnxModel.Node n, OnnxModel.Tensor t, int rank) throws OnnxFormatException {
            if (t.dims().length != rank || t.count() == 0) {
                throw refuse(n, "has the weight '" + t.name() + "' of dims " + java.util.Arrays.toString(t.dims())
                        + "; it must have rank " + rank + " and no empty axis");
            }
        }

        /** A vector of {@code n} values: dims [n] or [1, n]. */
        private double[] vector(OnnxModel.Node node, OnnxModel.Tensor t, int n) throws OnnxFormatException {
            long[] d = t.dims();
            boolean ok = t.count() == n && n > 0
                    && (d.length == 1 || d.length == 2 && d[0] == 1);
            if (!ok) {
                throw refuse(node, "has the constant '" + t.name() + "' of dims " + java.util.Arrays.toString(d)
                        + "; expected [" + n + "] or [1, " + n + "]");
            }
            return t.values().clone();
        }

        private double[][] rows(OnnxModel.Tensor t) {
            int r = (int) t.dims()[0];
            int c = (int) t.dims()[1];
            double[][] m = new double[r][c];
            for (int i = 0; i < r; i++) {
                System.arraycopy(t.values(), i * c, m[i], 0, c);
            }
            return m;
        }

        private double[][] transposed(OnnxModel.Tensor t) {
            int r = (int) t.dims()[0];
            int c = (int) t.dims()[1];
            double[][] m = new double[c][r];
            for (int i = 0; i < r; i++) {
                for (int j = 0; j < c; j++) {
                    m[j][i] = t.values()[i * c + j];
                }
            }
            return m;
        }

        private Matrix row(double[] values) {
            return Matrix.rowVector(precision, values, "values");
        }

        private long intAttr(OnnxModel.Node n, String name, long fallback) {
            OnnxModel.Attribute a = n.attributes().get(name);
            return a == null || a.i() == null ? fallback : a.i();
        }

        private float floatAttr(OnnxModel.Node n, String name, float fallback) {
            OnnxModel.Attribute a = n.attributes().get(name);
            return a == null || a.f() == null ? fallback : a.f();
        }

        private static OnnxFormatException refuse(OnnxModel.Node node, String what) {
            return new OnnxFormatException(node.describe() + " " + what + "; import supports " + SUPPORTED);
        }
    }

    /** The shortest decimal that rounds to the float, as a double: (float) 0.01 reads back as 0.01. */
    static double floatValue(float value) {
        return Double.parseDouble(Float.toString(value));
    }
}
