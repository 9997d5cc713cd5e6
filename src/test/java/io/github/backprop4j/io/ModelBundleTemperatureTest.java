package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.train.TemperatureScaling;
import io.github.backprop4j.train.TrainerTestSupport;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A fitted temperature kept in a bundle: saved, loaded and applied by its predictions. */
class ModelBundleTemperatureTest {

    private static ModelBundle calibrated() {
        Network network = TrainerTestSupport.irisLikeRun().network();
        DataSet raw = TrainerTestSupport.blobs(2);
        return ModelBundle.of(network).withScaler(Standardizer.fit(raw)).withClassNames("a", "b", "c")
                .withTemperature(new TemperatureScaling(2.5));
    }

    @Test
    void theTemperatureRoundTripsThroughTheFileAndPredictionsApplyIt(@TempDir Path dir) throws Exception {
        ModelBundle bundle = calibrated();
        Path file = dir.resolve("calibrated.safetensors");
        bundle.save(file);

        ModelBundle loaded = ModelBundle.load(file);
        assertThat(loaded).isEqualTo(bundle);
        assertThat(loaded.temperature().temperature()).isEqualTo(2.5);
        assertThat(bundle.encode().metadata()).containsEntry("bundle.temperature", "2.5");

        double[] raw = {1.5, 0.3};
        double[] expected = new TemperatureScaling(2.5).probabilities(bundle.network(),
                Matrix.of(Precision.FLOAT64, new double[][] {bundle.scale(raw)}, "x")).row(0);
        assertThat(loaded.outputs(raw)).containsExactly(expected);
        ModelBundle.Prediction p = loaded.predict(raw);
        assertThat(p.probabilities().get("a")).isEqualTo(expected[0]);
        // softer than the network alone, but the same class
        double[] plain = bundle.network().predict(bundle.scale(raw));
        int cls = bundle.withTemperature(new TemperatureScaling(1)).predict(raw).classIndex();
        assertThat(p.classIndex()).isEqualTo(cls);
        assertThat(expected[cls]).isLessThan(plain[cls]);
        assertThat(java.util.Arrays.stream(expected).sum()).isCloseTo(1, within(1e-12));
        // the plain network file reader still reads the bundle as the network
        assertThat(ModelFile.load(file)).isEqualTo(bundle.network());
    }

    @Test
    void temperatureOneWritesNothingAndIsTheDefault() {
        ModelBundle bundle = calibrated().withTemperature(new TemperatureScaling(1));
        assertThat(bundle.encode().metadata()).doesNotContainKey("bundle.temperature");
        assertThat(ModelBundle.of(bundle.network()).temperature().temperature()).isEqualTo(1);
        assertThat(bundle.outputs(1.5, 0.3)).containsExactly(bundle.network().predict(bundle.scale(
                new double[] {1.5, 0.3})));
        assertThat(calibrated()).isNotEqualTo(bundle);
        // ONNX would compute other probabilities than the calibrated bundle: refused, not silently uncalibrated
        assertThatThrownBy(() -> io.github.backprop4j.onnx.OnnxExport.toBytes(calibrated()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("temperature 2.5");
        assertThat(io.github.backprop4j.onnx.OnnxExport.toBytes(bundle)).isNotEmpty();
    }

    @Test
    void aTemperatureNeedsAProbabilisticOutputAndAValidValueInTheFile() throws Exception {
        Network regression = Network.builder().input(2).dense(1, Activation.IDENTITY).seed(1).build();
        assertThatThrownBy(() -> ModelBundle.of(regression).withTemperature(new TemperatureScaling(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 1")
                .hasMessageContaining("identity");
        for (String bad : new String[] {"-1", "0", "NaN", "warm"}) {
            ModelFile.Contents valid = calibrated().encode();
            ModelFile.Contents contents = new ModelFile.Contents(new TreeMap<>(valid.metadata()),
                    new LinkedHashMap<>(valid.tensors()));
            contents.metadata().put("bundle.temperature", bad);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Safetensors.write(out, contents.metadata(), contents.tensors());
            byte[] file = out.toByteArray();
            assertThatThrownBy(() -> ModelBundle.read(new ByteArrayInputStream(file), file.length, "bad.safetensors"))
                    .as(bad).isInstanceOf(ModelFormatException.class).hasMessageContaining("bad.safetensors")
                    .hasMessageContaining("bundle.temperature");
        }
    }
}
