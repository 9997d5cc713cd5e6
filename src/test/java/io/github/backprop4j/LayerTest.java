package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import org.junit.jupiter.api.Test;

/** Construction, immutability, value semantics and the forward step of {@link Layer}. */
class LayerTest {

    private static final double[][] W = {{1, 2, 3}, {-1, 0.5, 0}};
    private static final double[] B = {0.25, -0.5};

    @Test
    void holdsItsShapeAndParameters() {
        DenseLayer layer = Layer.of(W, B, Activation.RELU);

        assertThat(layer.inputSize()).isEqualTo(3);
        assertThat(layer.outputSize()).isEqualTo(2);
        assertThat(layer.parameterCount()).isEqualTo(8);
        assertThat(layer.weight(1, 1)).isEqualTo(0.5);
        assertThat(layer.bias(1)).isEqualTo(-0.5);
        assertThat(layer.weights()).isDeepEqualTo(W);
        assertThat(layer.bias()).containsExactly(B);
        assertThat(layer.precision()).isEqualTo(Precision.FLOAT64);
    }

    @Test
    void arraysPassedInAreCopied() {
        double[][] w = {W[0].clone(), W[1].clone()};
        double[] b = B.clone();
        DenseLayer layer = Layer.of(w, b, Activation.RELU);

        w[0][0] = 99;
        b[1] = 99;

        assertThat(layer.weight(0, 0)).isEqualTo(1);
        assertThat(layer.bias(1)).isEqualTo(-0.5);
    }

    @Test
    void arraysReturnedAreCopies() {
        DenseLayer layer = Layer.of(W, B, Activation.RELU);

        layer.weights()[0][0] = 99;
        layer.bias()[1] = 99;

        assertThat(layer.weight(0, 0)).isEqualTo(1);
        assertThat(layer.bias(1)).isEqualTo(-0.5);
    }

    @Test
    void matricesPassedInAreCopiedAndMatricesReturnedAreReadOnly() {
        Matrix w = Matrix.of(Precision.FLOAT64, W, "w");
        Matrix b = Matrix.rowVector(Precision.FLOAT64, B, "b");
        DenseLayer layer = Layer.of(w, b, Activation.RELU);

        w.set(0, 0, 99);
        b.fill(99);

        assertThat(layer.weight(0, 0)).isEqualTo(1);
        assertThat(layer.bias(0)).isEqualTo(0.25);
        assertThat(layer.weightMatrix().isReadOnly()).isTrue();
        assertThat(layer.biasVector().isReadOnly()).isTrue();
        assertThatIllegalStateException().isThrownBy(() -> layer.weightMatrix().set(0, 0, 5))
                .withMessageContaining("read-only");
        assertThatIllegalStateException().isThrownBy(() -> layer.biasVector().scale(2))
                .withMessageContaining("read-only");
    }

    @Test
    void equalsNeedsTheSameActivationPrecisionAndBits() {
        DenseLayer layer = Layer.of(W, B, Activation.RELU);

        assertThat(layer).isEqualTo(Layer.of(W, B, Activation.RELU))
                .hasSameHashCodeAs(Layer.of(W, B, Activation.RELU));
        assertThat(layer).isNotEqualTo(Layer.of(W, B, Activation.TANH));
        assertThat(layer).isNotEqualTo(Layer.of(W, B, Activation.RELU, Precision.FLOAT32));
        assertThat(layer).isNotEqualTo(layer.withBias(new double[] {0.25, -0.5000000001}));
        assertThat(Layer.of(W, B, Activation.leakyRelu(0.2))).isEqualTo(Layer.of(W, B, Activation.leakyRelu(0.2)));
    }

    @Test
    void toStringShowsSizesActivationAndPrecisionButNoNumbers() {
        assertThat(Layer.of(W, B, Activation.leakyRelu(0.2)))
                .hasToString("Layer[3 → 2, leaky_relu(slope=0.2), FLOAT64]");
        assertThat(Layer.of(W, B, Activation.RELU, Precision.FLOAT32).toString())
                .isEqualTo("Layer[3 → 2, relu, FLOAT32]").doesNotContain("0.25");
    }

