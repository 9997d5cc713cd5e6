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
 * Every fast multiply, on each path this JVM can run (the scalar path always, the vector path when the JVM has
 * {@code jdk.incubator.vector}), against the plain reference kernels of {@link FloatKernels} and
 * {@link DoubleKernels} on random shapes: 1, odd sizes, sizes just above the vector widths, and k above the
 * k-blocks of 128 and 256. Each output element must be within rounding of the reference, every element
 * written, nothing past the output touched, and a range of rows or columns must give the same bits as the
 * whole. The float64 scalar path must give the reference's bits, and the float64 vector path the bits of its
 * written-out specification (chains of {@link Math#fma}; eight partial sums for a dot product), which no vector
 * width changes.
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

    // ------------------------------------------------------------------ float64

    static Stream<DoubleGemm> doublePaths() {
        List<DoubleGemm> all = new ArrayList<>();
        all.add(new ScalarDoubleGemm());
        DoubleGemm.vector().ifPresent(all::add);
        return all.stream();
    }

    private static final int[] INNER_DOUBLE = {1, 5, 8, 9, 17, 129, 257, 300};

    private double[] randomDoubles(int length) {
        double[] x = new double[length];
        for (int i = 0; i < length; i++) {
            x[i] = random.nextDouble(-1, 1);
        }
        return x;
    }

    private static double[] nanDoubles(int length) {
        double[] x = new double[length + SENTINELS];
        Arrays.fill(x, Double.NaN);
        Arrays.fill(x, length, x.length, 42);
        return x;
    }

    private static boolean isScalar(DoubleGemm gemm) {
        return gemm instanceof ScalarDoubleGemm;
    }

    /** {@code Σ_p A[i][p]·B[p][j]} as a chain of {@link Math#fma} from 0 in order of p: the vector path's bits. */
    private static double[] fmaChains(double[] a, int rs, int cs, double[] b, int n, int k, int m) {
        double[] out = new double[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[i * rs + p * cs], b[p * m + j], s);
                }
                out[i * m + j] = s;
            }
        }
        return out;
    }

    /** The vector dot product's specification: eight fma chains by p mod 8, a fixed sum, then the tail. */
    private static double eightPartials(double[] a, int ai, double[] b, int bj, int k) {
        double[] s = new double[8];
        int k8 = k - k % 8;
        for (int p = 0; p < k8; p++) {
            s[p % 8] = Math.fma(a[ai + p], b[bj + p], s[p % 8]);
        }
        double sum = ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
        for (int p = k8; p < k; p++) {
            sum = Math.fma(a[ai + p], b[bj + p], sum);
        }
        return sum;
    }

    private static void assertProduct(String what, DoubleGemm gemm, double[] reference, double[] specification,
            double[] got, int k) {
        int n = reference.length;
        if (isScalar(gemm)) {
            assertThat(Arrays.copyOf(got, n)).as("%s: the bits of DoubleKernels", what).isEqualTo(reference);
        } else {
            assertThat(Arrays.copyOf(got, n)).as("%s: the bits of its fma chains", what).isEqualTo(specification);
            for (int i = 0; i < n; i++) {
                // Inputs in [−1, 1]: both sums are within k·k·u of the exact one.
                if (!(Math.abs(got[i] - reference[i]) <= 2.0 * k * k * 0x1p-53)) {
                    fail("%s [%d]: got %s, want %s", what, i, got[i], reference[i]);
                }
            }
        }
        for (int i = n; i < n + SENTINELS; i++) {
            assertThat(got[i]).as("%s writes past its output", what).isEqualTo(42);
        }
    }

    private interface DoubleRowRange {
        void run(double[] out, int i0, int i1);
    }

    private static void assertRangesGiveTheSameBits(String shape, double[] whole, int n, int m,
            DoubleRowRange kernel) {
        for (int split : new int[] {1, n / 2, n - 1}) {
            if (split <= 0 || split >= n) {
                continue;
            }
            double[] parts = nanDoubles(n * m);
            kernel.run(parts, split, n);
            kernel.run(parts, 0, split);
            assertThat(parts).as("rows split at " + split + " of " + shape).isEqualTo(whole);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePaths")
    void doubleMultiplyMatchesTheReferenceInEveryLayout(DoubleGemm gemm) {
        for (int n : SIZES) {
            for (int k : INNER_DOUBLE) {
                for (int m : SIZES) {
                    String shape = gemm.description() + " " + n + "×" + k + "×" + m;
                    double[] a = randomDoubles(n * k);
                    double[] b = randomDoubles(k * m);
                    double[] want = new double[n * m];
                    DoubleKernels.multiply(a, b, want, n, k, m);
                    double[] got = nanDoubles(n * m);
                    gemm.multiply(a, k, 1, b, got, k, m, 0, n);
                    assertProduct("multiply " + shape, gemm, want, fmaChains(a, k, 1, b, n, k, m), got, k);
                    assertRangesGiveTheSameBits(shape, got, n, m,
                            (out, i0, i1) -> gemm.multiply(a, k, 1, b, out, k, m, i0, i1));

                    // aᵀ·b with a stored [k × n]: A[i][p] = a[p·n + i]
                    double[] at = randomDoubles(k * n);
                    want = new double[n * m];
                    DoubleKernels.transposedMultiply(at, b, want, k, n, m);
                    got = nanDoubles(n * m);
                    gemm.multiply(at, 1, n, b, got, k, m, 0, n);
                    assertProduct("transposedMultiply " + shape, gemm, want, fmaChains(at, 1, n, b, n, k, m), got,
                            k);

                    // a·bᵀ with b stored [m × k], as dot products and through a packed bᵀ
                    double[] bm = randomDoubles(m * k);
                    want = new double[n * m];
                    DoubleKernels.multiplyTransposed(a, bm, want, n, k, m);
                    double[] dots = new double[n * m];
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < m; j++) {
                            dots[i * m + j] = eightPartials(a, i * k, bm, j * k, k);
                        }
                    }
                    got = nanDoubles(n * m);
                    gemm.multiplyTransposedDot(a, bm, got, n, k, m, 0, m);
                    assertProduct("multiplyTransposedDot " + shape, gemm, want, dots, got, k);
                    double[] whole = got;
                    double[] parts = nanDoubles(n * m);
                    gemm.multiplyTransposedDot(a, bm, parts, n, k, m, 0, m / 2);
                    gemm.multiplyTransposedDot(a, bm, parts, n, k, m, m / 2, m);
                    assertThat(parts).as("column ranges of " + shape).isEqualTo(whole);
                    double[] bt = new double[k * m];
                    gemm.transpose(bm, bt, m, k);
                    got = nanDoubles(n * m);
                    gemm.multiply(a, k, 1, bt, got, k, m, 0, n);
                    assertProduct("packed multiplyTransposed " + shape, gemm, want, fmaChains(a, k, 1, bt, n, k, m),
                            got, k);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePaths")
    void theDoubleNarrowMultiplyGivesTheBitsOfTheFullOne(DoubleGemm gemm) {
        int width = gemm.lanes();
        int tried = 0;
        for (int n : SIZES) {
            for (int k : INNER_DOUBLE) {
                for (int columns = 1; columns < width; columns++) {
                    int m = columns;
                    if (!gemm.prefersNarrow(n, k, m)) {
                        continue;
                    }
                    tried++;
                    String shape = gemm.description() + " narrow " + n + "×" + k + "×" + m;
                    double[] a = randomDoubles(n * k);
                    double[] bm = randomDoubles(m * k);
                    double[] bt = nanDoubles(k * width);
                    DoubleGemm.packNarrow(bm, bt, m, k, width);
                    double[] got = nanDoubles(n * m);
                    gemm.multiplyNarrow(a, bt, got, k, m, 0, n);
                    double[] unpadded = new double[k * m];
                    gemm.transpose(bm, unpadded, m, k);
                    double[] tiled = new double[n * m];
                    gemm.multiply(a, k, 1, unpadded, tiled, k, m, 0, n);
                    assertThat(Arrays.copyOf(got, n * m)).as(shape + " against multiply").isEqualTo(tiled);
                    assertThat(got[n * m]).as(shape + " writes past its output").isEqualTo(42);
                    assertRangesGiveTheSameBits(shape, got, n, m,
                            (out, i0, i1) -> gemm.multiplyNarrow(a, bt, out, k, m, i0, i1));
                }
            }
        }
        if (width >= 8) {
            assertThat(tried).as("shapes the vector path multiplies narrow").isGreaterThan(20);
        }
    }

    /** The scalar path's product with a B held as one array per row, as a kept transposed copy is. */
    @org.junit.jupiter.api.Test
    void theScalarProductsWithRowArraysGiveTheBitsOfTheFlatOnes() {
        ScalarDoubleGemm doubles = new ScalarDoubleGemm();
        ScalarFloatGemm floats = new ScalarFloatGemm();
        for (int n : new int[] {1, 3, 4, 7, 9}) {
            for (int k : INNER_DOUBLE) {
                for (int m : new int[] {1, 10, 17, 129, 300}) {
                    String shape = n + "×" + k + "×" + m;
                    double[] a = randomDoubles(n * k);
                    double[] bm = randomDoubles(m * k);
                    double[] want = new double[n * m];
                    DoubleKernels.multiplyTransposed(a, bm, want, n, k, m);
                    double[] got = nanDoubles(n * m);
                    doubles.multiply(a, k, 1, ScalarDoubleGemm.transposeToRows(bm, m, k), got, k, m, 0, n);
                    assertThat(Arrays.copyOf(got, n * m)).as("double " + shape).isEqualTo(want);
                    assertThat(got[n * m]).as("double %s writes past its output", shape).isEqualTo(42);

                    float[] af = randomFloats(n * k);
                    float[] bf = randomFloats(m * k);
                    float[] wantF = new float[n * m];
                    FloatKernels.multiplyTransposed(af, bf, wantF, n, k, m);
                    float[] gotF = nanFloats(n * m);
                    floats.multiply(af, k, 1, ScalarFloatGemm.transposeToRows(bf, m, k), gotF, k, m, 0, n);
                    assertThat(Arrays.copyOf(gotF, n * m)).as("float " + shape).isEqualTo(wantF);
                    assertThat(gotF[n * m]).as("float %s writes past its output", shape).isEqualTo(42);
                }
            }
        }
    }

    /** The float32 scalar path, too, gives the bits of the plain float loops. */
    @org.junit.jupiter.api.Test
    void theFloatScalarMultiplyGivesTheBitsOfFloatKernels() {
        ScalarFloatGemm gemm = new ScalarFloatGemm();
        for (int n : SIZES) {
            for (int k : new int[] {1, 17, 257, 300}) {
                for (int m : new int[] {1, 17, 255, 257}) {
                    float[] a = randomFloats(n * k);
                    float[] b = randomFloats(k * m);
                    float[] want = new float[n * m];
                    FloatKernels.multiply(a, b, want, n, k, m);
                    float[] got = new float[n * m];
                    gemm.multiply(a, k, 1, b, got, k, m, 0, n);
                    assertThat(got).as("%d×%d×%d", n, k, m).isEqualTo(want);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePaths")
    void doubleElementwiseKernelsGiveTheBitsOfThePlainLoops(DoubleGemm gemm) {
        double[] special = {0.0, -0.0, 1.5, -2.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE};
        for (int length : new int[] {0, 1, 7, 8, 9, 15, 17, 33, 100}) {
            double[] z = randomDoubles(length);
            double[] g = randomDoubles(length);
            for (int i = 0; i < length; i += 3) {
                z[i] = special[(i / 3) % special.length];
                g[length - 1 - i] = special[(i / 3 + 4) % special.length];
            }
            double[] want = new double[length];
            DoubleKernels.relu(z, want);
            double[] got = nanDoubles(length);
            gemm.relu(z, got);
            assertThat(Arrays.copyOf(got, length)).as("relu, length " + length).isEqualTo(want);
            double[] inPlace = z.clone();
            gemm.relu(inPlace, inPlace);
            assertThat(inPlace).as("relu in place, length " + length).isEqualTo(want);

            DoubleKernels.reluBackward(z, g, want);
            got = nanDoubles(length);
            gemm.reluBackward(z, g, got);
            assertThat(Arrays.copyOf(got, length)).as("reluBackward, length " + length).isEqualTo(want);

            assertThat(gemm.indexOfNonFinite(g)).as("finiteness scan, length " + length)
                    .isEqualTo(DoubleKernels.indexOfNonFinite(g));
            assertThat(gemm.indexOfNonFinite(randomDoubles(length))).isEqualTo(-1);
        }
        for (int rows : new int[] {1, 3, 8}) {
            for (int cols : SIZES) {
                double[] products = randomDoubles(rows * cols);
                double[] bias = randomDoubles(cols);
                bias[0] = Double.NaN;
                double[] zWant = products.clone();
                DoubleKernels.addRowVector(zWant, bias, rows, cols);
                double[] aWant = new double[rows * cols];
                DoubleKernels.relu(zWant, aWant);
                double[] z = products.clone();
                double[] a = nanDoubles(rows * cols);
                gemm.addRowVectorRelu(z, bias, a, rows, cols);
                assertThat(z).as("z, %d×%d", rows, cols).isEqualTo(zWant);
                assertThat(Arrays.copyOf(a, rows * cols)).as("a, %d×%d", rows, cols).isEqualTo(aWant);
                double[] inPlace = products.clone();
                gemm.addRowVectorRelu(inPlace, bias, inPlace, rows, cols);
                assertThat(inPlace).as("in place, %d×%d", rows, cols).isEqualTo(aWant);

                double[] x = randomDoubles(rows * cols);
                double[] softWant = new double[rows * cols];
                DoubleKernels.softmaxRows(x, softWant, rows, cols);
                double[] soft = new double[rows * cols];
                gemm.softmaxRows(x, soft, rows, cols);
                assertThat(soft).as("softmax, %d×%d", rows, cols).isEqualTo(softWant);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePaths")
    void doubleTransposeIsExact(DoubleGemm gemm) {
        for (int m : SIZES) {
            for (int k : INNER_DOUBLE) {
                double[] b = randomDoubles(m * k);
                double[] bt = new double[k * m];
                gemm.transpose(b, bt, m, k);
                double[][] rows = ScalarDoubleGemm.transposeToRows(b, m, k);
                for (int j = 0; j < m; j++) {
                    for (int p = 0; p < k; p++) {
                        assertThat(bt[p * m + j]).isEqualTo(b[j * k + p]);
                        assertThat(rows[p][j]).isEqualTo(b[j * k + p]);
                    }
                }
            }
        }
    }

    /** Routing that decides the bits looks at the shape alone: the same answers on every path that dots. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("doublePaths")
    void theDotRouteDependsOnTheShapeAlone(DoubleGemm gemm) {
        if (isScalar(gemm)) {
            assertThat(gemm.prefersDot(1, 784, 128)).isFalse();
            return;
        }
        assertThat(gemm.prefersDot(1, 784, 128)).isTrue();
        assertThat(gemm.prefersDot(7, 784, 128)).isTrue();
        assertThat(gemm.prefersDot(8, 784, 128)).isFalse();
        assertThat(gemm.prefersDot(32, 128, 3)).isTrue();
        assertThat(gemm.prefersDot(32, 128, 4)).isFalse();
        assertThat(gemm.prefersDot(1, 7, 128)).isFalse();
    }
}
