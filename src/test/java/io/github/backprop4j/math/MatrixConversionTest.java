package io.github.backprop4j.math;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MatrixConversionTest {

    @Test
    void aDoubleTooLargeForFloat32IsReportedAsGivenNotAsInfinity() {
        double[][] values = {{1, 2}, {3, 1e300}};

        assertThatThrownBy(() -> Matrix.of(Precision.FLOAT32, values, "inputs"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("inputs: row 1, column 1 is 1.0E300")
                .hasMessageContaining("outside the range of FLOAT32");
    }

    @Test
    void emptyVectorsGetTheSameMessageInBothElementTypes() {
        assertThatThrownBy(() -> Matrix.rowVector(Precision.FLOAT32, new float[0], "bias"))
                .hasMessage("bias must not be empty");
        assertThatThrownBy(() -> Matrix.rowVector(Precision.FLOAT64, new double[0], "bias"))
                .hasMessage("bias must not be empty");
    }
}
