package io.github.backprop4j.onnx;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerNorm;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.data.FeatureScaler;
import io.github.backprop4j.data.MinMaxScaler;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.internal.JsonText;
import io.github.backprop4j.io.AtomicFiles;
import io.github.backprop4j.io.ModelBundle;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Exports a {@link Network} as an ONNX model (opset 17, IR version 8), written by a small protocol buffers
 * encoder of its own, so that ONNX Runtime and other ONNX consumers can run it without backprop4j.
 *
 * <p>The model has one input {@code "input"}, {@code [batch × inputSize]}, and one output {@code "output"},
 * {@code [batch × outputSize]}, both of the network's precision (ONNX {@code float} or {@code double}) with a
 * symbolic batch dimension {@code "batch"}. It computes what {@link Network#predict(Matrix)} computes:
 * <ul>
 *   <li>a dense layer is {@code Gemm(x, W, b, transB=1)} with its weights {@code [out × in]} as stored;</li>
 *   <li>a layer normalization is {@code LayerNormalization(axis=−1)} in float32 and its formula
 *       ({@code ReduceMean}, {@code Sub}, {@code Mul}, {@code Sqrt}, {@code Div}, {@code Add}) in float64;</li>
 *   <li>a batch normalization is its inference form with the running statistics:
 *       {@code BatchNormalization} in float32, {@code (x − mean)/√(var + ε)·γ + β} in float64;</li>
 *   <li>an embedding layer reads its category index columns with {@code Gather} and {@code Cast}, looks up
 *       each table with {@code Gather} and joins the numeric columns ({@code Slice}) and the rows with
 *       {@code Concat};</li>
 *   <li>a residual block is its inner layers, then {@code Add} of the block's input;</li>
 *   <li>every built-in activation is its ONNX operator or formula: {@code Relu}, {@code Sigmoid}, {@code Tanh},
 *       {@code LeakyRelu(alpha=slope)}, {@code Elu(alpha)}, {@code Softplus} (float32), SiLU as
 *       {@code x·Sigmoid(x)} (float32), the tanh form of GELU as its formula, {@code Softmax(axis=−1)};
 *       identity adds no node.</li>
 * </ul>
 * A float64 export writes the formulas that have double kernels in ONNX Runtime instead of the operators that
 * have none there: leaky ReLU and ELU as {@code Where(x > 0, …)}, softplus as
 * {@code Where(x > 20, x, Log(1 + Exp(x)))} and SiLU as {@code x / (1 + Exp(−x))}; and it keeps each
 * normalization's ε in double, where an ONNX {@code epsilon} attribute is a float. {@code docs/onnx.md}
 * lists the mapping and the limits. User-defined activations are refused.
 *
 * <p><b>Bundles.</b> A {@link ModelBundle} exports as its network preceded by its scaler, so that the model
 * takes raw feature rows, as {@link ModelBundle#outputs(double...)} does: a {@link Standardizer} becomes
 * {@code Div(Sub(x, mean), std)} (a zero deviation divides by 1), a {@link MinMaxScaler}
 * {@code Add(lower, Div(Mul(Sub(x, min), upper − lower), range))} (a zero range counts as 1; the {@code Mul}
 * is left out when {@code upper − lower = 1} and the {@code Add} when {@code lower = 0}), each constant a
 * {@code [inputSize]} vector in the network's precision whose entries for the category index columns are 0 for
 * {@code Sub}/{@code Add} and 1 for {@code Mul}/{@code Div}, so that those columns pass through unchanged. The
 * bundle's names go into the model's {@code metadata_props} (ModelProto field 14): {@code class_names} and
 * {@code feature_names} as JSON arrays of strings, {@code categories} as
 * {@link io.github.backprop4j.data.Categories#toJson()}, and {@code scaler} ({@code "standardizer"} or
 * {@code "min_max"}), each only when the bundle has it ({@link #METADATA_CLASS_NAMES} and the like).
 *
 * <p>Stateless and thread-safe.
 */
public final class OnnxExport {

    /** The ONNX IR version written, the newest that Debian's {@code python3-onnx} 1.12 checks. */
    public static final long IR_VERSION = 8;
    /** The version of the default ONNX operator set the model imports. */
    public static final long OPSET = 17;
    /** The name of the graph's input. */
    public static final String INPUT = "input";
    /** The name of the graph's output. */
    public static final String OUTPUT = "output";

    /** The {@code metadata_props} key of a bundle's class names, a JSON array of strings. */
    public static final String METADATA_CLASS_NAMES = "class_names";
    /** The {@code metadata_props} key of a bundle's numeric feature names, a JSON array of strings. */
    public static final String METADATA_FEATURE_NAMES = "feature_names";
    /** The {@code metadata_props} key of a bundle's category mappings, as {@code Categories.toJson()} writes them. */
    public static final String METADATA_CATEGORIES = "categories";
    /** The {@code metadata_props} key of a bundle's scaler kind, {@code "standardizer"} or {@code "min_max"}. */
    public static final String METADATA_SCALER = "scaler";

    /** The input above which PyTorch's (and the library's) softplus returns its input. */
    private static final double SOFTPLUS_THRESHOLD = 20;
    /** √(2/π), the constant of the tanh approximation of GELU. */
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    /** The cubic coefficient of the tanh approximation of GELU. */
    private static final double GELU_CUBIC = 0.044715;

    private static final String SUPPORTED_ACTIVATIONS = "identity, sigmoid, tanh, relu, leaky_relu, elu, softplus, "
            + "silu, gelu_tanh, softmax";

    private OnnxExport() {
    }

    /**
     * Writes the network as an ONNX model file, replacing the file if it exists: the model goes to a temporary
     * file beside it that is then moved over the target, so a failed write leaves no half-written model.
     *
     * @param network the network to export
     * @param path the file to write
     * @throws IllegalArgumentException naming the layer, its kind and what is supported, if the network holds
     *     something ONNX export does not support (a user-defined activation)
     * @throws IOException if the file cannot be written
     */
    public static void save(Network network, Path path) throws IOException {
        Checks.notNull(path, "path");
        saveBytes(toBytes(network), path);
    }

    /**
     * Writes the bundle as an ONNX model file that takes raw feature rows (the scaler leads the graph; the names
     * are metadata), replacing the file if it exists, through a temporary file as {@link #save(Network, Path)}.
     *
     * @param bundle the bundle to export
     * @param path the file to write
     * @throws IllegalArgumentException naming the layer, its kind and what is supported, if the network holds
     *     something ONNX export does not support (a user-defined activation)
     * @throws IOException if the file cannot be written
     */
    public static void save(ModelBundle bundle, Path path) throws IOException {
        Checks.notNull(path, "path");
        saveBytes(toBytes(bundle), path);
    }

    /**
     * Writes the bundle as an ONNX model that takes raw feature rows to a stream, which is left open.
     *
     * @param bundle the bundle to export
     * @param out where to write the model
     * @throws IllegalArgumentException naming the layer, its kind and what is supported, if the network holds
     *     something ONNX export does not support (a user-defined activation)
     * @throws IOException if the stream cannot be written
     */
    public static void write(ModelBundle bundle, OutputStream out) throws IOException {
        Checks.notNull(out, "out");
        out.write(toBytes(bundle));
    }

    /**
     * Encodes the bundle as an ONNX model ({@code ModelProto}) that computes
     * {@link ModelBundle#outputs(double...)} for raw rows: the scaler as leading {@code Sub}/{@code Div} (and,
     * for a min-max target range other than {@code [0, 1]}, {@code Mul}/{@code Add}) on the numeric columns,
     * then the network; class names, feature names, category mappings and the scaler kind as
     * {@code metadata_props}. See the class description.
     *
     * @param bundle the bundle to export
     * @return the bytes of the model
     * @throws IllegalArgumentException naming the layer, its kind and what is supported, if the network holds
     *     something ONNX export does not support (a user-defined activation), or if the bundle has a temperature
     *     other than 1
     */
    public static byte[] toBytes(ModelBundle bundle) {
        Checks.notNull(bundle, "bundle");
        if (bundle.temperature().temperature() != 1) { // the graph would compute other probabilities than the bundle
            throw new IllegalArgumentException("bundle: its temperature " + bundle.temperature().temperature()
                    + " is not exported to ONNX; export bundle.withTemperature(new TemperatureScaling(1)) for the"
                    + " uncalibrated model");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        if (!bundle.classNames().isEmpty()) {
            metadata.put(METADATA_CLASS_NAMES, JsonText.stringArray(bundle.classNames()));
        }
        if (!bundle.featureNames().isEmpty()) {
            metadata.put(METADATA_FEATURE_NAMES, JsonText.stringArray(bundle.featureNames()));
        }
        if (!bundle.categories().isEmpty()) {
            metadata.put(METADATA_CATEGORIES, bundle.categories().toJson());
        }
        if (bundle.scaler() != null) {
            metadata.put(METADATA_SCALER, bundle.scaler() instanceof Standardizer ? "standardizer" : "min_max");
        }
        return encode(bundle.network(), bundle.scaler(), metadata);
    }

    private static void saveBytes(byte[] bytes, Path path) throws IOException {
        AtomicFiles.write(path, out -> out.write(bytes)); // synced, then moved over the target in one step
    }

    /**
     * Writes the network as an ONNX model to a stream, which is left open.
     *
     * @param network the network to export
     * @param out where to write the model
     * @throws IllegalArgumentException naming the layer, its kind and what is supported, if the network holds
     *     something ONNX export does not support (a user-defined activation)
     * @throws IOException if the stream cannot be written
     */
    public static void write(Network network, OutputStream out) throws IOException {
        Checks.notNull(out, "out");
        out.write(toBytes(network));
    }

    /**
     * Encodes the network as an ONNX model ({@code ModelProto}).
     *
     * @param network the network to export
     * @return the bytes of the model
     * @throws IllegalArgumentException naming the layer, its kind and what is supported, if the network holds
     *     something ONNX export does not support (a user-defined activation)
     */
    public static byte[] toBytes(Network network) {
        Checks.notNull(network, "network");
        return encode(network, null, Map.of());
    }

    /** The model of the network, preceded by the scaler if there is one, with the given metadata. */
    private static byte[] encode(Network network, FeatureScaler scaler, Map<String, String> metadata) {
        boolean isDouble = network.precision() == Precision.FLOAT64;
        GraphBuilder g = new GraphBuilder(isDouble ? GraphBuilder.DOUBLE : GraphBuilder.FLOAT);
        String x = scaler == null ? INPUT : scaler(g, scaler, network.inputSize(), INPUT);
        for (int l = 1; l <= network.layerCount(); l++) {
            x = layer(g, network.layer(l), "layer" + l, "layer " + l, x);
        }
        String version = OnnxExport.class.getPackage().getImplementationVersion();
        return g.model(IR_VERSION, OPSET, version == null ? "dev" : version,
                "exported by backprop4j: " + network.layerCount() + " layers, " + network.precision(),
                INPUT, network.inputSize(), x, OUTPUT, network.outputSize(), metadata);
    }

    /**
     * The scaler on the numeric columns {@code 0..featureCount−1} of an {@code [batch × width]} input; the
     * constants' entries for the other (category index) columns leave those columns as they are.
     */
    private static String scaler(GraphBuilder g, FeatureScaler scaler, int width, String x) {
        String prefix = "scaler";
        int numeric = scaler.featureCount();
        if (scaler instanceof Standardizer s) { //                           (x − μ)/σ, σ = 0 counting as 1
            double[] mean = padded(s.means(), width, 0);
            double[] std = padded(s.standardDeviations(), width, 1);
            for (int j = 0; j < numeric; j++) {
                std[j] = std[j] == 0 ? 1 : std[j];
            }
            String centred = g.node("Sub", prefix, x, g.initializer(prefix + ".mean", mean, width));
            return g.node("Div", prefix, centred, g.initializer(prefix + ".std", std, width));
        }
        if (scaler instanceof MinMaxScaler m) { //  lower + (x − min)·(upper − lower)/range, range 0 counting as 1
            double[] min = padded(m.minimums(), width, 0);
            double[] max = m.maximums();
            double[] range = padded(new double[0], width, 1);
            for (int j = 0; j < numeric; j++) {
                double r = max[j] - min[j];
                range[j] = r == 0 ? 1 : r;
            }
            double factor = m.upper() - m.lower();
            String v = g.node("Sub", prefix, x, g.initializer(prefix + ".min", min, width));
            if (factor != 1) {
                double[] factors = padded(filled(numeric, factor), width, 1);
                v = g.node("Mul", prefix, v, g.initializer(prefix + ".factor", factors, width));
            }
            v = g.node("Div", prefix, v, g.initializer(prefix + ".range", range, width));
            if (m.lower() != 0) {
                double[] lower = padded(filled(numeric, m.lower()), width, 0);
                v = g.node("Add", prefix, g.initializer(prefix + ".lower", lower, width), v);
            }
            return v;
        }
        throw new IllegalArgumentException("scaler: a " + scaler.getClass().getName() + " cannot be exported; only a"
                + " Standardizer or a MinMaxScaler can");
    }

    /** The values followed by {@code pad} up to {@code width} entries. */
    private static double[] padded(double[] values, int width, double pad) {
        double[] out = new double[width];
        Arrays.fill(out, pad);
        System.arraycopy(values, 0, out, 0, values.length);
        return out;
    }

    private static double[] filled(int n, double value) {
        double[] out = new double[n];
        Arrays.fill(out, value);
        return out;
    }

    /** Adds one layer and its activation; {@code where} names it in messages ("layer 3", "layer 3, inner 1"). */
    private static String layer(GraphBuilder g, Layer layer, String prefix, String where, String x) {
        String z;
        if (layer instanceof DenseLayer dense) {
            z = dense(g, dense, prefix, x);
        } else if (layer instanceof LayerNorm norm) {
            z = layerNorm(g, norm, prefix, x);
        } else if (layer instanceof BatchNorm norm) {
            z = batchNorm(g, norm, prefix, x);
        } else if (layer instanceof Embedding embedding) {
            z = embedding(g, embedding, prefix, x);
        } else if (layer instanceof Residual residual) {
            String u = x;
            List<Layer> inner = residual.inner();
            for (int j = 0; j < inner.size(); j++) {
                u = layer(g, inner.get(j), prefix + ".f." + j, where + ", inner layer " + j, u);
            }
            z = g.node("Add", prefix, x, u); //                          z = x + f(x)
        } else {
            throw new IllegalArgumentException(where + " is a " + layer.kind() + " layer, which ONNX export does not "
                    + "support; supported kinds: dense, layer_norm, batch_norm, embedding, residual");
        }
        return activation(g, layer, prefix, where, z);
    }

    /** {@code z = x·Wᵀ + b} as {@code Gemm(x, W, b, transB=1)}. */
    private static String dense(GraphBuilder g, DenseLayer dense, String prefix, String x) {
        Matrix w = dense.weightMatrix();
        String weight = g.initializer(prefix + ".weight", flatten(w), w.rows(), w.cols());
        String bias = g.initializer(prefix + ".bias", flatten(dense.biasVector()), dense.outputSize());
        return g.node("Gemm", prefix, List.of(x, weight, bias), GraphBuilder.Attribute.of("transB", 1L));
    }

    /** {@code z = γ ⊙ (x − μₙ)/√(σ²ₙ + ε) + β} with the statistics of each row (sample). */
    private static String layerNorm(GraphBuilder g, LayerNorm norm, String prefix, String x) {
        String gamma = g.initializer(prefix + ".weight", flatten(norm.parameters().get(0).value()), norm.outputSize());
        String beta = g.initializer(prefix + ".bias", flatten(norm.parameters().get(1).value()), norm.outputSize());
        if (!g.isDouble()) {
            return g.node("LayerNormalization", prefix, List.of(x, gamma, beta),
                    GraphBuilder.Attribute.of("axis", -1L), GraphBuilder.Attribute.of("epsilon", (float) norm.epsilon()));
        }
        String mean = g.node("ReduceMean", prefix, List.of(x), GraphBuilder.Attribute.ints("axes", -1)); // μₙ
        String d = g.node("Sub", prefix, x, mean); //                                                     x − μₙ
        String var = g.node("ReduceMean", prefix, List.of(g.node("Mul", prefix, d, d)),
                GraphBuilder.Attribute.ints("axes", -1)); //                                               σ²ₙ (biased)
        String std = g.node("Sqrt", prefix, g.node("Add", prefix, var, g.scalar(prefix, norm.epsilon())));
        String xhat = g.node("Div", prefix, d, std);
        return g.node("Add", prefix, g.node("Mul", prefix, xhat, gamma), beta);
    }

    /** {@code z = γ ⊙ (x − running_mean)/√(running_var + ε) + β}, the inference form. */
    private static String batchNorm(GraphBuilder g, BatchNorm norm, String prefix, String x) {
        int f = norm.outputSize();
        double[] gammaValues = flatten(norm.parameters().get(0).value());
        double[] betaValues = flatten(norm.parameters().get(1).value());
        double[] mean = flatten(norm.runningMean());
        double[] var = flatten(norm.runningVar());
        if (!g.isDouble()) {
            return g.node("BatchNormalization", prefix,
                    List.of(x, g.initializer(prefix + ".weight", gammaValues, f),
                            g.initializer(prefix + ".bias", betaValues, f),
                            g.initializer(prefix + ".running_mean", mean, f),
                            g.initializer(prefix + ".running_var", var, f)),
                    GraphBuilder.Attribute.of("epsilon", (float) norm.epsilon()));
        }
        double[] std = new double[f];
        for (int j = 0; j < f; j++) {
            std[j] = Math.sqrt(var[j] + norm.epsilon()); //                √(running_var + ε), in double
        }
        String centred = g.node("Sub", prefix, x, g.initializer(prefix + ".running_mean", mean, 1, f));
        String xhat = g.node("Div", prefix, centred, g.initializer(prefix + ".running_std", std, 1, f));
        String scaled = g.node("Mul", prefix, xhat, g.initializer(prefix + ".weight", gammaValues, 1, f));
        return g.node("Add", prefix, scaled, g.initializer(prefix + ".bias", betaValues, 1, f));
    }

    /** {@code z = [x_numeric, E₀[c₀], E₁[c₁], …]}: the index columns gathered, cast to int64, looked up. */
    private static String embedding(GraphBuilder g, Embedding embedding, String prefix, String x) {
        int numeric = embedding.numericColumns();
        List<String> parts = new ArrayList<>();
        if (numeric > 0) {
            parts.add(g.node("Slice", prefix, x, g.int64s(prefix, new long[] {0}, 1),
                    g.int64s(prefix, new long[] {numeric}, 1), g.int64s(prefix, new long[] {1}, 1)));
        }
        List<Matrix> tables = embedding.tables();
        for (int k = 0; k < tables.size(); k++) {
            Matrix table = tables.get(k);
            String weight = g.initializer(prefix + ".tables." + k + ".weight", flatten(table), table.rows(),
                    table.cols());
            String column = g.node("Gather", prefix, List.of(x, g.int64s(prefix, new long[] {numeric + k})),
                    GraphBuilder.Attribute.of("axis", 1L)); //               cₖ, [batch]
            String index = g.node("Cast", prefix, List.of(column),
                    GraphBuilder.Attribute.of("to", (long) GraphBuilder.INT64));
            parts.add(g.node("Gather", prefix, List.of(weight, index),
                    GraphBuilder.Attribute.of("axis", 0L))); //              Eₖ[cₖ], [batch × dimₖ]
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        return g.node("Concat", prefix, parts, GraphBuilder.Attribute.of("axis", 1L));
    }

    /** Adds the layer's activation {@code a = σ(z)}, or nothing for the identity. */
    private static String activation(GraphBuilder g, Layer layer, String prefix, String where, String z) {
        Activation a = layer.activation();
        boolean d = g.isDouble();
        if (a.equals(Activation.IDENTITY)) {
            return z;
        } else if (a.equals(Activation.RELU)) {
            return g.node("Relu", prefix, z);
        } else if (a.equals(Activation.SIGMOID)) {
            return g.node("Sigmoid", prefix, z);
        } else if (a.equals(Activation.TANH)) {
            return g.node("Tanh", prefix, z);
        } else if (a.equals(Activation.SOFTMAX)) {
            return g.node("Softmax", prefix, List.of(z), GraphBuilder.Attribute.of("axis", -1L));
        } else if (a.equals(Activation.SOFTPLUS)) {
            if (!d) {
                return g.node("Softplus", prefix, z);
            }
            String threshold = g.scalar(prefix, SOFTPLUS_THRESHOLD); // z > 20 ? z : log(1 + e^z)
            String soft = g.node("Log", prefix, g.node("Add", prefix, g.node("Exp", prefix, z), g.scalar(prefix, 1)));
            return g.node("Where", prefix, g.node("Greater", prefix, z, threshold), z, soft);
        } else if (a.equals(Activation.SILU)) {
            if (!d) {
                return g.node("Mul", prefix, z, g.node("Sigmoid", prefix, z)); // z·σ(z)
            }
            String expNeg = g.node("Exp", prefix, g.node("Neg", prefix, z)); //  z / (1 + e^−z)
            return g.node("Div", prefix, z, g.node("Add", prefix, g.scalar(prefix, 1), expNeg));
        } else if (a.equals(Activation.GELU)) {
            String cube = g.node("Mul", prefix, g.node("Mul", prefix, z, z), z); // z/2·(1 + tanh(√(2/π)(z + c·z³)))
            String inner = g.node("Add", prefix, z, g.node("Mul", prefix, cube, g.scalar(prefix, GELU_CUBIC)));
            String t = g.node("Tanh", prefix, g.node("Mul", prefix, inner, g.scalar(prefix, SQRT_2_OVER_PI)));
            String half = g.node("Mul", prefix, z, g.scalar(prefix, 0.5));
            return g.node("Mul", prefix, half, g.node("Add", prefix, t, g.scalar(prefix, 1)));
        } else if (a.name().equals("leaky_relu") && a.parameters().containsKey("slope")
                && a.equals(Activation.leakyRelu(a.parameters().get("slope")))) {
            double slope = a.parameters().get("slope");
            if (!d) {
                return g.node("LeakyRelu", prefix, List.of(z), GraphBuilder.Attribute.of("alpha", (float) slope));
            }
            String negative = g.node("Mul", prefix, z, g.scalar(prefix, slope)); // z > 0 ? z : slope·z
            return g.node("Where", prefix, g.node("Greater", prefix, z, g.scalar(prefix, 0)), z, negative);
        } else if (a.name().equals("elu") && a.parameters().containsKey("alpha")
                && a.equals(Activation.elu(a.parameters().get("alpha")))) {
            double alpha = a.parameters().get("alpha");
            if (!d) {
                return g.node("Elu", prefix, List.of(z), GraphBuilder.Attribute.of("alpha", (float) alpha));
            }
            String expm1 = g.node("Sub", prefix, g.node("Exp", prefix, z), g.scalar(prefix, 1)); // z > 0 ? z : α(e^z − 1)
            String negative = g.node("Mul", prefix, expm1, g.scalar(prefix, alpha));
            return g.node("Where", prefix, g.node("Greater", prefix, z, g.scalar(prefix, 0)), z, negative);
        }
        throw new IllegalArgumentException(where + " (" + layer.kind() + ") has the activation " + a.name() + ", which "
                + "ONNX export does not support; supported activations: " + SUPPORTED_ACTIVATIONS);
    }

    /** The values of a matrix in row-major order. */
    private static double[] flatten(Matrix m) {
        double[] values = new double[m.rows() * m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            System.arraycopy(m.row(r), 0, values, r * m.cols(), m.cols());
        }
        return values;
    }
}
