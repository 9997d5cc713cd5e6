package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The fused softmax cross-entropy kernels against the same quantities composed from plain facade operations. */
class FusedCrossEntropyTest {

    private static final int[] SIZES = {1, 3, 8, 17, 33};

    @ParameterizedTest
    @EnumSource(Precision.class)
    void fusedValueAndErrorSignalEqualTheComposedOnes(Precision precision) {
        SplittableRandom random = new SplittableRandom(11);
        double tolerance = precision == Precision.FLOAT64 ? 1e-12 : 1e-5;
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                Matrix z = random(precision, rows, cols, random, 4);
                Matrix y = random(precision, rows, cols, random, 1);
                y.map(Math::abs, y); // soft targets, rows not summing to 1

                Matrix lse = Matrix.zeros(precision, rows, 1);
                z.logSumExpRows(lse);
                Matrix ySums = Matrix.zeros(precision, rows, 1);
                y.rowSums(ySums);
                double composed = Matrix.dot(lse, ySums) - Matrix.dot(y, z);
                assertThat(Matrix.softmaxCrossEntropy(z, y)).as("%d × %d", rows, cols)
                        .isCloseTo(composed, within(tolerance * Math.max(1, Math.abs(composed))));

                Matrix a = Matrix.zeros(precision, rows, cols);
                z.softmaxRows(a);
                Matrix expected = a.copy();
                expected.multiplyRows(ySums);
                expected.addScaled(-1, y);
                expected.scale(0.25);
                Matrix fused = Matrix.zeros(precision, rows, cols);
                Matrix.softmaxCrossEntropyErrorSignal(a, y, 0.25, fused);
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        assertThat(fused.get(r, c)).isCloseTo(expected.get(r, c), within(tolerance));
                    }
                }
            }
        }
    }

    private static Matrix random(Precision precision, int rows, int cols, SplittableRandom random, double scale) {
        Matrix m = Matrix.zeros(precision, rows, cols);
        m.map(unused -> scale * (2 * random.nextDouble() - 1), m);
        return m;
    }
}
