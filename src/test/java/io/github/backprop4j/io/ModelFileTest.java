package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {

    @TempDir
    Path folder;

    static Network sample(Precision precision) {
        return Network.builder().input(3).dense(5, Activation.leakyRelu(0.2)).dense(4, Activation.IDENTITY)
                .dense(4, Activation.elu(0.5)).dense(2, Activation.SOFTMAX).precision(precision).seed(7).build();
    }

    static byte[] bytesOf(Network network) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ModelFile.save(network, out);
        return out.toByteArray();
    }

    @Test
    void savedNetworksLoadEqualBitForBitInBothPrecisions() throws IOException {
        for (Precision precision : Precision.values()) {
            Network network = sample(precision);
            Path file = folder.resolve(precision + ".safetensors");
            ModelFile.save(network, file);
            assertThat(ModelFile.load(file)).isEqualTo(network);
            assertThat(ModelFile.load(new ByteArrayInputStream(bytesOf(network)))).isEqualTo(network);
        }
    }

    @Test
    void aFloat64ModelLoadsAsFloat32OnRequestAndBack() throws IOException {
        Network network = sample(Precision.FLOAT64);
        Path file = folder.resolve("m.safetensors");
        ModelFile.save(network, file);
        assertThat(ModelFile.load(file, Precision.FLOAT32)).isEqualTo(network.toPrecision(Precision.FLOAT32));
        Network narrow = sample(Precision.FLOAT32);
        ModelFile.save(narrow, file);
        assertThat(ModelFile.load(file, Precision.FLOAT64)).isEqualTo(narrow.toPrecision(Precision.FLOAT64));
    }

    @Test
    void layoutFollowsTheReferenceWriter() throws IOException {
        byte[] bytes = bytesOf(sample(Precision.FLOAT64));
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(n % 8).isZero();
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(header).startsWith("{\"__metadata__\":{");
        String json = header.stripTrailing();
        assertThat(header.substring(json.length())).matches(" *");
        JsonObject parsed = JsonParser.parseString(json).getAsJsonObject();
        List<long[]> offsets = new ArrayList<>();
        for (String name : parsed.keySet()) {
            if (!name.equals("__metadata__")) {
                var o = parsed.getAsJsonObject(name).getAsJsonArray("data_offsets");
                offsets.add(new long[] {o.get(0).getAsLong(), o.get(1).getAsLong()});
            }
        }
        long expected = 0;
        for (long[] o : offsets) { // written in offset order, contiguous
            assertThat(o[0]).isEqualTo(expected);
            expected = o[1];
        }
        assertThat(8 + n + expected).isEqualTo(bytes.length);
        JsonObject meta = parsed.getAsJsonObject("__metadata__");
        assertThat(meta.get("format").getAsString()).isEqualTo("backprop4j.network");
        assertThat(meta.get("layer1.activation.slope").getAsString()).isEqualTo("0.2");
        assertThat(parsed.getAsJsonObject("0.weight").getAsJsonArray("shape").toString()).isEqualTo("[5,3]");
        assertThat(parsed.getAsJsonObject("0.bias").getAsJsonArray("shape").toString()).isEqualTo("[5]");
    }

    @Test
    void tensorsAreNamedAsNnSequentialWithIdentityTakingNoIndex() {
        assertThat(ModelFile.tensorNames(sample(Precision.FLOAT64))).containsExactly("0.weight", "0.bias",
                "2.weight", "2.bias", "3.weight", "3.bias", "5.weight", "5.bias");
        Network linear = Network.builder().input(2).dense(3, Activation.IDENTITY).dense(1, Activation.IDENTITY)
                .seed(1).build();
        assertThat(ModelFile.tensorNames(linear)).containsExactly("0.weight", "0.bias", "1.weight", "1.bias");
    }

    @Test
    void customActivationsSaveOnceRegisteredAndUnknownNamesAreClearErrors() throws IOException {
        Activation cube = Activation.elementwise("cube_test", z -> z * z * z, (z, a) -> 3 * z * z);
        Network network = Network.builder().input(2).dense(2, cube).dense(1, Activation.SIGMOID).seed(3).build();
        assertThatThrownBy(() -> bytesOf(network)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cube_test").hasMessageContaining("Components.register");
        Components.register(cube);
        Network back = ModelFile.load(new ByteArrayInputStream(bytesOf(network)));
        assertThat(back).isEqualTo(network);
        assertThat(back.layer(1).activation()).isSameAs(cube);

        byte[] renamed = editHeader(bytesOf(network), h -> h.replace("\"cube_test\"", "\"cube_tst\""));
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(renamed)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("layer1.activation").hasMessageContaining("unknown activation 'cube_tst'");
    }

    @Test
    void builtInNamesCannotBeTakenOver() {
        assertThatThrownBy(() -> Components.register(Activation.elementwise("relu", z -> z, (z, a) -> 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built-in");
    }

    /** Written from the specification by hand: another key order, data in reverse order, extra metadata. */
    @Test
    void aFileFromAnotherWriterLoads() throws IOException {
        HandWrittenFile f = new HandWrittenFile();
        long[] b2 = f.f64(0.5);
        long[] w2 = f.f64(1.5, -2.0);
        long[] b1 = f.f64(0.25, -0.25);
        long[] w1 = f.f64(1, 2, 3, 4);
        String header = "{ \"2.weight\": {\"shape\": [1, 2], \"data_offsets\": [" + w2[0] + ", " + w2[1]
                + "], \"dtype\": \"F64\"},\n \"0.bias\": {\"data_offsets\": [" + b1[0] + "," + b1[1]
                + "], \"dtype\": \"F64\", \"shape\": [2]},"
                + " \"__metadata__\": {\"produced_by\": \"hand\", \"format\": \"backprop4j.network\", "
                + "\"layer2.activation\": \"sigmoid\", \"format_version\": \"1\", \"precision\": \"float64\", "
                + "\"input_size\": \"2\", \"layer_count\": \"2\", \"layer1.units\": \"2\", \"layer2.units\": \"1\", "
                + "\"layer1.activation\": \"tanh\", \"note\": \"caf\\u00e9 \\\"quoted\\\"\"},"
                + " \"2.bias\": {\"dtype\": \"F64\", \"shape\": [1], \"data_offsets\": [" + b2[0] + ", " + b2[1]
                + "]}, \"0.weight\": {\"dtype\": \"F64\", \"shape\": [2, 2], \"data_offsets\": [" + w1[0] + ", "
                + w1[1] + "]}}";
        Network loaded = ModelFile.load(new ByteArrayInputStream(f.build(header)));
        Network expected = Network.of(Layer.of(new double[][] {{1, 2}, {3, 4}}, new double[] {0.25, -0.25},
                Activation.TANH), Layer.of(new double[][] {{1.5, -2.0}}, new double[] {0.5}, Activation.SIGMOID));
        assertThat(loaded).isEqualTo(expected);
    }

    /** The header JSON of a plain torch state_dict, with the given dtype for every tensor. */
    private static byte[] torchStyle(String dtype, int[] w0, int[] b0, int[] w2, int[] b2, String extra) {
        HandWrittenFile f = new HandWrittenFile();
        long[] a = f.bits16(w0);
        long[] b = f.bits16(b0);
        long[] c = f.bits16(w2);
        long[] d = f.bits16(b2);
        return f.build("{\"0.weight\":{\"dtype\":\"" + dtype + "\",\"shape\":[2,2],\"data_offsets\":[" + a[0] + ","
                + a[1] + "]},\"0.bias\":{\"dtype\":\"" + dtype + "\",\"shape\":[2],\"data_offsets\":[" + b[0] + ","
                + b[1] + "]},\"2.weight\":{\"dtype\":\"" + dtype + "\",\"shape\":[1,2],\"data_offsets\":[" + c[0]
                + "," + c[1] + "]},\"2.bias\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + extra
                + "],\"data_offsets\":[" + d[0] + "," + d[1] + "]}}");
    }

    private static Network torchArchitecture(Precision precision) {
        return Network.builder().input(2).dense(2, Activation.RELU).dense(1, Activation.IDENTITY)
                .precision(precision).seed(5).build();
    }

    @Test
    void torchWeightsInF16AndBf16LoadExactly() throws IOException {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800, smallest subnormal 2^-24 = 0x0001, 65504 = 0x7BFF
        byte[] half = torchStyle("F16", new int[] {0x3C00, 0xC000, 0x3800, 0x0001}, new int[] {0x7BFF, 0x8000},
                new int[] {0x3555, 0x3C01}, new int[] {0xBC00}, "1");
        Network loaded = ModelFile.loadWeights(new ByteArrayInputStream(half), torchArchitecture(Precision.FLOAT64));
        assertThat(loaded.dense(1).weights()).isEqualTo(new double[][] {{1, -2}, {0.5, Math.scalb(1.0, -24)}});
        assertThat(loaded.dense(1).bias()).containsExactly(65504, -0.0);
        assertThat(loaded.dense(2).weights()[0]).containsExactly(0.333251953125, 1 + Math.scalb(1.0, -10));
        assertThat(loaded.layer(2).activation()).isEqualTo(Activation.IDENTITY);
        // BF16: the top half of a float: 1.0 = 0x3F80, π ≈ 0x4049 (3.140625), -0.5 = 0xBF00
        byte[] brain = torchStyle("BF16", new int[] {0x3F80, 0x4049, 0xBF00, 0x0001}, new int[] {0, 0},
                new int[] {0x3F80, 0x3F80}, new int[] {0x3F80}, "1");
        Network b = ModelFile.loadWeights(new ByteArrayInputStream(brain), torchArchitecture(Precision.FLOAT32));
        assertThat(b.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(b.dense(1).weights()).isEqualTo(new double[][] {{1, 3.140625}, {-0.5,
            Float.intBitsToFloat(0x00010000)}});
    }

    @Test
    void torchWeightsThatDoNotFitTheArchitectureAreClearErrors() {
        byte[] wrongShape = torchStyle("F16", new int[] {0, 0, 0, 0}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {0, 0}, "2");
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(wrongShape),
                torchArchitecture(Precision.FLOAT64))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("\"2.bias\"").hasMessageContaining("[2]").hasMessageContaining("[1]");
        byte[] fine = torchStyle("F16", new int[] {0, 0, 0, 0}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {0}, "1");
        Network deeper = Network.builder().input(2).dense(2, Activation.RELU).dense(1, Activation.TANH)
                .dense(1, Activation.SIGMOID).seed(5).build();
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(fine), deeper))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("no tensor \"4.weight\"");
        Network shallower = Network.builder().input(2).dense(2, Activation.RELU).seed(5).build();
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(fine), shallower))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("does not use")
                .hasMessageContaining("2.weight");
        byte[] infinite = torchStyle("F16", new int[] {0, 0x7C00, 0, 0}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {0}, "1");
        assertThatThrownBy(() -> ModelFile.loadWeights(new ByteArrayInputStream(infinite),
                torchArchitecture(Precision.FLOAT64))).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("\"0.weight\"").hasMessageContaining("Infinity at element [0, 1]");
    }

    @Test
    void aTorchFileWithoutArchitectureNeedsLoadWeights() {
        byte[] fine = torchStyle("F16", new int[] {0, 0, 0, 0}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {0}, "1");
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(fine)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("loadWeights");
    }

    @Test
    void newerFormatVersionsAndUnknownRequiredFeaturesAreRefused() throws IOException {
        String text = new String(bytesOf(sample(Precision.FLOAT64)), StandardCharsets.ISO_8859_1);
        byte[] newer = text.replace("\"format_version\":\"1\"", "\"format_version\":\"2\"")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(newer)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("format_version \"2\"");
        byte[] fixed = editHeader(bytesOf(sample(Precision.FLOAT64)), h -> h.replace("\"input_size\":\"3\"",
                "\"input_size\":\"3\",\"required_features\":\"qz\""));
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(fixed)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("requires the feature \"qz\"");
    }

    /** Returns the file with its header text edited and the header length fixed to match. */
    static byte[] editHeader(byte[] file, java.util.function.UnaryOperator<String> edit) {
        int n = (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] header = edit.apply(new String(file, 8, n, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + file.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(file, 8 + n, file.length - 8 - n);
        return b.array();
    }

    /** A file saved by version 1 of the format; it must load and predict the same in every later version. */
    @Test
    void filesSavedByFormatVersion1StillLoadAndPredict() throws IOException {
        double[][] inputs = {{0.5, -1.0, 2.0}, {-0.25, 0.75, 0.0}};
        Network wide = loadResource("v1-float64.safetensors");
        assertThat(wide.precision()).isEqualTo(Precision.FLOAT64);
        assertThat(wide.toString()).isEqualTo(
                "Network[3 → 5 leaky_relu(slope=0.2) → 4 identity → 4 tanh → 2 softmax, FLOAT64, 74 parameters]");
        double[][] p = wide.predict(inputs);
        assertThat(p[0][0]).isCloseTo(0.5286887983875146, within(1e-12));
        assertThat(p[0][1]).isCloseTo(0.4713112016124854, within(1e-12));
        assertThat(p[1][0]).isCloseTo(0.39164259511907096, within(1e-12));
        assertThat(p[1][1]).isCloseTo(0.6083574048809289, within(1e-12));
        Network narrow = loadResource("v1-float32.safetensors");
        assertThat(narrow).isEqualTo(wide.toPrecision(Precision.FLOAT32));
        float[] q = narrow.predict(new float[] {0.5f, -1f, 2f});
        assertThat(q[0]).isCloseTo(0.5286888f, within(1e-6f));
        assertThat(q[1]).isCloseTo(0.47131124f, within(1e-6f));
    }

    private static Network loadResource(String name) throws IOException {
        try (InputStream in = ModelFileTest.class.getResourceAsStream("/io/" + name)) {
            assertThat(in).as(name).isNotNull();
            return ModelFile.load(in);
        }
    }

    @Test
    void savingReplacesTheFileAndLeavesNoTemporaryFiles() throws IOException {
        Path file = folder.resolve("m.safetensors");
        ModelFile.save(sample(Precision.FLOAT64), file);
        ModelFile.save(sample(Precision.FLOAT32), file);
        assertThat(ModelFile.load(file)).isEqualTo(sample(Precision.FLOAT32));
        try (var files = Files.list(folder)) {
            assertThat(files).containsExactly(file);
        }
    }
}
