package io.github.backprop4j.math.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every fast float32 multiply, on each path this JVM can run (the scalar path always, the vector path when
 * the JVM has {@code jdk.incubator.vector}), against the plain reference kernels of {@link FloatKernels} on
 * random shapes: 1, odd sizes, sizes just above the vector widths, and k above the k-block of 128. Each output
 * element must be within float rounding of the reference, every element written, nothing past the output
 * touched, and a range of rows or columns must give the same bits as the whole.
 */
class FastKernelsTest {

    private static final int[] SIZES = {1, 3, 4, 7, 9, 15, 16, 17, 31, 33, 47, 65};
    private static final int[] INNER = {1, 5, 16, 17, 33, 129, 300};
    private static final int SENTINELS = 5;

    static Stream<FloatGemm> paths() {
        List<FloatGemm> all = new ArrayList<>();
        all.add(new ScalarFloatGemm());
        FloatGemm.vector().ifPresent(all::add);
        return all.stream();
    }

    private final SplittableRandom random = new SplittableRandom(2024);

    private float[] randomFloats(int length) {
        float[] x = new float[length];
        for (int i = 0; i < length; i++) {
            x[i] = (float) random.nextDouble(-1, 1);
        }
        return x;
    }

    private static float[] nanFloats(int length) {
        float[] x = new float[length + SENTINELS];
        Arrays.fill(x, Float.NaN);
        Arrays.fill(x, length, x.length, 42);
        return x;
    }

