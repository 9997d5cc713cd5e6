package io.github.backprop4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.Residual;
import io.github.backprop4j.io.JsonTrees;
import io.github.backprop4j.io.ModelFormatException;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ONNX import: {@link OnnxExport}'s models read back as the networks exported, PyTorch's exports (committed by
 * {@code src/test/python/export_torch_onnx.py}) predict what PyTorch predicted, unsupported graphs are refused
 * naming the node, and mutated files end only in {@link OnnxFormatException}.
 */
class OnnxImportTest {

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
    void everyActivationReadsBackAsExported(Activation activation, Precision precision) throws Exception {
        Network network = randomized(Network.builder().input(4).dense(6, activation).dense(3, Activation.TANH)
                .precision(precision).seed(3).build(), 11);
        Network imported = OnnxImport.read(OnnxExport.toBytes(network));
        assertThat(imported).isEqualTo(network);
        assertThat(imported.layer(1).activation()).isEqualTo(activation);
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT32", "FLOAT64"})
    void everyKindButEmbeddingsReadsBackAndPredictsTheSame(String p) throws Exception {
        Precision precision = Precision.valueOf(p);
        Network network = randomized(Network.builder().input(5).dense(8, Activation.GELU).layerNorm(Activation.SILU)
                .residual(Activation.RELU, b -> b.dense(6, Activation.TANH).dense(8)).batchNorm(Activation.ELU)
                .layerNorm().dense(3, Activation.SOFTMAX).precision(precision).seed(5).build(), 12);
        Network imported = OnnxImport.read(OnnxExport.toBytes(network));
        assertThat(kinds(imported)).isEqualTo(kinds(network)).contains("residual", "batch_norm", "layer_norm");
        assertThat(imported.layer(3)).isInstanceOf(Residual.class);
        if (precision == Precision.FLOAT32) {
            assertThat(imported).isEqualTo(network);
        } else {
            // float64 batch normalization is exported as Div by √(var + ε): read back with ε = 1e-5 it predicts the same
            BatchNorm norm = (BatchNorm) imported.layer(4);
            BatchNorm original = (BatchNorm) network.layer(4);
            assertThat(norm.runningMean()).isEqualTo(original.runningMean());
            assertThat(norm.parameters()).isEqualTo(original.parameters());
            for (int l : new int[] {1, 2, 3, 5, 6}) {
                assertThat(imported.layer(l)).as("layer " + l).isEqualTo(network.layer(l));
            }
        }
        double[][] x = inputs(7, 5, 13);
        assertClose(imported.predict(x), network.predict(x), precision);
    }

    @Test
    void loadAndReadFromAStreamGiveTheSameNetwork(@TempDir Path dir) throws IOException {
        Network network = Network.builder().input(3).dense(4, Activation.RELU).dense(2).seed(1).build();
        Path file = dir.resolve("m.onnx");
        OnnxExport.save(network, file);
        assertThat(OnnxImport.load(file)).isEqualTo(network);
        assertThat(OnnxImport.read(new ByteArrayInputStream(Files.readAllBytes(file)))).isEqualTo(network);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp-gelu-f32", "norms-f32", "acts-f64", "layernorm-opset14-f32"})
    void pytorchExportsPredictWhatPytorchPredicted(String name) throws IOException {
        Map<?, ?> expected;
        try (InputStream in = resource(name + ".json")) {
            expected = (Map<?, ?>) JsonTrees.parse(new InputStreamReader(in, StandardCharsets.UTF_8), name);
        }
        Network network;
        try (InputStream in = resource(name + ".onnx")) {
            network = OnnxImport.read(in);
        }
        Precision precision = expected.get("dtype").equals("float64") ? Precision.FLOAT64 : Precision.FLOAT32;
        assertThat(network.precision()).isEqualTo(precision);
        double[][] x = rows(expected.get("inputs"));
        assertClose(network.predict(x), rows(expected.get("outputs")), precision);
    }

    @Test
    void pytorchGeluSubgraphAndDecomposedLayerNormAreRecognised() throws IOException {
        try (InputStream in = resource("layernorm-opset14-f32.onnx")) {
            Network network = OnnxImport.read(in);
            assertThat(kinds(network)).containsExactly("dense", "layer_norm", "dense");
            assertThat(network.layer(2).activation()).isEqualTo(Activation.GELU);
            assertThat(network.layer(3).activation()).isEqualTo(Activation.IDENTITY);
        }
        try (InputStream in = resource("norms-f32.onnx")) {
            Network network = OnnxImport.read(in);
            assertThat(kinds(network)).containsExactly("dense", "layer_norm", "dense", "batch_norm", "dense");
            assertThat(network.layer(4).activation()).isEqualTo(Activation.SILU);
            assertThat(network.layer(5).activation()).isEqualTo(Activation.SIGMOID);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"FLOAT32", "FLOAT64"})
    void embeddingsAndResidualBlocksOfNormsReadBack(String p) throws Exception {
        Precision precision = Precision.valueOf(p);
        Network network = randomized(Network.builder().input(2).categorical(5, 3).categorical(4, 2)
                .dense(6, Activation.RELU).residual(b -> b.layerNorm(Activation.TANH).dense(6))
                .dense(2).precision(precision).seed(2).build(), 21);
        assertThat(OnnxImport.read(OnnxExport.toBytes(network))).isEqualTo(network);
        for (int[] cardinalities : new int[][] {{4}, {4, 3}}) { // no numeric columns: no Slice; one table: no Concat
            int[] dims = new int[cardinalities.length];
            Arrays.fill(dims, 2);
            Embedding embedding = Embedding.of(0, cardinalities, dims, precision, new SplittableRandom(8));
            Layer dense = Network.builder().input(embedding.outputSize()).dense(2, Activation.SIGMOID).seed(8)
                    .precision(precision).build().layer(1);
            Network only = Network.of(embedding, dense);
            assertThat(OnnxImport.read(OnnxExport.toBytes(only))).isEqualTo(only);
        }
    }

    @Test
    void anUnsupportedOperatorIsRefusedNamingTheNodeAndItsOpType() {
        GraphBuilder g = new GraphBuilder(GraphBuilder.FLOAT);
        String z = g.node("Gemm", "layer1", List.of("input", g.initializer("w", new double[] {1, 2}, 1, 2)),
                GraphBuilder.Attribute.of("transB", 1L));
        String y = g.node("Conv", "layer2", z);
        assertThatThrownBy(() -> OnnxImport.read(g.model(8, 17, "t", "", "input", 2, y, "output", 1)))
                .isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining("node 1 'layer2/Conv_1' (Conv) is not supported")
                .hasMessageContaining("supports Gemm");
    }

    @Test
    void anUnknownActivationFormulaIsRefusedNamingItsFirstNode() {
        GraphBuilder g = new GraphBuilder(GraphBuilder.FLOAT);
        String z = g.node("Gemm", "layer1", List.of("input", g.initializer("w", new double[] {1, 2}, 1, 2),
                g.initializer("b", new double[] {0}, 1)), GraphBuilder.Attribute.of("transB", 1L));
        String y = g.node("Mul", "layer1", z, g.node("Exp", "layer1", z)); // z·e^z: no built-in activation
        byte[] model = g.model(8, 17, "t", "", "input", 2, y, "output", 1);
        assertThatThrownBy(() -> OnnxImport.read(model)).isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining("node 1").hasMessageContaining("(Exp)")
                .hasMessageContaining("none of the built-in activations");
    }

    @Test
    void matMulThenAddOfAConstantIsADenseLayer() throws OnnxFormatException {
        GraphBuilder g = new GraphBuilder(GraphBuilder.DOUBLE);
        String m = g.node("MatMul", "l", "input", g.initializer("w", new double[] {1, 2, 3, 4, 5, 6}, 2, 3)); // [in × out]
        String z = g.node("Add", "l", m, g.initializer("b", new double[] {0.5, -1, 2}, 3));
        String a = g.node("Tanh", "l", z);
        Network network = OnnxImport.read(g.model(8, 17, "t", "", "input", 2, a, "output", 3));
        assertThat(network).isEqualTo(Network.of(Layer.of(new double[][] {{1, 4}, {2, 5}, {3, 6}},
                new double[] {0.5, -1, 2}, Activation.TANH, Precision.FLOAT64)));
    }

    @Test
    void aTensorWhoseDimsDoNotMatchItsDataIsRefusedBeforeAllocating() {
        GraphBuilder g = new GraphBuilder(GraphBuilder.FLOAT);
        // claims 2^31 − 1 × 2^31 − 1 elements with 8 bytes of data
        String w = g.initializer("w", new double[] {1, 2}, Integer.MAX_VALUE, Integer.MAX_VALUE);
        String z = g.node("Gemm", "l", List.of("input", w), GraphBuilder.Attribute.of("transB", 1L));
        assertThatThrownBy(() -> OnnxImport.read(g.model(8, 17, "t", "", "input", 2, z, "output", 1)))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("tensor 'w'")
                .hasMessageContaining("elements");
        GraphBuilder h = new GraphBuilder(GraphBuilder.FLOAT);
        String v = h.initializer("v", new double[] {1, 2}, 3, 1);
        String y = h.node("Gemm", "l", List.of("input", v), GraphBuilder.Attribute.of("transB", 1L));
        assertThatThrownBy(() -> OnnxImport.read(h.model(8, 17, "t", "", "input", 1, y, "output", 3)))
                .isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining("tensor 'v' has 8 bytes of raw_data but its dims [3, 1] need 12");
    }

    @Test
    void anOpsetOutsideTheSupportedRangeIsRefused() {
        GraphBuilder g = new GraphBuilder(GraphBuilder.FLOAT);
        String z = g.node("Gemm", "layer1", List.of("input", g.initializer("w", new double[] {1, 2}, 1, 2)),
                GraphBuilder.Attribute.of("transB", 1L));
        assertThatThrownBy(() -> OnnxImport.read(g.model(8, 18, "t", "", "input", 2, z, "output", 1)))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("opset 18")
                .hasMessageContaining("13 to 17");
        assertThat(new OnnxFormatException("x")).isInstanceOf(ModelFormatException.class);
    }

    @Test
    void mutatedFilesEndOnlyInOnnxFormatException() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        for (Precision p : Precision.values()) {
            seeds.add(OnnxExport.toBytes(Network.builder().input(5).dense(6, Activation.GELU).layerNorm(Activation.SILU)
                    .residual(b -> b.dense(6, Activation.ELU)).batchNorm(Activation.leakyRelu(0.2))
                    .dense(3, Activation.SOFTMAX).precision(p).seed(4).build()));
            seeds.add(OnnxExport.toBytes(Network.builder().input(2).categorical(5, 3).categorical(4, 2)
                    .dense(4, Activation.SOFTPLUS).precision(p).seed(4).build()));
        }
        for (String name : new String[] {"mlp-gelu-f32", "layernorm-opset14-f32"}) {
            try (InputStream in = resource(name + ".onnx")) {
                seeds.add(in.readAllBytes());
            }
        }
        SplittableRandom random = new SplittableRandom(15);
        int networks = 0;
        int refused = 0;
        long slowest = 0;
        for (int c = 0; c < 4000; c++) {
            byte[] bytes = mutate(seeds.get(c % seeds.size()), random, c % 5);
            long start = System.nanoTime();
            try {
                OnnxImport.read(bytes);
                networks++;
            } catch (OnnxFormatException e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            } catch (RuntimeException | Error e) {
                fail("case " + c + " (mutation " + c % 5 + ") threw " + e, e);
            }
            slowest = Math.max(slowest, System.nanoTime() - start);
        }
        assertThat(refused).isGreaterThan(2000);
        assertThat(networks).isGreaterThan(0); // some bit flips land in weights and still make a network
        assertThat(slowest).as("slowest case, ns").isLessThan(5_000_000_000L);
    }

    /** Truncation, bit flips, a huge varint, an absurd length or dim written over bytes, random bytes. */
    private static byte[] mutate(byte[] seed, SplittableRandom random, int kind) {
        byte[] b = seed.clone();
        int at = random.nextInt(b.length);
        switch (kind) {
            case 0 -> b = Arrays.copyOf(b, at);
            case 1 -> {
                for (int k = 0, n = 1 + random.nextInt(4); k < n; k++) {
                    int i = random.nextInt(b.length);
                    b[i] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 2 -> { // ten continuation bytes: an over-long varint
                for (int k = 0; k < 11 && at + k < b.length; k++) {
                    b[at + k] = (byte) 0xFF;
                }
            }
            case 3 -> { // a tag of field 1 (dims) or a length, then a huge varint value
                byte[] huge = {(byte) (random.nextBoolean() ? 0x08 : 0x0A), (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                    (byte) 0xFF, (byte) 0x07};
                for (int k = 0; k < huge.length && at + k < b.length; k++) {
                    b[at + k] = huge[k];
                }
            }
            default -> {
                for (int k = 0, n = 1 + random.nextInt(8); k < n && at + k < b.length; k++) {
                    b[at + k] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    private static List<String> kinds(Network network) {
        return network.layers().stream().map(Layer::kind).toList();
    }

    private static InputStream resource(String name) {
        InputStream in = OnnxImportTest.class.getResourceAsStream("/onnx/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }

    private static double[][] rows(Object json) {
        List<?> list = (List<?>) json;
        double[][] m = new double[list.size()][];
        for (int r = 0; r < m.length; r++) {
            m[r] = ((List<?>) list.get(r)).stream().mapToDouble(v -> ((Number) v).doubleValue()).toArray();
        }
        return m;
    }

    private static void assertClose(double[][] actual, double[][] expected, Precision precision) {
        double rel = precision == Precision.FLOAT32 ? 1e-5 : 1e-12;
        double abs = precision == Precision.FLOAT32 ? 1e-6 : 1e-15;
        assertThat(actual.length).isEqualTo(expected.length);
        for (int r = 0; r < expected.length; r++) {
            assertThat(actual[r].length).isEqualTo(expected[r].length);
            for (int c = 0; c < expected[r].length; c++) {
                double e = expected[r][c];
                assertThat(Math.abs(actual[r][c] - e)).as("row %d col %d: %s vs %s", r, c, actual[r][c], e)
                        .isLessThanOrEqualTo(rel * Math.abs(e) + abs);
            }
        }
    }

    private static double[][] inputs(int batch, int width, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[batch][width];
        for (double[] row : x) {
            for (int c = 0; c < width; c++) {
                row[c] = 2 * random.nextGaussian();
            }
        }
        return x;
    }

    /** Every parameter drawn anew (so γ and β are not 1 and 0) and running statistics off their defaults. */
    private static Network randomized(Network network, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : network.layers()) {
            layers.add(randomized(layer, random));
        }
        return Network.of(layers);
    }

    private static Layer randomized(Layer layer, SplittableRandom random) {
        if (layer instanceof Residual residual) {
            List<Layer> inner = new ArrayList<>();
            for (Layer l : residual.inner()) {
                inner.add(randomized(l, random));
            }
            return residual.withInner(inner);
        }
        List<Matrix> values = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            Matrix m = p.value().copy();
            for (int r = 0; r < m.rows(); r++) {
                for (int c = 0; c < m.cols(); c++) {
                    m.set(r, c, random.nextGaussian() / Math.sqrt(m.cols()));
                }
            }
            values.add(m);
        }
        Layer result = layer.withParameters(values);
        if (result instanceof BatchNorm norm) {
            Matrix mean = norm.runningMean().copy();
            Matrix var = norm.runningVar().copy();
            for (int c = 0; c < mean.cols(); c++) {
                mean.set(0, c, 0.5 * random.nextGaussian());
                var.set(0, c, 0.2 + 2 * random.nextDouble());
            }
            result = norm.withRunningStatistics(mean, var, 0);
        }
        return result;
    }
}
