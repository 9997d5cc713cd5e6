package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** StepRunner's split step, gradients then applyGradients, as a data-parallel trainer uses it. */
class StepRunnerSplitTest {

    private static Network network(Precision precision) {
        return Network.builder().input(5).dense(7, Activation.TANH).layerNorm().dense(3, Activation.SOFTMAX)
                .precision(precision).seed(4).build();
    }

    private static Matrix[] batch(Precision precision, int seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[9][5];
        double[][] y = new double[9][3];
        for (int i = 0; i < 9; i++) {
            for (int j = 0; j < 5; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            y[i][random.nextInt(3)] = 1;
        }
        return new Matrix[] {Matrix.of(precision, x, "x"), Matrix.of(precision, y, "y")};
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void gradientsThenApplyGradientsIsStepBitForBit(Precision precision) {
        StepRunner whole = new StepRunner(network(precision), Loss.CROSS_ENTROPY, Optimizer.adam(0.01),
                new OptimizerState(), 0.5);
        StepRunner split = new StepRunner(network(precision), Loss.CROSS_ENTROPY, Optimizer.adam(0.01),
                new OptimizerState(), 0.5);
        for (int step = 0; step < 4; step++) {
            Matrix[] b = batch(precision, step);
            double expected = whole.step(b[0], b[1], 0.01);
            double loss = split.gradients(b[0], b[1]);
            split.applyGradients(0.01);
            assertThat(loss).isEqualTo(expected);
        }
        assertThat(split.network()).isEqualTo(whole.network());
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void theBuffersHoldTheGradientAndWhatTheCallerWritesIsApplied(Precision precision) {
        Network start = network(precision);
        StepRunner runner = new StepRunner(start, Loss.CROSS_ENTROPY, Optimizer.sgd(0.1), new OptimizerState(), 0);
        Matrix[] b = batch(precision, 1);
        double loss = runner.gradients(b[0], b[1]);
        Gradients reference = new Backpropagator(Loss.CROSS_ENTROPY).gradients(ForwardPass.run(start, b[0]), b[1]);
        List<Matrix> buffers = runner.gradientBuffers();
        assertThat(loss).isEqualTo(reference.loss());
        int i = 0;
        for (int l = 1; l <= start.layerCount(); l++) {
            for (var p : reference.parameterGradients(l)) {
                assertThat(buffers.get(i++)).as("layer %d %s", l, p.name()).isEqualTo(p.value());
            }
        }
        assertThat(buffers).hasSize(i);

        for (Matrix g : buffers) {
            g.fill(0); // a zero gradient: plain SGD leaves the network as it was
        }
        runner.applyGradients(0.1);
        assertThat(runner.network()).isEqualTo(start);
        assertThatIllegalArgumentException().isThrownBy(() -> runner.applyGradients(-1))
                .withMessageContaining("learningRate");
    }
}