    @Test
    void withMethodsReturnNewLayersAndLeaveThisOneAlone() {
        DenseLayer layer = Layer.of(W, B, Activation.RELU);

        DenseLayer w = layer.withWeights(new double[][] {{0, 0, 0}, {1, 1, 1}});
        DenseLayer b = layer.withBias(new double[] {7, 8});
        Layer a = layer.withActivation(Activation.SIGMOID);

        assertThat(w.weights()).isDeepEqualTo(new double[][] {{0, 0, 0}, {1, 1, 1}});
        assertThat(w.bias()).containsExactly(B);
        assertThat(b.bias()).containsExactly(7, 8);
        assertThat(b.weights()).isDeepEqualTo(W);
        assertThat(a.activation()).isEqualTo(Activation.SIGMOID);
        assertThat(layer).isEqualTo(Layer.of(W, B, Activation.RELU));
        assertThatIllegalArgumentException().isThrownBy(() -> layer.withWeights(new double[][] {{1, 2}, {3, 4}}))
                .withMessageContaining("2 × 2").withMessageContaining("2 × 3");
        assertThatIllegalArgumentException().isThrownBy(() -> layer.withBias(new double[] {1, 2, 3}))
                .withMessageContaining("is 3").withMessageContaining("is 2");
    }

    @Test
    void toPrecisionRoundsToFloat() {
        DenseLayer layer = Layer.of(new double[][] {{0.1}}, new double[] {1.0 / 3}, Activation.TANH);

        DenseLayer narrow = layer.toPrecision(Precision.FLOAT32);

        assertThat(layer.toPrecision(Precision.FLOAT64)).isSameAs(layer);
        assertThat(narrow.weight(0, 0)).isEqualTo((double) 0.1f);
        assertThat(narrow.bias(0)).isEqualTo((double) (float) (1.0 / 3));
        assertThat(Layer.of(new float[][] {{0.1f}}, new float[] {(float) (1.0 / 3)}, Activation.TANH))
                .isEqualTo(narrow);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatIllegalArgumentException().isThrownBy(() -> Layer.of(W, new double[] {1, 2, 3}, Activation.RELU))
                .withMessageContaining("bias length is 3").withMessageContaining("is 2");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Layer.of(new double[][] {{1, 2}, {3}}, B, Activation.RELU))
                .withMessageContaining("weights").withMessageContaining("row 1 has 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Layer.of(new double[][] {{1, Double.NaN}}, new double[] {0}, Activation.RELU))
                .withMessageContaining("weights: row 0, column 1 is NaN");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Layer.of(new double[][] {{1}}, new double[] {Double.POSITIVE_INFINITY},
                        Activation.RELU))
                .withMessageContaining("bias: row 0, column 0 is Infinity");
        assertThatIllegalArgumentException().isThrownBy(() -> Layer.of(new double[0][], new double[0], Activation.RELU))
                .withMessageContaining("weights must have at least one row");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Layer.of(Matrix.zeros(Precision.FLOAT64, 2, 3), Matrix.zeros(Precision.FLOAT32, 1, 2),
                        Activation.RELU))
                .withMessageContaining("FLOAT32").withMessageContaining("FLOAT64");
        assertThatNullPointerException().isThrownBy(() -> Layer.of(W, B, null))
                .withMessage("activation must not be null");
        assertThatNullPointerException().isThrownBy(() -> Layer.of(null, B, Activation.RELU))
                .withMessage("weights must not be null");
        assertThatNullPointerException().isThrownBy(() -> Layer.of(W, null, Activation.RELU))
                .withMessage("bias must not be null");
    }

    @Test
    void weightedSumsAreInputTimesWeightsTransposedPlusBias() {
        DenseLayer layer = Layer.of(W, B, Activation.RELU);
        Matrix x = Matrix.of(Precision.FLOAT64, new double[][] {{1, 1, 1}, {2, 0, -1}}, "x");

        Matrix z = layer.weightedSums(x);
        Matrix a = layer.activate(z);

        // z₀ = (1+2+3+0.25, −1+0.5+0−0.5), z₁ = (2−3+0.25, −2−0.5)
        assertThat(z.toDoubleArray()).isDeepEqualTo(new double[][] {{6.25, -1}, {-0.75, -2.5}});
        assertThat(a.toDoubleArray()).isDeepEqualTo(new double[][] {{6.25, 0}, {0, 0}});
        assertThatIllegalArgumentException()
                .isThrownBy(() -> layer.weightedSums(Matrix.zeros(Precision.FLOAT64, 1, 2)))
                .withMessageContaining("input width is 2").withMessageContaining("input size is 3");
    }
}
