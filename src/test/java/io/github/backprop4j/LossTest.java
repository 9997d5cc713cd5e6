package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import org.junit.jupiter.api.Test;

/** Each loss's value and gradient on tiny examples computed by hand, in PyTorch's 'mean' convention. */
class LossTest {

    private static final Precision P = Precision.FLOAT64;
    private static final double TOL = 1e-15;

    /** Differences a − y of 0.5, 1, 0 and −2. */
    private static final Matrix A = m(new double[][] {{0.5, 1}, {0, -1}});
    private static final Matrix Y = m(new double[][] {{0, 0}, {0, 1}});

    private static Matrix m(double[][] values) {
        return Matrix.of(P, values, "m");
    }

    private static double[][] gradient(Loss loss, Matrix a, Matrix y) {
        Matrix out = Matrix.zeros(P, a.rows(), a.cols());
        loss.gradient(a, y, out);
        return out.toDoubleArray();
    }

    @Test
    void meanSquaredError() {
        // (0.25 + 1 + 0 + 4) / 4; gradient 2(a − y) / 4
        assertThat(Loss.MSE.value(A, A, Y)).isCloseTo(1.3125, within(TOL));
        assertThat(gradient(Loss.MSE, A, Y)).isDeepEqualTo(new double[][] {{0.25, 0.5}, {0, -1}});
        assertThat(Loss.MSE.name()).isEqualTo("mse");
    }

    @Test
    void meanAbsoluteErrorWithZeroGradientAtZero() {
        // (0.5 + 1 + 0 + 2) / 4; gradient sign(a − y) / 4
        assertThat(Loss.MAE.value(A, A, Y)).isCloseTo(0.875, within(TOL));
        assertThat(gradient(Loss.MAE, A, Y)).isDeepEqualTo(new double[][] {{0.25, 0.25}, {0, -0.25}});
    }

    @Test
    void huberWithDefaultDeltaOne() {
        // ½·0.25, ½·1, 0, 1·(2 − ½); gradient d inside delta, delta·sign(d) outside, over 4
        assertThat(Loss.HUBER.value(A, A, Y)).isCloseTo(2.125 / 4, within(TOL));
        assertThat(gradient(Loss.HUBER, A, Y)).isDeepEqualTo(new double[][] {{0.125, 0.25}, {0, -0.25}});
        assertThat(Loss.huber(1)).isEqualTo(Loss.HUBER).hasSameHashCodeAs(Loss.HUBER);
    }

    @Test
    void huberWithDeltaPointThree() {
        // 0.3·(0.5 − 0.15), 0.3·(1 − 0.15), 0, 0.3·(2 − 0.15)
        Loss huber = Loss.huber(0.3);

        assertThat(huber.value(A, A, Y)).isCloseTo(0.915 / 4, within(TOL));
        assertThat(gradient(huber, A, Y)).isDeepEqualTo(new double[][] {{0.075, 0.075}, {0, -0.075}});
        assertThat(huber).isNotEqualTo(Loss.HUBER).hasToString("huber(delta=0.3)");
        assertThat(huber.name()).isEqualTo("huber");
    }

