package io.github.backprop4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.Residual;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every export runs in ONNX Runtime (1.20, CPU, default graph optimisations, which fuse some patterns) and
 * agrees with {@link Network#predict(Matrix)} within {@code 1e-5·|y| + 1e-6} in float32 and
 * {@code 1e-12·|y| + 1e-15} in float64, for batches of 1 and 7 samples through the symbolic batch dimension.
 * Every model is also written to {@code target/onnx-check}, where {@code src/test/python/check_onnx.py} runs
 * the ONNX checker over it.
 */
class OnnxExportTest {

    /** Where the models are written for {@code check_onnx.py}. */
    static final Path CHECK_DIRECTORY = Path.of("target", "onnx-check");

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    static Stream<Arguments> activations() {
        List<Arguments> cases = new ArrayList<>();
        Activation[] all = {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU,
            Activation.LEAKY_RELU, Activation.leakyRelu(0.2), Activation.leakyRelu(1.7), Activation.ELU,
            Activation.elu(0.5), Activation.SOFTPLUS, Activation.SILU, Activation.GELU, Activation.SOFTMAX};
        for (Precision p : Precision.values()) {
            for (Activation a : all) {
                cases.add(Arguments.of(a, p));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("activations")
    void everyActivationAgreesWithPredict(Activation activation, Precision precision) throws Exception {
        Network network = Network.builder().input(5).dense(8, activation).dense(4, activation).seed(3)
                .precision(precision).build();
        // weights large enough that the inputs reach both sides of every kink and softplus's threshold
        network = randomized(network, 11, 4.0);
        check(network, "activation-" + activation.name() + "-" + activation.parameters().values() + "-" + precision,
                5);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void layerNormAgreesWithPredict(Precision precision) throws Exception {
        Network network = Network.builder().input(6).dense(9, Activation.TANH).layerNorm().layerNorm(Activation.RELU)
                .dense(3, Activation.SOFTMAX).seed(5).precision(precision).build();
        check(randomized(network, 12, 1.0), "layer-norm-" + precision, 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void batchNormInInferenceFormAgreesWithPredict(Precision precision) throws Exception {
        Network network = Network.builder().input(6).batchNorm().dense(9).batchNorm(Activation.ELU).dense(2)
                .seed(6).precision(precision).build();
        check(randomized(network, 13, 1.0), "batch-norm-" + precision, 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void embeddingsAgreeWithPredict(Precision precision) throws Exception {
        Network network = Network.builder().input(3).categorical(5, 2).categorical(7, 3).categorical(2, 1)
                .dense(6, Activation.RELU).dense(2).seed(7).precision(precision).build();
        check(randomized(network, 14, 1.0), "embedding-" + precision, 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void embeddingsWithoutNumericColumnsAgreeWithPredict(Precision precision) throws Exception {
        Embedding embedding = Embedding.of(0, new int[] {4, 3}, new int[] {3, 2}, precision, new SplittableRandom(8));
        Layer dense = Network.builder().input(embedding.outputSize()).dense(2, Activation.SIGMOID).seed(8)
                .precision(precision).build().layer(1);
        Network network = Network.of(embedding, dense);
        check(randomized(network, 15, 1.0), "embedding-only-" + precision, 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void residualBlocksAgreeWithPredict(Precision precision) throws Exception {
        Network network = Network.builder().input(4).dense(6, Activation.TANH)
                .residual(b -> b.dense(5, Activation.GELU).dense(6))
                .residual(Activation.SILU, b -> b.layerNorm().dense(6, Activation.RELU).batchNorm()
                        .residual(c -> c.dense(6, Activation.SOFTPLUS)))
                .dense(3).seed(9).precision(precision).build();
        check(randomized(network, 16, 1.0), "residual-" + precision, 1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void aNetworkOfEveryKindAgreesWithPredict(Precision precision) throws Exception {
        Network network = Network.builder().input(2).categorical(6, 3).dense(8, Activation.LEAKY_RELU)
                .layerNorm().residual(Activation.ELU, b -> b.dense(8, Activation.TANH).batchNorm().dense(8))
                .batchNorm(Activation.SILU).dense(4, Activation.SOFTMAX).seed(10).precision(precision).build();
        check(randomized(network, 17, 1.0), "every-kind-" + precision, 1);
    }

    /**
     * Near-constant rows and features: the variance is of the order of ε, where a float epsilon attribute
     * (ONNX's) would move a float64 result by far more than 1e-12; the float64 export keeps ε in double.
     */
    @Test
    void normalizationsWithVarianceNearEpsilonAgreeInFloat64() throws Exception {
        Network network = Network.builder().input(5).layerNorm().batchNorm().dense(2).seed(4)
                .precision(Precision.FLOAT64).build();
        network = randomized(network, 18, 1.0);
        BatchNorm norm = (BatchNorm) network.layer(2);
        Matrix tinyVar = Matrix.rowVector(Precision.FLOAT64, new double[] {1e-7, 3e-6, 1e-5, 2e-9, 0.5}, "var");
        network = network.withLayer(2, norm.withRunningStatistics(norm.runningMean(), tinyVar, 3));
        SplittableRandom random = new SplittableRandom(19);
        double[][] inputs = new double[7][5];
        for (double[] row : inputs) {
            for (int j = 0; j < row.length; j++) {
                row[j] = 0.25 + 1e-3 * random.nextGaussian(); // per-row variance ≈ 1e-6
            }
        }
        byte[] model = export(network, "near-epsilon-FLOAT64");
        assertAgrees(network, model, inputs);
    }

    @Test
    void aUserDefinedActivationIsRefusedNamingTheLayer() {
        Activation custom = Activation.elementwise("cube", z -> z * z * z, (z, a) -> 3 * z * z);
        Network network = Network.builder().input(2).dense(3, Activation.TANH)
                .residual(b -> b.dense(3, custom)).seed(1).build();
        assertThatThrownBy(() -> OnnxExport.toBytes(network))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 2, inner layer 0 (dense)")
                .hasMessageContaining("cube")
                .hasMessageContaining("supported activations: identity, sigmoid");
    }

    @Test
    void aUserActivationNamedLikeABuiltInOneIsRefused() {
        Activation fake = Activation.elementwise("relu", z -> Math.abs(z), (z, a) -> Math.signum(z));
        Network network = Network.builder().input(2).dense(3, fake).seed(1).build();
        assertThatThrownBy(() -> OnnxExport.toBytes(network))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 1 (dense) has the activation relu");
    }

    @Test
    void saveAndWriteGiveTheBytesOfToBytes() throws IOException {
        Network network = Network.builder().input(3).dense(2, Activation.SIGMOID).seed(2).build();
        byte[] expected = OnnxExport.toBytes(network);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OnnxExport.write(network, out);
        assertThat(out.toByteArray()).isEqualTo(expected);
        Files.createDirectories(CHECK_DIRECTORY);
        Path file = CHECK_DIRECTORY.resolve("save.onnx");
        OnnxExport.save(network.toPrecision(Precision.FLOAT64), file);
        OnnxExport.save(network, file); // replaces the file
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        try (Stream<Path> files = Files.list(CHECK_DIRECTORY)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void theModelDeclaresOpset17IrVersion8AndASymbolicBatch() throws OrtException {
        Network network = Network.builder().input(3).dense(2).seed(2).precision(Precision.FLOAT64).build();
        byte[] model = OnnxExport.toBytes(network);
        assertThat(model[0]).isEqualTo((byte) 0x08); // field 1 (ir_version), varint
        assertThat(model[1]).isEqualTo((byte) OnnxExport.IR_VERSION);
        try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).containsExactly(OnnxExport.INPUT);
            assertThat(session.getOutputNames()).containsExactly(OnnxExport.OUTPUT);
            String input = session.getInputInfo().get(OnnxExport.INPUT).getInfo().toString();
            assertThat(input).contains("DOUBLE").contains("shape=[-1, 3]").contains("dimNames=[batch,");
        }
    }

    @Test
    void float32UsesTheOperatorsAndFloat64TheFormulasWithDoubleKernels() {
        Network f32 = Network.builder().input(3).dense(4, Activation.ELU).layerNorm(Activation.SOFTPLUS)
                .batchNorm(Activation.SILU).dense(2, Activation.LEAKY_RELU).seed(2).build();
        String float32 = new String(OnnxExport.toBytes(f32), java.nio.charset.StandardCharsets.ISO_8859_1);
        String float64 = new String(OnnxExport.toBytes(f32.toPrecision(Precision.FLOAT64)),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String op : List.of("Elu", "LayerNormalization", "Softplus", "BatchNormalization", "Sigmoid",
                "LeakyRelu")) {
            assertThat(float32).as(op).contains(op);
            assertThat(float64).as(op).doesNotContain(op);
        }
        assertThat(float64).contains("Where").contains("ReduceMean").contains("Exp").contains("Gemm");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Exports, writes the file for the checker, and compares on batches of 1 and 7 random samples. */
    private static void check(Network network, String name, double inputScale) throws Exception {
        byte[] model = export(network, name);
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (int batch : new int[] {1, 7}) {
            assertAgrees(network, model, randomInputs(network, batch, inputScale, random));
        }
    }

    private static byte[] export(Network network, String name) throws IOException {
        byte[] model = OnnxExport.toBytes(network);
        Files.createDirectories(CHECK_DIRECTORY);
        Files.write(CHECK_DIRECTORY.resolve(name.replaceAll("[^A-Za-z0-9.-]", "_") + ".onnx"), model);
        return model;
    }

    private static void assertAgrees(Network network, byte[] model, double[][] inputs) throws OrtException {
        boolean isDouble = network.precision() == Precision.FLOAT64;
        double relative = isDouble ? 1e-12 : 1e-5;
        double absolute = isDouble ? 1e-15 : 1e-6;
        double[][] expected = network.predict(Matrix.of(network.precision(), inputs, "inputs")).toDoubleArray();
        double[][] actual = run(model, inputs, isDouble);
        assertThat(actual.length).isEqualTo(inputs.length);
        for (int n = 0; n < inputs.length; n++) {
            assertThat(actual[n]).hasSize(network.outputSize());
            for (int j = 0; j < network.outputSize(); j++) {
                double y = expected[n][j];
                assertThat(Math.abs(actual[n][j] - y))
                        .as("sample %d of %d, output %d: onnx %s, predict %s", n, inputs.length, j, actual[n][j], y)
                        .isLessThanOrEqualTo(relative * Math.abs(y) + absolute);
            }
        }
    }

    private static double[][] run(byte[] model, double[][] inputs, boolean isDouble) throws OrtException {
        try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor tensor = isDouble ? OnnxTensor.createTensor(ENV, inputs)
                        : OnnxTensor.createTensor(ENV, toFloats(inputs));
                OrtSession.Result result = session.run(Map.of(OnnxExport.INPUT, tensor))) {
            Object value = result.get(0).getValue();
            if (isDouble) {
                return (double[][]) value;
            }
            float[][] f = (float[][]) value;
            double[][] d = new double[f.length][];
            for (int n = 0; n < f.length; n++) {
                d[n] = new double[f[n].length];
                for (int j = 0; j < f[n].length; j++) {
                    d[n][j] = f[n][j];
                }
            }
            return d;
        }
    }

    private static float[][] toFloats(double[][] values) {
        float[][] f = new float[values.length][];
        for (int n = 0; n < values.length; n++) {
            f[n] = new float[values[n].length];
            for (int j = 0; j < f[n].length; j++) {
                f[n][j] = (float) values[n][j];
            }
        }
        return f;
    }

    /** Normal numeric columns, then a valid category index per embedding table if the first layer has them. */
    private static double[][] randomInputs(Network network, int batch, double scale, SplittableRandom random) {
        double[][] inputs = new double[batch][network.inputSize()];
        int numeric = network.inputSize();
        int[] cardinalities = {};
        if (network.layer(1) instanceof Embedding embedding) {
            numeric = embedding.numericColumns();
            cardinalities = embedding.cardinalities();
        }
        for (double[] row : inputs) {
            for (int j = 0; j < numeric; j++) {
                row[j] = scale * random.nextGaussian();
            }
            for (int k = 0; k < cardinalities.length; k++) {
                row[numeric + k] = random.nextInt(cardinalities[k]);
            }
        }
        return inputs;
    }

    /** The network with every parameter drawn anew, scaled, and random running statistics. */
    private static Network randomized(Network network, long seed, double scale) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : network.layers()) {
            layers.add(randomized(layer, random, scale));
        }
        return Network.of(layers);
    }

    private static Layer randomized(Layer layer, SplittableRandom random, double scale) {
        if (layer instanceof Residual residual) {
            List<Layer> inner = new ArrayList<>();
            for (Layer l : residual.inner()) {
                inner.add(randomized(l, random, scale));
            }
            return residual.withInner(inner);
        }
        List<Matrix> values = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            Matrix m = p.value().copy();
            double s = p.name().startsWith("tables") ? 1 : scale / Math.sqrt(Math.max(1, m.cols()));
            fill(m, v -> m.set(v[0], v[1], s * random.nextGaussian()));
            values.add(m);
        }
        Layer result = layer.withParameters(values);
        if (result instanceof BatchNorm norm) {
            Matrix mean = norm.runningMean().copy();
            Matrix var = norm.runningVar().copy();
            fill(mean, v -> mean.set(v[0], v[1], 0.5 * random.nextGaussian()));
            fill(var, v -> var.set(v[0], v[1], 0.2 + 2 * random.nextDouble()));
            result = norm.withRunningStatistics(mean, var, 5);
        }
        return result;
    }

    private static void fill(Matrix m, Consumer<int[]> cell) {
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                cell.accept(new int[] {r, c});
            }
        }
    }
}
