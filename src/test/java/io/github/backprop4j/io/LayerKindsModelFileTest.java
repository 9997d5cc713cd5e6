package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Model files of networks with every layer kind: round trips, names, metadata, and what is refused. */
class LayerKindsModelFileTest {

    /**
     * A network of every kind, with a batch normalization inside a residual block, a nested block and activations
     * with parameters, every value drawn from a seed (the norms' scales and shifts and the running statistics and
     * their counts off their defaults), so that it is the same on every kernel path.
     */
    static Network everyKind(Precision precision) {
        Network network = Network.builder().input(2).categorical(5, 3).categorical(4, 2)
                .dense(8, Activation.GELU).batchNorm(Activation.RELU)
                .residual(Activation.RELU, b -> b.dense(6, Activation.TANH).dense(8))
                .layerNorm(Activation.TANH)
                .residual(b -> b.batchNorm(Activation.leakyRelu(0.2)).dense(8, Activation.elu(0.5))
                        .residual(Activation.SIGMOID, c -> c.layerNorm().dense(8)))
                .dense(3, Activation.SOFTMAX).precision(precision).seed(11).build();
        SplittableRandom random = new SplittableRandom(5);
        for (int l = 1; l <= network.layerCount(); l++) {
            network = network.withLayer(l, drawn(network.layer(l), random));
        }
        return network;
    }

    /** The layer with every parameter, and a batch normalization's running statistics, drawn anew. */
    private static Layer drawn(Layer layer, SplittableRandom random) {
        if (layer instanceof Residual r) {
            List<Layer> inner = new ArrayList<>();
            for (Layer l : r.inner()) {
                inner.add(drawn(l, random));
            }
            return r.withInner(inner);
        }
        List<Matrix> values = new ArrayList<>();
        for (io.github.backprop4j.Parameter p : layer.parameters()) {
            values.add(draw(p.value(), random, -1, 1));
        }
        Layer redrawn = layer.withParameters(values);
        if (redrawn instanceof BatchNorm b) {
            return b.withRunningStatistics(draw(b.runningMean(), random, -1, 1), draw(b.runningVar(), random, 0.2, 2),
                    5 + random.nextInt(100));
        }
        return redrawn;
    }

