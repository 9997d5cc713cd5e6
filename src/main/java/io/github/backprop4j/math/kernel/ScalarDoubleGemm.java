package io.github.backprop4j.math.kernel;

/**
 * The float64 multiplies without the Vector API, in the loop shape that C2's auto-vectoriser (SuperWord)
 * turns into SIMD code: register-tiled four output rows at a time, each row's partial sums in an array of its
 * own, and {@code b} packed, a panel at a time, into one array per row, so that the inner loop indexes every
 * array with the same {@code j}. (With {@code b} flat, {@code c[j] += a·b[bp + j]}, C2 on JDK 17 cannot rule out
 * that {@code b} and {@code c} are one array and leaves the loop scalar, three to five times slower.)
 *
 * <p>Each element is {@code ((0 + A[i][0]·b[0][j]) + A[i][1]·b[1][j]) + …} in order of p, with separate
 * multiply and add as Java specifies them: the bits of {@link DoubleKernels}, whatever the shape, the range
 * or the panels.
 */
public final class ScalarDoubleGemm implements DoubleGemm {

    /** Columns per panel: four accumulator rows of 1 KiB each stay in L1. */
    private static final int NC = 128;
    /** Rows of {@code b} per panel: 256 rows of 128 doubles, 256 KiB, stay in L2 while every row tile passes. */
    private static final int KC = 256;

    /** The per-thread scratch: one packed panel of b and four accumulator rows, allocated once per thread. */
    private static final class Scratch {
        final double[][] panel = new double[KC][NC];
        double[][] acc = {new double[NC], new double[NC], new double[NC], new double[NC]};

