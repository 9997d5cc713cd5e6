package io.github.backprop4j.math.kernel;

/**
 * The fast float32 kernels, one implementation per path: the matrix multiplies and the transpose that packs
 * their operands, and the few element-wise passes that run once per element of every training step or
 * prediction (the bias add fused with ReLU, ReLU's backward step, softmax, the finiteness scan).
 * {@link ScalarFloatGemm} is shaped so that C2 vectorises it, and {@code VectorFloatGemm} (loaded by name
 * only when the module {@code jdk.incubator.vector} is present) is written with the incubating Vector API. The caller
 * ({@code io.github.backprop4j.math.Engine}) splits the output into ranges, one per thread, and packs operands
 * where a method asks for it.
 *
 * <p>Every method computes each output element it owns in one fixed order, independent of the range it is
 * given: so results are bit-identical whatever the number of threads. Methods allocate nothing, except
 * once-per-thread scratch space.
 */
public interface FloatGemm {

    /**
     * A short description of the path, for the log.
     *
     * @return e.g. {@code "vector (512-bit FloatVector)"}
     */
    String description();

    /**
     * Finds the first NaN or infinite element; the same answer as {@link FloatKernels#indexOfNonFinite}, which
     * is the default. Every input the library is given passes through this check, so a path may scan faster.
     *
     * @param x the array
     * @return the index of the first non-finite element, or -1 if every element is finite
     */
    default int indexOfNonFinite(float[] x) {
        return FloatKernels.indexOfNonFinite(x);
    }

    /**
     * {@code out[i] = x[i] > 0 ? x[i] : 0}, the bits of {@link FloatKernels#relu}, which is the default;
     * {@code out} may be {@code x}. A path may do it without a branch per element, whose sign is a coin toss.
     *
     * @param x the weighted sums
     * @param out the output, at least as long as x
     */
    default void relu(float[] x, float[] out) {
        FloatKernels.relu(x, out);
    }

    /**
     * {@code z[r] += v}, then {@code out = relu(z)}, in one pass: the bits of
     * {@link FloatKernels#addRowVectorRelu}, which is the default; {@code out} may be {@code z}.
     *
     * @param z the products, rows of cols; holds the weighted sums afterwards
     * @param v the biases, cols long
     * @param out the activations, rows of cols
     * @param rows rows of z
     * @param cols columns of z
     */
    default void addRowVectorRelu(float[] z, float[] v, float[] out, int rows, int cols) {
        FloatKernels.addRowVectorRelu(z, v, out, rows, cols);
    }

    /**
     * {@code out[i] = z[i] > 0 ? g[i] : 0·g[i]}, the bits of {@link FloatKernels#reluBackward}, which is the
     * default; {@code out} may be {@code g}.
     *
     * @param z the weighted sums
     * @param g the upstream gradient, as long as z
     * @param out the output, as long as z
     */
    default void reluBackward(float[] z, float[] g, float[] out) {
        FloatKernels.reluBackward(z, g, out);
    }

    /**
     * {@code out[r] = exp(x[r] − max x[r]) / Σ exp(x[r] − max x[r])} for every row, as
     * {@link FloatKernels#softmaxRows} (the default) computes it, or within float rounding of it: a path may
     * shift by the maximum in float, a relative error of up to {@code |x − max|·2⁻²⁴} plus a few units in the
     * last place; {@code out} may be {@code x}. A NaN or +∞ in a row makes the whole row NaN; a −∞ gets 0.
     *
     * @param x the input, rows of cols
     * @param out the output, rows of cols
     * @param rows the number of rows
     * @param cols the number of columns
     */
    default void softmaxRows(float[] x, float[] out, int rows, int cols) {
        FloatKernels.softmaxRows(x, out, rows, cols);
    }

    /**
     * The number of columns the multiply handles in one vector; column counts that are not a multiple of it
     * end in a slower tail.
     *
     * @return the vector's lanes, or 1 where any width is as fast
     */
    int lanes();

    /**
     * Rows {@code [i0, i1)} of {@code out[rows × m] = A · b}, where {@code A[i][p] = a[i·rowStride + p·colStride]}
     * (so {@code rowStride = k, colStride = 1} is a row-major {@code a} and {@code rowStride = 1,
     * colStride = rows} its transpose) and {@code b} is {@code [k × m]} row-major. Each element is
     * {@code Σ_p A[i][p]·b[p][j]}, summed in order of p.
     *
     * @param a the left operand
     * @param rowStride step in {@code a} from one output row to the next
     * @param colStride step in {@code a} from one p to the next
     * @param b the right operand, k rows of m
     * @param out the result, rows of m
     * @param k the summed dimension
     * @param m columns of b and out
     * @param i0 first output row, inclusive
     * @param i1 last output row, exclusive
     */
    void multiply(float[] a, int rowStride, int colStride, float[] b, float[] out, int k, int m, int i0, int i1);