    private static Matrix draw(Matrix like, SplittableRandom random, double from, double to) {
        Matrix m = Matrix.zeros(like.precision(), like.rows(), like.cols());
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                m.set(r, c, random.nextDouble(from, to));
            }
        }
        return m;
    }

    /** The network of {@code src/test/python/export_torch_layers_model.py}, without its values. */
    static Network torchArchitecture(Precision precision) {
        return Network.builder().input(2).categorical(5, 3).categorical(4, 2).dense(8, Activation.GELU)
                .batchNorm(Activation.RELU).residual(Activation.RELU, b -> b.dense(6, Activation.TANH).dense(8))
                .layerNorm(Activation.TANH).dense(3, Activation.SOFTMAX).precision(precision).seed(1).build();
    }

    private static JsonObject header(byte[] file) {
        int n = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return JsonParser.parseString(new String(file, 8, n, StandardCharsets.UTF_8)).getAsJsonObject();
    }

    private static Network load(byte[] bytes) throws IOException {
        return ModelFile.load(new ByteArrayInputStream(bytes));
    }

    @Test
    void everyKindRoundTripsBitForBitInBothPrecisions() throws IOException {
        for (Precision precision : Precision.values()) {
            Network network = everyKind(precision);
            BatchNorm norm = (BatchNorm) network.layer(3);
            assertThat(norm.numBatchesTracked()).isGreaterThan(0);
            assertThat(((BatchNorm) ((Residual) network.layer(6)).inner().get(0)).numBatchesTracked())
                    .isNotEqualTo(norm.numBatchesTracked());
            Network back = load(ModelFileTest.bytesOf(network));
            assertThat(back).as("%s", precision).isEqualTo(network);
            assertThat(back.summary()).isEqualTo(network.summary());
            Precision other = precision == Precision.FLOAT64 ? Precision.FLOAT32 : Precision.FLOAT64;
            assertThat(ModelFile.read(new ByteArrayInputStream(ModelFileTest.bytesOf(network)), -1, other, "m"))
                    .isEqualTo(network.toPrecision(other));
        }
    }

    @Test
    void tensorsAreNamedAsAnNnSequentialOfTheV1RuleAndTheArchitectureIsInTheMetadata() throws IOException {
        Network network = everyKind(Precision.FLOAT32);
        // 0 embedding, 1 dense + 2 GELU, 3 batch norm + 4 ReLU, 5 residual [0 dense + 1 tanh, 2 dense] + 6 ReLU,
        // 7 layer norm + 8 tanh, 9 residual [0 batch norm + 1 leaky ReLU, 2 dense + 3 ELU,
        // 4 residual [0 layer norm, 1 dense] + 5 sigmoid], 10 dense (+ 11 softmax)
        assertThat(ModelFile.tensorNames(network)).containsExactly("0.tables.0.weight", "0.tables.1.weight",
                "1.weight", "1.bias", "3.weight", "3.bias", "3.running_mean", "3.running_var", "3.num_batches_tracked",
                "5.f.0.weight", "5.f.0.bias", "5.f.2.weight", "5.f.2.bias", "7.weight", "7.bias",
                "9.f.0.weight", "9.f.0.bias", "9.f.0.running_mean", "9.f.0.running_var", "9.f.0.num_batches_tracked",
                "9.f.2.weight", "9.f.2.bias", "9.f.4.f.0.weight", "9.f.4.f.0.bias", "9.f.4.f.1.weight",
                "9.f.4.f.1.bias", "10.weight", "10.bias");
        byte[] bytes = ModelFileTest.bytesOf(network);
        JsonObject h = header(bytes);
        assertThat(h.keySet()).containsAll(ModelFile.tensorNames(network)).hasSize(29);
        assertThat(h.getAsJsonObject("3.num_batches_tracked").toString()).startsWith(
                "{\"dtype\":\"I64\",\"shape\":[],");
        assertThat(h.getAsJsonObject("3.weight").get("dtype").getAsString()).isEqualTo("F32");
        assertThat(h.getAsJsonObject("3.weight").getAsJsonArray("shape").toString()).isEqualTo("[8]");
        assertThat(h.getAsJsonObject("0.tables.1.weight").getAsJsonArray("shape").toString()).isEqualTo("[4,2]");
        JsonObject meta = h.getAsJsonObject("__metadata__");
        String[][] expected = {{"format_version", "1"}, {"required_features", "layer_kinds"}, {"input_size", "4"},
            {"layer_count", "7"}, {"layer1.kind", "embedding"}, {"layer1.units", "7"},
            {"layer1.numeric_columns", "2"}, {"layer1.tables", "2"}, {"layer1.tables.0.cardinality", "5"},
            {"layer1.tables.0.dimension", "3"}, {"layer1.tables.1.cardinality", "4"},
            {"layer1.tables.1.dimension", "2"}, {"layer1.activation", "identity"}, {"layer2.kind", "dense"},
            {"layer2.activation", "gelu_tanh"}, {"layer3.kind", "batch_norm"}, {"layer3.eps", "1.0E-5"},
            {"layer3.momentum", "0.1"}, {"layer3.activation", "relu"}, {"layer4.kind", "residual"},
            {"layer4.inner_layers", "2"}, {"layer4.f.0.kind", "dense"}, {"layer4.f.0.units", "6"},
            {"layer4.f.0.activation", "tanh"}, {"layer4.f.1.activation", "identity"}, {"layer5.kind", "layer_norm"},
            {"layer5.eps", "1.0E-5"}, {"layer6.f.0.kind", "batch_norm"}, {"layer6.f.0.activation", "leaky_relu"},
            {"layer6.f.0.activation.slope", "0.2"}, {"layer6.f.1.activation.alpha", "0.5"},
            {"layer6.f.2.kind", "residual"}, {"layer6.f.2.inner_layers", "2"}, {"layer6.f.2.activation", "sigmoid"},
            {"layer6.f.2.f.0.kind", "layer_norm"}, {"layer6.f.2.f.1.units", "8"}, {"layer7.units", "3"}};
        for (String[] kv : expected) {
            assertThat(meta.get(kv[0])).as(kv[0]).isNotNull();
            assertThat(meta.get(kv[0]).getAsString()).as(kv[0]).isEqualTo(kv[1]);
        }
    }

    @Test
    void denseOnlyNetworksKeepWritingTheBytesOfFormatVersion1() throws IOException {
        assumeTrue(ModelFile.libraryVersion().equals("development"), "the v1 files name the development version");
        for (String name : new String[] {"v1-float64.safetensors", "v1-float32.safetensors"}) {
            byte[] original = resource("/io/" + name);
            Network network = load(original);
            assertThat(ModelFileTest.bytesOf(network)).as(name).isEqualTo(original);
        }
        JsonObject meta = header(ModelFileTest.bytesOf(ModelFileTest.sample(Precision.FLOAT64)))
                .getAsJsonObject("__metadata__");
        assertThat(meta.keySet()).noneMatch(k -> k.endsWith(".kind")).doesNotContain("required_features");
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = LayerKindsModelFileTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void aFileWithLayerKindsMustSayItRequiresThem() throws IOException {
        byte[] bytes = ModelFileTest.bytesOf(everyKind(Precision.FLOAT64));
        // What a reader of format version 1 before the layer kinds sees: a feature it does not know, by name.
        assertThat(header(bytes).getAsJsonObject("__metadata__").get("required_features").getAsString())
                .isEqualTo("layer_kinds");
        byte[] unmarked = ModelFileTest.editHeader(bytes, h -> h.replace(",\"required_features\":\"layer_kinds\"",
                ""));
        assertThat(unmarked).hasSizeLessThan(bytes.length);
        assertThatThrownBy(() -> load(unmarked)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("\"layer1.kind\"").hasMessageContaining("\"embedding\"")
                .hasMessageContaining("layer_kinds");
        byte[] more = ModelFileTest.editHeader(bytes, h -> h.replace("\"required_features\":\"layer_kinds\"",
                "\"required_features\":\"layer_kinds,qz\""));
        assertThatThrownBy(() -> load(more)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("requires the feature \"qz\"");
    }

    /** Edits of a valid file's metadata or tensors, and the words that the refusal must contain. */
    @Test
    void malformedLayerKindsAreRefusedSayingWhatAndWhere() throws IOException {
        byte[] bytes = ModelFileTest.bytesOf(everyKind(Precision.FLOAT64));
        refused(bytes, h -> h.replace("\"layer3.kind\":\"batch_norm\"", "\"layer3.kind\":\"conv\""),
                "\"layer3.kind\"", "\"conv\"", "not dense, layer_norm, batch_norm, embedding or residual");
        refused(bytes, h -> h.replace("\"layer3.eps\":\"1.0E-5\"", "\"layer3.eps\":\"-1.0\""), "\"layer3.eps\"",
                "above 0");
        refused(bytes, h -> h.replace("\"layer3.momentum\":\"0.1\"", "\"layer3.momentum\":\"1.5\""),
                "\"layer3.momentum\"", "(0, 1]");
        refused(bytes, h -> h.replace("\"layer5.eps\":\"1.0E-5\",", ""), "lacks the metadata \"layer5.eps\"");
        refused(bytes, h -> h.replace("\"layer3.units\":\"8\"", "\"layer3.units\":\"7\""), "\"layer3.units\"",
                "batch_norm");
        refused(bytes, h -> h.replace("\"layer4.f.1.units\":\"8\"", "\"layer4.f.1.units\":\"7\""),
                "layer 4 of the stream is a residual block over 8 features", "gives 7");
        refused(bytes, h -> h.replace("\"layer1.numeric_columns\":\"2\"", "\"layer1.numeric_columns\":\"3\""),
                "layer 1", "3 numeric columns", "\"input_size\" is 4");
        refused(bytes, h -> h.replace("\"layer1.tables.1.dimension\":\"2\"", "\"layer1.tables.1.dimension\":\"3\""),
                "\"layer1.units\"", "gives 8");
        refused(bytes, h -> h.replace("\"layer4.inner_layers\":\"2\"", "\"layer4.inner_layers\":\"999999999\""),
                "\"layer4.inner_layers\"", "more layers or tables than the file's tensors can hold");
        refused(bytes, h -> h.replace("\"layer2.kind\":\"dense\"", "\"layer2.kind\":\"embedding\""),
                "layer 2", "must be layer 1");
        refused(bytes, h -> h.replace("\"3.num_batches_tracked\":{\"dtype\":\"I64\"",
                "\"3.num_batches_tracked\":{\"dtype\":\"F64\""), "\"3.num_batches_tracked\"", "is F64",
                "a count of batches needs I64");
        refused(bytes, h -> h.replace("\"3.running_var\":{\"dtype\":\"F64\"", "\"3.running_var\":{\"dtype\":\"I64\""),
                "\"3.running_var\"", "is I64");
        // Found only in the values: a negative count, a negative variance.
        refused(withCount(bytes, "3.num_batches_tracked", -2), "\"3.num_batches_tracked\"", "holds -2");
        BatchNorm norm = (BatchNorm) everyKind(Precision.FLOAT64).layer(3);
        refused(replaceDouble(bytes, norm.runningVar().get(0, 4), -0.5), "layer 3 (batch_norm)", "runningVar",
                "negative");
    }

    @Test
    void residualBlocksNestedTooDeeplyAreRefused() throws IOException {
        Network.Builder builder = Network.builder().input(4).residual(b -> b.dense(4));
        for (int l = 0; l < 30; l++) { // tensors enough that the nesting, not their number, is what is refused
            builder.dense(4);
        }
        Network shallow = builder.seed(1).build();
        byte[] bytes = ModelFileTest.bytesOf(shallow);
        // Turn the inner dense layer into a chain of residual blocks, each holding the next, far beyond the limit.
        StringBuilder keys = new StringBuilder();
        String key = "layer1.f.0.";
        for (int depth = 0; depth < 40; depth++) {
            keys.append("\"").append(key).append("kind\":\"residual\",\"").append(key).append("inner_layers\":\"1\",\"")
                    .append(key).append("units\":\"4\",\"").append(key).append("activation\":\"identity\",");
            key += "f.0.";
        }
        byte[] deep = ModelFileTest.editHeader(bytes, h -> h.replaceAll("\"layer1\\.f\\.0\\.[a-z_]+\":\"[^\"]*\",", "")
                .replace("\"layer_count\"", keys + "\"layer_count\""));
        refused(deep, "nests residual blocks deeper than " + Architecture.MAX_DEPTH);
    }

    /** Edits the header (the edit must change it) and expects a refusal containing every word. */
    private static void refused(byte[] bytes, UnaryOperator<String> edit, String... words) {
        byte[] edited = ModelFileTest.editHeader(bytes, h -> {
            String changed = edit.apply(h);
            assertThat(changed).as("the edit changes the header").isNotEqualTo(h);
            return changed;
        });
        refused(edited, words);
    }

    private static void refused(byte[] edited, String... words) {
        var thrown = assertThatThrownBy(() -> load(edited)).isInstanceOf(ModelFormatException.class);
        for (String w : words) {
            thrown.hasMessageContaining(w);
        }
    }

    /** The file with the scalar I64 tensor {@code name} set to {@code value}. */
    private static byte[] withCount(byte[] file, String name, long value) {
        JsonObject h = header(file);
        int n = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long begin = h.getAsJsonObject(name).getAsJsonArray("data_offsets").get(0).getAsLong();
        byte[] out = file.clone();
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong((int) (8 + n + begin), value);
        return out;
    }

    /** The file with the one F64 element equal to {@code from} replaced by {@code to}. */
    private static byte[] replaceDouble(byte[] file, double from, double to) {
        byte[] out = file.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        int n = (int) b.getLong(0);
        int found = 0;
        for (int at = 8 + n; at + 8 <= out.length; at += 8) {
            if (b.getDouble(at) == from) {
                b.putDouble(at, to);
                found++;
            }
        }
        assertThat(found).isEqualTo(1);
        return out;
    }

    // ------------------------------------------------------------------ PyTorch

    @Test
    void torchModelsOfEveryKindLoadInTheModulePerLayerNamingAndPredictAsInTorch() throws IOException {
        JsonObject expected;
        try (InputStream in = LayerKindsModelFileTest.class.getResourceAsStream("/io/torch/layers-expected.json")) {
            expected = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getAsJsonObject();
        }
        double[][] x = new com.google.gson.Gson().fromJson(expected.get("inputs"), double[][].class);
        int[][] categories = new com.google.gson.Gson().fromJson(expected.get("categories"), int[][].class);
        double[][] inputs = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            inputs[i] = new double[] {x[i][0], x[i][1], categories[i][0], categories[i][1]};
        }
        for (String dtype : new String[] {"F64", "F32"}) {
            double[][] torch = new com.google.gson.Gson().fromJson(expected.get(dtype), double[][].class);
            byte[] file = resource("/io/torch/layers-" + dtype.toLowerCase() + ".safetensors");
            Network wide = ModelFile.loadWeights(new ByteArrayInputStream(file), torchArchitecture(Precision.FLOAT64));
            assertThat(((BatchNorm) wide.layer(3)).numBatchesTracked()).isEqualTo(5);
            double[][] ours = wide.predict(inputs);
            for (int r = 0; r < inputs.length; r++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(ours[r][c]).as("%s float64 sample %d class %d", dtype, r, c)
                            .isCloseTo(torch[r][c], within(1e-12));
                }
            }
            // Computed in float32 (the F64 file rounded to float), the outputs stay within float's rounding.
            Network narrow = ModelFile.loadWeights(new ByteArrayInputStream(file),
                    torchArchitecture(Precision.FLOAT32));
            double[][] single = narrow.predict(inputs);
            for (int r = 0; r < inputs.length; r++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(single[r][c]).as("%s float32 sample %d class %d", dtype, r, c)
                            .isCloseTo(torch[r][c], within(2e-6));
                }
            }
            // Saved by ModelFile, the same network is named by the v1 rule, which loadWeights reads too.
            byte[] saved = ModelFileTest.bytesOf(wide);
            assertThat(header(saved).keySet()).contains("1.weight", "3.num_batches_tracked", "5.f.2.bias",
                    "7.weight", "9.bias");
            assertThat(ModelFile.loadWeights(new ByteArrayInputStream(saved), torchArchitecture(Precision.FLOAT64)))
                    .isEqualTo(wide);
            assertThat(load(saved)).isEqualTo(wide);
        }
    }

    @Test
    void torchFilesThatMatchNeitherNamingAreRefusedListingTheExpectedNames() throws IOException {
        byte[] file = resource("/io/torch/layers-f64.safetensors");
        byte[] renamed = ModelFileTest.editHeader(file, h -> h.replace("\"3.f.1.weight\"", "\"3.f.2.weight\""));
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(renamed),
                torchArchitecture(Precision.FLOAT64))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("no tensor \"3.f.1.weight\"")
                .hasMessageContaining("[0.tables.0.weight, 0.tables.1.weight, 1.weight, 1.bias, 3.weight")
                .hasMessageContaining("(one index per layer and one per non-identity activation module after it)")
                .hasMessageContaining("[0.tables.0.weight, 0.tables.1.weight, 1.weight, 1.bias, 2.weight")
                .hasMessageContaining("(module i is layer i, activations inside the modules)");
        byte[] floatCount = ModelFileTest.editHeader(file, h -> h.replace("\"2.running_mean\":{\"dtype\":\"F64\"",
                "\"2.running_mean\":{\"dtype\":\"I64\""));
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(floatCount),
                torchArchitecture(Precision.FLOAT64))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("\"2.running_mean\"").hasMessageContaining("only a batch normalization's "
                        + "num_batches_tracked may be I64");
        Network wider = Network.builder().input(2).categorical(5, 3).categorical(4, 2).dense(8, Activation.GELU)
                .batchNorm(Activation.RELU).residual(Activation.RELU, b -> b.dense(7, Activation.TANH).dense(8))
                .layerNorm(Activation.TANH).dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(1).build();
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(file), wider))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("\"3.f.0.weight\"")
                .hasMessageContaining("[6, 8]").hasMessageContaining("[7, 8]");
    }

    // ------------------------------------------------------------------ compatibility

    /** The inputs whose predictions {@link #aFileOfEveryKindSavedByThisVersionStillLoadsAndPredicts} pins. */
    static final double[][] PINNED_INPUTS = {{0.5, -1.0, 4, 0}, {-0.25, 0.75, 1, 3}};

    /**
     * {@code layers-v1-float64.safetensors} was saved ({@code ModelFile.save(everyKind(Precision.FLOAT64), file)})
     * in format version 1 with the
     * {@code layer_kinds} feature; it must load and predict the same in every later version, and PyTorch reads it
     * ({@code src/test/python/export_torch_layers_model.py}).
     */
    @Test
    void aFileOfEveryKindSavedByThisVersionStillLoadsAndPredicts() throws IOException {
        byte[] original = resource("/io/layers-v1-float64.safetensors");
        Network network = load(original);
        assertThat(network).isEqualTo(everyKind(Precision.FLOAT64));
        if (ModelFile.libraryVersion().equals("development")) {
            assertThat(ModelFileTest.bytesOf(network)).isEqualTo(original);
        }
        double[][] p = network.predict(PINNED_INPUTS);
        double[][] pinned = {{0.2772635529312527, 0.10442011793908988, 0.6183163291296573},
            {0.3034112928349638, 0.12896570450833644, 0.5676230026566997}};
        for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 3; c++) {
                assertThat(p[r][c]).as("sample %d class %d", r, c).isCloseTo(pinned[r][c], within(1e-12));
            }
        }
    }
}
