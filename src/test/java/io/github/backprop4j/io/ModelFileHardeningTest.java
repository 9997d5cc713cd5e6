package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Messages of issue 13 (items 3 and 9) for model files. */
class ModelFileHardeningTest {

    @TempDir
    Path folder;

    @Test
    void aFloat64WeightBeyondFloatRangeLoadedAsFloat32NamesFileTensorElementAndValue() throws Exception {
        Network wide = Network.of(Layer.of(new double[][] {{0.5, 2}, {1e300, 1}}, new double[] {0, 0},
                Activation.IDENTITY));
        Path file = folder.resolve("wide.safetensors");
        ModelFile.save(wide, file);
        assertThat(ModelFile.load(file)).isEqualTo(wide);
        assertThatThrownBy(() -> ModelFile.load(file, Precision.FLOAT32)).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("tensor \"0.weight\"")
                .hasMessageContaining("holds 1.0E300 at element [1, 0], outside the range of FLOAT32")
                .hasMessageNotContaining("Infinity");
        Network narrowArchitecture = Network.builder().input(2).dense(2, Activation.IDENTITY).seed(1).build();
        assertThatThrownBy(() -> ModelFile.loadWeights(file, narrowArchitecture))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("holds 1.0E300 at element [1, 0]");
        assertThat(ModelFile.loadWeights(file, narrowArchitecture.toPrecision(Precision.FLOAT64))).isEqualTo(wide);
    }

    @Test
    void aShapeElementThatIsAStringIsQuotedInTheMessage() {
        HandWrittenFile f = new HandWrittenFile();
        long[] w = f.f32(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        byte[] bytes = f.build("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[\"4\",3],\"data_offsets\":[" + w[0] + ","
                + w[1] + "]}}");
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(bytes)))
                .isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("\"shape\" element \"4\" (a string), not an integer");
    }

    @Test
    void aHeaderThatIsNotUtf8IsNamedWithItsPosition() throws Exception {
        HandWrittenFile f = new HandWrittenFile();
        byte[] bytes = f.build("{\"__metadata__\":{\"a\":\"\u00e9\"}}");
        bytes[8 + 22] = (byte) 0xff; // the first byte of é
        assertThatThrownBy(() -> ModelFile.load(new ByteArrayInputStream(bytes)))
                .isInstanceOf(ModelFormatException.class).hasMessageContaining("the header of the stream is not valid "
                        + "UTF-8").hasMessageContaining("character");
        Files.write(folder.resolve("bad.safetensors"), bytes);
        assertThatThrownBy(() -> ModelFile.load(folder.resolve("bad.safetensors")))
                .hasMessageContaining(folder.resolve("bad.safetensors").toString());
    }
}
