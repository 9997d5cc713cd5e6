package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The facade of the optimizer steps and of {@link Matrix#gatherRows}: what they compute on a hand-checked
 * case, and a clear refusal, naming the sizes, of every operand that does not fit. (Their agreement with the
 * optimizers' first implementation, bit for bit, is {@code OptimizerKernelsMatchReferenceTest}.)
 */
class OptimizerStepsTest {

    private static Matrix row(Precision precision, double... values) {
        return Matrix.rowVector(precision, values, "values");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void stepsComputeTheirUpdateRules(Precision p) {
        Matrix theta = row(p, 1, -2);
        Matrix.gradientDescentStep(theta, row(p, 0.5, 1), 0.1, 0);
        assertThat(theta.row(0)).containsExactly(new double[] {1 - 0.05, -2 - 0.1}, within(1e-6));

        theta = row(p, 1, -2);
        Matrix v = row(p, 4, 4);
        Matrix.momentumStep(theta, row(p, 1, 2), v, 0.5, 0.5, false, false); // v = (3, 4), θ −= 0.5·v
        assertThat(v.row(0)).containsExactly(3, 4);
        assertThat(theta.row(0)).containsExactly(-0.5, -4);

        theta = row(p, 1, 1);
        Matrix s = row(p, 0, 0);
        Matrix.adaGradStep(theta, row(p, 3, -4), s, 0.5, 1e-12); // s = g², step = sign(g)
        assertThat(s.row(0)).containsExactly(9, 16);
        assertThat(theta.row(0)).containsExactly(new double[] {0.5, 1.5}, within(1e-6));

        theta = row(p, 1, 1);
        Matrix m = row(p, 0, 0);
        Matrix v2 = row(p, 0, 0);
        // first Adam step: k = −η/(1 − β1), c₂ = √(1 − β2): θ moves by η·sign(g)
        Matrix.adamStep(theta, row(p, 2, -3), m, v2, 0.9, 0.999, 1e-12, -0.01 / 0.1, Math.sqrt(0.001), 1);
        assertThat(theta.row(0)).containsExactly(new double[] {0.99, 1.01}, within(1e-6));

        Matrix out = row(p, 0, 0, 0);
        Matrix.addScaledSign(row(p, 1, 1, 1), 0.5, row(p, -3, 0, 2), out);
        assertThat(out.row(0)).containsExactly(0.5, 1, 1.5);
        row(p, -3, 0.25, 2).clamp(-1, 1, out);
        assertThat(out.row(0)).containsExactly(-1, 0.25, 1);
    }

    @Test
    void aStepRefusesOperandsThatDoNotFitTheParameter() {
        Matrix theta = Matrix.zeros(Precision.FLOAT32, 2, 3);
        Matrix g = Matrix.zeros(Precision.FLOAT32, 2, 3);
        assertThatThrownBy(() -> Matrix.adamStep(theta, g, Matrix.zeros(Precision.FLOAT32, 3, 2),
                Matrix.zeros(Precision.FLOAT32, 2, 3), 0.9, 0.999, 1e-8, -1, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adamStep")
                .hasMessageContaining("2 × 3").hasMessageContaining("3 × 2");
        assertThatThrownBy(() -> Matrix.gradientDescentStep(theta, Matrix.zeros(Precision.FLOAT64, 2, 3), 1, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("FLOAT64")
                .hasMessageContaining("FLOAT32");
        assertThatThrownBy(() -> Matrix.momentumStep(theta, g, theta, 1, 0.9, false, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("share storage");
        assertThatThrownBy(() -> Matrix.adaGradStep(theta.readOnlyView(), g, Matrix.zeros(Precision.FLOAT32, 2, 3),
                1, 1e-8)).isInstanceOf(IllegalStateException.class).hasMessageContaining("theta");
        assertThatThrownBy(() -> g.clamp(1, -1, Matrix.zeros(Precision.FLOAT32, 2, 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lo").hasMessageContaining("hi");
    }

    @Test
    void gatherRowsCopiesTheChosenRowsConvertingThePrecision() {
        Matrix source = Matrix.of(Precision.FLOAT64, new double[][] {{1, 2}, {3, 4}, {5, 6.1}}, "source");
        Matrix out = Matrix.zeros(Precision.FLOAT32, 2, 2);
        Matrix.gatherRows(source, new int[] {0, 2, 1, 2}, 1, 3, out);
        assertThat(out.toFloatArray()).isEqualTo(new float[][] {{5, 6.1f}, {3, 4}});
        Matrix wide = Matrix.zeros(Precision.FLOAT64, 2, 2);
        Matrix.gatherRows(out, new int[] {1, 0}, 0, 2, wide);
        assertThat(wide.toDoubleArray()).isEqualTo(new double[][] {{3, 4}, {5, (double) 6.1f}});
    }

    @Test
    void gatherRowsRefusesRangesRowsAndShapesThatDoNotFit() {
        Matrix source = Matrix.zeros(Precision.FLOAT32, 3, 2);
        Matrix out = Matrix.zeros(Precision.FLOAT32, 2, 2);
        assertThatThrownBy(() -> Matrix.gatherRows(source, new int[] {0, 3}, 0, 2, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("rows[1] is 3")
                .hasMessageContaining("3 rows");
        assertThatThrownBy(() -> Matrix.gatherRows(source, new int[] {0, 1}, 0, 3, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0..3");
        assertThatThrownBy(() -> Matrix.gatherRows(source, new int[] {0, 1, 2}, 0, 3, out))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 × 2")
                .hasMessageContaining("3 × 2");
        assertThatThrownBy(() -> Matrix.gatherRows(source, new int[] {0, 1}, 0, 2, out.readOnlyView()))
                .isInstanceOf(IllegalStateException.class);
    }
}
