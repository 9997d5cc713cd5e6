package io.github.backprop4j.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@link ExactExp} against {@link Math#exp} across the whole float range, and the vector path's softmax, whose
 * exponentials are {@code ExactExp}'s lanewise twin, against the same softmax computed with the scalar function:
 * bit for bit, so the lanes and the scalar tail agree and a row gives the same bits wherever it starts.
 */
class ExactExpTest {

    /** Units in the last place of the correctly rounded result between {@code got} and {@code e^x}. */
    private static double ulps(float got, float x) {
        double exact = Math.exp(x);
        return Math.abs(got - exact) / Math.ulp((float) exact);
    }

    @Test
    void withinTwoUlpsOfMathExpWhereverTheResultIsANormalFloat() {
        // Every 257th bit pattern of the floats: 16.7 million inputs of either sign, all binades.
        checkEvery(257);
    }

    /** Every float, about four minutes: {@code mvn -Pheavy verify}. */
    @Test
    @Tag("heavy")
    void withinTwoUlpsOfMathExpForEveryFloat() {
        checkEvery(1);
    }

    private static void checkEvery(int stride) {
        double worst = 0;
        float worstAt = 0;
        long checked = 0;
        for (long bits = 0; bits <= 0xFFFF_FFFFL; bits += stride) {
            float x = Float.intBitsToFloat((int) bits);
            if (Float.isNaN(x)) {
                continue;
            }
            float got = ExactExp.exp(x);
            double exact = Math.exp(x);
            if (exact >= Float.MIN_NORMAL && exact <= Float.MAX_VALUE) {
                double u = ulps(got, x);
                if (u > worst) {
                    worst = u;
                    worstAt = x;
                }
                checked++;
            } else if (exact > Float.MAX_VALUE * (1 + 0x1p-24)) {
                assertThat(got).as("overflow at %s", x).isEqualTo(Float.POSITIVE_INFINITY);
            } else if (exact < Float.MIN_NORMAL) {
                assertThat((double) got).as("subnormal range at %s", x)
                        .isCloseTo(exact, org.assertj.core.data.Offset.offset(2.0 * Float.MIN_VALUE));
            }
        }
        assertThat(checked).isGreaterThan(0xFFFF_FFFFL / stride / 4);
        assertThat(worst).as("worst error in ulps, at x = %s", worstAt).isLessThanOrEqualTo(2.0);
    }

    @Test
    void specialValues() {
        assertThat(ExactExp.exp(Float.NaN)).isNaN();
        assertThat(ExactExp.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(ExactExp.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(ExactExp.exp(0f)).isEqualTo(1f);
        assertThat(ExactExp.exp(-0f)).isEqualTo(1f);
        assertThat(ExactExp.exp(-Float.MAX_VALUE)).isEqualTo(0f);
        assertThat(ExactExp.exp(Float.MAX_VALUE)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(ExactExp.exp(88.72f)).isFinite().isGreaterThan(3.3e38f);
        assertThat(ExactExp.exp(88.73f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(ExactExp.exp(-103.98f)).isEqualTo(0f);
        assertThat(ExactExp.exp(-103.0f)).isGreaterThan(0f);
    }

    /** The vector path's softmax, replayed with the scalar function: the same operations in the same order. */
    private static void softmaxWithScalarExp(float[] x, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                out[o + c] = ExactExp.exp(x[o + c] - max);
                sum += out[o + c];
            }
            float inverse = (float) (1 / sum);
            for (int c = 0; c < cols; c++) {
                out[o + c] *= inverse;
            }
        }
    }

    @Test
    void theVectorSoftmaxHasTheBitsOfTheScalarExponentialInEveryLane() {
        FloatGemm vector = FloatGemm.vector().orElse(null);
        org.junit.jupiter.api.Assumptions.assumeTrue(vector != null, "the JVM has no jdk.incubator.vector");
        SplittableRandom random = new SplittableRandom(7);
        for (int rows : new int[] {1, 2, 3, 7, 33}) {
            for (int cols : new int[] {1, 3, 10, 15, 16, 17, 31, 100}) {
                float[] x = new float[rows * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) random.nextDouble(-120, 120);
                }
                x[0] = Float.NEGATIVE_INFINITY;
                float[] want = new float[x.length];
                softmaxWithScalarExp(x, want, rows, cols);
                float[] got = new float[x.length];
                vector.softmaxRows(x, got, rows, cols);
                for (int i = 0; i < x.length; i++) {
                    assertThat(Float.floatToRawIntBits(got[i])).as("%d×%d [%d]: %s against %s", rows, cols, i,
                            got[i], want[i]).isEqualTo(Float.floatToRawIntBits(want[i]));
                }
            }
        }
    }
}
