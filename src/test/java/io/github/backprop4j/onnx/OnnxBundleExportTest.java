package io.github.backprop4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Categories;
import io.github.backprop4j.data.CategoryMapping;
import io.github.backprop4j.data.FeatureScaler;
import io.github.backprop4j.data.MinMaxScaler;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.io.ModelBundle;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ONNX export of a {@link ModelBundle}: raw (unscaled) rows through the exported model in ONNX Runtime agree with
 * {@link ModelBundle#outputs(double...)} within the tolerances of {@link OnnxExportTest}
 * ({@code 1e-5·|y| + 1e-6} in float32, {@code 1e-12·|y| + 1e-15} in float64), for both scalers (min-max with
 * the default and a shifted target range), with and without categorical columns, both precisions; the scalers
 * include a zero deviation and a zero range. The names are the model's metadata. Every model also goes to
 * {@code target/onnx-check} for {@code src/test/python/check_onnx.py}.
 */
class OnnxBundleExportTest {

    private static final OrtEnvironment ENV = OrtEnvironment.getEnvironment();

    /** Means, deviations, minimums and maximums of the 4 numeric features; feature 2 is constant. */
    private static final double[] MEANS = {3.0, -1.5, 2.25, 0.5};
    private static final double[] SPREADS = {1.5, 2.0, 0.0, 1.25};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Precision precision : Precision.values()) {
            for (String scaler : new String[] {"standardizer", "min-max", "min-max-shifted"}) {
                for (boolean categorical : new boolean[] {false, true}) {
                    cases.add(Arguments.of(precision, scaler, categorical));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} categorical={2}")
    @MethodSource("cases")
    void rawRowsThroughTheOnnxBundleAgreeWithTheBundle(Precision precision, String scalerKind, boolean categorical)
            throws Exception {
        ModelBundle bundle = bundle(precision, scaler(scalerKind), categorical);
        byte[] model = export(bundle, "bundle-" + scalerKind + (categorical ? "-categorical-" : "-") + precision);
        SplittableRandom random = new SplittableRandom(scalerKind.hashCode() + (categorical ? 1 : 0));
        for (int batch : new int[] {1, 7}) {
            double[][] raw = rawRows(bundle, batch, random);
            double[][] actual = run(model, raw, precision == Precision.FLOAT64);
            assertAgrees(bundle, raw, actual);
        }
    }

    @Test
    void theScaledColumnsDifferFromTheRawOnesSoTheTestSeesTheScaler() throws Exception {
        ModelBundle bundle = bundle(Precision.FLOAT64, scaler("min-max-shifted"), true);
        double[][] raw = rawRows(bundle, 3, new SplittableRandom(5));
        double[][] unscaled = run(OnnxExport.toBytes(bundle.network()), raw, true);
        double[][] scaled = run(OnnxExport.toBytes(bundle), raw, true);
        assertThat(scaled[0][0]).isNotCloseTo(unscaled[0][0], org.assertj.core.data.Offset.offset(1e-3));
        assertThat(scaled[0][0]).isCloseTo(bundle.outputs(raw[0])[0], org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void theNamesAndTheScalerKindAreMetadataProps() throws Exception {
        ModelBundle bundle = bundle(Precision.FLOAT32, scaler("standardizer"), true)
                .withFeatureNames("height \"cm\"", "width", "depth\\mm", "mass");
        Map<String, String> metadata = metadata(OnnxExport.toBytes(bundle));
        assertThat(metadata).containsEntry(OnnxExport.METADATA_CLASS_NAMES, "[\"red\",\"green\",\"blue\"]")
                .containsEntry(OnnxExport.METADATA_FEATURE_NAMES,
                        "[\"height \\\"cm\\\"\",\"width\",\"depth\\\\mm\",\"mass\"]")
                .containsEntry(OnnxExport.METADATA_CATEGORIES, bundle.categories().toJson())
                .containsEntry(OnnxExport.METADATA_SCALER, "standardizer");
        assertThat(Categories.fromJson(metadata.get(OnnxExport.METADATA_CATEGORIES))).isEqualTo(bundle.categories());
    }

    @Test
    void aBundleWithoutExtrasHasNoMetadataAndTheNetworksBytes() throws Exception {
        Network network = network(Precision.FLOAT64, false);
        ModelBundle bundle = ModelBundle.of(network);
        assertThat(OnnxExport.toBytes(bundle)).isEqualTo(OnnxExport.toBytes(network));
        assertThat(metadata(OnnxExport.toBytes(bundle))).isEmpty();
        assertThat(metadata(OnnxExport.toBytes(bundle.withScaler(scaler("min-max")))))
                .containsOnly(Map.entry(OnnxExport.METADATA_SCALER, "min_max"));
    }

    @Test
    void saveAndWriteGiveTheBytesOfToBytes(@TempDir Path dir) throws IOException {
        ModelBundle bundle = bundle(Precision.FLOAT32, scaler("min-max-shifted"), true);
        byte[] expected = OnnxExport.toBytes(bundle);
        Path file = dir.resolve("bundle.onnx");
        Files.write(file, new byte[] {1, 2, 3});
        OnnxExport.save(bundle, file);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        OnnxExport.write(bundle, out);
        assertThat(out.toByteArray()).isEqualTo(expected);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @ParameterizedTest(name = "{0} {1} categorical={2}")
    @MethodSource("cases")
    void importRefusesABundleWithAScalerByNameRatherThanDroppingTheScaling(Precision precision, String scalerKind,
            boolean categorical) {
        byte[] model = OnnxExport.toBytes(bundle(precision, scaler(scalerKind), categorical));
        assertThatThrownBy(() -> OnnxImport.read(model)).isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining("bundle whose graph starts with its feature scaler")
                .hasMessageContaining("scaler=" + (scalerKind.equals("standardizer") ? "standardizer" : "min_max"))
                .hasMessageContaining("ModelBundle.load");
    }

    @Test
    void importReadsABundleWithoutAScalerAsItsNetwork() throws Exception {
        ModelBundle bundle = ModelBundle.of(network(Precision.FLOAT64, true)).withClassNames("red", "green", "blue");
        Network imported = OnnxImport.read(OnnxExport.toBytes(bundle));
        double[][] raw = rawRows(bundle, 4, new SplittableRandom(3));
        assertThat(imported.predict(raw)).isDeepEqualTo(bundle.network().predict(raw));
    }

    @Test
    void nullArgumentsAreRefusedByName() {
        assertThatThrownBy(() -> OnnxExport.toBytes((ModelBundle) null)).hasMessageContaining("bundle");
        ModelBundle bundle = ModelBundle.of(network(Precision.FLOAT32, false));
        assertThatThrownBy(() -> OnnxExport.save(bundle, null)).hasMessageContaining("path");
        assertThatThrownBy(() -> OnnxExport.write(bundle, null)).hasMessageContaining("out");
    }

    // ---------------------------------------------------------------------------------------------------------

    private static FeatureScaler scaler(String kind) {
        double[] min = new double[MEANS.length];
        double[] max = new double[MEANS.length];
        for (int j = 0; j < MEANS.length; j++) {
            min[j] = MEANS[j] - 2 * SPREADS[j];
            max[j] = MEANS[j] + 2 * SPREADS[j];
        }
        return switch (kind) {
            case "standardizer" -> Standardizer.of(MEANS, SPREADS);
            case "min-max" -> MinMaxScaler.of(min, max, 0, 1);
            case "min-max-shifted" -> MinMaxScaler.of(min, max, -1.5, 2.5);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    private static Network network(Precision precision, boolean categorical) {
        Network.Builder builder = Network.builder().input(MEANS.length);
        if (categorical) {
            builder = builder.categorical(3, 2).categorical(4, 3);
        }
        return builder.dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).seed(21).precision(precision).build();
    }

    private static ModelBundle bundle(Precision precision, FeatureScaler scaler, boolean categorical) {
        ModelBundle bundle = ModelBundle.of(network(precision, categorical)).withScaler(scaler)
                .withClassNames("red", "green", "blue");
        if (categorical) {
            bundle = bundle.withCategories(Categories.of(CategoryMapping.of("colour", List.of("a", "b", "c")),
                    CategoryMapping.of("size", List.of("s", "m", "l", "xl"))));
        }
        return bundle;
    }

    /** Raw numeric features around the scaler's means (the constant one exactly), then valid category indices. */
    private static double[][] rawRows(ModelBundle bundle, int batch, SplittableRandom random) {
        int width = bundle.network().inputSize();
        double[][] rows = new double[batch][width];
        for (double[] row : rows) {
            for (int j = 0; j < MEANS.length; j++) {
                row[j] = MEANS[j] + SPREADS[j] * random.nextGaussian();
            }
            for (int k = MEANS.length; k < width; k++) {
                row[k] = random.nextInt(k == MEANS.length ? 3 : 4);
            }
        }
        return rows;
    }

    private static byte[] export(ModelBundle bundle, String name) throws IOException {
        byte[] model = OnnxExport.toBytes(bundle);
        Files.createDirectories(OnnxExportTest.CHECK_DIRECTORY);
        Files.write(OnnxExportTest.CHECK_DIRECTORY.resolve(name + ".onnx"), model);
        return model;
    }

    private static void assertAgrees(ModelBundle bundle, double[][] raw, double[][] actual) {
        boolean isDouble = bundle.network().precision() == Precision.FLOAT64;
        double relative = isDouble ? 1e-12 : 1e-5;
        double absolute = isDouble ? 1e-15 : 1e-6;
        assertThat(actual.length).isEqualTo(raw.length);
        for (int n = 0; n < raw.length; n++) {
            double[] expected = bundle.outputs(raw[n]);
            assertThat(actual[n]).hasSize(expected.length);
            for (int j = 0; j < expected.length; j++) {
                assertThat(Math.abs(actual[n][j] - expected[j]))
                        .as("sample %d of %d, output %d: onnx %s, bundle %s", n, raw.length, j, actual[n][j],
                                expected[j])
                        .isLessThanOrEqualTo(relative * Math.abs(expected[j]) + absolute);
            }
        }
    }

    private static Map<String, String> metadata(byte[] model) throws OrtException {
        try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions())) {
            return session.getMetadata().getCustomMetadata();
        }
    }

    private static double[][] run(byte[] model, double[][] inputs, boolean isDouble) throws OrtException {
        float[][] floats = new float[inputs.length][];
        for (int n = 0; n < inputs.length; n++) {
            floats[n] = new float[inputs[n].length];
            for (int j = 0; j < inputs[n].length; j++) {
                floats[n][j] = (float) inputs[n][j];
            }
        }
        try (OrtSession session = ENV.createSession(model, new OrtSession.SessionOptions());
                OnnxTensor tensor = isDouble ? OnnxTensor.createTensor(ENV, inputs)
                        : OnnxTensor.createTensor(ENV, floats);
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
}
