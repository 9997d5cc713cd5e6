package io.github.backprop4j.math.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float64 kernels written with the incubating Vector API ({@code jdk.incubator.vector}), in the design of
 * {@code VectorFloatGemm}: register tiles of 6 rows × 4 vectors (24 independent chains), then 8 rows × 2 vectors
 * for a last panel of 2 vectors (4 and 1 rows for the rest), blocked over k so that a panel of {@code b} stays
 * in L1 while every row block passes over it. Each element is a chain of fused multiply-adds in order of p,
 * {@code s = fma(A[i][p], b[p][j], s)}; the tails (columns beyond the last full vector) use {@link Math#fma} in
 * the same order, so a tile, a tail, the narrow multiply and any vector width give the same bits.
 *
 * <p>Only exactly specified operations: lanewise add, multiply, fused multiply-add, compare and blend. No
 * {@code reduceLanes} (its order is unspecified): a dot product keeps {@value #PARTIALS} partial sums, however
 * many lanes a vector has, and adds them in a fixed order; no transcendental operator (softmax is the plain
 * loop of {@link Math#exp}).
 *
 * <p>Loaded reflectively by {@code io.github.backprop4j.math.Engine}, only when the module is in the boot layer.
 */
public final class VectorDoubleGemm implements DoubleGemm {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Rows of the {@code b} panel per k-block: 128 × 4 vectors of 8 doubles is 32 KiB. */
    private static final int KC = 128;
    /** Rows of A per block, ten 6-row tiles: 60 rows × 128 of k is 60 KiB. */
    private static final int MC = 60;
    /**
     * The partial sums of every dot product, whatever the vector width: partial {@code l} sums the
     * {@code p ≡ l (mod 8)} of the first {@code k − k mod 8}, so 512-bit vectors hold them in one vector, 256-bit
     * in two, 128-bit in four.
     */
    static final int PARTIALS = 8;
    /** Vectors per set of partial sums. */
    private static final int H = PARTIALS / V;
    /** Eight sets of partial sums (or eight vectors' lanes), for a reduction in a fixed order; one per thread. */
    private static final ThreadLocal<double[]> LANES =
            ThreadLocal.withInitial(() -> new double[8 * Math.max(V, PARTIALS)]);
    /** The gather's offsets {@code q·k} of V rows, for the last k; one array per thread. */
    private static final ThreadLocal<int[]> GATHER = ThreadLocal.withInitial(() -> new int[V]);

    /** Creates the kernels; fails with a {@link LinkageError} where the module is not readable. */
    public VectorDoubleGemm() {
        if (V < 2 || PARTIALS % V != 0) {
            throw new UnsupportedOperationException("the preferred double vector has " + V + " lanes");
        }
    }

    @Override
    public String description() {
        return "vector (" + S.vectorBitSize() + "-bit DoubleVector, " + V + " lanes)";
    }

    /** Scans a vector at a time; the exact position is found by the plain loop within the first bad vector. */
    @Override
    public int indexOfNonFinite(double[] x) {
        int full = x.length - x.length % V;
        for (int i = 0; i < full; i += V) {
            // |x| <= MAX_VALUE is false exactly for NaN and the infinities; a compare C2 compiles to one instruction
            if (!DoubleVector.fromArray(S, x, i).abs().compare(VectorOperators.LE, Double.MAX_VALUE).allTrue()) {
                for (int j = i; j < i + V; j++) {
                    if (!Double.isFinite(x[j])) {
                        return j;
                    }
                }
            }
        }
        for (int j = full; j < x.length; j++) {
            if (!Double.isFinite(x[j])) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public int lanes() {
        return V;
    }

    /** A vector's worth of rows at a time, gathered, as the float32 path does. */
    @Override
    public void transpose(double[] b, double[] bt, int m, int k) {
        int[] rows = GATHER.get();
        if (rows[1] != k) {
            for (int q = 0; q < V; q++) {
                rows[q] = q * k;
            }
        }
        int j = 0;
        for (; j + V <= m; j += V) {
            int b0 = j * k;
            for (int p = 0; p < k; p++) {
                DoubleVector.fromArray(S, b, b0 + p, rows, 0).intoArray(bt, p * m + j);
            }
        }
        for (; j < m; j++) {
            for (int p = 0; p < k; p++) {
                bt[p * m + j] = b[j * k + p];
            }
        }
    }

    /** The blend of a compare, branch-free: the same bits as the plain loop, NaN and -0 giving +0 too. */
    @Override
    public void relu(double[] x, double[] out) {
        int full = S.loopBound(x.length);
        DoubleVector zero = DoubleVector.zero(S);
        for (int i = 0; i < full; i += V) { // the blend written out, not through relu(v): nothing left to box
            DoubleVector v = DoubleVector.fromArray(S, x, i);
            zero.blend(v, v.compare(VectorOperators.GT, 0d)).intoArray(out, i);
        }
        for (int i = full; i < x.length; i++) {
            out[i] = x[i] > 0 ? x[i] : 0;
        }
    }

    /** {@code v > 0 ? v : 0} lane by lane, as a compare and a blend. */
    private static DoubleVector relu(DoubleVector v) {
        return DoubleVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0.0));
    }

    /** The bias add and the ReLU of {@link #relu} in one pass over z; z is not stored twice when out is z. */
    @Override
    public void addRowVectorRelu(double[] z, double[] v, double[] out, int rows, int cols) {
        int full = S.loopBound(cols);
        boolean inPlace = out == z;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < full; c += V) {
                DoubleVector s = DoubleVector.fromArray(S, z, o + c).add(DoubleVector.fromArray(S, v, c));
                if (!inPlace) {
                    s.intoArray(z, o + c);
                }
                relu(s).intoArray(out, o + c);
            }
            for (int c = full; c < cols; c++) {
                double s = z[o + c] + v[c];
                z[o + c] = s;
                out[o + c] = s > 0 ? s : 0;
            }
        }
    }

    @Override
    public void reluBackward(double[] z, double[] g, double[] out) {
        int full = S.loopBound(z.length);
        for (int i = 0; i < full; i += V) {
            DoubleVector gv = DoubleVector.fromArray(S, g, i);
            gv.mul(0.0).blend(gv, DoubleVector.fromArray(S, z, i).compare(VectorOperators.GT, 0.0)).intoArray(out, i);
        }
        for (int i = full; i < z.length; i++) {
            out[i] = z[i] > 0 ? g[i] : 0.0 * g[i];
        }
    }

    @Override
    public void multiply(double[] a, int rs, int cs, double[] b, double[] out, int k, int m, int i0, int i1) {
        int wide = m - m % (4 * V);
        int panels = m - m % (2 * V);
        // k-blocks outermost, so every element's chain of multiply-adds runs over p in order; then blocks of MC
        // rows, whose slice of A stays in L1/L2 while every panel of 4 (then 2) vectors' columns passes over it.
        for (int p0 = 0; p0 < k; p0 += KC) {
            int p1 = Math.min(k, p0 + KC);
            for (int ib = i0; ib < i1; ib += MC) {
                int ie = Math.min(i1, ib + MC);
                for (int j = 0; j < wide; j += 4 * V) {
                    int i = ib;
                    for (; i + 6 <= ie; i += 6) {
                        tile6x4(a, rs, cs, b, out, m, i, j, p0, p1);
                    }
                    for (; i + 4 <= ie; i += 4) {
                        tile4x2(a, rs, cs, b, out, m, i, j, p0, p1);
                        tile4x2(a, rs, cs, b, out, m, i, j + 2 * V, p0, p1);
                    }
                    for (; i < ie; i++) {
                        tile1x2(a, rs, cs, b, out, m, i, j, p0, p1);
                        tile1x2(a, rs, cs, b, out, m, i, j + 2 * V, p0, p1);
                    }
                }
                for (int j = wide; j < panels; j += 2 * V) {
                    int i = ib;
                    for (; i + 8 <= ie; i += 8) {
                        tile8x2(a, rs, cs, b, out, m, i, j, p0, p1);
                    }
                    for (; i + 4 <= ie; i += 4) {
                        tile4x2(a, rs, cs, b, out, m, i, j, p0, p1);
                    }
                    for (; i < ie; i++) {
                        tile1x2(a, rs, cs, b, out, m, i, j, p0, p1);
                    }
                }
            }
        }
        int j = panels;
        for (; j + V <= m; j += V) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                column4x1(a, rs, cs, b, out, k, m, i, j);
            }
            for (; i < i1; i++) {
                DoubleVector c = DoubleVector.zero(S);
                int ai = i * rs;
                for (int p = 0; p < k; p++) {
                    c = DoubleVector.broadcast(S, a[ai + p * cs]).fma(DoubleVector.fromArray(S, b, p * m + j), c);
                }
                c.intoArray(out, i * m + j);
            }
        }
        for (; j < m; j++) {
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                tailColumn4(a, rs, cs, b, out, k, m, i, j);
            }
            for (; i < i1; i++) {
                double s = 0;
                int ai = i * rs;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[ai + p * cs], b[p * m + j], s);
                }
                out[i * m + j] = s;
            }
        }
    }

    /**
     * Rows {@code i..i+3} of the one column {@code j} past the last full vector (a classifier's 10 outputs end
     * in two): four independent chains of {@link Math#fma}, since one chain at a time waits on each add.
     */
    private static void tailColumn4(double[] a, int rs, int cs, double[] b, double[] out, int k, int m, int i,
            int j) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int ai = i * rs;
        for (int p = 0; p < k; p++) {
            double y = b[p * m + j];
            int ap = ai + p * cs;
            s0 = Math.fma(a[ap], y, s0);
            s1 = Math.fma(a[ap + rs], y, s1);
            s2 = Math.fma(a[ap + 2 * rs], y, s2);
            s3 = Math.fma(a[ap + 3 * rs], y, s3);
        }
        int o = i * m + j;
        out[o] = s0;
        out[o + m] = s1;
        out[o + 2 * m] = s2;
        out[o + 3 * m] = s3;
    }

    private static void tile8x2(double[] a, int rs, int cs, double[] b, double[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        boolean first = p0 == 0;
        DoubleVector c00 = load(out, o0, first);
        DoubleVector c01 = load(out, o0 + V, first);
        DoubleVector c10 = load(out, o0 + m, first);
        DoubleVector c11 = load(out, o0 + m + V, first);
        DoubleVector c20 = load(out, o0 + 2 * m, first);
        DoubleVector c21 = load(out, o0 + 2 * m + V, first);
        DoubleVector c30 = load(out, o0 + 3 * m, first);
        DoubleVector c31 = load(out, o0 + 3 * m + V, first);
        DoubleVector c40 = load(out, o0 + 4 * m, first);
        DoubleVector c41 = load(out, o0 + 4 * m + V, first);
        DoubleVector c50 = load(out, o0 + 5 * m, first);
        DoubleVector c51 = load(out, o0 + 5 * m + V, first);
        DoubleVector c60 = load(out, o0 + 6 * m, first);
        DoubleVector c61 = load(out, o0 + 6 * m + V, first);
        DoubleVector c70 = load(out, o0 + 7 * m, first);
        DoubleVector c71 = load(out, o0 + 7 * m + V, first);
        int ai = i * rs;
        if (cs == 1) {
            // Rows of a contiguous in p: every index is a row's base plus p, so C2 can hoist the range checks.
            int a0 = ai;
            int a1 = ai + 1 * rs;
            int a2 = ai + 2 * rs;
            int a3 = ai + 3 * rs;
            int a4 = ai + 4 * rs;
            int a5 = ai + 5 * rs;
            int a6 = ai + 6 * rs;
            int a7 = ai + 7 * rs;
            for (int p = p0; p < p1; p++) {
                int bp = p * m + j;
                DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
                DoubleVector b1 = DoubleVector.fromArray(S, b, bp + V);
                DoubleVector x = DoubleVector.broadcast(S, a[a0 + p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = DoubleVector.broadcast(S, a[a1 + p]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = DoubleVector.broadcast(S, a[a2 + p]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = DoubleVector.broadcast(S, a[a3 + p]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = DoubleVector.broadcast(S, a[a4 + p]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = DoubleVector.broadcast(S, a[a5 + p]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                x = DoubleVector.broadcast(S, a[a6 + p]);
                c60 = x.fma(b0, c60);
                c61 = x.fma(b1, c61);
                x = DoubleVector.broadcast(S, a[a7 + p]);
                c70 = x.fma(b0, c70);
                c71 = x.fma(b1, c71);
            }
        } else {
            for (int p = p0; p < p1; p++) {
                int bp = p * m + j;
                DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
                DoubleVector b1 = DoubleVector.fromArray(S, b, bp + V);
                int ap = ai + p * cs;
                DoubleVector x = DoubleVector.broadcast(S, a[ap]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = DoubleVector.broadcast(S, a[ap + rs]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = DoubleVector.broadcast(S, a[ap + 2 * rs]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = DoubleVector.broadcast(S, a[ap + 3 * rs]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = DoubleVector.broadcast(S, a[ap + 4 * rs]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = DoubleVector.broadcast(S, a[ap + 5 * rs]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                x = DoubleVector.broadcast(S, a[ap + 6 * rs]);
                c60 = x.fma(b0, c60);
                c61 = x.fma(b1, c61);
                x = DoubleVector.broadcast(S, a[ap + 7 * rs]);
                c70 = x.fma(b0, c70);
                c71 = x.fma(b1, c71);
            }
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + V);
        c10.intoArray(out, o0 + 1 * m);
        c11.intoArray(out, o0 + 1 * m + V);
        c20.intoArray(out, o0 + 2 * m);
        c21.intoArray(out, o0 + 2 * m + V);
        c30.intoArray(out, o0 + 3 * m);
        c31.intoArray(out, o0 + 3 * m + V);
        c40.intoArray(out, o0 + 4 * m);
        c41.intoArray(out, o0 + 4 * m + V);
        c50.intoArray(out, o0 + 5 * m);
        c51.intoArray(out, o0 + 5 * m + V);
        c60.intoArray(out, o0 + 6 * m);
        c61.intoArray(out, o0 + 6 * m + V);
        c70.intoArray(out, o0 + 7 * m);
        c71.intoArray(out, o0 + 7 * m + V);
    }

    /**
     * Rows {@code i..i+5} of four vectors of columns from {@code j}, for p in {@code [p0, p1)}: 24 chains in
     * registers, and 10 loads for 24 multiply-adds (8 × 2 needs 10 for 16), the shape measured best for float32.
     */
    private static void tile6x4(double[] a, int rs, int cs, double[] b, double[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        int o4 = o3 + m;
        int o5 = o4 + m;
        boolean first = p0 == 0;
        DoubleVector c00 = load(out, o0, first);
        DoubleVector c01 = load(out, o0 + V, first);
        DoubleVector c02 = load(out, o0 + 2 * V, first);
        DoubleVector c03 = load(out, o0 + 3 * V, first);
        DoubleVector c10 = load(out, o1, first);
        DoubleVector c11 = load(out, o1 + V, first);
        DoubleVector c12 = load(out, o1 + 2 * V, first);
        DoubleVector c13 = load(out, o1 + 3 * V, first);
        DoubleVector c20 = load(out, o2, first);
        DoubleVector c21 = load(out, o2 + V, first);
        DoubleVector c22 = load(out, o2 + 2 * V, first);
        DoubleVector c23 = load(out, o2 + 3 * V, first);
        DoubleVector c30 = load(out, o3, first);
        DoubleVector c31 = load(out, o3 + V, first);
        DoubleVector c32 = load(out, o3 + 2 * V, first);
        DoubleVector c33 = load(out, o3 + 3 * V, first);
        DoubleVector c40 = load(out, o4, first);
        DoubleVector c41 = load(out, o4 + V, first);
        DoubleVector c42 = load(out, o4 + 2 * V, first);
        DoubleVector c43 = load(out, o4 + 3 * V, first);
        DoubleVector c50 = load(out, o5, first);
        DoubleVector c51 = load(out, o5 + V, first);
        DoubleVector c52 = load(out, o5 + 2 * V, first);
        DoubleVector c53 = load(out, o5 + 3 * V, first);
        int ai = i * rs;
        for (int p = p0; p < p1; p++) {
            int bp = p * m + j;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + V);
            DoubleVector b2 = DoubleVector.fromArray(S, b, bp + 2 * V);
            DoubleVector b3 = DoubleVector.fromArray(S, b, bp + 3 * V);
            int ap = ai + p * cs;
            DoubleVector x = DoubleVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = DoubleVector.broadcast(S, a[ap + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = DoubleVector.broadcast(S, a[ap + 2 * rs]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = DoubleVector.broadcast(S, a[ap + 3 * rs]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = DoubleVector.broadcast(S, a[ap + 4 * rs]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = DoubleVector.broadcast(S, a[ap + 5 * rs]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            c53 = x.fma(b3, c53);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + V);
        c02.intoArray(out, o0 + 2 * V);
        c03.intoArray(out, o0 + 3 * V);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + V);
        c12.intoArray(out, o1 + 2 * V);
        c13.intoArray(out, o1 + 3 * V);
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + V);
        c22.intoArray(out, o2 + 2 * V);
        c23.intoArray(out, o2 + 3 * V);
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + V);
        c32.intoArray(out, o3 + 2 * V);
        c33.intoArray(out, o3 + 3 * V);
        c40.intoArray(out, o4);
        c41.intoArray(out, o4 + V);
        c42.intoArray(out, o4 + 2 * V);
        c43.intoArray(out, o4 + 3 * V);
        c50.intoArray(out, o5);
        c51.intoArray(out, o5 + V);
        c52.intoArray(out, o5 + 2 * V);
        c53.intoArray(out, o5 + 3 * V);
    }

    /** The running sums of a k-block: zero for the first, else what the blocks before left in {@code out}. */
    private static DoubleVector load(double[] out, int o, boolean first) {
        return first ? DoubleVector.zero(S) : DoubleVector.fromArray(S, out, o);
    }

    /** Rows {@code i..i+3} of one vector of columns at {@code j}, over the whole of k: four chains at once. */
    private static void column4x1(double[] a, int rs, int cs, double[] b, double[] out, int k, int m, int i, int j) {
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = c0;
        DoubleVector c2 = c0;
        DoubleVector c3 = c0;
        int ai = i * rs;
        for (int p = 0; p < k; p++) {
            DoubleVector y = DoubleVector.fromArray(S, b, p * m + j);
            int ap = ai + p * cs;
            c0 = DoubleVector.broadcast(S, a[ap]).fma(y, c0);
            c1 = DoubleVector.broadcast(S, a[ap + rs]).fma(y, c1);
            c2 = DoubleVector.broadcast(S, a[ap + 2 * rs]).fma(y, c2);
            c3 = DoubleVector.broadcast(S, a[ap + 3 * rs]).fma(y, c3);
        }
        int o = i * m + j;
        c0.intoArray(out, o);
        c1.intoArray(out, o + m);
        c2.intoArray(out, o + 2 * m);
        c3.intoArray(out, o + 3 * m);
    }

    private static void tile4x2(double[] a, int rs, int cs, double[] b, double[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        boolean first = p0 == 0;
        DoubleVector c00 = load(out, o0, first);
        DoubleVector c01 = load(out, o0 + V, first);
        DoubleVector c10 = load(out, o1, first);
        DoubleVector c11 = load(out, o1 + V, first);
        DoubleVector c20 = load(out, o2, first);
        DoubleVector c21 = load(out, o2 + V, first);
        DoubleVector c30 = load(out, o3, first);
        DoubleVector c31 = load(out, o3 + V, first);
        int ai = i * rs;
        for (int p = p0; p < p1; p++) {
            int bp = p * m + j;
            DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
            DoubleVector b1 = DoubleVector.fromArray(S, b, bp + V);
            int ap = ai + p * cs;
            DoubleVector x = DoubleVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = DoubleVector.broadcast(S, a[ap + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = DoubleVector.broadcast(S, a[ap + 2 * rs]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = DoubleVector.broadcast(S, a[ap + 3 * rs]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + V);
        c10.intoArray(out, o1);
        c11.intoArray(out, o1 + V);
        c20.intoArray(out, o2);
        c21.intoArray(out, o2 + V);
        c30.intoArray(out, o3);
        c31.intoArray(out, o3 + V);
    }

    private static void tile1x2(double[] a, int rs, int cs, double[] b, double[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        DoubleVector c00 = load(out, o0, p0 == 0);
        DoubleVector c01 = load(out, o0 + V, p0 == 0);
        int ai = i * rs;
        for (int p = p0; p < p1; p++) {
            int bp = p * m + j;
            DoubleVector x = DoubleVector.broadcast(S, a[ai + p * cs]);
            c00 = x.fma(DoubleVector.fromArray(S, b, bp), c00);
            c01 = x.fma(DoubleVector.fromArray(S, b, bp + V), c01);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + V);
    }

    /**
     * From 4 columns up to one vector's width, with 8 rows or more: then one vector holds a whole output row,
     * and 8 rows make 8 independent chains. Fewer columns are cheaper as dot products.
     */
    @Override
    public boolean prefersNarrow(int n, int k, int m) {
        return m >= 4 && m < V && n >= 8;
    }

    @Override
    public void multiplyNarrow(double[] a, double[] bt, double[] out, int k, int m, int i0, int i1) {
        int i = i0;
        for (; i + 8 <= i1; i += 8) {
            DoubleVector c0 = DoubleVector.zero(S);
            DoubleVector c1 = c0;
            DoubleVector c2 = c0;
            DoubleVector c3 = c0;
            DoubleVector c4 = c0;
            DoubleVector c5 = c0;
            DoubleVector c6 = c0;
            DoubleVector c7 = c0;
            int a0 = i * k;
            int a1 = a0 + k;
            int a2 = a1 + k;
            int a3 = a2 + k;
            int a4 = a3 + k;
            int a5 = a4 + k;
            int a6 = a5 + k;
            int a7 = a6 + k;
            for (int p = 0; p < k; p++) {
                DoubleVector y = DoubleVector.fromArray(S, bt, p * V);
                c0 = DoubleVector.broadcast(S, a[a0 + p]).fma(y, c0);
                c1 = DoubleVector.broadcast(S, a[a1 + p]).fma(y, c1);
                c2 = DoubleVector.broadcast(S, a[a2 + p]).fma(y, c2);
                c3 = DoubleVector.broadcast(S, a[a3 + p]).fma(y, c3);
                c4 = DoubleVector.broadcast(S, a[a4 + p]).fma(y, c4);
                c5 = DoubleVector.broadcast(S, a[a5 + p]).fma(y, c5);
                c6 = DoubleVector.broadcast(S, a[a6 + p]).fma(y, c6);
                c7 = DoubleVector.broadcast(S, a[a7 + p]).fma(y, c7);
            }
            storeRow(c0, out, i, m, i1);
            storeRow(c1, out, i + 1, m, i1);
            storeRow(c2, out, i + 2, m, i1);
            storeRow(c3, out, i + 3, m, i1);
            storeRow(c4, out, i + 4, m, i1);
            storeRow(c5, out, i + 5, m, i1);
            storeRow(c6, out, i + 6, m, i1);
            storeRow(c7, out, i + 7, m, i1);
        }
        for (; i < i1; i++) {
            DoubleVector c = DoubleVector.zero(S);
            int ai = i * k;
            for (int p = 0; p < k; p++) {
                c = DoubleVector.broadcast(S, a[ai + p]).fma(DoubleVector.fromArray(S, bt, p * V), c);
            }
            storeRow(c, out, i, m, i1);
        }
    }

    /**
     * Stores the first m lanes of {@code c} as row {@code row} of {@code out}. A whole vector is stored when it
     * ends within this call's rows {@code [.., i1)}: its lanes past m land on the next rows, which are stored
     * after this one and overwrite them. The last rows go through a scratch array, so no other range is touched.
     */
    private static void storeRow(DoubleVector c, double[] out, int row, int m, int i1) {
        int o = row * m;
        if (o + V <= i1 * m) {
            c.intoArray(out, o);
        } else {
            double[] lanes = LANES.get();
            c.intoArray(lanes, 0);
            System.arraycopy(lanes, 0, out, o, m);
        }
    }

    /**
     * Dot products when there are few rows to share a packed {@code bᵀ} (fewer than 8: predicting a few samples)
     * or fewer than 4 columns. The shape alone decides, not the vector width, since the dot products sum in
     * another order than the tiled multiply.
     */
    @Override
    public boolean prefersDot(int n, int k, int m) {
        return k >= PARTIALS && (n < 8 || m < 4);
    }

    /**
     * Each element: {@value #PARTIALS} chains of fused multiply-adds, chain {@code l} over the
     * {@code p ≡ l (mod 8)} below {@code k − k mod 8}, added as {@code ((s0 + s1) + (s2 + s3)) + ((s4 + s5) +
     * (s6 + s7))}, then the last {@code k mod 8} products by {@link Math#fma} in order of p: the same bits for
     * every vector width.
     */
    @Override
    public void multiplyTransposedDot(double[] a, double[] b, double[] out, int n, int k, int m, int j0, int j1) {
        double[] lanes = LANES.get();
        int k8 = k - k % PARTIALS;
        for (int i = 0; i < n; i++) {
            int ai = i * k;
            int j = j0;
            if (H == 1) {
                for (; j + 8 <= j1; j += 8) {
                    dot8(a, ai, b, j * k, k, k8, lanes);
                    for (int q = 0; q < 8; q++) {
                        out[i * m + j + q] = finish(lanes, q * PARTIALS, a, ai, b, (j + q) * k, k8, k);
                    }
                }
            }
            for (; j + 4 <= j1; j += 4) {
                dot4(a, ai, b, j * k, k, k8, lanes);
                for (int q = 0; q < 4; q++) {
                    out[i * m + j + q] = finish(lanes, q * PARTIALS, a, ai, b, (j + q) * k, k8, k);
                }
            }
            for (; j < j1; j++) {
                int bj = j * k;
                dot1(a, ai, b, bj, k8, lanes);
                out[i * m + j] = finish(lanes, 0, a, ai, b, bj, k8, k);
            }
        }
    }

    /**
     * Eight rows of b from {@code b0} against one row of a, where one vector holds the eight partial sums
     * ({@code H == 1}): eight streams of b in flight, as the float32 path found best for a single sample.
     */
    private static void dot8(double[] a, int ai, double[] b, int b0, int k, int k8, double[] lanes) {
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = c0;
        DoubleVector c2 = c0;
        DoubleVector c3 = c0;
        DoubleVector c4 = c0;
        DoubleVector c5 = c0;
        DoubleVector c6 = c0;
        DoubleVector c7 = c0;
        for (int p = 0; p < k8; p += PARTIALS) {
            DoubleVector x = DoubleVector.fromArray(S, a, ai + p);
            c0 = x.fma(DoubleVector.fromArray(S, b, b0 + p), c0);
            c1 = x.fma(DoubleVector.fromArray(S, b, b0 + k + p), c1);
            c2 = x.fma(DoubleVector.fromArray(S, b, b0 + 2 * k + p), c2);
            c3 = x.fma(DoubleVector.fromArray(S, b, b0 + 3 * k + p), c3);
            c4 = x.fma(DoubleVector.fromArray(S, b, b0 + 4 * k + p), c4);
            c5 = x.fma(DoubleVector.fromArray(S, b, b0 + 5 * k + p), c5);
            c6 = x.fma(DoubleVector.fromArray(S, b, b0 + 6 * k + p), c6);
            c7 = x.fma(DoubleVector.fromArray(S, b, b0 + 7 * k + p), c7);
        }
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, PARTIALS);
        c2.intoArray(lanes, 2 * PARTIALS);
        c3.intoArray(lanes, 3 * PARTIALS);
        c4.intoArray(lanes, 4 * PARTIALS);
        c5.intoArray(lanes, 5 * PARTIALS);
        c6.intoArray(lanes, 6 * PARTIALS);
        c7.intoArray(lanes, 7 * PARTIALS);
    }

    /**
     * Four rows of b from {@code b0} against one row of a: four streams of b in flight. Leaves row q's partial
     * sums in {@code lanes[q·8 ..]}. The second vector of each set is used only where a vector holds 4 lanes
     * ({@code H == 2}, a constant C2 folds); other widths take the scalar chains of {@link #dot1}.
     */
    private static void dot4(double[] a, int ai, double[] b, int b0, int k, int k8, double[] lanes) {
        if (H > 2) {
            for (int q = 3; q >= 0; q--) { // row 0 last: dot1 leaves its sums where row 0's belong
                dot1(a, ai, b, b0 + q * k, k8, lanes);
                System.arraycopy(lanes, 0, lanes, q * PARTIALS, PARTIALS);
            }
            return;
        }
        int b1 = b0 + k;
        int b2 = b1 + k;
        int b3 = b2 + k;
        DoubleVector c0 = DoubleVector.zero(S);
        DoubleVector c1 = c0;
        DoubleVector c2 = c0;
        DoubleVector c3 = c0;
        DoubleVector d0 = c0;
        DoubleVector d1 = c0;
        DoubleVector d2 = c0;
        DoubleVector d3 = c0;
        for (int p = 0; p < k8; p += PARTIALS) {
            DoubleVector x = DoubleVector.fromArray(S, a, ai + p);
            c0 = x.fma(DoubleVector.fromArray(S, b, b0 + p), c0);
            c1 = x.fma(DoubleVector.fromArray(S, b, b1 + p), c1);
            c2 = x.fma(DoubleVector.fromArray(S, b, b2 + p), c2);
            c3 = x.fma(DoubleVector.fromArray(S, b, b3 + p), c3);
            if (H == 2) {
                DoubleVector y = DoubleVector.fromArray(S, a, ai + p + V);
                d0 = y.fma(DoubleVector.fromArray(S, b, b0 + p + V), d0);
                d1 = y.fma(DoubleVector.fromArray(S, b, b1 + p + V), d1);
                d2 = y.fma(DoubleVector.fromArray(S, b, b2 + p + V), d2);
                d3 = y.fma(DoubleVector.fromArray(S, b, b3 + p + V), d3);
            }
        }
        c0.intoArray(lanes, 0);
        c1.intoArray(lanes, PARTIALS);
        c2.intoArray(lanes, 2 * PARTIALS);
        c3.intoArray(lanes, 3 * PARTIALS);
        if (H == 2) {
            d0.intoArray(lanes, V);
            d1.intoArray(lanes, PARTIALS + V);
            d2.intoArray(lanes, 2 * PARTIALS + V);
            d3.intoArray(lanes, 3 * PARTIALS + V);
        }
    }

    /** One row of b against one row of a; leaves its {@value #PARTIALS} partial sums in {@code lanes[0..8)}. */
    private static void dot1(double[] a, int ai, double[] b, int bj, int k8, double[] lanes) {
        if (H == 1) {
            DoubleVector c = DoubleVector.zero(S);
            for (int p = 0; p < k8; p += PARTIALS) {
                c = DoubleVector.fromArray(S, a, ai + p).fma(DoubleVector.fromArray(S, b, bj + p), c);
            }
            c.intoArray(lanes, 0);
        } else if (H == 2) {
            DoubleVector c = DoubleVector.zero(S);
            DoubleVector d = c;
            for (int p = 0; p < k8; p += PARTIALS) {
                c = DoubleVector.fromArray(S, a, ai + p).fma(DoubleVector.fromArray(S, b, bj + p), c);
                d = DoubleVector.fromArray(S, a, ai + p + V).fma(DoubleVector.fromArray(S, b, bj + p + V), d);
            }
            c.intoArray(lanes, 0);
            d.intoArray(lanes, V);
        } else {
            // 128-bit vectors: the same eight chains, one scalar fma each
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            double s4 = 0;
            double s5 = 0;
            double s6 = 0;
            double s7 = 0;
            for (int p = 0; p < k8; p += PARTIALS) {
                s0 = Math.fma(a[ai + p], b[bj + p], s0);
                s1 = Math.fma(a[ai + p + 1], b[bj + p + 1], s1);
                s2 = Math.fma(a[ai + p + 2], b[bj + p + 2], s2);
                s3 = Math.fma(a[ai + p + 3], b[bj + p + 3], s3);
                s4 = Math.fma(a[ai + p + 4], b[bj + p + 4], s4);
                s5 = Math.fma(a[ai + p + 5], b[bj + p + 5], s5);
                s6 = Math.fma(a[ai + p + 6], b[bj + p + 6], s6);
                s7 = Math.fma(a[ai + p + 7], b[bj + p + 7], s7);
            }
            lanes[0] = s0;
            lanes[1] = s1;
            lanes[2] = s2;
            lanes[3] = s3;
            lanes[4] = s4;
            lanes[5] = s5;
            lanes[6] = s6;
            lanes[7] = s7;
        }
    }

    /** Adds the eight partial sums at {@code from} in a fixed order, then the tail {@code p = k8..k-1} in order. */
    private static double finish(double[] lanes, int from, double[] a, int ai, double[] b, int bj, int k8, int k) {
        double s = ((lanes[from] + lanes[from + 1]) + (lanes[from + 2] + lanes[from + 3]))
                + ((lanes[from + 4] + lanes[from + 5]) + (lanes[from + 6] + lanes[from + 7]));
        for (int p = k8; p < k; p++) {
            s = Math.fma(a[ai + p], b[bj + p], s);
        }
        return s;
    }
}
