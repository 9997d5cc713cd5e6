package io.github.backprop4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Copying, saving and restoring optimizer state resumes training exactly. */
class OptimizerStateTest {

    private static final long SEED = 31;

    private static Network train(Network network, Optimizer optimizer, OptimizerState state, int steps) {
        Network n = network;
        for (int i = 0; i < steps; i++) {
            n = Fixtures.BACKPROP.apply(n, Fixtures.gradients(n, SEED), optimizer, state);
        }
        return n;
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void restoredStateResumesTrainingBitForBit(Precision precision) {
        Optimizer adam = Optimizer.adam(0.01);
        OptimizerState state = new OptimizerState();
        Network halfway = train(Fixtures.network(precision, SEED), adam, state, 3);

        OptimizerState restored = OptimizerState.restore(state.slots(), state.stepCount());
        OptimizerState copied = state.copy();
        assertThat(restored.slots()).isEqualTo(state.slots());
        assertThat(restored.stepCount()).isEqualTo(3);

        Network continued = train(halfway, adam, state, 2);
        assertThat(train(halfway, adam, restored, 2)).isEqualTo(continued);
        assertThat(train(halfway, adam, copied, 2)).isEqualTo(continued);
    }

    @Test
    void restoreAndCopyAreIndependentOfTheirSource() {
        OptimizerState state = new OptimizerState();
        train(Fixtures.network(Precision.FLOAT64, SEED), Optimizer.momentum(0.1, 0.9), state, 2);
        Map<String, Matrix> saved = new HashMap<>();
        state.slots().forEach((name, m) -> saved.put(name, m.copy()));
        OptimizerState restored = OptimizerState.restore(saved, 2);
        OptimizerState copy = state.copy();
        Matrix original = saved.get("layer1.weights.momentum_buffer").copy();

        saved.get("layer1.weights.momentum_buffer").fill(42);
        train(Fixtures.network(Precision.FLOAT64, SEED), Optimizer.momentum(0.1, 0.9), state, 1);

        assertThat(restored.slots().get("layer1.weights.momentum_buffer")).isEqualTo(original);
        assertThat(copy.slots().get("layer1.weights.momentum_buffer")).isEqualTo(original);
        assertThat(copy.stepCount()).isEqualTo(2);
        assertThat(state.stepCount()).isEqualTo(3);
    }

    @Test
    void restoreNamesWhatIsWrong() {
        Matrix m = Matrix.zeros(Precision.FLOAT64, 2, 3);
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer0.weights.exp_avg", m), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer0.weights.exp_avg");
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer1.kernel.exp_avg", m), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer1.kernel.exp_avg");
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer1.bias.", m), 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer1.bias.v", m), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stepCount")
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> OptimizerState.restore(Map.of("layer1.weights.exp_avg", m,
                "layer1.weights.exp_avg_sq", Matrix.zeros(Precision.FLOAT32, 2, 3)), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer1.weights");
        assertThat(OptimizerState.restore(Map.of(), 0).stepCount()).isZero();
    }
}
