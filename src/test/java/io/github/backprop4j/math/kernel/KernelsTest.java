package io.github.backprop4j.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The plain kernels on raw row-major arrays, against the textbook triple loop, on shapes that include 1,
 * odd sizes and sizes just above vector widths. They are the reference every faster kernel will be tested
 * against, so they are held to the exact contract: every output element overwritten (outputs start as
 * NaN), nothing outside the output touched, float kernels within float rounding of the double ones, and the
 * same bits on every run.
 */
class KernelsTest {

    private static final int[] SIZES = {1, 3, 7, 8, 9, 15, 16, 17, 33};
    /** Extra elements after each output, to catch a kernel that writes past its n × m elements. */
    private static final int SENTINELS = 5;

    private final SplittableRandom random = new SplittableRandom(77);

    private double[] randomDoubles(int length) {
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        return x;
    }

    private static float[] toFloat(double[] x) {
        float[] f = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            f[i] = (float) x[i];
        }
        return f;
    }

    private static double[] nanDoubles(int length) {
        double[] x = new double[length + SENTINELS];
        Arrays.fill(x, Double.NaN);
        Arrays.fill(x, length, x.length, 42);
        return x;
    }

    private static float[] nanFloats(int length) {
        float[] x = new float[length + SENTINELS];
        Arrays.fill(x, Float.NaN);
        Arrays.fill(x, length, x.length, 42);
        return x;
    }

    /** {@code A·B} of a [n×k] and b [k×m], with A = a or aᵀ and B = b or bᵀ as stored. */
    private static double[] reference(double[] a, boolean ta, double[] b, boolean tb, int n, int k, int m) {
        double[] out = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += (ta ? a[p * n + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * m + j]);
                }
                out[i * m + j] = s;
            }
        }
        return out;
    }

    private static void assertProduct(String what, double[] want, double[] gotDouble, float[] gotFloat, int k) {
        for (int i = 0; i < want.length; i++) {
            // Inputs in [−1, 1], so |Σ| ≤ k and the rounding of k additions is at most k·u·k.
            if (!(Math.abs(gotDouble[i] - want[i]) <= 2.0 * k * k * 0x1p-53)) {
                fail("%s double [%d]: got %s, want %s", what, i, gotDouble[i], want[i]);
            }
            if (!(Math.abs(gotFloat[i] - want[i]) <= 2.0 * k * k * 0x1p-24)) {
                fail("%s float [%d]: got %s, want %s", what, i, gotFloat[i], want[i]);
            }
        }
        for (int i = want.length; i < want.length + SENTINELS; i++) {
            assertThat(gotDouble[i]).as("%s writes past its output", what).isEqualTo(42);
            assertThat(gotFloat[i]).as("%s writes past its output", what).isEqualTo(42);
        }
    }

    @Test
    void gemmVariantsMatchTheTripleLoop() {
        for (int n : SIZES) {
            for (int k : SIZES) {
                for (int m : SIZES) {
                    String shape = " " + n + "×" + k + "×" + m;

                    double[] a = randomDoubles(n * k);
                    double[] b = randomDoubles(m * k);
                    float[] af = toFloat(a);
                    float[] bf = toFloat(b);
                    // Rounding the inputs to float first makes the float kernel's reference exact-input.
                    double[] aw = widen(af);
                    double[] bw = widen(bf);

                    double[] outD = nanDoubles(n * m);
                    float[] outF = nanFloats(n * m);
                    DoubleKernels.multiplyTransposed(aw, bw, outD, n, k, m);
                    FloatKernels.multiplyTransposed(af, bf, outF, n, k, m);
                    assertProduct("multiplyTransposed" + shape, reference(aw, false, bw, true, n, k, m), outD, outF, k);

                    double[] bk = widen(toFloat(randomDoubles(k * m)));
                    outD = nanDoubles(n * m);
                    outF = nanFloats(n * m);
                    DoubleKernels.multiply(aw, bk, outD, n, k, m);
                    FloatKernels.multiply(af, toFloat(bk), outF, n, k, m);
                    assertProduct("multiply" + shape, reference(aw, false, bk, false, n, k, m), outD, outF, k);

                    // transposedMultiply(a [k×n], b [k×m]) = aᵀ·b, summed over the k rows
                    double[] bt = widen(toFloat(randomDoubles(k * m)));
                    outD = nanDoubles(n * m);
                    outF = nanFloats(n * m);
                    DoubleKernels.transposedMultiply(aw, bt, outD, k, n, m);
                    FloatKernels.transposedMultiply(af, toFloat(bt), outF, k, n, m);
                    assertProduct("transposedMultiply" + shape, reference(aw, true, bt, false, n, k, m), outD, outF, k);
                }
            }
        }
    }

    @Test
    void reductionsMatchTheReference() {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                double[] x = widen(toFloat(randomDoubles(rows * cols)));
                float[] xf = toFloat(x);

                double[] colD = nanDoubles(cols);
                float[] colF = nanFloats(cols);
                DoubleKernels.columnSums(x, colD, rows, cols);
                FloatKernels.columnSums(xf, colF, rows, cols);
                double[] rowD = nanDoubles(rows);
                float[] rowF = nanFloats(rows);
                DoubleKernels.rowSums(x, rowD, rows, cols);
                FloatKernels.rowSums(xf, rowF, rows, cols);
                double[] lseD = nanDoubles(rows);
                float[] lseF = nanFloats(rows);
                DoubleKernels.logSumExpRows(x, lseD, rows, cols);
                FloatKernels.logSumExpRows(xf, lseF, rows, cols);

                for (int c = 0; c < cols; c++) {
                    double want = 0;
                    for (int r = 0; r < rows; r++) {
                        want += x[r * cols + c];
                    }
                    assertThat(colD[c]).isCloseTo(want, within(2.0 * rows * rows * 0x1p-53));
                    assertThat((double) colF[c]).isCloseTo(want, within(2.0 * rows * rows * 0x1p-24));
                }
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    double exps = 0;
                    for (int c = 0; c < cols; c++) {
                        sum += x[r * cols + c];
                        exps += Math.exp(x[r * cols + c]);
                    }
                    assertThat(rowD[r]).isCloseTo(sum, within(2.0 * cols * cols * 0x1p-53));
                    assertThat((double) rowF[r]).isCloseTo(sum, within(cols * 0x1p-24 + 1e-12));
                    assertThat(lseD[r]).isCloseTo(Math.log(exps), within(1e-14));
                    assertThat((double) lseF[r]).isCloseTo(Math.log(exps), within(4 * 0x1p-24 * 4));
                }
                assertThat(colD[cols]).isEqualTo(42);
                assertThat(rowD[rows]).isEqualTo(42);
                assertThat(lseF[rows]).isEqualTo(42);
                assertThat(DoubleKernels.sum(x)).isCloseTo(FloatKernels.sum(xf), within(1e-12));
                assertThat(DoubleKernels.dot(x, x)).isCloseTo(FloatKernels.dot(xf, xf), within(1e-12));
            }
        }
    }

    @Test
    void softmaxRowsAreDistributionsAndInPlaceGivesTheSameBits() {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                double[] x = randomDoubles(rows * cols);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 50;
                }
                double[] out = nanDoubles(rows * cols);
                DoubleKernels.softmaxRows(x, out, rows, cols);
                float[] xf = toFloat(x);
                float[] outF = nanFloats(rows * cols);
                FloatKernels.softmaxRows(xf, outF, rows, cols);
                for (int r = 0; r < rows; r++) {
                    double sum = 0;
                    double sumF = 0;
                    for (int c = 0; c < cols; c++) {
                        sum += out[r * cols + c];
                        sumF += outF[r * cols + c];
                        assertThat(out[r * cols + c]).isBetween(0.0, 1.0);
                    }
                    assertThat(sum).isCloseTo(1, within(1e-14));
                    assertThat(sumF).isCloseTo(1, within(cols * 1e-7));
                }
                double[] inPlace = x.clone();
                DoubleKernels.softmaxRows(inPlace, inPlace, rows, cols);
                assertThat(inPlace).containsExactly(Arrays.copyOf(out, rows * cols));
                float[] inPlaceF = xf.clone();
                FloatKernels.softmaxRows(inPlaceF, inPlaceF, rows, cols);
                assertThat(inPlaceF).containsExactly(Arrays.copyOf(outF, rows * cols));
            }
        }
    }

    @Test
    void kernelsAreReproducibleBitForBit() {
        double[] a = randomDoubles(17 * 33);
        double[] b = randomDoubles(9 * 33);
        double[] first = new double[17 * 9];
        double[] second = new double[17 * 9];
        float[] firstF = new float[17 * 9];
        float[] secondF = new float[17 * 9];

        DoubleKernels.multiplyTransposed(a, b, first, 17, 33, 9);
        DoubleKernels.multiplyTransposed(a, b, second, 17, 33, 9);
        FloatKernels.multiplyTransposed(toFloat(a), toFloat(b), firstF, 17, 33, 9);
        FloatKernels.multiplyTransposed(toFloat(a), toFloat(b), secondF, 17, 33, 9);

        assertThat(second).containsExactly(first);
        assertThat(secondF).containsExactly(firstF);
    }

    private static double[] widen(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}
