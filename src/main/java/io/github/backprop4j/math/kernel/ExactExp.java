package io.github.backprop4j.math.kernel;

/**
 * A float exponential built only from operations whose result Java specifies exactly — multiply, add,
 * {@link Math#fma}, {@link Math#min}/{@link Math#max}, float-to-int conversion, integer shifts and the
 * reinterpretation of bits, never a library's {@code exp} — so it gives the same bits in the interpreter, under C1 and C2, on every JDK and
 * on every machine, and its lanewise twin in {@code VectorFloatGemm} gives the same bits in every lane, at any
 * vector width. The Vector API's {@code EXP} does not: its Java fallback and its compiled intrinsic round
 * differently, so a softmax computed with it changed once the JIT had compiled the kernel.
 *
 * <p>The method (as in Cephes' {@code expf}): {@code eˣ = 2ⁿ·eʳ} with {@code n = round(x·log₂e)} and
 * {@code r = x − n·ln 2} in {@code [−½ln 2, ½ln 2]} (ln 2 split in two parts, so r is exact to float
 * rounding), {@code eʳ} a degree-7 polynomial evaluated by Horner's rule with fused multiply-adds, and
 * {@code 2ⁿ} applied as two powers of two built from their exponent bits, so that results down into the
 * subnormal range and up to overflow need no special case. Within 2 units in the last place of the
 * correctly rounded {@code eˣ} wherever that is a normal float (the tests check it against {@link Math#exp}
 * across the whole float range); 0 below about −103.97, +∞ above about 88.72, NaN for NaN.
 */
public final class ExactExp {

    /** Inputs are clamped to {@code [LOW, HIGH]}: below, eˣ rounds to 0; above, it overflows to +∞. */
    static final float LOW = -104f;
    static final float HIGH = 89f;
    static final float LOG2E = 1.44269504088896341f;
    /** ln 2 in two parts: {@code LN2_HI} has few enough bits that {@code n·LN2_HI} is exact for |n| &lt; 2⁹. */
    static final float LN2_HI = 0.693359375f;
    static final float LN2_LO = -2.12194440e-4f;
    /** 1.5·2²³: adding it rounds a float below 2²² in magnitude to an integer, in the current rounding mode. */
    static final float ROUNDER = 12582912f;
    /** The bits of {@link #ROUNDER}: the bits of {@code ROUNDER + n} are these plus n, for |n| &lt; 2²². */
    static final int ROUNDER_BITS = 0x4B400000;
    /** Taylor-like coefficients of eʳ on [−½ln 2, ½ln 2], highest degree first (Cephes {@code expf}). */
    static final float C7 = 1.9875691500e-4f;
    static final float C6 = 1.3981999507e-3f;
    static final float C5 = 8.3334519073e-3f;
    static final float C4 = 4.1665795894e-2f;
    static final float C3 = 1.6666665459e-1f;
    static final float C2 = 5.0000001201e-1f;

    private ExactExp() {
    }

    /**
     * {@code eˣ} to within 2 ulps, with the same bits on every JVM, compiler and machine.
     *
     * @param x any float
     * @return {@code eˣ}; 0 for x below about −103.97 and −∞, +∞ above about 88.72, NaN for NaN
     */
    public static float exp(float x) {
        float c = Math.max(Math.min(x, HIGH), LOW); // NaN stays NaN
        float t = c * LOG2E + ROUNDER;
        float n = t - ROUNDER; //                       n = round(x·log₂e), an integer in [−150, 128]
        float r = Math.fma(-n, LN2_HI, c);
        r = Math.fma(-n, LN2_LO, r); //                 r = x − n·ln 2
        float p = Math.fma(C7, r, C6);
        p = Math.fma(p, r, C5);
        p = Math.fma(p, r, C4);
        p = Math.fma(p, r, C3);
        p = Math.fma(p, r, C2);
        p = Math.fma(p, r * r, r + 1f); //              eʳ ≈ 1 + r + r²·(C2 + C3·r + … + C7·r⁵)
        int ni = Float.floatToRawIntBits(t) - ROUNDER_BITS; // n as an int
        int n1 = ni >> 1;
        int n2 = ni - n1; //                            2ⁿ = 2ⁿ¹·2ⁿ², each a normal float
        return p * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }
}