    /**
     * Whether {@link #multiplyTransposedDot} is better than packing {@code bᵀ} for an {@code a·bᵀ} of this
     * shape. Depends on the shape alone, never on the thread count.
     *
     * @param n rows of a
     * @param k columns of a and b
     * @param m rows of b
     * @return whether to use dot products of rows
     */
    boolean prefersDot(int n, int k, int m);

    /**
     * Columns {@code [j0, j1)} of {@code out[n × m] = a[n×k] · b[m×k]ᵀ}, each element a dot product of two
     * rows in a fixed order.
     *
     * @param a the left operand, n rows of k
     * @param b the right operand, m rows of k
     * @param out the result, n rows of m
     * @param n rows of a
     * @param k columns of a and b
     * @param m rows of b
     * @param j0 first output column, inclusive
     * @param j1 last output column, exclusive
     */
    void multiplyTransposedDot(float[] a, float[] b, float[] out, int n, int k, int m, int j0, int j1);

    /**
     * Whether {@link #multiplyNarrow} is the better way to compute an {@code a·bᵀ} of this shape: for outputs
     * narrower than one vector, such as a classifier's ten outputs. Depends on the shape alone, never on the
     * thread count; the default is never.
     *
     * @param n rows of a
     * @param k columns of a and b
     * @param m rows of b, the output's columns
     * @return whether to use {@link #multiplyNarrow}
     */
    default boolean prefersNarrow(int n, int k, int m) {
        return false;
    }

    /**
     * Rows {@code [i0, i1)} of {@code out[n × m] = a[n×k] · bt}, where {@code bt} is {@code bᵀ} packed by
     * {@link #packNarrow}: k rows of {@link #lanes()} columns, the columns from m on zero. Each element is
     * {@code Σ_p a[i][p]·bt[p][j]}, a chain of fused multiply-adds in order of p, as in {@link #multiply}.
     * Only paths whose {@link #prefersNarrow} can say yes implement it.
     *
     * @param a the left operand, rows of k
     * @param bt the packed right operand
     * @param out the result, rows of m
     * @param k the summed dimension
     * @param m columns of out, fewer than {@link #lanes()}
     * @param i0 first output row, inclusive
     * @param i1 last output row, exclusive
     */
    default void multiplyNarrow(float[] a, float[] bt, float[] out, int k, int m, int i0, int i1) {
        throw new UnsupportedOperationException(description() + " has no narrow multiply");
    }

    /**
     * Packs {@code b[m × k]} for {@link #multiplyNarrow}: {@code bt[p·width + j] = b[j·k + p]} for
     * {@code j < m}, and 0 for {@code m ≤ j < width}.
     *
     * @param b the source, m rows of k
     * @param bt the destination, at least {@code k·width} long
     * @param m rows of b
     * @param k columns of b
     * @param width the packed row length, at least m
     */
    static void packNarrow(float[] b, float[] bt, int m, int k, int width) {
        for (int p = 0; p < k; p++) {
            int o = p * width;
            for (int j = 0; j < m; j++) {
                bt[o + j] = b[j * k + p];
            }
            java.util.Arrays.fill(bt, o + m, o + width, 0f);
        }
    }

    /**
     * Loads the Vector API path, if the JVM can run it: the module {@code jdk.incubator.vector} must be in
     * the boot layer (the JVM was started with {@code --add-modules jdk.incubator.vector}).
     *
     * @return the vector path, or empty if the module is missing or the class cannot be linked
     */
    static java.util.Optional<FloatGemm> vector() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return java.util.Optional.empty();
        }
        try {
            Class<?> c = Class.forName("io.github.backprop4j.math.kernel.VectorFloatGemm");
            return java.util.Optional.of((FloatGemm) c.getConstructor().newInstance());
        } catch (LinkageError | ReflectiveOperationException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * {@code bt[k × m] = b[m × k]ᵀ}: eight rows of b at a time, so that every write to {@code bt} is a run of
     * eight neighbours (twice as fast as one element per cache line). A path may gather instead.
     *
     * @param b the source, m rows of k
     * @param bt the destination, k rows of m (at least k·m long)
     * @param m rows of b
     * @param k columns of b
     */
    default void transpose(float[] b, float[] bt, int m, int k) {
        int j = 0;
        for (; j + 8 <= m; j += 8) {
            int b0 = j * k;
            for (int p = 0; p < k; p++) {
                int o = p * m + j;
                bt[o] = b[b0 + p];
                bt[o + 1] = b[b0 + k + p];
                bt[o + 2] = b[b0 + 2 * k + p];
                bt[o + 3] = b[b0 + 3 * k + p];
                bt[o + 4] = b[b0 + 4 * k + p];
                bt[o + 5] = b[b0 + 5 * k + p];
                bt[o + 6] = b[b0 + 6 * k + p];
                bt[o + 7] = b[b0 + 7 * k + p];
            }
        }
        for (; j < m; j++) {
            for (int p = 0; p < k; p++) {
                bt[p * m + j] = b[j * k + p];
            }
        }
    }
}
