package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Matrix.copyTo / copyFrom move the elements row-major through flat arrays, as messages carry them. */
class MatrixFlatCopyTest {

    private static final double[][] VALUES = {{1, 2, 3}, {4, 5, 0.1}};

    @Test
    void roundTripsRowMajorAtAnOffsetInBothPrecisions() {
        for (Precision precision : Precision.values()) {
            Matrix m = Matrix.of(precision, VALUES, "m");
            double[] wide = new double[8];
            float[] narrow = new float[8];
            m.copyTo(wide, 1);
            m.copyTo(narrow, 2);
            assertThat(wide[1]).isEqualTo(1);
            assertThat(wide[6]).isEqualTo(m.get(1, 2));
            assertThat(narrow[7]).isEqualTo((float) 0.1);

            Matrix back = Matrix.zeros(precision, 2, 3);
            back.copyFrom(wide, 1);
            assertThat(back).isEqualTo(m);
            back.fill(0);
            back.copyFrom(narrow, 2);
            assertThat(back.get(0, 1)).isEqualTo(2);
            assertThat((float) back.get(1, 2)).isEqualTo((float) 0.1);
        }
    }

    @Test
    void refusesArraysTooShortAndReadOnlyTargets() {
        Matrix m = Matrix.of(Precision.FLOAT32, VALUES, "m");
        assertThatThrownBy(() -> m.copyTo(new float[6], 1)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("2 × 3").hasMessageContaining("6 elements from offset 1")
                .hasMessageContaining("holds 6");
        assertThatThrownBy(() -> m.copyFrom(new double[5], 0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("in:");
        assertThatIllegalStateException().isThrownBy(() -> m.readOnlyView().copyFrom(new float[6], 0));
    }
}
