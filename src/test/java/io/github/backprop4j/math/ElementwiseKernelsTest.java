package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.math.kernel.FloatKernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The array kernels that replace per-element function calls give the same bits as those calls would: ReLU
 * forward and backward against {@code map}/{@code mapBackward}, and the engine's finiteness scan (the vector
 * path when the tests run with the Vector API) against the plain loop.
 */
class ElementwiseKernelsTest {

    private static final double[] SPECIAL = {0.0, -0.0, 1.5, -2.5, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY, Double.MIN_VALUE, -Double.MIN_VALUE};

    @ParameterizedTest
    @EnumSource(Precision.class)
    void reluKernelsEqualTheElementwiseDefinitionToTheBit(Precision precision) {
        SplittableRandom random = new SplittableRandom(5);
        int n = 37;
        Matrix z = Matrix.zeros(precision, 3, n);
        Matrix g = Matrix.zeros(precision, 3, n);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < n; c++) {
                z.set(r, c, c < SPECIAL.length ? SPECIAL[c] : random.nextGaussian());
                g.set(r, c, r == 0 && c < SPECIAL.length ? SPECIAL[SPECIAL.length - 1 - c] : random.nextGaussian());
            }
        }
        Matrix viaMap = z.copy();
        z.map(x -> x > 0 ? x : 0, viaMap);
        Matrix viaKernel = z.copy();
        z.relu(viaKernel);
        assertThat(viaKernel).isEqualTo(viaMap);

        Matrix backMap = g.copy();
        Matrix.mapBackward(z, viaMap, g, (zi, ai) -> zi > 0 ? 1 : 0, backMap);
        Matrix backKernel = g.copy();
        Matrix.reluBackward(z, g, backKernel);
        assertThat(backKernel).isEqualTo(backMap);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 33, 1000})
    void theEnginesFinitenessScanFindsTheFirstBadElementAsThePlainLoopDoes(int length) {
        SplittableRandom random = new SplittableRandom(length);
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        assertThat(Engine.indexOfNonFinite(x)).isEqualTo(-1);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            for (int at = 0; at < length; at += Math.max(1, length / 7)) {
                float[] y = x.clone();
                y[at] = bad;
                if (at + 3 < length) {
                    y[at + 3] = Float.NaN; // a later bad element must not be the one reported
                }
                assertThat(Engine.indexOfNonFinite(y)).as("%s at %d of %d", bad, at, length)
                        .isEqualTo(FloatKernels.indexOfNonFinite(y)).isEqualTo(at);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 8, 9, 17, 1000})
    void theEnginesDoubleFinitenessScanFindsTheFirstBadElementAsThePlainLoopDoes(int length) {
        SplittableRandom random = new SplittableRandom(length);
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextGaussian();
        }
        assertThat(Engine.indexOfNonFinite(x)).isEqualTo(-1);
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            for (int at = 0; at < length; at += Math.max(1, length / 7)) {
                double[] y = x.clone();
                y[at] = bad;
                if (at + 3 < length) {
                    y[at + 3] = Double.NaN;
                }
                assertThat(Engine.indexOfNonFinite(y)).as("%s at %d of %d", bad, at, length)
                        .isEqualTo(io.github.backprop4j.math.kernel.DoubleKernels.indexOfNonFinite(y)).isEqualTo(at);
            }
        }
    }

    /** The fused bias add and ReLU (the built-in ReLU's forward step with biases) equals the two steps. */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void theFusedBiasAndReluEqualsAddingThenActivatingToTheBit(Precision precision) {
        SplittableRandom random = new SplittableRandom(6);
        for (int cols : new int[] {1, 9, 16, 37, 130}) {
            Matrix products = Matrix.zeros(precision, 5, cols);
            Matrix bias = Matrix.zeros(precision, 1, cols);
            for (int c = 0; c < cols; c++) {
                bias.set(0, c, c < SPECIAL.length ? SPECIAL[SPECIAL.length - 1 - c] : random.nextGaussian());
                for (int r = 0; r < 5; r++) {
                    products.set(r, c, r == 0 && c < SPECIAL.length ? SPECIAL[c] : random.nextGaussian());
                }
            }
            Matrix zWant = products.copy();
            zWant.addRowVector(bias);
            Matrix aWant = zWant.copy();
            zWant.relu(aWant);

            Matrix z = products.copy();
            Matrix a = Matrix.zeros(precision, 5, cols);
            Activation.RELU.forward(z, bias, a);
            assertThat(z).as("z, %d columns", cols).isEqualTo(zWant);
            assertThat(a).as("a, %d columns", cols).isEqualTo(aWant);

            Matrix inPlace = products.copy();
            inPlace.addRowVectorRelu(bias, inPlace);
            assertThat(inPlace).as("in place, %d columns", cols).isEqualTo(aWant);
        }
    }

    /** An activation without a fused step gets the default: add the biases, then its own forward step. */
    @Test
    void theDefaultForwardWithBiasesAddsThemThenActivates() {
        Activation doubled = Activation.elementwise("doubled", x -> 2 * x, (z, a) -> 2);
        Matrix z = Matrix.of(Precision.FLOAT64, new double[][] {{1, -2}, {0.5, 3}}, "z");
        Matrix a = Matrix.zeros(Precision.FLOAT64, 2, 2);
        doubled.forward(z, Matrix.rowVector(Precision.FLOAT64, new double[] {10, 20}, "b"), a);
        assertThat(z.toDoubleArray()).isEqualTo(new double[][] {{11, 18}, {10.5, 23}});
        assertThat(a.toDoubleArray()).isEqualTo(new double[][] {{22, 36}, {21, 46}});
    }
}
