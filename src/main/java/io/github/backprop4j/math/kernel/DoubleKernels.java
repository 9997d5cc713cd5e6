package io.github.backprop4j.math.kernel;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * The plain reference loops for {@code double} matrices, stored row-major in one array each.
 *
 * <p>Called by {@code io.github.backprop4j.math.Matrix}, which has already checked every shape; these
 * methods check nothing, allocate nothing and know no model types. Each output element is computed in
 * one fixed order, so results are reproducible bit for bit. Faster kernels, when they come, are tested
 * against these.
 */
public final class DoubleKernels {

    private DoubleKernels() {
    }

    /**
     * {@code out[n×m] = a[n×k] · b[m×k]ᵀ}, each element a dot product of two rows, summed in order of k.
     *
     * @param a the left operand, n rows of k
     * @param b the right operand, m rows of k
     * @param out the result, n rows of m
     * @param n rows of a
     * @param k columns of a and b
     * @param m rows of b
     */
    public static void multiplyTransposed(double[] a, double[] b, double[] out, int n, int k, int m) {
        for (int i = 0; i < n; i++) {
            int ai = i * k;
            for (int j = 0; j < m; j++) {
                int bj = j * k;
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[ai + p] * b[bj + p];
                }
                out[i * m + j] = s;
            }
        }
    }

    /**
     * {@code out[m×k] = a[n×m]ᵀ · b[n×k]}, each element summed in order of the n rows.
     *
     * @param a the left operand, n rows of m
     * @param b the right operand, n rows of k
     * @param out the result, m rows of k
     * @param n rows of a and b
     * @param m columns of a
     * @param k columns of b
     */
    public static void transposedMultiply(double[] a, double[] b, double[] out, int n, int m, int k) {
        java.util.Arrays.fill(out, 0, m * k, 0.0);
        for (int r = 0; r < n; r++) {
            int br = r * k;
            for (int i = 0; i < m; i++) {
                double air = a[r * m + i];
                int oi = i * k;
                for (int j = 0; j < k; j++) {
                    out[oi + j] += air * b[br + j];
                }
            }
        }
    }

    /**
     * {@code out[n×m] = a[n×k] · b[k×m]}, each element summed in order of k.
     *
     * @param a the left operand, n rows of k
     * @param b the right operand, k rows of m
     * @param out the result, n rows of m
     * @param n rows of a
     * @param k columns of a, rows of b
     * @param m columns of b
     */
    public static void multiply(double[] a, double[] b, double[] out, int n, int k, int m) {
        java.util.Arrays.fill(out, 0, n * m, 0.0);
        for (int i = 0; i < n; i++) {
            int oi = i * m;
            for (int p = 0; p < k; p++) {
                double aip = a[i * k + p];
                int bp = p * m;
                for (int j = 0; j < m; j++) {
                    out[oi + j] += aip * b[bp + j];
                }
            }
        }
    }

    /**
     * {@code x[r][c] += v[c]} for every row.
     *
     * @param x the matrix, rows of cols
     * @param v the row vector, cols long
     * @param rows rows of x
     * @param cols columns of x
     */
    public static void addRowVector(double[] x, double[] v, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                x[o + c] += v[c];
            }
        }
    }

    /**
     * {@code out[c] = Σ_r x[r][c]}, summed in order of r.
     *
     * @param x the matrix, rows of cols
     * @param out the sums, cols long
     * @param rows rows of x
     * @param cols columns of x
     */
    public static void columnSums(double[] x, double[] out, int rows, int cols) {
        java.util.Arrays.fill(out, 0, cols, 0.0);
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c] += x[o + c];
            }
        }
    }

    /**
     * {@code out[i] = f(x[i])}; {@code out} may be {@code x}.
     *
     * @param x the input
     * @param f the function
     * @param out the output, as long as x
     */
    public static void map(double[] x, DoubleUnaryOperator f, double[] out) {
        for (int i = 0; i < x.length; i++) {
            out[i] = f.applyAsDouble(x[i]);
        }
    }

    /**
     * {@code out[i] = g[i] · f'(z[i], a[i])}; {@code out} may be {@code g}.
     *
     * @param z the weighted sums
     * @param a the activations
     * @param g the upstream gradient
     * @param derivative the activation's derivative as a function of (z, a)
     * @param out the output, as long as z
     */
    public static void mapBackward(double[] z, double[] a, double[] g, DoubleBinaryOperator derivative,
            double[] out) {
        for (int i = 0; i < z.length; i++) {
            out[i] = g[i] * derivative.applyAsDouble(z[i], a[i]);
        }
    }

    /**
     * {@code out[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r])} for every row; {@code out} may be x.
     *
     * @param x the input, rows of cols
     * @param out the output, rows of cols
     * @param rows the number of rows
     * @param cols the number of columns
     */
    public static void softmaxRows(double[] x, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[o + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                double e = Math.exp(x[o + c] - max);
                out[o + c] = e;
                sum += e;
            }
            for (int c = 0; c < cols; c++) {
                out[o + c] /= sum;
            }
        }
    }

    /**
     * {@code out[r] = a[r] ⊙ (g[r] − g[r]·a[r])} for every row; {@code out} may be g.
     *
     * @param a the softmax outputs
     * @param g the upstream gradient
     * @param out the output
     * @param rows the number of rows
     * @param cols the number of columns
     */
    public static void softmaxBackward(double[] a, double[] g, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) {
                dot += g[o + c] * a[o + c];
            }
            for (int c = 0; c < cols; c++) {
                out[o + c] = a[o + c] * (g[o + c] - dot);
            }
        }
    }

    /**
     * {@code y[i] += alpha · x[i]}.
     *
     * @param alpha the factor
     * @param x the addend
     * @param y the accumulator, as long as x
     */
    public static void addScaled(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    /**
     * {@code x[i] *= alpha}.
     *
     * @param alpha the factor
     * @param x the array
     */
    public static void scale(double alpha, double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= alpha;
        }
    }

    /**
     * Sums in index order.
     *
     * @param x the array
     * @return {@code Σ x[i]}
     */
    public static double sum(double[] x) {
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s;
    }

    /**
     * Finds the first NaN or infinite element.
     *
     * @param x the array
     * @return its index, or -1 if every element is finite
     */
    public static int indexOfNonFinite(double[] x) {
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code out[i] = f(x[i], y[i])}; {@code out} may be x or y.
     *
     * @param x the first operand
     * @param y the second operand
     * @param f the function
     * @param out the output
     */
    public static void zip(double[] x, double[] y, DoubleBinaryOperator f, double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(x[i], y[i]);
        }
    }

    /**
     * {@code Σ x[i]·y[i]}, accumulated in double in index order.
     *
     * @param x the first operand
     * @param y the second operand
     * @return the sum of products
     */
    public static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += (double) x[i] * y[i];
        }
        return s;
    }

    /**
     * {@code out[r] = Σ_c x[r][c]}, accumulated in double.
     *
     * @param x the matrix, rows of cols
     * @param out the sums, rows long
     * @param rows rows of x
     * @param cols columns of x
     */
    public static void rowSums(double[] x, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                s += x[r * cols + c];
            }
            out[r] = s;
        }
    }

    /**
     * {@code out[r] = max + log Σ_c exp(x[r][c] − max)} with {@code max} the row's maximum.
     *
     * @param x the matrix, rows of cols
     * @param out the results, rows long
     * @param rows rows of x
     * @param cols columns of x
     */
    public static void logSumExpRows(double[] x, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            out[r] = logSumExp(x, r * cols, cols);
        }
    }

    /** {@code max + log Σ_c exp(x[o + c] − max)} over one row of {@code cols} values starting at {@code o}. */
    private static double logSumExp(double[] x, int o, int cols) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cols; c++) {
            max = Math.max(max, x[o + c]);
        }
        double s = 0;
        for (int c = 0; c < cols; c++) {
            s += Math.exp(x[o + c] - max);
        }
        return max + Math.log(s);
    }

    /**
     * {@code x[r][c] *= v[r]}.
     *
     * @param x the matrix, rows of cols
     * @param v one factor per row
     * @param rows rows of x
     * @param cols columns of x
     */
    public static void multiplyRows(double[] x, double[] v, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            double f = v[r];
            for (int c = 0; c < cols; c++) {
                x[r * cols + c] *= f;
            }
        }
    }

    /**
     * {@code Σ_r Σ_c y[r][c]·(lse(z[r]) − z[r][c])} with {@code lse(z[r]) = max + log Σ_c exp(z[r][c] − max)},
     * accumulated in double row by row.
     *
     * @param z the logits, rows of cols
     * @param y the targets, rows of cols
     * @param rows the number of rows
     * @param cols the number of columns
     * @return the summed cross-entropy
     */
    public static double softmaxCrossEntropy(double[] z, double[] y, int rows, int cols) {
        double total = 0;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double lse = logSumExp(z, o, cols);
            for (int c = 0; c < cols; c++) {
                total += y[o + c] * (lse - z[o + c]);
            }
        }
        return total;
    }

    /**
     * {@code out[r][c] = (a[r][c]·Σ_j y[r][j] − y[r][c])·scale}, the row sum accumulated in double.
     *
     * @param a the softmax outputs, rows of cols
     * @param y the targets, rows of cols
     * @param scale the factor
     * @param out the result, rows of cols
     * @param rows the number of rows
     * @param cols the number of columns
     */
    public static void softmaxCrossEntropyErrorSignal(double[] a, double[] y, double scale, double[] out, int rows,
            int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += y[o + c];
            }
            for (int c = 0; c < cols; c++) {
                out[o + c] = ((a[o + c] * sum - y[o + c]) * scale);
            }
        }
    }

    /**
     * {@code z[r][c] += v[c]}, then {@code out[r][c] = z[r][c] > 0 ? z[r][c] : 0}, in one pass: the bits of
     * {@link #addRowVector} followed by {@link #relu}. {@code out} may be {@code z}.
     *
     * @param z the products, rows of cols; holds the sums with v afterwards
     * @param v the row vector, cols long
     * @param out the output, rows of cols
     * @param rows rows of z
     * @param cols columns of z
     */
    public static void addRowVectorRelu(double[] z, double[] v, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < cols; c++) {
                double s = z[o + c] + v[c];
                z[o + c] = s;
                out[o + c] = s > 0 ? s : 0;
            }
        }
    }

    /**
     * {@code out[i] = x[i] > 0 ? x[i] : 0}; {@code out} may be {@code x}.
     *
     * @param x the input
     * @param out the output, as long as x
     */
    public static void relu(double[] x, double[] out) {
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] > 0 ? x[i] : 0;
        }
    }

    /**
     * {@code out[i] = z[i] > 0 ? g[i] : 0·g[i]} (so a negative or NaN {@code g} keeps its sign or NaN, as
     * {@code g·0} would); {@code out} may be {@code g}.
     *
     * @param z the weighted sums
     * @param g the upstream gradient
     * @param out the output, as long as z
     */
    public static void reluBackward(double[] z, double[] g, double[] out) {
        for (int i = 0; i < z.length; i++) {
            out[i] = z[i] > 0 ? g[i] : 0 * g[i];
        }
    }
}