    @Test
    void huberRefusesABadDelta() {
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.huber(0)).withMessageContaining("delta");
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.huber(Double.NaN)).withMessageContaining("delta");
    }

    @Test
    void crossEntropyFromTheWeightedSums() {
        Matrix z = m(new double[][] {{1, 2, 3}, {0.5, -0.5, 0}});
        Matrix y = m(new double[][] {{0, 0, 1}, {0.5, 0.5, 0}}); // one-hot and soft
        Matrix a = Matrix.zeros(P, 2, 3);
        Activation.SOFTMAX.forward(z, a);

        // mean over samples of logΣe^z − Σ y·z, from Python's math
        assertThat(Loss.CROSS_ENTROPY.value(z, a, y)).isCloseTo(0.7939378175430576, within(1e-15));
        assertThat(Loss.CROSS_ENTROPY.value(m(new double[][] {{0, 0}}), null, m(new double[][] {{1, 0}})))
                .isCloseTo(Math.log(2), within(TOL));
    }

    @Test
    void crossEntropyErrorSignalIsSoftmaxTimesTargetSumMinusTargetOverBatch() {
        Matrix z = m(new double[][] {{0, 0}, {0, 0}});
        Matrix a = m(new double[][] {{0.5, 0.5}, {0.5, 0.5}});
        Matrix y = m(new double[][] {{1, 0}, {2, 0}}); // the second row does not sum to 1
        Matrix delta = Matrix.zeros(P, 2, 2);

        Loss.CROSS_ENTROPY.outputErrorSignal(Activation.SOFTMAX, z, a, y, delta);

        assertThat(delta.toDoubleArray()).isDeepEqualTo(new double[][] {{-0.25, 0.25}, {-0.5, 0.5}});
    }

    @Test
    void binaryCrossEntropyFromTheLogits() {
        Matrix z = m(new double[][] {{0, 2}, {-3, 1}});
        Matrix y = m(new double[][] {{1, 0}, {1, 0.25}});
        Matrix a = Matrix.zeros(P, 2, 2);
        Activation.SIGMOID.forward(z, a);
        Matrix delta = Matrix.zeros(P, 2, 2);

        Loss.BINARY_CROSS_ENTROPY.outputErrorSignal(Activation.SIGMOID, z, a, y, delta);

        // ln 2, ln(1 + e²), ln(1 + e³), 0.75 + ln(1 + e⁻¹), averaged; δ = (σ(z) − y) / 4
        assertThat(Loss.BINARY_CROSS_ENTROPY.value(z, a, y)).isCloseTo(1.7329810576737206, within(1e-15));
        assertThat(delta.row(0)).containsExactly(new double[] {-0.125, 0.22019926949447058}, within(1e-15));
        assertThat(delta.row(1)).containsExactly(new double[] {-0.2381435317056083, 0.12026464465750122},
                within(1e-15));
    }

    @Test
    void binaryCrossEntropyIsFiniteForSaturatedLogits() {
        Matrix z = m(new double[][] {{1000, -1000}});
        Matrix a = Matrix.zeros(P, 1, 2);
        Activation.SIGMOID.forward(z, a);

        assertThat(Loss.BINARY_CROSS_ENTROPY.value(z, a, m(new double[][] {{1, 0}}))).isEqualTo(0);
        assertThat(Loss.BINARY_CROSS_ENTROPY.value(z, a, m(new double[][] {{0, 1}}))).isEqualTo(1000);
    }

    @Test
    void defaultOutputErrorSignalIsGradientThroughTheActivation() {
        Matrix z = m(new double[][] {{0, 1}});
        Matrix a = Matrix.zeros(P, 1, 2);
        Activation.TANH.forward(z, a);
        Matrix y = m(new double[][] {{1, 0}});
        Matrix delta = Matrix.zeros(P, 1, 2);

        Loss.MSE.outputErrorSignal(Activation.TANH, z, a, y, delta);

        // (2(a − y)/2)·(1 − a²)
        double t = Math.tanh(1);
        assertThat(delta.row(0)).containsExactly(new double[] {-1, t * (1 - t * t)}, within(1e-15));
    }

    @Test
    void crossEntropiesCheckTheirOutputActivation() {
        Loss.CROSS_ENTROPY.checkOutputActivation(Activation.SOFTMAX, 3);
        Loss.BINARY_CROSS_ENTROPY.checkOutputActivation(Activation.SIGMOID, 3);
        Loss.MSE.checkOutputActivation(Activation.SOFTMAX, 3);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Loss.CROSS_ENTROPY.checkOutputActivation(Activation.SIGMOID, 3))
                .withMessageContaining("layer 3").withMessageContaining("sigmoid").withMessageContaining("softmax");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Loss.BINARY_CROSS_ENTROPY.checkOutputActivation(Activation.SOFTMAX, 2))
                .withMessageContaining("layer 2").withMessageContaining("softmax").withMessageContaining("sigmoid");
    }

    @Test
    void namesAndToStrings() {
        assertThat(Loss.CROSS_ENTROPY).hasToString("cross_entropy");
        assertThat(Loss.BINARY_CROSS_ENTROPY.name()).isEqualTo("binary_cross_entropy");
        assertThat(Loss.MAE).hasToString("mae");
    }
}