    private static void assertClose(String what, float[] want, float[] got, int k) {
        for (int i = 0; i < want.length; i++) {
            // Inputs in [−1, 1]: both sums are within k·k·u of the exact one.
            if (!(Math.abs(got[i] - want[i]) <= 2.0 * k * k * 0x1p-24)) {
                fail("%s [%d]: got %s, want %s", what, i, got[i], want[i]);
            }
        }
        for (int i = want.length; i < want.length + SENTINELS; i++) {
            assertThat(got[i]).as("%s writes past its output", what).isEqualTo(42);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void multiplyMatchesTheReferenceInEveryLayout(FloatGemm gemm) {
        for (int n : SIZES) {
            for (int k : INNER) {
                for (int m : SIZES) {
                    String shape = gemm.description() + " " + n + "×" + k + "×" + m;
                    float[] a = randomFloats(n * k);
                    float[] b = randomFloats(k * m);
                    float[] want = new float[n * m];
                    FloatKernels.multiply(a, b, want, n, k, m);
                    float[] got = nanFloats(n * m);
                    gemm.multiply(a, k, 1, b, got, k, m, 0, n);
                    assertClose("multiply " + shape, want, got, k);
                    assertRangesGiveTheSameBits(shape, got, n, m,
                            (out, i0, i1) -> gemm.multiply(a, k, 1, b, out, k, m, i0, i1));

                    // aᵀ·b with a stored [k × n]: A[i][p] = a[p·n + i]
                    float[] at = randomFloats(k * n);
                    want = new float[n * m];
                    FloatKernels.transposedMultiply(at, b, want, k, n, m);
                    got = nanFloats(n * m);
                    gemm.multiply(at, 1, n, b, got, k, m, 0, n);
                    assertClose("transposedMultiply " + shape, want, got, k);

                    // a·bᵀ with b stored [m × k], as dot products and through a packed bᵀ
                    float[] bm = randomFloats(m * k);
                    want = new float[n * m];
                    FloatKernels.multiplyTransposed(a, bm, want, n, k, m);
                    got = nanFloats(n * m);
                    gemm.multiplyTransposedDot(a, bm, got, n, k, m, 0, m);
                    assertClose("multiplyTransposedDot " + shape, want, got, k);
                    float[] whole = got;
                    float[] parts = nanFloats(n * m);
                    int half = m / 2;
                    gemm.multiplyTransposedDot(a, bm, parts, n, k, m, 0, half);
                    gemm.multiplyTransposedDot(a, bm, parts, n, k, m, half, m);
                    assertThat(parts).as("column ranges of " + shape).isEqualTo(whole);
                    float[] bt = new float[k * m];
                    gemm.transpose(bm, bt, m, k);
                    got = nanFloats(n * m);
                    gemm.multiply(a, k, 1, bt, got, k, m, 0, n);
                    assertClose("packed multiplyTransposed " + shape, want, got, k);
                }
            }
        }
    }

    private interface RowRange {
        void run(float[] out, int i0, int i1);
    }

    private static void assertRangesGiveTheSameBits(String shape, float[] whole, int n, int m, RowRange kernel) {
        for (int split : new int[] {1, n / 2, n - 1}) {
            if (split <= 0 || split >= n) {
                continue;
            }
            float[] parts = nanFloats(n * m);
            kernel.run(parts, split, n);
            kernel.run(parts, 0, split);
            assertThat(parts).as("rows split at " + split + " of " + shape).isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void theNarrowMultiplyGivesTheBitsOfTheFullOneAndWritesOnlyItsRows(FloatGemm gemm) {
        int width = gemm.lanes();
        int tried = 0;
        for (int n : SIZES) {
            for (int k : INNER) {
                for (int columns = 1; columns < width; columns++) {
                    int m = columns;
                    if (!gemm.prefersNarrow(n, k, m)) {
                        continue;
                    }
                    tried++;
                    String shape = gemm.description() + " narrow " + n + "×" + k + "×" + m;
                    float[] a = randomFloats(n * k);
                    float[] bm = randomFloats(m * k);
                    float[] want = new float[n * m];
                    FloatKernels.multiplyTransposed(a, bm, want, n, k, m);
                    float[] bt = nanFloats(k * width); // packNarrow must overwrite the padding too
                    FloatGemm.packNarrow(bm, bt, m, k, width);
                    float[] got = nanFloats(n * m);
                    gemm.multiplyNarrow(a, bt, got, k, m, 0, n);
                    assertClose("multiplyNarrow " + shape, want, got, k);

                    // the same chain of multiply-adds as the tiled multiply of an unpadded bᵀ
                    float[] unpadded = new float[k * m];
                    gemm.transpose(bm, unpadded, m, k);
                    float[] tiled = new float[n * m];
                    gemm.multiply(a, k, 1, unpadded, tiled, k, m, 0, n);
                    assertThat(Arrays.copyOf(got, n * m)).as(shape + " against multiply").isEqualTo(tiled);
                    assertRangesGiveTheSameBits(shape, got, n, m,
                            (out, i0, i1) -> gemm.multiplyNarrow(a, bt, out, k, m, i0, i1));
                }
            }
        }
        if (gemm.lanes() > 1) {
            assertThat(tried).as("shapes the vector path multiplies narrow").isGreaterThan(100);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void reluKernelsGiveTheBitsOfThePlainLoops(FloatGemm gemm) {
        float[] special = {0f, -0f, 1.5f, -2.5f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
            Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE};
        for (int length : new int[] {0, 1, 7, 15, 16, 17, 33, 64, 100}) {
            float[] z = randomFloats(length);
            float[] g = randomFloats(length);
            for (int i = 0; i < length; i++) {
                if (i % 3 == 0) {
                    z[i] = special[(i / 3) % special.length];
                    g[length - 1 - i] = special[(i / 3 + 4) % special.length];
                }
            }
            float[] want = new float[length];
            FloatKernels.relu(z, want);
            float[] got = nanFloats(length);
            gemm.relu(z, got);
            assertThat(Arrays.copyOf(got, length)).as("relu, length " + length).isEqualTo(want);
            float[] inPlace = z.clone();
            gemm.relu(inPlace, inPlace);
            assertThat(inPlace).as("relu in place, length " + length).isEqualTo(want);

            FloatKernels.reluBackward(z, g, want);
            got = nanFloats(length);
            gemm.reluBackward(z, g, got);
            assertThat(Arrays.copyOf(got, length)).as("reluBackward, length " + length).isEqualTo(want);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void theFusedBiasAndReluGivesTheBitsOfTheTwoPlainLoops(FloatGemm gemm) {
        for (int rows : new int[] {1, 3, 8}) {
            for (int cols : SIZES) {
                float[] products = randomFloats(rows * cols);
                float[] bias = randomFloats(cols);
                bias[0] = Float.NaN;
                float[] zWant = products.clone();
                FloatKernels.addRowVector(zWant, bias, rows, cols);
                float[] aWant = new float[rows * cols];
                FloatKernels.relu(zWant, aWant);

                float[] z = products.clone();
                float[] a = nanFloats(rows * cols);
                gemm.addRowVectorRelu(z, bias, a, rows, cols);
                assertThat(z).as("z, %d×%d", rows, cols).isEqualTo(zWant);
                assertThat(Arrays.copyOf(a, rows * cols)).as("a, %d×%d", rows, cols).isEqualTo(aWant);
                assertThat(a[rows * cols]).as("writes past its output").isEqualTo(42);

                float[] inPlace = products.clone();
                gemm.addRowVectorRelu(inPlace, bias, inPlace, rows, cols);
                assertThat(inPlace).as("in place, %d×%d", rows, cols).isEqualTo(aWant);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void softmaxRowsIsWithinFloatRoundingOfTheReference(FloatGemm gemm) {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                float[] x = randomFloats(rows * cols);
                for (int i = 0; i < x.length; i++) {
                    x[i] *= 40; // exponents from e^-80 to 1: underflow to 0 included
                }
                float[] want = new float[rows * cols];
                FloatKernels.softmaxRows(x, want, rows, cols);
                float[] got = nanFloats(rows * cols);
                gemm.softmaxRows(x, got, rows, cols);
                for (int i = 0; i < want.length; i++) {
                    // a path may shift by the row's maximum in float: a relative error up to |x − max|·2⁻²⁴
                    if (!(Math.abs(got[i] - want[i]) <= (80 + 8) * 0x1p-24 * want[i] + 0x1p-126)) {
                        fail("softmaxRows %d×%d [%d]: got %s, want %s", rows, cols, i, got[i], want[i]);
                    }
                }
                for (int i = want.length; i < got.length; i++) {
                    assertThat(got[i]).as("softmaxRows writes past its output").isEqualTo(42);
                }
                float[] inPlace = x.clone();
                gemm.softmaxRows(inPlace, inPlace, rows, cols);
                assertThat(inPlace).as("softmaxRows in place, " + rows + "×" + cols)
                        .isEqualTo(Arrays.copyOf(got, want.length));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void softmaxRowsTreatsNanAndInfinitiesAsTheReferenceDoesRowByRow(FloatGemm gemm) {
        int rows = 4;
        int cols = 19;
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] x = randomFloats(rows * cols);
            x[cols + 5] = bad;
            float[] want = new float[rows * cols];
            FloatKernels.softmaxRows(x, want, rows, cols);
            float[] got = new float[rows * cols];
            gemm.softmaxRows(x, got, rows, cols);
            for (int c = 0; c < cols; c++) {
                assertThat(Float.isNaN(got[cols + c])).as("row with %s, column %d", bad, c)
                        .isEqualTo(Float.isNaN(want[cols + c]));
                assertThat(got[c]).as("row 0, column %d", c).isCloseTo(want[c], Offset.offset(1e-6f));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void transposeIsExact(FloatGemm gemm) {
        for (int m : SIZES) {
            for (int k : INNER) {
                float[] b = randomFloats(m * k);
                float[] bt = new float[k * m];
                gemm.transpose(b, bt, m, k);
                for (int j = 0; j < m; j++) {
                    for (int p = 0; p < k; p++) {
                        assertThat(bt[p * m + j]).isEqualTo(b[j * k + p]);
                    }
                }
            }
        }
    }
}
