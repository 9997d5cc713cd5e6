package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every {@link Matrix} operation in both precisions against a naive reference written here in double, on
 * shapes that include 1, odd sizes and sizes just above common vector widths; and the facade's checks.
 */
class MatrixTest {

    private static final int[] SIZES = {1, 3, 7, 8, 9, 15, 16, 17, 33};

    private final SplittableRandom random = new SplittableRandom(2024);

    private Matrix random(Precision p, int rows, int cols) {
        Matrix m = Matrix.zeros(p, rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                m.set(r, c, random.nextDouble(-1, 1));
            }
        }
        return m;
    }

    /** An output matrix full of NaN, so that an operation that forgets to overwrite an element is caught. */
    private static Matrix garbage(Precision p, int rows, int cols) {
        Matrix m = Matrix.zeros(p, rows, cols);
        m.fill(Double.NaN);
        return m;
    }

    /** The unit roundoff of a precision. */
    private static double u(Precision p) {
        return p == Precision.FLOAT64 ? 0x1p-53 : 0x1p-24;
    }

    /** Asserts {@code |got − want| ≤ bound} element by element, where the bound comes per element. */
    private static void assertClose(String what, Matrix got, double[][] want, double[][] bound) {
        assertThat(got.shape()).as(what).isEqualTo(want.length + " × " + want[0].length);
        for (int r = 0; r < want.length; r++) {
            for (int c = 0; c < want[0].length; c++) {
                double g = got.get(r, c);
                if (!(Math.abs(g - want[r][c]) <= bound[r][c])) {
                    fail("%s [%d][%d]: got %s, want %s, allowed difference %s", what, r, c, g, want[r][c],
                            bound[r][c]);
                }
            }
        }
    }

    /** A bound of {@code factor · u · |want| + tiny} per element, for results of a few rounded steps. */
    private static double[][] relative(double[][] want, Precision p, double factor) {
        double[][] bound = new double[want.length][want[0].length];
        for (int r = 0; r < want.length; r++) {
            for (int c = 0; c < want[0].length; c++) {
                bound[r][c] = factor * u(p) * Math.abs(want[r][c]) + 1e-300;
            }
        }
        return bound;
    }

    // ------------------------------------------------------------------ products

    /** The reference product {@code Σ_p A[i][p]·B[p][j]} and the bound {@code 2·k·u·Σ|A·B|} on its rounding. */
    private record Product(double[][] value, double[][] bound) {
        static Product of(Matrix a, boolean transposeA, Matrix b, boolean transposeB, Precision p) {
            int n = transposeA ? a.cols() : a.rows();
            int k = transposeA ? a.rows() : a.cols();
            int m = transposeB ? b.rows() : b.cols();
            double[][] value = new double[n][m];
            double[][] bound = new double[n][m];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < m; j++) {
                    double s = 0;
                    double abs = 0;
                    for (int q = 0; q < k; q++) {
                        double x = (transposeA ? a.get(q, i) : a.get(i, q)) * (transposeB ? b.get(j, q) : b.get(q, j));
                        s += x;
                        abs += Math.abs(x);
                    }
                    value[i][j] = s;
                    bound[i][j] = 2 * (k + 1) * u(p) * abs + 1e-300;
                }
            }
            return new Product(value, bound);
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void multiplyTransposedIsAProductWithTheSecondOperandTransposed(Precision p) {
        for (int n : SIZES) {
            for (int k : SIZES) {
                for (int m : SIZES) {
                    Matrix a = random(p, n, k);
                    Matrix b = random(p, m, k);
                    Matrix out = garbage(p, n, m);
                    Matrix.multiplyTransposed(a, b, out);
                    Product want = Product.of(a, false, b, true, p);
                    assertClose("a·bᵀ " + n + "×" + k + "×" + m, out, want.value(), want.bound());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void transposedMultiplyIsAProductWithTheFirstOperandTransposed(Precision p) {
        for (int n : SIZES) {
            for (int k : SIZES) {
                for (int m : SIZES) {
                    Matrix a = random(p, n, m);
                    Matrix b = random(p, n, k);
                    Matrix out = garbage(p, m, k);
                    Matrix.transposedMultiply(a, b, out);
                    Product want = Product.of(a, true, b, false, p);
                    assertClose("aᵀ·b " + n + "×" + m + "×" + k, out, want.value(), want.bound());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void multiplyIsThePlainProduct(Precision p) {
        for (int n : SIZES) {
            for (int k : SIZES) {
                for (int m : SIZES) {
                    Matrix a = random(p, n, k);
                    Matrix b = random(p, k, m);
                    Matrix out = garbage(p, n, m);
                    Matrix.multiply(a, b, out);
                    Product want = Product.of(a, false, b, false, p);
                    assertClose("a·b " + n + "×" + k + "×" + m, out, want.value(), want.bound());
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void productOfKnownMatrices(Precision p) {
        Matrix a = Matrix.of(p, new double[][] {{1, 2}, {3, 4}}, "a");
        Matrix b = Matrix.of(p, new double[][] {{5, 6}, {7, 8}}, "b");
        Matrix out = Matrix.zeros(p, 2, 2);

        Matrix.multiply(a, b, out);
        assertThat(out.toDoubleArray()).isDeepEqualTo(new double[][] {{19, 22}, {43, 50}});
        Matrix.multiplyTransposed(a, b, out);
        assertThat(out.toDoubleArray()).isDeepEqualTo(new double[][] {{17, 23}, {39, 53}});
        Matrix.transposedMultiply(a, b, out);
        assertThat(out.toDoubleArray()).isDeepEqualTo(new double[][] {{26, 30}, {38, 44}});
    }

    // ------------------------------------------------------------------ row and column operations

    @ParameterizedTest
    @EnumSource(Precision.class)
    void rowAndColumnOperationsMatchTheReference(Precision p) {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                String shape = " " + rows + "×" + cols;
                Matrix x = random(p, rows, cols);
                double[][] xs = x.toDoubleArray();

                Matrix v = random(p, 1, cols);
                Matrix sum = x.copy();
                sum.addRowVector(v);
                double[][] wantSum = new double[rows][cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        wantSum[r][c] = xs[r][c] + v.get(0, c);
                    }
                }
                assertClose("addRowVector" + shape, sum, wantSum, relative(wantSum, p, 1));

                Matrix colSums = garbage(p, 1, cols);
                x.columnSums(colSums);
                double[][] wantCol = new double[1][cols];
                double[][] boundCol = new double[1][cols];
                for (int c = 0; c < cols; c++) {
                    for (int r = 0; r < rows; r++) {
                        wantCol[0][c] += xs[r][c];
                        boundCol[0][c] += 2 * (rows + 1) * u(p) * Math.abs(xs[r][c]);
                    }
                    boundCol[0][c] += 1e-300;
                }
                assertClose("columnSums" + shape, colSums, wantCol, boundCol);

                Matrix rowSums = garbage(p, rows, 1);
                x.rowSums(rowSums);
                double[][] wantRow = new double[rows][1];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        wantRow[r][0] += xs[r][c];
                    }
                }
                // Row sums accumulate in double and round once.
                double[][] boundRow = new double[rows][1];
                for (int r = 0; r < rows; r++) {
                    boundRow[r][0] = u(p) * Math.abs(wantRow[r][0]) + 2 * cols * 0x1p-53 * cols + 1e-300;
                }
                assertClose("rowSums" + shape, rowSums, wantRow, boundRow);

                Matrix factors = random(p, rows, 1);
                Matrix scaled = x.copy();
                scaled.multiplyRows(factors);
                double[][] wantScaled = new double[rows][cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        wantScaled[r][c] = xs[r][c] * factors.get(r, 0);
                    }
                }
                assertClose("multiplyRows" + shape, scaled, wantScaled, relative(wantScaled, p, 1));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softmaxAndLogSumExpMatchTheReference(Precision p) {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                String shape = " " + rows + "×" + cols;
                Matrix x = random(p, rows, cols);
                x.scale(20); // logits in [−20, 20]
                double[][] xs = x.toDoubleArray();
                double[][] softmax = new double[rows][cols];
                double[][] lse = new double[rows][1];
                for (int r = 0; r < rows; r++) {
                    double s = 0;
                    for (int c = 0; c < cols; c++) {
                        s += Math.exp(xs[r][c]);
                    }
                    for (int c = 0; c < cols; c++) {
                        softmax[r][c] = Math.exp(xs[r][c]) / s;
                    }
                    lse[r][0] = Math.log(s);
                }

                Matrix a = garbage(p, rows, cols);
                x.softmaxRows(a);
                // exp(x − max) turns the rounding of its argument (up to 40) into a relative error, in double
                // for both precisions; float32 then rounds the result once more. The float32 vector path shifts
                // in float (up to 40 units), and its EXP and reciprocal add a few units more.
                double doubleSteps = 2 * cols + 2 * 40 + 4;
                double floatSteps = p == Precision.FLOAT32 ? 40 + 6 : 0;
                assertClose("softmaxRows" + shape, a, softmax,
                        relative(softmax, p, 2 + floatSteps + doubleSteps * 0x1p-53 / u(p)));
                Matrix out = garbage(p, rows, 1);
                x.logSumExpRows(out);
                double[][] lseBound = new double[rows][1];
                for (int r = 0; r < rows; r++) {
                    lseBound[r][0] = 4 * u(p) * (Math.abs(lse[r][0]) + 20);
                }
                assertClose("logSumExpRows" + shape, out, lse, lseBound);

                Matrix g = random(p, rows, cols);
                double[][] gs = g.toDoubleArray();
                double[][] as = a.toDoubleArray();
                double[][] back = new double[rows][cols];
                double[][] bound = new double[rows][cols];
                for (int r = 0; r < rows; r++) {
                    double dot = 0;
                    double abs = 0;
                    for (int c = 0; c < cols; c++) {
                        dot += gs[r][c] * as[r][c];
                        abs += Math.abs(gs[r][c] * as[r][c]);
                    }
                    for (int c = 0; c < cols; c++) {
                        back[r][c] = as[r][c] * (gs[r][c] - dot);
                        bound[r][c] = 4 * u(p) * as[r][c] * (Math.abs(gs[r][c]) + abs) + 1e-300;
                    }
                }
                Matrix d = garbage(p, rows, cols);
                Matrix.softmaxBackward(a, g, d);
                assertClose("softmaxBackward" + shape, d, back, bound);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softmaxOfHugeLogitsHasNoNaN(Precision p) {
        Matrix x = Matrix.of(p, new double[][] {{1000, -1000, 0}, {-1000, -1000, -1000}, {1e30, 1e30, -1e30}}, "x");
        Matrix lse = Matrix.zeros(p, 3, 1);

        x.softmaxRows(x); // in place

        assertThat(x.firstNonFinite()).isNull();
        assertThat(x.row(0)).containsExactly(1, 0, 0);
        assertThat(x.get(1, 0)).isCloseTo(1.0 / 3, within(1e-7));
        assertThat(x.row(2)).containsExactly(0.5, 0.5, 0);
        Matrix.of(p, new double[][] {{1000, -1000}, {-1000, -1000}, {1, 1}}, "x").logSumExpRows(lse);
        assertThat(lse.get(0, 0)).isEqualTo(1000);
        assertThat(lse.get(1, 0)).isCloseTo(-1000 + Math.log(2), within(1e-4));
    }

    // ------------------------------------------------------------------ element-wise operations

    @ParameterizedTest
    @EnumSource(Precision.class)
    void elementwiseOperationsMatchTheReference(Precision p) {
        for (int rows : SIZES) {
            for (int cols : SIZES) {
                String shape = " " + rows + "×" + cols;
                Matrix x = random(p, rows, cols);
                Matrix y = random(p, rows, cols);
                Matrix g = random(p, rows, cols);
                double[][] xs = x.toDoubleArray();
                double[][] ys = y.toDoubleArray();
                double[][] gs = g.toDoubleArray();
                double[][] mapped = new double[rows][cols];
                double[][] backward = new double[rows][cols];
                double[][] zipped = new double[rows][cols];
                double[][] axpy = new double[rows][cols];
                double[][] scaled = new double[rows][cols];
                double dot = 0;
                double dotAbs = 0;
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        mapped[r][c] = Math.sin(xs[r][c]);
                        backward[r][c] = gs[r][c] * (xs[r][c] - 2 * ys[r][c]);
                        zipped[r][c] = Math.atan2(xs[r][c], ys[r][c]);
                        axpy[r][c] = ys[r][c] + (float) -0.75 * xs[r][c];
                        scaled[r][c] = 0.5 * xs[r][c];
                        dot += xs[r][c] * ys[r][c];
                        dotAbs += Math.abs(xs[r][c] * ys[r][c]);
                    }
                }

                Matrix out = garbage(p, rows, cols);
                x.map(Math::sin, out);
                assertClose("map" + shape, out, mapped, relative(mapped, p, 1));

                out = garbage(p, rows, cols);
                Matrix.mapBackward(x, y, g, (z, a) -> z - 2 * a, out);
                assertClose("mapBackward" + shape, out, backward, relative(backward, p, 1));

                out = garbage(p, rows, cols);
                Matrix.zip(x, y, Math::atan2, out);
                assertClose("zip" + shape, out, zipped, relative(zipped, p, 1));

                Matrix sum = y.copy();
                sum.addScaled(-0.75, x);
                double[][] boundAxpy = new double[rows][cols];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        boundAxpy[r][c] = 2 * u(p) * (Math.abs(ys[r][c]) + Math.abs(0.75 * xs[r][c])) + 1e-300;
                    }
                }
                assertClose("addScaled" + shape, sum, axpy, boundAxpy);

                Matrix half = x.copy();
                half.scale(0.5);
                assertClose("scale" + shape, half, scaled, relative(scaled, p, 0));

                assertThat(Math.abs(Matrix.dot(x, y) - dot)).as("dot" + shape)
                        .isLessThanOrEqualTo(2 * rows * cols * 0x1p-53 * dotAbs + 1e-300);
                assertThat(x.sum()).as("sum" + shape).isCloseTo(Arrays.stream(xs)
                        .flatMapToDouble(Arrays::stream).sum(),
                        within(1e-12));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void documentedInPlaceOperationsGiveTheSameResultAsSeparateOutputs(Precision p) {
        Matrix x = random(p, 9, 17);
        Matrix y = random(p, 9, 17);
        Matrix g = random(p, 9, 17);

        assertInPlaceAgrees(x, out -> x.map(Math::exp, out), m -> m.map(Math::exp, m));
        assertInPlaceAgrees(x, out -> Matrix.zip(x, y, (s, t) -> s * t - t, out),
                m -> Matrix.zip(m, y, (s, t) -> s * t - t, m));
        assertInPlaceAgrees(y, out -> Matrix.zip(x, y, (s, t) -> s * t - t, out),
                m -> Matrix.zip(x, m, (s, t) -> s * t - t, m));
        assertInPlaceAgrees(x, out -> x.softmaxRows(out), m -> m.softmaxRows(m));
        assertInPlaceAgrees(g, out -> Matrix.mapBackward(x, y, g, (z, a) -> z * a, out),
                m -> Matrix.mapBackward(x, y, m, (z, a) -> z * a, m));
        Matrix a = Matrix.zeros(p, 9, 17);
        x.softmaxRows(a);
        assertInPlaceAgrees(g, out -> Matrix.softmaxBackward(a, g, out), m -> Matrix.softmaxBackward(a, m, m));
    }

    private static void assertInPlaceAgrees(Matrix operand, Consumer<Matrix> separate, Consumer<Matrix> inPlace) {
        Matrix out = Matrix.zeros(operand.precision(), operand.rows(), operand.cols());
        separate.accept(out);
        Matrix self = operand.copy();
        inPlace.accept(self);
        assertThat(self).isEqualTo(out);
    }

    // ------------------------------------------------------------------ checks

    @ParameterizedTest
    @EnumSource(Precision.class)
    void readOnlyViewsRefuseEveryWrite(Precision p) {
        Matrix m = random(p, 2, 2);
        Matrix view = m.readOnlyView();
        Matrix other = random(p, 2, 2);
        Matrix column = random(p, 2, 1);
        Matrix row = random(p, 1, 2);

        List<Runnable> writes = List.of(
                () -> view.set(0, 0, 1),
                () -> view.fill(0),
                () -> view.scale(2),
                () -> view.addScaled(1, other),
                () -> view.copyFrom(other),
                () -> view.addRowVector(row),
                () -> view.multiplyRows(column),
                () -> other.map(Math::abs, view),
                () -> Matrix.zip(other, other, Double::sum, view),
                () -> Matrix.mapBackward(other, other, other, (z, a) -> 1, view),
                () -> other.softmaxRows(view),
                () -> Matrix.softmaxBackward(other, other, view),
                () -> Matrix.multiply(other, other, view),
                () -> Matrix.multiplyTransposed(other, other, view),
                () -> Matrix.transposedMultiply(other, other, view),
                () -> other.columnSums(row.readOnlyView()),
                () -> other.rowSums(column.readOnlyView()),
                () -> other.logSumExpRows(column.readOnlyView()));
        Matrix before = m.copy();
        for (Runnable write : writes) {
            assertThatIllegalStateException().isThrownBy(write::run).withMessageContaining("read-only view");
        }
        assertThat(m).isEqualTo(before);
        assertThat(view.isReadOnly()).isTrue();
        assertThat(view.readOnlyView()).isSameAs(view);
        assertThat(view.copy().isReadOnly()).isFalse();
        m.set(1, 1, 0.5);
        assertThat(view.get(1, 1)).as("a view sees later writes").isEqualTo(0.5);
        assertThat(view).isEqualTo(m);
    }

    @Test
    void precisionMismatchNamesBothPrecisions() {
        Matrix d = Matrix.zeros(Precision.FLOAT64, 2, 2);
        Matrix f = Matrix.zeros(Precision.FLOAT32, 2, 2);

        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.multiply(d, f, Matrix.zeros(Precision.FLOAT64, 2, 2)))
                .withMessageContaining("FLOAT64").withMessageContaining("FLOAT32");
        assertThatIllegalArgumentException().isThrownBy(() -> d.addScaled(1, f))
                .withMessageContaining("FLOAT64").withMessageContaining("FLOAT32");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.dot(d, f))
                .withMessageContaining("FLOAT64").withMessageContaining("FLOAT32");
    }

    @Test
    void shapeErrorsNameBothShapes() {
        Precision p = Precision.FLOAT64;
        Matrix a = Matrix.zeros(p, 2, 3);
        Matrix b = Matrix.zeros(p, 4, 5);

        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.multiply(a, b, Matrix.zeros(p, 2, 5)))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Matrix.multiply(a, Matrix.zeros(p, 3, 5), Matrix.zeros(p, 2, 2)))
                .withMessageContaining("out is 2 × 2 but must be 2 × 5");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.multiplyTransposed(a, b, Matrix.zeros(p, 2, 4)))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.transposedMultiply(a, b, Matrix.zeros(p, 3, 5)))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
        assertThatIllegalArgumentException().isThrownBy(() -> a.map(Math::abs, Matrix.zeros(p, 3, 2)))
                .withMessageContaining("3 × 2").withMessageContaining("2 × 3");
        assertThatIllegalArgumentException().isThrownBy(() -> a.addScaled(1, b))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.zip(a, b, Double::sum, a))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.dot(a, b))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
        assertThatIllegalArgumentException().isThrownBy(() -> a.addRowVector(Matrix.zeros(p, 1, 5)))
                .withMessageContaining("1 × 5").withMessageContaining("1 × 3").withMessageContaining("2 × 3");
        assertThatIllegalArgumentException().isThrownBy(() -> a.columnSums(Matrix.zeros(p, 1, 2)))
                .withMessageContaining("1 × 2").withMessageContaining("1 × 3");
        assertThatIllegalArgumentException().isThrownBy(() -> a.rowSums(Matrix.zeros(p, 3, 1)))
                .withMessageContaining("3 × 1").withMessageContaining("2 × 1");
        assertThatIllegalArgumentException().isThrownBy(() -> a.multiplyRows(Matrix.zeros(p, 2, 2)))
                .withMessageContaining("2 × 2").withMessageContaining("2 × 1");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.softmaxBackward(a, b, a))
                .withMessageContaining("2 × 3").withMessageContaining("4 × 5");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void productRefusesAnOutputThatAliasesAnOperand(Precision p) {
        Matrix a = random(p, 3, 3);
        Matrix b = random(p, 3, 3);
        Matrix before = a.copy();

        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.multiply(a, b, a))
                .withMessageContaining("must not share storage");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.multiplyTransposed(b, a, a))
                .withMessageContaining("must not share storage");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.transposedMultiply(a.readOnlyView(), b, a))
                .withMessageContaining("must not share storage");
        assertThat(a).isEqualTo(before);
    }

    @Test
    void creationChecksItsArguments() {
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.zeros(Precision.FLOAT64, 0, 3))
                .withMessageContaining("rows must be at least 1, was 0");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.zeros(Precision.FLOAT32, 100_000, 100_000))
                .withMessageContaining("100000 × 100000");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Matrix.of(Precision.FLOAT64, new double[][] {{1, 2}, {3}}, "values"))
                .withMessageContaining("values").withMessageContaining("row 0 has 2 values and row 1 has 1");
        assertThatIllegalArgumentException().isThrownBy(() -> Matrix.rowVector(Precision.FLOAT64, new double[0], "bias"))
                .withMessageContaining("bias must not be empty");
        assertThatThrownBy(() -> Matrix.of(Precision.FLOAT64, (double[][]) null, "values"))
                .isInstanceOf(NullPointerException.class).hasMessage("values must not be null");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void elementAccessConversionAndValueSemantics(Precision p) {
        Matrix m = Matrix.of(p, new double[][] {{1, 2, 3}, {4, 5, 6}}, "m");

        assertThat(m).hasToString("Matrix[" + p + ", 2 × 3]");
        assertThat(m.shape()).isEqualTo("2 × 3");
        assertThat(m.get(1, 2)).isEqualTo(6);
        assertThatThrownBy(() -> m.get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("(2, 0)").hasMessageContaining("2 × 3");
        assertThat(m.copy()).isEqualTo(m).hasSameHashCodeAs(m).isNotSameAs(m);
        assertThat(m.toPrecision(p)).isEqualTo(m).isNotSameAs(m);
        assertThat(m.toFloatArray()[1]).containsExactly(4f, 5f, 6f);
        assertThat(m.rowAsFloat(0)).containsExactly(1f, 2f, 3f);
        assertThat(m.sum()).isEqualTo(21);
        assertThat(m.firstNonFinite()).isNull();
        assertThat(m.firstWhere(v -> v > 4)).containsExactly(1, 1);
        Matrix other = p == Precision.FLOAT64 ? m.toPrecision(Precision.FLOAT32) : m.toPrecision(Precision.FLOAT64);
        assertThat(other).isNotEqualTo(m);
        assertThat(other.toDoubleArray()).isDeepEqualTo(m.toDoubleArray());
        m.set(0, 1, Double.NEGATIVE_INFINITY);
        assertThat(m.firstNonFinite()).containsExactly(0, 1);
        assertThatIllegalArgumentException().isThrownBy(() -> m.requireFinite("m"))
                .withMessage("m: row 0, column 1 is -Infinity; every value must be finite");
    }

    @Test
    void float32RoundsOnTheWayIn() {
        Matrix m = Matrix.of(Precision.FLOAT32, new double[][] {{0.1, 1e-50}}, "m");

        assertThat(m.get(0, 0)).isEqualTo((double) 0.1f);
        assertThat(m.get(0, 1)).isEqualTo(0);
        assertThat(Matrix.of(Precision.FLOAT64, new double[][] {{0.1}}, "m").toPrecision(Precision.FLOAT32))
                .isEqualTo(Matrix.of(Precision.FLOAT32, new float[][] {{0.1f}}, "m"));
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void freezeTakesOverWithoutACopyAndRefusesLaterWrites(Precision precision) {
        Matrix m = Matrix.of(precision, new double[][] {{1, 2}, {3, 4}}, "m");
        Matrix frozen = m.freeze();
        assertThat(frozen).isSameAs(m);
        assertThat(frozen.isReadOnly()).isTrue();
        assertThat(frozen.freeze()).isSameAs(frozen);
        assertThat(frozen.immutableCopy()).isSameAs(frozen);
        assertThatIllegalStateException().isThrownBy(() -> m.set(0, 0, 9));
        assertThat(m.get(0, 0)).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void freezingAReadOnlyViewCopiesIt(Precision precision) {
        Matrix owner = Matrix.of(precision, new double[][] {{1, 2}}, "owner");
        Matrix frozen = owner.readOnlyView().freeze();
        owner.set(0, 0, 7);
        assertThat(frozen.get(0, 0)).as("the owner's later write").isEqualTo(1);
        assertThat(frozen.isReadOnly()).isTrue();
    }
}
