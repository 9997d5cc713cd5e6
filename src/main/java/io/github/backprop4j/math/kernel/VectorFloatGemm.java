package io.github.backprop4j.math.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float32 multiplies written with the incubating Vector API ({@code jdk.incubator.vector}): register tiles
 * of 6 rows × 4 vectors (24 independent chains), then 8 rows × 2 vectors for a last panel of 2 vectors (4 and
 * 1 rows for the rest), blocked over k so that a panel of {@code b} stays in L1 while every row block passes
 * over it. Each element is a chain of fused
 * multiply-adds in order of p, {@code s = fma(A[i][p], b[p][j], s)}; the tails (columns beyond the last
 * full vector) use {@link Math#fma} in the same order, so a tile and a tail give the same bits.
 * Dot products of rows reduce their lanes in lane order, never with {@code reduceLanes}.
 *
 * <p>Loaded reflectively by {@code io.github.backprop4j.math.Engine}, only when the module is in the boot layer.
 */
public final class VectorFloatGemm implements FloatGemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int V = S.length();
    /** Rows of the {@code b} panel per k-block: 128 × 2 vectors of 16 floats is 16 KiB. */
    private static final int KC = 128;
    /** Rows of A per block, ten 6-row tiles: 60 rows × 128 of k is 30 KiB. */
    private static final int MC = 60;
    /**
     * The partial sums of a dot product: 16 whatever the vector width, so that its bits do not depend on the
     * machine (a width above 16 lanes is refused by the constructor).
     */
    static final int DOT_LANES = 16;
    /** Eight rows' 16 partial sums, or one vector, for a reduction in a fixed order; one array per thread. */
    private static final ThreadLocal<float[]> LANES = ThreadLocal.withInitial(() -> new float[8 * DOT_LANES]);
    /** The gather's offsets {@code q·k} of V rows, for the last k; one array per thread. */
    private static final ThreadLocal<int[]> GATHER = ThreadLocal.withInitial(() -> new int[V]);

    /** Creates the kernels; fails with a {@link LinkageError} where the module is not readable. */
    public VectorFloatGemm() {
        if (V < 4 || V > DOT_LANES) {
            throw new UnsupportedOperationException("the preferred float vector has " + V + " lanes");
        }
    }

    @Override
    public String description() {
        return "vector (" + S.vectorBitSize() + "-bit FloatVector, " + V + " lanes)";
    }

    /** Scans a vector at a time; the exact position is found by the plain loop within the first bad vector. */
    @Override
    public int indexOfNonFinite(float[] x) {
        int full = x.length - x.length % V;
        for (int i = 0; i < full; i += V) {
            // |x| <= MAX_VALUE is false exactly for NaN and the infinities; a compare C2 compiles to one instruction
            if (!FloatVector.fromArray(S, x, i).abs().compare(VectorOperators.LE, Float.MAX_VALUE).allTrue()) {
                for (int j = i; j < i + V; j++) {
                    if (!Float.isFinite(x[j])) {
                        return j;
                    }
                }
            }
        }
        for (int j = full; j < x.length; j++) {
            if (!Float.isFinite(x[j])) {
                return j;
            }
        }
        return -1;
    }

    @Override
    public int lanes() {
        return V;
    }

    /** A vector's worth of rows at a time, gathered: three times the plain loop on 128 × 784 (JDK 17). */
    @Override
    public void transpose(float[] b, float[] bt, int m, int k) {
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
                FloatVector.fromArray(S, b, b0 + p, rows, 0).intoArray(bt, p * m + j);
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
    public void relu(float[] x, float[] out) {
        int full = S.loopBound(x.length);
        FloatVector zero = FloatVector.zero(S);
        for (int i = 0; i < full; i += V) { // the blend written out, not through relu(v): nothing left to box
            FloatVector v = FloatVector.fromArray(S, x, i);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (int i = full; i < x.length; i++) {
            out[i] = x[i] > 0 ? x[i] : 0;
        }
    }

    /** {@code v > 0 ? v : 0} lane by lane, as a compare and a blend. */
    private static FloatVector relu(FloatVector v) {
        return FloatVector.zero(S).blend(v, v.compare(VectorOperators.GT, 0f));
    }

    /** The bias add and the ReLU of {@link #relu} in one pass over z; z is not stored twice when out is z. */
    @Override
    public void addRowVectorRelu(float[] z, float[] v, float[] out, int rows, int cols) {
        int full = S.loopBound(cols);
        boolean inPlace = out == z;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            for (int c = 0; c < full; c += V) {
                FloatVector s = FloatVector.fromArray(S, z, o + c).add(FloatVector.fromArray(S, v, c));
                if (!inPlace) {
                    s.intoArray(z, o + c);
                }
                relu(s).intoArray(out, o + c);
            }
            for (int c = full; c < cols; c++) {
                float s = z[o + c] + v[c];
                z[o + c] = s;
                out[o + c] = s > 0 ? s : 0;
            }
        }
    }

    @Override
    public void reluBackward(float[] z, float[] g, float[] out) {
        int full = S.loopBound(z.length);
        for (int i = 0; i < full; i += V) {
            FloatVector gv = FloatVector.fromArray(S, g, i);
            gv.mul(0f).blend(gv, FloatVector.fromArray(S, z, i).compare(VectorOperators.GT, 0f)).intoArray(out, i);
        }
        for (int i = full; i < z.length; i++) {
            out[i] = z[i] > 0 ? g[i] : 0f * g[i];
        }
    }

    @Override
    public void multiply(float[] a, int rs, int cs, float[] b, float[] out, int k, int m, int i0, int i1) {
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
                FloatVector c = FloatVector.zero(S);
                int ai = i * rs;
                for (int p = 0; p < k; p++) {
                    c = FloatVector.broadcast(S, a[ai + p * cs]).fma(FloatVector.fromArray(S, b, p * m + j), c);
                }
                c.intoArray(out, i * m + j);
            }
        }
        for (; j < m; j++) {
            for (int i = i0; i < i1; i++) {
                float s = 0;
                int ai = i * rs;
                for (int p = 0; p < k; p++) {
                    s = Math.fma(a[ai + p * cs], b[p * m + j], s);
                }
                out[i * m + j] = s;
            }
        }
    }

    private static void tile8x2(float[] a, int rs, int cs, float[] b, float[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        boolean first = p0 == 0;
        FloatVector c00 = load(out, o0, first);
        FloatVector c01 = load(out, o0 + V, first);
        FloatVector c10 = load(out, o0 + m, first);
        FloatVector c11 = load(out, o0 + m + V, first);
        FloatVector c20 = load(out, o0 + 2 * m, first);
        FloatVector c21 = load(out, o0 + 2 * m + V, first);
        FloatVector c30 = load(out, o0 + 3 * m, first);
        FloatVector c31 = load(out, o0 + 3 * m + V, first);
        FloatVector c40 = load(out, o0 + 4 * m, first);
        FloatVector c41 = load(out, o0 + 4 * m + V, first);
        FloatVector c50 = load(out, o0 + 5 * m, first);
        FloatVector c51 = load(out, o0 + 5 * m + V, first);
        FloatVector c60 = load(out, o0 + 6 * m, first);
        FloatVector c61 = load(out, o0 + 6 * m + V, first);
        FloatVector c70 = load(out, o0 + 7 * m, first);
        FloatVector c71 = load(out, o0 + 7 * m + V, first);
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
                FloatVector b0 = FloatVector.fromArray(S, b, bp);
                FloatVector b1 = FloatVector.fromArray(S, b, bp + V);
                FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, a[a1 + p]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, a[a2 + p]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, a[a3 + p]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, a[a4 + p]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, a[a5 + p]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                x = FloatVector.broadcast(S, a[a6 + p]);
                c60 = x.fma(b0, c60);
                c61 = x.fma(b1, c61);
                x = FloatVector.broadcast(S, a[a7 + p]);
                c70 = x.fma(b0, c70);
                c71 = x.fma(b1, c71);
            }
        } else {
            for (int p = p0; p < p1; p++) {
                int bp = p * m + j;
                FloatVector b0 = FloatVector.fromArray(S, b, bp);
                FloatVector b1 = FloatVector.fromArray(S, b, bp + V);
                int ap = ai + p * cs;
                FloatVector x = FloatVector.broadcast(S, a[ap]);
                c00 = x.fma(b0, c00);
                c01 = x.fma(b1, c01);
                x = FloatVector.broadcast(S, a[ap + rs]);
                c10 = x.fma(b0, c10);
                c11 = x.fma(b1, c11);
                x = FloatVector.broadcast(S, a[ap + 2 * rs]);
                c20 = x.fma(b0, c20);
                c21 = x.fma(b1, c21);
                x = FloatVector.broadcast(S, a[ap + 3 * rs]);
                c30 = x.fma(b0, c30);
                c31 = x.fma(b1, c31);
                x = FloatVector.broadcast(S, a[ap + 4 * rs]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                x = FloatVector.broadcast(S, a[ap + 5 * rs]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                x = FloatVector.broadcast(S, a[ap + 6 * rs]);
                c60 = x.fma(b0, c60);
                c61 = x.fma(b1, c61);
                x = FloatVector.broadcast(S, a[ap + 7 * rs]);
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
     * registers, and 10 loads for 24 multiply-adds (8 × 2 needs 10 for 16). 5–12 % faster than 8 × 2 on
     * 1000 × 784 × 128 and 128 × 784 × 128 (JDK 17 and 25, this project's test machine).
     */
    private static void tile6x4(float[] a, int rs, int cs, float[] b, float[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        int o4 = o3 + m;
        int o5 = o4 + m;
        boolean first = p0 == 0;
        FloatVector c00 = load(out, o0, first);
        FloatVector c01 = load(out, o0 + V, first);
        FloatVector c02 = load(out, o0 + 2 * V, first);
        FloatVector c03 = load(out, o0 + 3 * V, first);
        FloatVector c10 = load(out, o1, first);
        FloatVector c11 = load(out, o1 + V, first);
        FloatVector c12 = load(out, o1 + 2 * V, first);
        FloatVector c13 = load(out, o1 + 3 * V, first);
        FloatVector c20 = load(out, o2, first);
        FloatVector c21 = load(out, o2 + V, first);
        FloatVector c22 = load(out, o2 + 2 * V, first);
        FloatVector c23 = load(out, o2 + 3 * V, first);
        FloatVector c30 = load(out, o3, first);
        FloatVector c31 = load(out, o3 + V, first);
        FloatVector c32 = load(out, o3 + 2 * V, first);
        FloatVector c33 = load(out, o3 + 3 * V, first);
        FloatVector c40 = load(out, o4, first);
        FloatVector c41 = load(out, o4 + V, first);
        FloatVector c42 = load(out, o4 + 2 * V, first);
        FloatVector c43 = load(out, o4 + 3 * V, first);
        FloatVector c50 = load(out, o5, first);
        FloatVector c51 = load(out, o5 + V, first);
        FloatVector c52 = load(out, o5 + 2 * V, first);
        FloatVector c53 = load(out, o5 + 3 * V, first);
        int ai = i * rs;
        for (int p = p0; p < p1; p++) {
            int bp = p * m + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + V);
            FloatVector b2 = FloatVector.fromArray(S, b, bp + 2 * V);
            FloatVector b3 = FloatVector.fromArray(S, b, bp + 3 * V);
            int ap = ai + p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ap + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ap + 2 * rs]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ap + 3 * rs]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[ap + 4 * rs]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[ap + 5 * rs]);
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
    private static FloatVector load(float[] out, int o, boolean first) {
        return first ? FloatVector.zero(S) : FloatVector.fromArray(S, out, o);
    }

    /** Rows {@code i..i+3} of one vector of columns at {@code j}, over the whole of k: four chains at once. */
    private static void column4x1(float[] a, int rs, int cs, float[] b, float[] out, int k, int m, int i, int j) {
        FloatVector c0 = FloatVector.zero(S);
        FloatVector c1 = c0;
        FloatVector c2 = c0;
        FloatVector c3 = c0;
        int ai = i * rs;
        for (int p = 0; p < k; p++) {
            FloatVector y = FloatVector.fromArray(S, b, p * m + j);
            int ap = ai + p * cs;
            c0 = FloatVector.broadcast(S, a[ap]).fma(y, c0);
            c1 = FloatVector.broadcast(S, a[ap + rs]).fma(y, c1);
            c2 = FloatVector.broadcast(S, a[ap + 2 * rs]).fma(y, c2);
            c3 = FloatVector.broadcast(S, a[ap + 3 * rs]).fma(y, c3);
        }
        int o = i * m + j;
        c0.intoArray(out, o);
        c1.intoArray(out, o + m);
        c2.intoArray(out, o + 2 * m);
        c3.intoArray(out, o + 3 * m);
    }

    private static void tile4x2(float[] a, int rs, int cs, float[] b, float[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        int o1 = o0 + m;
        int o2 = o1 + m;
        int o3 = o2 + m;
        boolean first = p0 == 0;
        FloatVector c00 = load(out, o0, first);
        FloatVector c01 = load(out, o0 + V, first);
        FloatVector c10 = load(out, o1, first);
        FloatVector c11 = load(out, o1 + V, first);
        FloatVector c20 = load(out, o2, first);
        FloatVector c21 = load(out, o2 + V, first);
        FloatVector c30 = load(out, o3, first);
        FloatVector c31 = load(out, o3 + V, first);
        int ai = i * rs;
        for (int p = p0; p < p1; p++) {
            int bp = p * m + j;
            FloatVector b0 = FloatVector.fromArray(S, b, bp);
            FloatVector b1 = FloatVector.fromArray(S, b, bp + V);
            int ap = ai + p * cs;
            FloatVector x = FloatVector.broadcast(S, a[ap]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ap + rs]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ap + 2 * rs]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ap + 3 * rs]);
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

    private static void tile1x2(float[] a, int rs, int cs, float[] b, float[] out, int m, int i, int j, int p0,
            int p1) {
        int o0 = i * m + j;
        FloatVector c00 = load(out, o0, p0 == 0);
        FloatVector c01 = load(out, o0 + V, p0 == 0);
        int ai = i * rs;
        for (int p = p0; p < p1; p++) {
            int bp = p * m + j;
            FloatVector x = FloatVector.broadcast(S, a[ai + p * cs]);
            c00 = x.fma(FloatVector.fromArray(S, b, bp), c00);
            c01 = x.fma(FloatVector.fromArray(S, b, bp + V), c01);
        }
        c00.intoArray(out, o0);
        c01.intoArray(out, o0 + V);
    }

    /**
     * The row maxima and sums in plain loops, the exponentials a vector at a time over the whole array with
     * {@link #exp(FloatVector)} (tens of times faster than {@code Math.exp}), then a multiply by the row's
     * reciprocal sum. Never the Vector API's {@code EXP}: its Java fallback and its compiled intrinsic round
     * differently, so the bits would depend on what the JIT had compiled.
     */
    @Override
    public void softmaxRows(float[] x, float[] out, int rows, int cols) {
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, x[o + c]);
            }
            for (int c = 0; c < cols; c++) {
                out[o + c] = x[o + c] - max; // ≤ 0, or NaN where the row holds a NaN or an infinity
            }
        }
        int length = rows * cols;
        int full = S.loopBound(length);
        for (int i = 0; i < full; i += V) {
            exp(FloatVector.fromArray(S, out, i)).intoArray(out, i);
        }
        for (int i = full; i < length; i++) {
            out[i] = ExactExp.exp(out[i]); // the same bits as a lane of exp(FloatVector)
        }
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += out[o + c];
            }
            float inverse = (float) (1 / sum); // a multiply per element: a division each cost four times the rest
            for (int c = 0; c < cols; c++) {
                out[o + c] *= inverse;
            }
        }
    }

    /**
     * {@link ExactExp#exp} lane by lane, with the same operations in the same order, so every lane has the
     * bits of the scalar function, whatever the vector width and whether or not the JIT has compiled it.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector c = x.min(ExactExp.HIGH).max(ExactExp.LOW); // NaN stays NaN
        FloatVector t = c.mul(ExactExp.LOG2E).add(ExactExp.ROUNDER);
        FloatVector negN = t.sub(ExactExp.ROUNDER).neg(); //     −n, n = round(x·log₂e)
        FloatVector r = negN.fma(FloatVector.broadcast(S, ExactExp.LN2_HI), c);
        r = negN.fma(FloatVector.broadcast(S, ExactExp.LN2_LO), r); // r = x − n·ln 2
        FloatVector p = r.fma(ExactExp.C7, ExactExp.C6);
        p = p.fma(r, FloatVector.broadcast(S, ExactExp.C5));
        p = p.fma(r, FloatVector.broadcast(S, ExactExp.C4));
        p = p.fma(r, FloatVector.broadcast(S, ExactExp.C3));
        p = p.fma(r, FloatVector.broadcast(S, ExactExp.C2));
        p = p.fma(r.mul(r), r.add(1f)); //                         eʳ
        IntVector n = t.reinterpretAsInts().sub(ExactExp.ROUNDER_BITS); // n as ints
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1);
        IntVector n2 = n.sub(n1);
        return p.mul(n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats())
                .mul(n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
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
    public void multiplyNarrow(float[] a, float[] bt, float[] out, int k, int m, int i0, int i1) {
        int i = i0;
        for (; i + 8 <= i1; i += 8) {
            FloatVector c0 = FloatVector.zero(S);
            FloatVector c1 = c0;
            FloatVector c2 = c0;
            FloatVector c3 = c0;
            FloatVector c4 = c0;
            FloatVector c5 = c0;
            FloatVector c6 = c0;
            FloatVector c7 = c0;
            int a0 = i * k;
            int a1 = a0 + k;
            int a2 = a1 + k;
            int a3 = a2 + k;
            int a4 = a3 + k;
            int a5 = a4 + k;
            int a6 = a5 + k;
            int a7 = a6 + k;
            for (int p = 0; p < k; p++) {
                FloatVector y = FloatVector.fromArray(S, bt, p * V);
                c0 = FloatVector.broadcast(S, a[a0 + p]).fma(y, c0);
                c1 = FloatVector.broadcast(S, a[a1 + p]).fma(y, c1);
                c2 = FloatVector.broadcast(S, a[a2 + p]).fma(y, c2);
                c3 = FloatVector.broadcast(S, a[a3 + p]).fma(y, c3);
                c4 = FloatVector.broadcast(S, a[a4 + p]).fma(y, c4);
                c5 = FloatVector.broadcast(S, a[a5 + p]).fma(y, c5);
                c6 = FloatVector.broadcast(S, a[a6 + p]).fma(y, c6);
                c7 = FloatVector.broadcast(S, a[a7 + p]).fma(y, c7);
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
            FloatVector c = FloatVector.zero(S);
            int ai = i * k;
            for (int p = 0; p < k; p++) {
                c = FloatVector.broadcast(S, a[ai + p]).fma(FloatVector.fromArray(S, bt, p * V), c);
            }
            storeRow(c, out, i, m, i1);
        }
    }

    /**
     * Stores the first m lanes of {@code c} as row {@code row} of {@code out}. A whole vector is stored when it
     * ends within this call's rows {@code [.., i1)}: its lanes past m land on the next rows, which are stored
     * after this one and overwrite them. The last rows go through a scratch array, so no other range is touched.
     */
    private static void storeRow(FloatVector c, float[] out, int row, int m, int i1) {
        int o = row * m;
        if (o + V <= i1 * m) {
            c.intoArray(out, o);
        } else {
            float[] lanes = LANES.get();
            c.intoArray(lanes, 0);
            System.arraycopy(lanes, 0, out, o, m);
        }
    }

    /**
     * Dot products for few rows (a single sample) or fewer than 4 output columns, from 16 columns of k: by the
     * shape alone, never by the lane count, since a dot product's bits differ from the tiled multiply's.
     */
    @Override
    public boolean prefersDot(int n, int k, int m) {
        return k >= DOT_LANES && (n < 8 || m < 4);
    }

    /**
     * Each element is {@value #DOT_LANES} partial sums, partial sum l a chain of fused multiply-adds over
     * {@code p ≡ l (mod 16)} in order, added in order of l, then the last {@code k mod 16} products in order:
     * the same bits at every vector width, since a 16-lane partial sum is one vector of 512 bits, two of 256
     * or four of 128.
     */
    @Override
    public void multiplyTransposedDot(float[] a, float[] b, float[] out, int n, int k, int m, int j0, int j1) {
        float[] lanes = LANES.get();
        int k16 = k - k % DOT_LANES;
        for (int i = 0; i < n; i++) {
            int ai = i * k;
            int j = j0;
            for (; j + 8 <= j1; j += 8) {
                dot8(a, ai, b, j * k, k, k16, lanes);
                for (int q = 0; q < 8; q++) {
                    out[i * m + j + q] = finish(lanes, q * DOT_LANES, a, ai, b, (j + q) * k, k16, k);
                }
            }
            for (; j + 4 <= j1; j += 4) {
                dot4(a, ai, b, j * k, k, k16, lanes);
                for (int q = 0; q < 4; q++) {
                    out[i * m + j + q] = finish(lanes, q * DOT_LANES, a, ai, b, (j + q) * k, k16, k);
                }
            }
            for (; j < j1; j++) {
                dot1(a, ai, b, j * k, k16, lanes);
                out[i * m + j] = finish(lanes, 0, a, ai, b, j * k, k16, k);
            }
        }
    }

    /**
     * Eight rows of b from {@code b0} against one row of a, over {@code p < k16}: eight streams of b in flight
     * (a tenth faster than four for a single sample of 784 → 128); leaves row q's 16 partial sums in
     * {@code lanes[16q ..]}.
     */
    private static void dot8(float[] a, int ai, float[] b, int b0, int k, int k16, float[] lanes) {
        for (int g = 0; g < DOT_LANES; g += V) {
            FloatVector c0 = FloatVector.zero(S);
            FloatVector c1 = c0;
            FloatVector c2 = c0;
            FloatVector c3 = c0;
            FloatVector c4 = c0;
            FloatVector c5 = c0;
            FloatVector c6 = c0;
            FloatVector c7 = c0;
            for (int p = g; p < k16; p += DOT_LANES) {
                FloatVector x = FloatVector.fromArray(S, a, ai + p);
                c0 = x.fma(FloatVector.fromArray(S, b, b0 + p), c0);
                c1 = x.fma(FloatVector.fromArray(S, b, b0 + k + p), c1);
                c2 = x.fma(FloatVector.fromArray(S, b, b0 + 2 * k + p), c2);
                c3 = x.fma(FloatVector.fromArray(S, b, b0 + 3 * k + p), c3);
                c4 = x.fma(FloatVector.fromArray(S, b, b0 + 4 * k + p), c4);
                c5 = x.fma(FloatVector.fromArray(S, b, b0 + 5 * k + p), c5);
                c6 = x.fma(FloatVector.fromArray(S, b, b0 + 6 * k + p), c6);
                c7 = x.fma(FloatVector.fromArray(S, b, b0 + 7 * k + p), c7);
            }
            c0.intoArray(lanes, g);
            c1.intoArray(lanes, DOT_LANES + g);
            c2.intoArray(lanes, 2 * DOT_LANES + g);
            c3.intoArray(lanes, 3 * DOT_LANES + g);
            c4.intoArray(lanes, 4 * DOT_LANES + g);
            c5.intoArray(lanes, 5 * DOT_LANES + g);
            c6.intoArray(lanes, 6 * DOT_LANES + g);
            c7.intoArray(lanes, 7 * DOT_LANES + g);
        }
    }

    /**
     * Four rows of b from {@code b0} against one row of a, over {@code p < k16}; leaves row q's 16 partial sums
     * in {@code lanes[16q ..]}. Each group of 16 columns is {@code 16 / V} vectors, each with its own sum.
     */
    private static void dot4(float[] a, int ai, float[] b, int b0, int k, int k16, float[] lanes) {
        int b1 = b0 + k;
        int b2 = b1 + k;
        int b3 = b2 + k;
        for (int g = 0; g < DOT_LANES; g += V) { // one pass per vector of the 16 lanes: 1 at 512 bits, 4 at 128
            FloatVector c0 = FloatVector.zero(S);
            FloatVector c1 = c0;
            FloatVector c2 = c0;
            FloatVector c3 = c0;
            for (int p = g; p < k16; p += DOT_LANES) {
                FloatVector x = FloatVector.fromArray(S, a, ai + p);
                c0 = x.fma(FloatVector.fromArray(S, b, b0 + p), c0);
                c1 = x.fma(FloatVector.fromArray(S, b, b1 + p), c1);
                c2 = x.fma(FloatVector.fromArray(S, b, b2 + p), c2);
                c3 = x.fma(FloatVector.fromArray(S, b, b3 + p), c3);
            }
            c0.intoArray(lanes, g);
            c1.intoArray(lanes, DOT_LANES + g);
            c2.intoArray(lanes, 2 * DOT_LANES + g);
            c3.intoArray(lanes, 3 * DOT_LANES + g);
        }
    }

    /** One row of b from {@code b0} against one row of a; leaves its 16 partial sums in {@code lanes[0 ..]}. */
    private static void dot1(float[] a, int ai, float[] b, int b0, int k16, float[] lanes) {
        for (int g = 0; g < DOT_LANES; g += V) {
            FloatVector c = FloatVector.zero(S);
            for (int p = g; p < k16; p += DOT_LANES) {
                c = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, b0 + p), c);
            }
            c.intoArray(lanes, g);
        }
    }

    /** Sums 16 partial sums in order, then adds the tail {@code p = k16..k-1} in order. */
    private static float finish(float[] lanes, int from, float[] a, int ai, float[] b, int bj, int k16, int k) {
        float s = lanes[from];
        for (int l = 1; l < DOT_LANES; l++) {
            s += lanes[from + l];
        }
        for (int p = k16; p < k; p++) {
            s = Math.fma(a[ai + p], b[bj + p], s);
        }
        return s;
    }
}
