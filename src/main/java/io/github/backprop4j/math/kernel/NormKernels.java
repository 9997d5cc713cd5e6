package io.github.backprop4j.math.kernel;

/**
 * The loops of layer and batch normalization, and of the per-feature scale and shift that follows them, for
 * both element types. A normalization takes statistics over groups of {@code n} elements: the features of each
 * sample (layer normalization: a group is a row, its elements are one apart) or the samples of each feature
 * (batch normalization: a group is a column, its elements are a row apart). Everything is accumulated in
 * double, in one fixed order, and rounded once where it is stored, so the bits never depend on the JIT; the
 * float loops take the inverse deviation from the stored (rounded) variance, as their backward loop does.
 *
 * <p>Called by {@code io.github.backprop4j.math.Matrix}, which has checked every shape; nothing is checked,
 * allocated or logged here.
 */
public final class NormKernels {

    private NormKernels() {
    }

    /**
     * Per group {@code g}: {@code μ = Σᵢ xᵢ / n}, {@code σ² = Σᵢ (xᵢ − μ)² / n} (the biased variance), and
     * {@code x̂ᵢ = (xᵢ − μ)/√(σ² + ε)}.
     *
     * @param x the values, row-major
     * @param xhat the normalized values, laid out as {@code x}
     * @param mean {@code μ} per group
     * @param var {@code σ²} per group
     * @param groups the number of groups
     * @param n the elements per group
     * @param groupStride the distance between the first elements of consecutive groups
     * @param step the distance between consecutive elements of a group
     * @param eps {@code ε}
     */
    public static void normalize(double[] x, double[] xhat, double[] mean, double[] var, int groups, int n,
            int groupStride, int step, double eps) {
        for (int g = 0; g < groups; g++) {
            int first = g * groupStride;
            double sum = 0;
            for (int i = 0, at = first; i < n; i++, at += step) {
                sum += x[at];
            }
            double mu = sum / n;
            double squares = 0;
            for (int i = 0, at = first; i < n; i++, at += step) {
                double d = x[at] - mu;
                squares += d * d;
            }
            double v = squares / n;
            double inv = 1 / Math.sqrt(v + eps);
            for (int i = 0, at = first; i < n; i++, at += step) {
                xhat[at] = (x[at] - mu) * inv;
            }
            mean[g] = mu;
            var[g] = v;
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * Per group {@code g}: {@code μ = Σᵢ xᵢ / n}, {@code σ² = Σᵢ (xᵢ − μ)² / n} (the biased variance), and
     * {@code x̂ᵢ = (xᵢ − μ)/√(σ² + ε)}.
     *
     * @param x the values, row-major
     * @param xhat the normalized values, laid out as {@code x}
     * @param mean {@code μ} per group
     * @param var {@code σ²} per group
     * @param groups the number of groups
     * @param n the elements per group
     * @param groupStride the distance between the first elements of consecutive groups
     * @param step the distance between consecutive elements of a group
     * @param eps {@code ε}
     */
    public static void normalize(float[] x, float[] xhat, float[] mean, float[] var, int groups, int n,
            int groupStride, int step, double eps) {
        for (int g = 0; g < groups; g++) {
            int first = g * groupStride;
            double sum = 0;
            for (int i = 0, at = first; i < n; i++, at += step) {
                sum += x[at];
            }
            float mu = (float) (sum / n);
            double squares = 0;
            for (int i = 0, at = first; i < n; i++, at += step) {
                double d = x[at] - (double) mu;
                squares += d * d;
            }
            float v = (float) (squares / n);
            double inv = 1 / Math.sqrt(v + eps);
            for (int i = 0, at = first; i < n; i++, at += step) {
                xhat[at] = (float) ((x[at] - (double) mu) * inv);
            }
            mean[g] = mu;
            var[g] = v;
        }
    }

    /**
     * Normalizes with given statistics, one per column: {@code x̂[r][c] = (x[r][c] − μ[c])/√(σ²[c] + ε)}
     * (batch normalization when predicting, with the running statistics).
     *
     * @param x {@code [rows × cols]}
     * @param mean {@code μ}, one per column
     * @param var {@code σ²}, one per column
     * @param eps {@code ε}
     * @param xhat {@code [rows × cols]}
     * @param rows the rows
     * @param cols the columns
     */
    public static void normalizeColumnsWith(double[] x, double[] mean, double[] var, double eps, double[] xhat,
            int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double mu = mean[c];
            double inv = 1 / Math.sqrt(var[c] + eps);
            for (int r = 0; r < rows; r++) {
                xhat[r * cols + c] = (x[r * cols + c] - mu) * inv;
            }
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * Normalizes with given statistics, one per column: {@code x̂[r][c] = (x[r][c] − μ[c])/√(σ²[c] + ε)}
     * (batch normalization when predicting, with the running statistics).
     *
     * @param x {@code [rows × cols]}
     * @param mean {@code μ}, one per column
     * @param var {@code σ²}, one per column
     * @param eps {@code ε}
     * @param xhat {@code [rows × cols]}
     * @param rows the rows
     * @param cols the columns
     */
    public static void normalizeColumnsWith(float[] x, float[] mean, float[] var, double eps, float[] xhat,
            int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double mu = mean[c];
            double inv = 1 / Math.sqrt(var[c] + eps);
            for (int r = 0; r < rows; r++) {
                xhat[r * cols + c] = (float) ((x[r * cols + c] - mu) * inv);
            }
        }
    }

    /**
     * The gradient through a normalization whose statistics came from its own group, per group:
     * {@code ∂C/∂xᵢ = (∂C/∂x̂ᵢ − Σⱼ∂C/∂x̂ⱼ/n − x̂ᵢ·Σⱼ ∂C/∂x̂ⱼ·x̂ⱼ/n) / √(σ² + ε)}.
     *
     * @param dxhat {@code ∂C/∂x̂}, laid out as the values
     * @param xhat {@code x̂}
     * @param var {@code σ²} per group, as the forward loop stored it
     * @param dx {@code ∂C/∂x}, laid out as the values; may be {@code dxhat} itself
     * @param groups the number of groups
     * @param n the elements per group
     * @param groupStride the distance between the first elements of consecutive groups
     * @param step the distance between consecutive elements of a group
     * @param eps {@code ε}
     */
    public static void normalizeBackward(double[] dxhat, double[] xhat, double[] var, double[] dx, int groups,
            int n, int groupStride, int step, double eps) {
        for (int g = 0; g < groups; g++) {
            int first = g * groupStride;
            double sum = 0;
            double dot = 0;
            for (int i = 0, at = first; i < n; i++, at += step) {
                sum += dxhat[at];
                dot += dxhat[at] * xhat[at];
            }
            double meanGradient = sum / n;
            double meanDot = dot / n;
            double inv = 1 / Math.sqrt(var[g] + eps);
            for (int i = 0, at = first; i < n; i++, at += step) {
                dx[at] = (dxhat[at] - meanGradient - xhat[at] * meanDot) * inv;
            }
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * The gradient through a normalization whose statistics came from its own group, per group:
     * {@code ∂C/∂xᵢ = (∂C/∂x̂ᵢ − Σⱼ∂C/∂x̂ⱼ/n − x̂ᵢ·Σⱼ ∂C/∂x̂ⱼ·x̂ⱼ/n) / √(σ² + ε)}.
     *
     * @param dxhat {@code ∂C/∂x̂}, laid out as the values
     * @param xhat {@code x̂}
     * @param var {@code σ²} per group, as the forward loop stored it
     * @param dx {@code ∂C/∂x}, laid out as the values; may be {@code dxhat} itself
     * @param groups the number of groups
     * @param n the elements per group
     * @param groupStride the distance between the first elements of consecutive groups
     * @param step the distance between consecutive elements of a group
     * @param eps {@code ε}
     */
    public static void normalizeBackward(float[] dxhat, float[] xhat, float[] var, float[] dx, int groups,
            int n, int groupStride, int step, double eps) {
        for (int g = 0; g < groups; g++) {
            int first = g * groupStride;
            double sum = 0;
            double dot = 0;
            for (int i = 0, at = first; i < n; i++, at += step) {
                sum += dxhat[at];
                dot += (double) dxhat[at] * xhat[at];
            }
            double meanGradient = sum / n;
            double meanDot = dot / n;
            double inv = 1 / Math.sqrt(var[g] + eps);
            for (int i = 0, at = first; i < n; i++, at += step) {
                dx[at] = (float) ((dxhat[at] - meanGradient - xhat[at] * meanDot) * inv);
            }
        }
    }

    /**
     * The gradient through a normalization with fixed per-column statistics:
     * {@code ∂C/∂x[r][c] = ∂C/∂x̂[r][c] / √(σ²[c] + ε)}.
     *
     * @param dxhat {@code [rows × cols]}
     * @param var {@code σ²}, one per column
     * @param eps {@code ε}
     * @param dx {@code [rows × cols]}; may be {@code dxhat} itself
     * @param rows the rows
     * @param cols the columns
     */
    public static void normalizeColumnsWithBackward(double[] dxhat, double[] var, double eps, double[] dx,
            int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double inv = 1 / Math.sqrt(var[c] + eps);
            for (int r = 0; r < rows; r++) {
                dx[r * cols + c] = dxhat[r * cols + c] * inv;
            }
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * The gradient through a normalization with fixed per-column statistics:
     * {@code ∂C/∂x[r][c] = ∂C/∂x̂[r][c] / √(σ²[c] + ε)}.
     *
     * @param dxhat {@code [rows × cols]}
     * @param var {@code σ²}, one per column
     * @param eps {@code ε}
     * @param dx {@code [rows × cols]}; may be {@code dxhat} itself
     * @param rows the rows
     * @param cols the columns
     */
    public static void normalizeColumnsWithBackward(float[] dxhat, float[] var, double eps, float[] dx,
            int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double inv = 1 / Math.sqrt(var[c] + eps);
            for (int r = 0; r < rows; r++) {
                dx[r * cols + c] = (float) (dxhat[r * cols + c] * inv);
            }
        }
    }

    /**
     * {@code out[r][c] = x[r][c]·γ[c] + β[c]}, a per-feature scale and shift.
     *
     * @param x {@code [rows × cols]}
     * @param gamma {@code γ}, one per column
     * @param beta {@code β}, one per column
     * @param out {@code [rows × cols]}; may be {@code x} itself
     * @param rows the rows
     * @param cols the columns
     */
    public static void scaleShift(double[] x, double[] gamma, double[] beta, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int c = 0; c < cols; c++) {
                out[row + c] = x[row + c] * gamma[c] + beta[c];
            }
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * {@code out[r][c] = x[r][c]·γ[c] + β[c]}, a per-feature scale and shift.
     *
     * @param x {@code [rows × cols]}
     * @param gamma {@code γ}, one per column
     * @param beta {@code β}, one per column
     * @param out {@code [rows × cols]}; may be {@code x} itself
     * @param rows the rows
     * @param cols the columns
     */
    public static void scaleShift(float[] x, float[] gamma, float[] beta, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int c = 0; c < cols; c++) {
                out[row + c] = x[row + c] * gamma[c] + beta[c];
            }
        }
    }

    /**
     * {@code out[r][c] = x[r][c]·v[c]}: scales each column by its own factor.
     *
     * @param x {@code [rows × cols]}
     * @param v one factor per column
     * @param out {@code [rows × cols]}; may be {@code x} itself
     * @param rows the rows
     * @param cols the columns
     */
    public static void multiplyColumns(double[] x, double[] v, double[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int c = 0; c < cols; c++) {
                out[row + c] = x[row + c] * v[c];
            }
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * {@code out[r][c] = x[r][c]·v[c]}: scales each column by its own factor.
     *
     * @param x {@code [rows × cols]}
     * @param v one factor per column
     * @param out {@code [rows × cols]}; may be {@code x} itself
     * @param rows the rows
     * @param cols the columns
     */
    public static void multiplyColumns(float[] x, float[] v, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int row = r * cols;
            for (int c = 0; c < cols; c++) {
                out[row + c] = x[row + c] * v[c];
            }
        }
    }

    /**
     * {@code out[c] = Σ_r x[r][c]·y[r][c]}, accumulated in double in order of r.
     *
     * @param x {@code [rows × cols]}
     * @param y {@code [rows × cols]}
     * @param out one per column
     * @param rows the rows
     * @param cols the columns
     */
    public static void columnDots(double[] x, double[] y, double[] out, int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                s += x[r * cols + c] * y[r * cols + c];
            }
            out[c] = s;
        }
    }

    /**
     * The float twin of the loop above, accumulating in double and rounding once where it stores.
     *
     * <p>
     * {@code out[c] = Σ_r x[r][c]·y[r][c]}, accumulated in double in order of r.
     *
     * @param x {@code [rows × cols]}
     * @param y {@code [rows × cols]}
     * @param out one per column
     * @param rows the rows
     * @param cols the columns
     */
    public static void columnDots(float[] x, float[] y, float[] out, int rows, int cols) {
        for (int c = 0; c < cols; c++) {
            double s = 0;
            for (int r = 0; r < rows; r++) {
                s += (double) x[r * cols + c] * y[r * cols + c];
            }
            out[c] = (float) s;
        }
    }
}
