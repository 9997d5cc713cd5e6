package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The one owner of a run's optimizer state: fresh, resumed as a copy, copied for snapshots, replaced. */
class RunOptimizerStateTest {

    private static OptimizerState stateAfter(long steps) {
        Matrix m = Matrix.of(Precision.FLOAT64, new double[][] {{1, 2}}, "m");
        return OptimizerState.restore(Map.of("layer1.bias.momentum", m), steps);
    }

    @Test
    void aFreshRunStartsEmptyAtStepOne() {
        RunOptimizerState state = RunOptimizerState.fresh();
        assertThat(state.current().stepCount()).isZero();
        assertThat(state.current().slots()).isEmpty();
        assertThat(state.nextStep()).isEqualTo(1);
    }

    @Test
    void aResumedRunTrainsACopyAndLeavesTheSnapshotAsItWas() {
        Network network = Network.builder().input(2).dense(2, Activation.SOFTMAX).seed(1).build();
        TrainingSnapshot snapshot = new TrainingSnapshot(network, stateAfter(7), 1, 5, new History(List.of(
                new EpochSummary(1, Map.of("loss", 1.0), 2, java.time.Duration.ZERO, 0.1))), Loss.CROSS_ENTROPY,
                Optimizer.momentum(0.1, 0.9));

        RunOptimizerState state = RunOptimizerState.resumedFrom(snapshot);

        assertThat(state.current()).isNotSameAs(snapshot.optimizerState());
        assertThat(state.nextStep()).as("steps continue the interrupted run's").isEqualTo(8);
        state.current().completeStep();
        Matrix bias = Matrix.zeros(Precision.FLOAT64, 1, 2);
        state.current().forParameter(1, ParameterKind.BIAS, bias).slot("momentum").set(0, 0, 99);
        assertThat(state.current().slots().get("layer1.bias.momentum").get(0, 0)).isEqualTo(99);
        assertThat(snapshot.optimizerState().stepCount()).isEqualTo(7);
        assertThat(snapshot.optimizerState().slots().get("layer1.bias.momentum").get(0, 0)).isEqualTo(1);
    }

    @Test
    void aCopyForASnapshotDoesNotFollowLaterSteps() {
        RunOptimizerState state = RunOptimizerState.of(stateAfter(3));
        OptimizerState copy = state.copy();

        state.current().completeStep();

        assertThat(copy.stepCount()).isEqualTo(3);
        assertThat(state.nextStep()).isEqualTo(5);
    }

    @Test
    void aReplacedStateIsTheOneCopiedAndCounted() {
        OptimizerState given = stateAfter(2);
        RunOptimizerState state = RunOptimizerState.of(given);
        assertThat(state.current()).as("a driven run's state is taken as it is").isSameAs(given);

        OptimizerState averaged = stateAfter(10);
        state.replace(averaged);

        assertThat(state.current()).isSameAs(averaged);
        assertThat(state.nextStep()).isEqualTo(11);
        assertThat(state.copy().stepCount()).isEqualTo(10);
    }
}
