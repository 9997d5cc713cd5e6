package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import org.junit.jupiter.api.Test;

/** Issue 13, item 10: finite inputs that overflow float32 no longer predict class 0 silently. */
class OverflowingInputsTest {

    private static Network softmax(Precision precision) {
        return Network.builder().input(8).dense(4, Activation.RELU).dense(3, Activation.SOFTMAX).precision(precision)
                .seed(11).build();
    }

    @Test
    void predictReturnsTheOverflowAsComputedAndPredictClassRefusesIt() {
        Network network = softmax(Precision.FLOAT32);
        float[] huge = new float[8];
        java.util.Arrays.fill(huge, 3e38f);
        float[] outputs = network.predict(huge);
        assertThat(Matrix.of(Precision.FLOAT32, new float[][] {outputs}, "o").firstNonFinite()).isNotNull();
        assertThatThrownBy(() -> network.predictClass(huge)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("input: the network's outputs for sample 0 are [")
                .hasMessageContaining("overflowed FLOAT32").hasMessageContaining("or use FLOAT64");
        double[] small = {1, 2, 3, 4, -1, -2, -3, -4};
        double[] large = new double[8];
        java.util.Arrays.fill(large, 3e38);
        assertThatThrownBy(() -> network.predictClasses(new double[][] {small, large}))
                .hasMessageContaining("inputs: the network's outputs for sample 1");
        assertThat(network.predictClasses(new double[][] {small, small})).hasSize(2);
        assertThat(softmax(Precision.FLOAT64).predictClass(large)).isBetween(0, 2);
    }
}
