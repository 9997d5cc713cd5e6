package io.github.backprop4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimizerStateRestoreTest {

    @Test
    void restoresCopiesOfTheSlotsAndTheStepCount() {
        Matrix w = Matrix.of(Precision.FLOAT64, new double[][] {{1, 2}}, "w");
        OptimizerState state = OptimizerState.restore(Map.of("layer1.weights.momentum", w), 7);
        assertThat(state.stepCount()).isEqualTo(7);
        assertThat(state.slots()).containsEntry("layer1.weights.momentum", w);
        w.set(0, 0, 5);
        assertThat(state.slots().get("layer1.weights.momentum").get(0, 0)).isEqualTo(1);
        assertThat(state.forParameter(1, ParameterKind.WEIGHTS, w).hasSlot("momentum")).isTrue();
    }

    @Test
    void refusesMalformedNamesShapesAndCounts() {
        Matrix row = Matrix.zeros(Precision.FLOAT64, 1, 2);
        Matrix square = Matrix.zeros(Precision.FLOAT64, 2, 2);
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer0.weights.m", row), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer0.weights.m");
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer1.bias.m", square), 0))
                .hasMessageContaining("one row");
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer1.weights.m", row, "layer1.weights.v",
                square), 0)).hasMessageContaining("differ");
        assertThatThrownBy(() -> OptimizerState.restore(Map.of(), -1)).hasMessageContaining("stepCount");
    }
}