        double[][] accumulators(int width) {
            if (acc[0].length < width) {
                acc = new double[][] {new double[width], new double[width], new double[width], new double[width]};
            }
            return acc;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    public String description() {
        return "scalar (auto-vectorised loops)";
    }

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void multiply(double[] a, int rs, int cs, double[] b, double[] out, int k, int m, int i0, int i1) {
        Scratch s = SCRATCH.get();
        double[][] panel = s.panel;
        for (int j0 = 0; j0 < m; j0 += NC) {
            int w = Math.min(NC, m - j0);
            for (int p0 = 0; p0 < k; p0 += KC) {
                int p1 = Math.min(k, p0 + KC);
                for (int p = p0; p < p1; p++) {
                    System.arraycopy(b, p * m + j0, panel[p - p0], 0, w);
                }
                rowTiles(a, rs, cs, panel, p0, p1, out, m, j0, w, i0, i1, s.acc);
            }
        }
    }

    /**
     * Rows {@code [i0, i1)} of {@code out[rows × m] = A · B} for a {@code B} already held as one array per row,
     * {@code bRows[p]} at least m long, as {@link #multiply} computes it (the same bits): the product of one
     * sample with a weight matrix whose transposed copy is kept, with no packing.
     *
     * @param a the left operand, {@code A[i][p] = a[i·rowStride + p·colStride]}
     * @param rowStride step in {@code a} from one output row to the next
     * @param colStride step in {@code a} from one p to the next
     * @param bRows the right operand, k arrays of at least m
     * @param out the result, rows of m
     * @param k the summed dimension
     * @param m columns of b and out
     * @param i0 first output row, inclusive
     * @param i1 last output row, exclusive
     */
    public void multiply(double[] a, int rowStride, int colStride, double[][] bRows, double[] out, int k, int m,
            int i0, int i1) {
        rowTiles(a, rowStride, colStride, bRows, 0, k, out, m, 0, m, i0, i1, SCRATCH.get().accumulators(m));
    }

    /**
     * Columns {@code [j0, j0 + w)} of rows {@code [i0, i1)}, for p in {@code [p0, p1)}, with
     * {@code B[p][j0 + j] = rows[p − p0][j]}: the sums start at zero for {@code p0 = 0}, and from what the
     * panels before left in {@code out} otherwise.
     */
    private static void rowTiles(double[] a, int rs, int cs, double[][] rows, int p0, int p1, double[] out, int m,
            int j0, int w, int i0, int i1, double[][] acc) {
        double[] c0 = acc[0];
        double[] c1 = acc[1];
        double[] c2 = acc[2];
        double[] c3 = acc[3];
        boolean first = p0 == 0;
        int i = i0;
        for (; i + 4 <= i1; i += 4) {
            int o = i * m + j0;
            start(c0, out, o, w, first);
            start(c1, out, o + m, w, first);
            start(c2, out, o + 2 * m, w, first);
            start(c3, out, o + 3 * m, w, first);
            int ai = i * rs;
            for (int p = p0; p < p1; p++) {
                int ap = ai + p * cs;
                double a0 = a[ap];
                double a1 = a[ap + rs];
                double a2 = a[ap + 2 * rs];
                double a3 = a[ap + 3 * rs];
                double[] bp = rows[p - p0];
                for (int j = 0; j < w; j++) {
                    double bv = bp[j];
                    c0[j] += a0 * bv;
                    c1[j] += a1 * bv;
                    c2[j] += a2 * bv;
                    c3[j] += a3 * bv;
                }
            }
            System.arraycopy(c0, 0, out, o, w);
            System.arraycopy(c1, 0, out, o + m, w);
            System.arraycopy(c2, 0, out, o + 2 * m, w);
            System.arraycopy(c3, 0, out, o + 3 * m, w);
        }
        for (; i < i1; i++) {
            int o = i * m + j0;
            start(c0, out, o, w, first);
            int ai = i * rs;
            for (int p = p0; p < p1; p++) {
                double a0 = a[ai + p * cs];
                double[] bp = rows[p - p0];
                for (int j = 0; j < w; j++) {
                    c0[j] += a0 * bp[j];
                }
            }
            System.arraycopy(c0, 0, out, o, w);
        }
    }

    private static void start(double[] c, double[] out, int o, int w, boolean first) {
        if (first) {
            java.util.Arrays.fill(c, 0, w, 0.0);
        } else {
            System.arraycopy(out, o, c, 0, w);
        }
    }

    /**
     * {@code rows[p][j] = b[j·k + p]}: {@code b[m × k]} transposed into k arrays of m, eight rows of b at a time,
     * the form {@link #multiply(double[], int, int, double[][], double[], int, int, int, int)} takes.
     *
     * @param b the source, m rows of k
     * @param m rows of b
     * @param k columns of b
     * @return k new arrays of m
     */
    public static double[][] transposeToRows(double[] b, int m, int k) {
        double[][] rows = new double[k][m];
        int j = 0;
        for (; j + 8 <= m; j += 8) {
            int b0 = j * k;
            for (int p = 0; p < k; p++) {
                double[] r = rows[p];
                r[j] = b[b0 + p];
                r[j + 1] = b[b0 + k + p];
                r[j + 2] = b[b0 + 2 * k + p];
                r[j + 3] = b[b0 + 3 * k + p];
                r[j + 4] = b[b0 + 4 * k + p];
                r[j + 5] = b[b0 + 5 * k + p];
                r[j + 6] = b[b0 + 6 * k + p];
                r[j + 7] = b[b0 + 7 * k + p];
            }
        }
        for (; j < m; j++) {
            for (int p = 0; p < k; p++) {
                rows[p][j] = b[j * k + p];
            }
        }
        return rows;
    }

    /** Never: this path packs {@code bᵀ}, since C2 does not vectorise an ordered dot product. */
    @Override
    public boolean prefersDot(int n, int k, int m) {
        return false;
    }

    @Override
    public void multiplyTransposedDot(double[] a, double[] b, double[] out, int n, int k, int m, int j0, int j1) {
        for (int i = 0; i < n; i++) {
            for (int j = j0; j < j1; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[j * k + p];
                }
                out[i * m + j] = s;
            }
        }
    }
}
