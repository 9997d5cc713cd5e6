package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Networks too large for the heap are refused before anything is allocated, and a float32 network is drawn
 * without a float64 copy (issue 13, items 4 and 6); the heap checks run in forked JVMs with small heaps.
 */
class LargeNetworkTest {

    @Test
    void aFloat32LayerIsDrawnWithoutAFloat64Copy() throws Exception {
        // 100 × 100,000 float32 weights: 40 MB. Drawn in float64 first it would need 80 MB more.
        assertThat(probe("-Xmx96m", 100, 100_000)).isEqualTo("BUILT " + (100L * 100_000 + 100_000));
    }

    @Test
    void networksTooLargeForTheHeapAreRefusedUpFrontWithTheSizes() throws Exception {
        assertThat(probe("-Xmx256m", 1, 2_000_000_000)).startsWith("REFUSED")
                .contains("16000.0 MB of memory").contains("of its maximum").contains("-Xmx");
        assertThat(probe("-Xmx256m", 40_000, 50_000)).startsWith("REFUSED").contains("8000.2 MB");
        assertThat(probe("-Xmx256m", 50_000, 50_000)).startsWith("REFUSED")
                .contains("more than one Java array can hold").contains("50000 inputs × 50000 neurons");
        assertThat(probe("-Xmx256m", 1, 300_000_000)).startsWith("REFUSED").contains("2400.0 MB");
    }

    @Test
    void narrowingAValueBeyondFloatRangeIsRefusedNamingLayerAndElement() {
        Network wide = Network.of(Layer.of(new double[][] {{0.5, 1e300}}, new double[] {0}, Activation.IDENTITY),
                Layer.of(new double[][] {{1}}, new double[] {-1e39}, Activation.IDENTITY));
        assertThatThrownBy(() -> wide.toPrecision(Precision.FLOAT32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("layer 1: weights: row 0, column 1 is 1.0E300, outside the range of FLOAT32");
        Network secondBad = wide.withLayer(1, Layer.of(new double[][] {{0.5, 2}}, new double[] {0},
                Activation.IDENTITY));
        assertThatThrownBy(() -> secondBad.toPrecision(Precision.FLOAT32))
                .hasMessageContaining("layer 2: bias: row 0, column 0 is -1.0E39");
        assertThatThrownBy(() -> Network.builder().input(2).layer(wide.layer(1)).build())
                .hasMessageContaining("weights: row 0, column 1 is 1.0E300");
        Network fine = wide.withLayer(1, secondBad.layer(1)).withLayer(2, Layer.of(new double[][] {{1}},
                new double[] {3e38}, Activation.IDENTITY));
        assertThat(fine.toPrecision(Precision.FLOAT32).dense(2).bias()[0]).isEqualTo((double) 3e38f);
    }

    private static String probe(String heap, int inputs, int units) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", BuildProbe.class.getName(), Integer.toString(inputs),
                Integer.toString(units)).redirectErrorStream(true).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            return "HUNG";
        }
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return text.substring(text.lastIndexOf('\n') + 1);
    }
}
