package io.github.backprop4j.golden;

import static org.assertj.core.api.Assertions.fail;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;

/**
 * The golden README's bounds: {@code |got − want| ≤ relative·|want| + absolute}, per precision.
 *
 * @param relative the relative bound
 * @param absolute the absolute floor
 */
public record Tolerance(double relative, double absolute) {

    /** float64: {@code 1e-10·|want| + 1e-13}. */
    public static final Tolerance FLOAT64 = new Tolerance(1e-10, 1e-13);
    /** float32: {@code 1e-4·|want| + 1e-5}. */
    public static final Tolerance FLOAT32 = new Tolerance(1e-4, 1e-5);

    /**
     * Returns the bounds for a precision.
     *
     * @param precision the precision computed in
     * @return its tolerance
     */
    public static Tolerance of(Precision precision) {
        return precision == Precision.FLOAT64 ? FLOAT64 : FLOAT32;
    }

    /**
     * Asserts one value.
     *
     * @param what a description for the failure message
     * @param got the computed value
     * @param want the reference value
     */
    public void assertClose(String what, double got, double want) {
        if (!(Math.abs(got - want) <= relative * Math.abs(want) + absolute)) {
            fail("%s: got %s, want %s (difference %s, allowed %s)", what, got, want, Math.abs(got - want),
                    relative * Math.abs(want) + absolute);
        }
    }

    /**
     * Asserts a matrix element by element, after checking its shape.
     *
     * @param what a description for the failure message
     * @param got the computed matrix
     * @param want the reference rows
     */
    public void assertClose(String what, Matrix got, double[][] want) {
        if (got.rows() != want.length || got.cols() != want[0].length) {
            fail("%s: shape %s, want %d × %d", what, got.shape(), want.length, want[0].length);
        }
        for (int r = 0; r < want.length; r++) {
            for (int c = 0; c < want[r].length; c++) {
                assertClose(what + "[" + r + "][" + c + "]", got.get(r, c), want[r][c]);
            }
        }
    }

    /**
     * Asserts a vector (a one-row matrix).
     *
     * @param what a description for the failure message
     * @param got the computed one-row matrix
     * @param want the reference values
     */
    public void assertClose(String what, Matrix got, double[] want) {
        assertClose(what, got, new double[][] {want});
    }
}
