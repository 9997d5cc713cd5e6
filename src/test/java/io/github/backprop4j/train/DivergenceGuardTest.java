package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Divergence found in one place: a non-finite loss or parameter, with the last finite network kept. */
class DivergenceGuardTest {

    private static final Matrix X = Matrix.of(Precision.FLOAT64, new double[][] {{1, 2}, {-1, 0.5}}, "x");
    private static final Matrix Y = Matrix.of(Precision.FLOAT64, new double[][] {{1}, {0}}, "y");

    private static Network start() {
        return Network.builder().input(2).dense(3, Activation.TANH).dense(1, Activation.IDENTITY)
                .precision(Precision.FLOAT64).seed(3).build();
    }

    private static TrainingSession session(Network start) {
        return new TrainingSession(start, Loss.MSE, Optimizer.sgd(1), new OptimizerState(), Dropout.none(), 0);
    }

    private static void step(TrainingSession session, double eta) {
        session.gradients(X, Y, null);
        session.update(eta);
    }

    private static void assertFinite(Network network) {
        for (Layer layer : network.layers()) {
            layer.parameters().forEach(p -> assertThat(p.value().firstNonFinite()).as(p.name()).isNull());
        }
    }

    @Test
    void aFiniteLossPassesAndANonFiniteOneNamesItsEpochAndBatch() {
        Network start = start();
        DivergenceGuard guard = new DivergenceGuard(session(start));
        guard.checkLoss(0.25, 1, 1);

        assertThatThrownBy(() -> guard.checkLoss(Double.NaN, 3, 7))
                .isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
                    assertThat(e.getMessage()).startsWith("the loss became NaN at epoch 3, batch 7");
                    assertThat(e.epoch()).isEqualTo(3);
                    assertThat(e.batch()).isEqualTo(7);
                    assertThat(e.lastFiniteNetwork()).as("nothing trained yet").isSameAs(start);
                });
        assertThatThrownBy(() -> guard.checkLoss(Double.NEGATIVE_INFINITY, 1, 1))
                .hasMessageStartingWith("the loss became -Infinity");
    }

    @Test
    void aNonFiniteLossKeepsTheCurrentParametersWhenTheyAreStillFinite() {
        Network start = start();
        TrainingSession session = session(start);
        DivergenceGuard guard = new DivergenceGuard(session);
        step(session, 0.1); // finite, but no snapshot taken yet

        assertThatThrownBy(() -> guard.checkLoss(Double.POSITIVE_INFINITY, 1, 2))
                .isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
                    assertThat(e.lastFiniteNetwork()).isNotEqualTo(start);
                    assertFinite(e.lastFiniteNetwork());
                });
        assertThat(guard.lastFinite()).as("the check took the snapshot").isNotEqualTo(start);
    }

    @Test
    void aNonFiniteParameterEndsTheRunWithTheLastFiniteSnapshot() {
        TrainingSession session = session(start());
        DivergenceGuard guard = new DivergenceGuard(session);
        step(session, 0.1);
        Network finite = guard.snapshot(1, 1);
        assertFinite(finite);

        step(session, Double.MAX_VALUE); // η·∂C/∂θ overflows

        assertThatThrownBy(() -> guard.snapshot(1, 2)).isInstanceOfSatisfying(TrainingDivergedException.class, e -> {
            assertThat(e.getMessage()).contains("the update made layer").contains("training diverged")
                    .contains("at epoch 1, batch 2");
            assertThat(e.getCause()).isInstanceOf(ArithmeticException.class)
                    .isNotInstanceOf(TrainingDivergedException.class);
            assertThat(e.lastFiniteNetwork()).isSameAs(finite);
        });
        assertThat(guard.lastFinite()).isSameAs(finite);
        assertThatThrownBy(() -> guard.checkLoss(Double.NaN, 1, 3))
                .isInstanceOfSatisfying(TrainingDivergedException.class,
                        e -> assertThat(e.lastFiniteNetwork()).isSameAs(finite));
    }

    private static EpochSummary epoch(int number, double loss) {
        return new EpochSummary(number, Map.of("loss", loss), 4, Duration.ZERO, 0.5);
    }

    @Test
    void aLossAMillionTimesTheFirstEpochsIsWarnedOfOnceAndNeverForTheFirstEpoch() {
        String log = capturingStandardError(() -> {
            assertThat(DivergenceGuard.warnIfTheLossExploded(new History(List.of()), epoch(1, 1e300))).isFalse();
            History two = new History(List.of(epoch(1, 2.0)));
            assertThat(DivergenceGuard.warnIfTheLossExploded(two, epoch(2, 2.0e6))).as("not more than").isFalse();
            assertThat(DivergenceGuard.warnIfTheLossExploded(two, epoch(2, 2.1e6))).isTrue();
            History warned = new History(List.of(epoch(1, 2.0), epoch(2, 2.1e6)));
            assertThat(DivergenceGuard.warnIfTheLossExploded(warned, epoch(3, 5e6))).as("warned already").isFalse();
            History zero = new History(List.of(epoch(1, 0.0)));
            assertThat(DivergenceGuard.warnIfTheLossExploded(zero, epoch(2, 1.0))).as("no scale").isFalse();
        });
        assertThat(log.split("more than 1000000.0 times", -1)).hasSize(2);
        assertThat(log).contains("io.github.backprop4j.train.Trainer").contains("epoch 2 is 2100000.0");
    }

    /** Runs code with standard error captured (slf4j-simple writes there), so expected warnings stay quiet. */
    private static String capturingStandardError(Runnable code) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            code.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
