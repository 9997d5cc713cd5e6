package io.github.backprop4j.math.kernel;

/**
 * The float32 multiplies without the Vector API: blocked over k and register-tiled four output rows at a
 * time, with each row's partial sums in an array of its own, the loop shape that C2's auto-vectoriser turns
 * into SIMD code. Each element is {@code ((A[i][0]·b[0][j]) + A[i][1]·b[1][j]) + …}, in order of p, with
 * separate multiply and add as Java specifies them.
 */
public final class ScalarFloatGemm implements FloatGemm {

    /** Columns per panel: four accumulator rows of this width stay in L1. */
    private static final int NC = 256;

    /** Four accumulator rows per thread, allocated once per thread. */
    private static final ThreadLocal<float[][]> ACCUMULATORS =
            ThreadLocal.withInitial(() -> new float[][] {new float[NC], new float[NC], new float[NC], new float[NC]});

    @Override
    public String description() {
        return "scalar (auto-vectorised loops)";
    }

    @Override
    public int lanes() {
        return 1;
    }

    @Override
    public void multiply(float[] a, int rs, int cs, float[] b, float[] out, int k, int m, int i0, int i1) {
        float[][] acc = ACCUMULATORS.get();
        float[] c0 = acc[0];
        float[] c1 = acc[1];
        float[] c2 = acc[2];
        float[] c3 = acc[3];
        for (int j0 = 0; j0 < m; j0 += NC) {
            int w = Math.min(NC, m - j0);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                java.util.Arrays.fill(c0, 0, w, 0f);
                java.util.Arrays.fill(c1, 0, w, 0f);
                java.util.Arrays.fill(c2, 0, w, 0f);
                java.util.Arrays.fill(c3, 0, w, 0f);
                int ai = i * rs;
                for (int p = 0; p < k; p++) {
                    int ap = ai + p * cs;
                    float a0 = a[ap];
                    float a1 = a[ap + rs];
                    float a2 = a[ap + 2 * rs];
                    float a3 = a[ap + 3 * rs];
                    int bp = p * m + j0;
                    for (int j = 0; j < w; j++) {
                        float bv = b[bp + j];
                        c0[j] += a0 * bv;
                        c1[j] += a1 * bv;
                        c2[j] += a2 * bv;
                        c3[j] += a3 * bv;
                    }
                }
                System.arraycopy(c0, 0, out, i * m + j0, w);
                System.arraycopy(c1, 0, out, (i + 1) * m + j0, w);
                System.arraycopy(c2, 0, out, (i + 2) * m + j0, w);
                System.arraycopy(c3, 0, out, (i + 3) * m + j0, w);
            }
            for (; i < i1; i++) {
                java.util.Arrays.fill(c0, 0, w, 0f);
                int ai = i * rs;
                for (int p = 0; p < k; p++) {
                    float a0 = a[ai + p * cs];
                    int bp = p * m + j0;
                    for (int j = 0; j < w; j++) {
                        c0[j] += a0 * b[bp + j];
                    }
                }
                System.arraycopy(c0, 0, out, i * m + j0, w);
            }
        }
    }

    /** Never: this path packs {@code bᵀ}, since C2 does not vectorise an ordered float dot product. */
    @Override
    public boolean prefersDot(int n, int k, int m) {
        return false;
    }

    @Override
    public void multiplyTransposedDot(float[] a, float[] b, float[] out, int n, int k, int m, int j0, int j1) {
        for (int i = 0; i < n; i++) {
            for (int j = j0; j < j1; j++) {
                float s = 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[j * k + p];
                }
                out[i * m + j] = s;
            }
        }
    }
}
