package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import org.junit.jupiter.api.Test;

class PredictClassTest {

    /** Three outputs equal to the inputs, through softmax: the predicted class is the largest input. */
    private static Network argmaxNetwork(Precision precision) {
        Matrix w = Matrix.of(precision, new double[][] {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, "w");
        return Network.of(Layer.of(w, Matrix.zeros(precision, 1, 3), Activation.SOFTMAX));
    }

    @Test
    void predictClassIsTheArgmaxOfTheOutputs() {
        for (Precision p : Precision.values()) {
            Network network = argmaxNetwork(p);
            assertThat(network.predictClass(new double[] {0.1, 2, -1})).isEqualTo(1);
            assertThat(network.predictClass(new float[] {3, 2, -1})).isZero();
            assertThat(network.predictClasses(new double[][] {{0, 0, 1}, {5, 1, 1}, {1, 1, 1}}))
                    .containsExactly(2, 0, 0); // equal outputs: the first
        }
    }

    @Test
    void aSingleOutputIsThresholdedAtOneHalf() {
        Matrix w = Matrix.of(Precision.FLOAT64, new double[][] {{1}}, "w");
        Network network = Network.of(Layer.of(w, Matrix.zeros(Precision.FLOAT64, 1, 1), Activation.SIGMOID));
        assertThat(network.predictClass(new double[] {0.01})).isEqualTo(1);
        assertThat(network.predictClass(new double[] {0})).isZero(); // σ(0) = 0.5 is not above 0.5
        assertThat(network.predictClasses(new double[][] {{-3}, {3}})).containsExactly(0, 1);
    }

    @Test
    void badInputsAreNamed() {
        Network network = argmaxNetwork(Precision.FLOAT64);
        assertThatThrownBy(() -> network.predictClass(new double[] {1, 2})).hasMessageContaining("input")
                .hasMessageContaining("2").hasMessageContaining("3");
        assertThatThrownBy(() -> network.predictClasses(new double[][] {{1, 2, 3}, {1, 2}}))
                .hasMessageContaining("row 1");
    }
}
