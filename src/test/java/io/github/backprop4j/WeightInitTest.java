package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every initialisation draws from the documented distribution, checked on a large layer. */
class WeightInitTest {

    private static final int FAN_IN = 300;
    private static final int FAN_OUT = 200;

    /** The documented limit (uniform) or standard deviation (normal) of each form. */
    private static double scale(WeightInit init) {
        return switch (init) {
            case GLOROT_UNIFORM -> Math.sqrt(6.0 / (FAN_IN + FAN_OUT));
            case GLOROT_NORMAL -> Math.sqrt(2.0 / (FAN_IN + FAN_OUT));
            case HE_UNIFORM -> Math.sqrt(6.0 / FAN_IN);
            case HE_NORMAL -> Math.sqrt(2.0 / FAN_IN);
            case LECUN_UNIFORM -> Math.sqrt(3.0 / FAN_IN);
            case LECUN_NORMAL -> Math.sqrt(1.0 / FAN_IN);
        };
    }

    @ParameterizedTest
    @EnumSource(WeightInit.class)
    void drawsFromTheDocumentedDistribution(WeightInit init) {
        Matrix w = Matrix.zeros(Precision.FLOAT64, FAN_OUT, FAN_IN);
        init.initialize(w, new SplittableRandom(123));

        double sum = 0;
        double sumSquares = 0;
        double max = 0;
        for (double[] row : w.toDoubleArray()) {
            for (double v : row) {
                sum += v;
                sumSquares += v * v;
                max = Math.max(max, Math.abs(v));
            }
        }
        int n = FAN_IN * FAN_OUT;
        double mean = sum / n;
        double std = Math.sqrt(sumSquares / n - mean * mean);
        double scale = scale(init);
        boolean uniform = init.name().endsWith("UNIFORM");
        double expectedStd = uniform ? scale / Math.sqrt(3) : scale;

        assertThat(std).isCloseTo(expectedStd, within(0.02 * expectedStd));
        assertThat(mean).isCloseTo(0, within(0.02 * expectedStd));
        if (uniform) {
            assertThat(max).isLessThanOrEqualTo(scale).isGreaterThan(0.999 * scale);
        } else {
            // Not truncated: 60 000 normal draws reach beyond 3.5 standard deviations.
            assertThat(max).isGreaterThan(3.5 * scale);
        }
    }

    @ParameterizedTest
    @EnumSource(WeightInit.class)
    void sameRandomStateGivesTheSameWeights(WeightInit init) {
        Matrix a = Matrix.zeros(Precision.FLOAT64, 5, 7);
        Matrix b = Matrix.zeros(Precision.FLOAT64, 5, 7);

        init.initialize(a, new SplittableRandom(9));
        init.initialize(b, new SplittableRandom(9));

        assertThat(a).isEqualTo(b);
        assertThat(a.firstWhere(v -> v != 0)).isNotNull();
    }
}
