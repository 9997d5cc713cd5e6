package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Categories;
import io.github.backprop4j.data.CategoryMapping;
import io.github.backprop4j.data.FeatureScaler;
import io.github.backprop4j.data.MinMaxScaler;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelBundleTest {

    @TempDir
    Path dir;

    /** Three numeric features, three classes. */
    static ModelBundle iris() {
        Network network = Network.builder().input(3).dense(5, Activation.TANH).dense(3, Activation.SOFTMAX)
                .precision(Precision.FLOAT64).seed(3).build();
        return ModelBundle.of(network)
                .withScaler(Standardizer.of(new double[] {5.8, 3.0, 3.7}, new double[] {0.8, 0.43, 1.76}))
                .withClassNames("setosa", "versicolor", "virginica")
                .withFeatureNames("sepal length", "sepal width", "petal length");
    }

    /** Two numeric features, then a colour (3 values) and a city (2 values and an unknown bucket). */
    static ModelBundle shop() {
        Categories categories = Categories.of(CategoryMapping.of("colour", List.of("blue", "green", "red")),
                CategoryMapping.of("city", List.of("Lyon", "Zürich")).withUnknownBucket());
        Network network = Network.builder().input(2).categorical(3, 2).categorical(3, 2).dense(4, Activation.RELU)
                .dense(2, Activation.SOFTMAX).precision(Precision.FLOAT32).seed(5).build();
        return ModelBundle.of(network).withScaler(MinMaxScaler.of(new double[] {0, 10}, new double[] {2, 50}, -1, 1))
                .withCategories(categories).withClassNames("no", "yes");
    }

    static byte[] bytesOf(ModelBundle bundle) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        bundle.save(out);
        return out.toByteArray();
    }

    @Test
    void aSavedBundleLoadsBackEqualBitForBit() throws IOException {
        for (ModelBundle bundle : List.of(iris(), shop())) {
            Path file = dir.resolve("bundle.safetensors");
            bundle.save(file);
            ModelBundle loaded = ModelBundle.load(file);
            assertThat(loaded).isEqualTo(bundle);
            assertThat(loaded.network()).isEqualTo(bundle.network());
            assertThat(loaded.scaler()).isEqualTo(bundle.scaler());
            assertThat(loaded.categories()).isEqualTo(bundle.categories());
            assertThat(loaded.classNames()).isEqualTo(bundle.classNames());
            assertThat(loaded.featureNames()).isEqualTo(bundle.featureNames());
            assertThat(bytesOf(loaded)).isEqualTo(Files.readAllBytes(file));
        }
        Standardizer s = (Standardizer) ModelBundle.load(new ByteArrayInputStream(bytesOf(iris()))).scaler();
        assertThat(s.standardDeviations()).containsExactly(0.8, 0.43, 1.76);
        MinMaxScaler m = (MinMaxScaler) ModelBundle.load(new ByteArrayInputStream(bytesOf(shop()))).scaler();
        assertThat(m.maximums()).containsExactly(2, 50);
        assertThat(m.lower()).isEqualTo(-1);
    }

    @Test
    void predictionsFromRawRowsEqualScalingThenPredicting() throws IOException {
        ModelBundle bundle = ModelBundle.load(new ByteArrayInputStream(bytesOf(iris())));
        double[] raw = {5.1, 3.5, 1.4};
        double[] expected = bundle.network().predict(bundle.scaler().transform(raw));
        ModelBundle.Prediction p = bundle.predict(raw);
        assertThat(p.outputs()).containsExactly(expected);
        int best = bundle.network().predictClass(bundle.scaler().transform(raw));
        assertThat(p.classIndex()).isEqualTo(best);
        assertThat(p.className()).isEqualTo(bundle.classNames().get(best));
        assertThat(p.probabilities().keySet()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(p.probabilities().get("virginica")).isEqualTo(expected[2]);
        assertThat(p.probabilities().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1,
                within(1e-12));
        assertThat(bundle.predict("5.1", " 3.5", "1.4")).isEqualTo(p);
        assertThat(bundle.predict((Object) 5.1, 3.5f, 1.4)).isEqualTo(bundle.predict(new double[] {5.1, (double) 3.5f, 1.4}));
        assertThat(bundle.outputs(raw)).containsExactly(expected);
        // Without a scaler, the raw row goes to the network as it is.
        assertThat(bundle.withScaler(null).outputs(raw)).containsExactly(bundle.network().predict(raw));
    }

    @Test
    void textCategoriesAreMappedAndOnlyNumericColumnsScaled() {
        ModelBundle bundle = shop();
        double[] scaledNumeric = bundle.scaler().transform(new double[] {1.5, 20});
        double[] expected = bundle.network().predict(new double[] {scaledNumeric[0], scaledNumeric[1], 2, 1});
        assertThat(bundle.predict(1.5, 20, "red", "Zürich").outputs()).containsExactly(expected);
        assertThat(bundle.predict("1.5", "20", "red", "Zürich").outputs()).containsExactly(expected);
        assertThat(bundle.predict(1.5, 20, 2, 1).outputs()).containsExactly(expected);
        assertThat(bundle.predict(new double[] {1.5, 20, 2, 1}).outputs()).containsExactly(expected);
        assertThat(bundle.scale(new double[] {1.5, 20, 2, 1})).containsExactly(scaledNumeric[0], scaledNumeric[1], 2,
                1);
    }

    @Test
    void unknownCategoriesAreRefusedOrGoToTheBucket() {
        ModelBundle bundle = shop();
        assertThatThrownBy(() -> bundle.predict(1.5, 20, "purple", "Lyon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour")
                .hasMessageContaining("purple").hasMessageContaining("\"blue\"");
        double[] bucket = bundle.predict(1.5, 20, "red", 2).outputs();
        assertThat(bundle.predict(1.5, 20, "red", "Paris").outputs()).containsExactly(bucket);
        assertThatThrownBy(() -> ModelBundle.of(bundle.network()).predict(1.5, 20, "red", "Lyon"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 2")
                .hasMessageContaining("no category mappings");
        assertThatThrownBy(() -> bundle.predict(1.5, 20, 2.0, "Lyon")).hasMessageContaining("column 2")
                .hasMessageContaining("java.lang.Double");
        assertThatThrownBy(() -> bundle.predict("x", 20, "red", "Lyon")).hasMessageContaining("column 0")
                .hasMessageContaining("not a number");
        assertThatThrownBy(() -> bundle.predict(1.5, 20, "red")).hasMessageContaining("3")
                .hasMessageContaining("4").hasMessageContaining("2 numeric, 2 categorical");
    }

    @Test
    void aSingleOutputGivesBothClassesProbabilities() {
        Network network = Network.builder().input(2).dense(1, Activation.SIGMOID).seed(2).build();
        ModelBundle bundle = ModelBundle.of(network).withClassNames("ham", "spam");
        ModelBundle.Prediction p = bundle.predict(0.3, -2);
        double y = network.predict(new double[] {0.3, -2})[0];
        assertThat(p.probabilities()).containsExactly(Map.entry("ham", 1 - y), Map.entry("spam", y));
        assertThat(p.className()).isEqualTo(y > 0.5 ? "spam" : "ham");
        ModelBundle regression = ModelBundle.of(network);
        assertThat(regression.predict(0.3, -2).className()).isNull();
        assertThat(regression.predict(0.3, -2).probabilities()).isEmpty();
        assertThat(regression.outputs(0.3, -2)).containsExactly(y);
    }

    @Test
    void sizesThatDisagreeWithTheNetworkAreRefusedNamingThem() {
        ModelBundle iris = iris();
        ModelBundle shop = shop();
        assertThatThrownBy(() -> iris.withScaler(Standardizer.of(new double[] {0, 0}, new double[] {1, 1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scaler").hasMessageContaining("2")
                .hasMessageContaining("3");
        assertThatThrownBy(() -> shop.withScaler(Standardizer.of(new double[] {0, 0, 0, 0}, new double[] {1, 1, 1,
            1}))).hasMessageContaining("4").hasMessageContaining("2 categorical");
        FeatureScaler custom = new FeatureScaler() {
            @Override
            public int featureCount() {
                return 3;
            }

            @Override
            public double transform(int feature, double value) {
                return value;
            }
        };
        assertThatThrownBy(() -> iris.withScaler(custom)).hasMessageContaining("only a Standardizer or a MinMaxScaler");
        assertThatThrownBy(() -> iris.withClassNames("a", "b")).hasMessageContaining("2 names")
                .hasMessageContaining("3 outputs");
        assertThatThrownBy(() -> iris.withClassNames("a", "b", "a")).hasMessageContaining("name 2")
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> iris.withFeatureNames("a", "b")).hasMessageContaining("2")
                .hasMessageContaining("3");
        assertThatThrownBy(() -> iris.withCategories(shop.categories())).hasMessageContaining("2")
                .hasMessageContaining("0").hasMessageContaining("embedding tables");
        Categories wrongCardinality = Categories.of(CategoryMapping.of("colour", List.of("blue", "red")),
                CategoryMapping.of("city", List.of("Lyon", "Zürich", "Bern")));
        assertThatThrownBy(() -> shop.withCategories(wrongCardinality)).hasMessageContaining("column 0")
                .hasMessageContaining("colour").hasMessageContaining("2").hasMessageContaining("3");
        assertThat(iris.withClassNames(List.of()).classNames()).isEmpty();
    }

    @Test
    void plainNetworkFilesWorkBothWays() throws IOException {
        ModelBundle bundle = shop();
        Path bundleFile = dir.resolve("bundle.safetensors");
        bundle.save(bundleFile);
        assertThat(ModelFile.load(bundleFile)).isEqualTo(bundle.network());
        assertThat(ModelFile.load(new ByteArrayInputStream(bytesOf(iris())))).isEqualTo(iris().network());
        Path plain = dir.resolve("plain.safetensors");
        ModelFile.save(bundle.network(), plain);
        ModelBundle fromPlain = ModelBundle.load(plain);
        assertThat(fromPlain).isEqualTo(ModelBundle.of(bundle.network()));
        assertThat(fromPlain.scaler()).isNull();
        assertThat(fromPlain.categories().isEmpty()).isTrue();
        // A bundle without preprocessing is the plain file plus one metadata entry.
        assertThat(ModelBundle.of(bundle.network()).encode().metadata()).containsEntry("bundle_format_version", "1");
    }

    // ------------------------------------------------------------------ hostile files

    /** Writes the contents of a valid bundle after an edit. */
    private static byte[] edited(ModelBundle bundle, Consumer<ModelFile.Contents> edit) throws IOException {
        ModelFile.Contents valid = bundle.encode();
        ModelFile.Contents contents = new ModelFile.Contents(new TreeMap<>(valid.metadata()),
                new LinkedHashMap<>(valid.tensors()));
        edit.accept(contents);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Safetensors.write(out, contents.metadata(), contents.tensors());
        return out.toByteArray();
    }

    private static void refused(byte[] file, String... parts) {
        assertThatThrownBy(() -> ModelBundle.read(new ByteArrayInputStream(file), file.length, "bad.safetensors"))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("bad.safetensors")
                .hasMessageContainingAll(parts);
        assertThatThrownBy(() -> ModelBundle.load(new ByteArrayInputStream(file)))
                .isInstanceOf(ModelFormatException.class);
    }

    private static Safetensors.Tensor f64(double... values) {
        return Safetensors.encode(Safetensors.DType.F64, new long[] {values.length}, values);
    }

    @Test
    void malformedBundlesAreRefusedSayingWhat() throws IOException {
        refused(edited(iris(), c -> c.metadata().put("bundle_format_version", "2")), "bundle_format_version", "\"2\"");
        refused(edited(iris(), c -> c.metadata().put("bundle.colour", "x")), "bundle.colour", "does not know");
        refused(edited(iris(), c -> c.metadata().remove("bundle_format_version")), "bundle.", "no");
        refused(edited(iris(), c -> c.metadata().put("bundle.scaler", "robust")), "bundle.scaler", "robust");
        refused(edited(iris(), c -> c.tensors().remove("preprocessing.std")), "preprocessing.std");
        refused(edited(iris(), c -> c.tensors().put("preprocessing.std", f64(1, 1))), "preprocessing.std", "[2]",
                "[3]");
        refused(edited(iris(), c -> c.tensors().put("preprocessing.std", Safetensors.encode(Safetensors.DType.F32,
                new long[] {3}, new double[] {1, 1, 1}))), "preprocessing.std", "F32", "F64");
        refused(edited(iris(), c -> c.tensors().put("preprocessing.std", f64(1, -1, 1))), "standardDeviations",
                "feature 1");
        refused(edited(iris(), c -> c.tensors().put("preprocessing.mean", f64(1, Double.NaN, 1))),
                "preprocessing.mean", "NaN");
        refused(edited(iris(), c -> c.tensors().put("preprocessing.min", f64(1, 2, 3))), "preprocessing.min",
                "does not use");
        refused(edited(iris(), c -> c.metadata().put("bundle.class_names", "[\"a\",\"b\"]")), "classNames", "2 names");
        refused(edited(iris(), c -> c.metadata().put("bundle.class_names", "{\"a\":1}")), "bundle.class_names",
                "not a JSON array");
        refused(edited(iris(), c -> c.metadata().put("bundle.class_names", "[\"a\",1,\"c\"]")), "bundle.class_names",
                "index 1");
        refused(edited(iris(), c -> c.metadata().put("bundle.feature_names", "[\"a\"")), "bundle.feature_names");
        refused(edited(iris(), c -> c.metadata().put("bundle.scaler.lower", "0")), "min_max");
        refused(edited(shop(), c -> c.metadata().put("bundle.scaler.upper", "-5")), "upper", "-5");
        refused(edited(shop(), c -> c.metadata().put("bundle.scaler.upper", "high")), "bundle.scaler.upper",
                "not a decimal");
        refused(edited(shop(), c -> c.metadata().put("bundle.categories", "{\"columns\":[}")), "bundle.categories");
        refused(edited(shop(), c -> c.metadata().put("bundle.categories", Categories.of(CategoryMapping.of("colour",
                List.of("blue", "red"))).toJson())), "categories", "1", "2");
        refused(edited(iris(), c -> c.metadata().put("bundle.categories", shop().categories().toJson())),
                "categories");
        // A plain network file with a tensor under the bundle's prefix is no bundle: ModelFile refuses it too.
        byte[] stray = edited(iris(), c -> {
            c.metadata().keySet().removeIf(k -> k.startsWith("bundle"));
            c.metadata().remove("bundle_format_version");
        });
        refused(stray, "does not use", "preprocessing.mean");
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(stray)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("preprocessing.mean");
    }

    @Test
    void modelFileSkipsTheBundlesTensorsAndReadsTheNetworkAfterThem() throws IOException {
        // The preprocessing tensors may sit anywhere in the data; the network's tensors after them still decode.
        byte[] file = edited(shop(), c -> {
            Map<String, Safetensors.Tensor> reordered = new LinkedHashMap<>();
            reordered.put("preprocessing.max", c.tensors().get("preprocessing.max"));
            reordered.put("preprocessing.min", c.tensors().get("preprocessing.min"));
            reordered.putAll(c.tensors());
            c.tensors().clear();
            c.tensors().putAll(reordered);
        });
        assertThat(ModelFile.load(new ByteArrayInputStream(file))).isEqualTo(shop().network());
        assertThat(ModelFile.read(new ByteArrayInputStream(file), file.length, null, "f")).isEqualTo(
                shop().network());
        assertThat(ModelBundle.read(new ByteArrayInputStream(file), file.length, "f")).isEqualTo(shop());
    }

    /**
     * Writes the files that {@code src/test/python/test_safetensors_numpy.py} reads: a bundle, and the raw rows
     * with the outputs the bundle predicts for them.
     */
    @Test
    void writesTheFilesThePythonReaderIsTestedOn() throws IOException {
        Path out = Path.of("target", "python-interop");
        Files.createDirectories(out);
        ModelBundle bundle = iris();
        bundle.save(out.resolve("iris-bundle.safetensors"));
        double[][] rows = {{5.1, 3.5, 1.4}, {6.7, 3.0, 5.2}, {5.9, 2.8, 4.1}};
        StringBuilder json = new StringBuilder("{\"rows\":[");
        for (int i = 0; i < rows.length; i++) {
            json.append(i == 0 ? "" : ",").append(java.util.Arrays.toString(rows[i]));
        }
        json.append("],\"outputs\":[");
        for (int i = 0; i < rows.length; i++) {
            json.append(i == 0 ? "" : ",").append(java.util.Arrays.toString(bundle.outputs(rows[i])));
        }
        json.append("]}");
        Files.writeString(out.resolve("iris-bundle-expected.json"), json);
        assertThat(ModelBundle.load(out.resolve("iris-bundle.safetensors"))).isEqualTo(bundle);
    }
}
