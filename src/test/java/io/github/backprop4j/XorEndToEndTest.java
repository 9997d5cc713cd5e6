package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.Backpropagator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A 2-4-1 network learns XOR with plain gradient descent: the smallest problem one layer cannot solve. */
class XorEndToEndTest {

    private static final double[][] INPUTS = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    private static final double[][] TARGETS = {{0}, {1}, {1}, {0}};
    /** How far from 0.5 each output must be: well past the decision boundary, not just on the right side. */
    private static final double MARGIN = 0.3;

    @ParameterizedTest
    @EnumSource(Precision.class)
    void learnsXorWithGradientDescent(Precision precision) {
        Network network = Network.builder()
                .input(2)
                .dense(4, Activation.TANH)
                .dense(1, Activation.SIGMOID)
                .precision(precision)
                .seed(42)
                .build();
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Optimizer sgd = Optimizer.sgd(2.0);
        OptimizerState state = new OptimizerState();
        double initialLoss = backprop.gradients(network, INPUTS, TARGETS).loss();

        for (int step = 0; step < 2000; step++) {
            network = backprop.step(network, INPUTS, TARGETS, sgd, state);
        }

        double[][] out = network.predict(INPUTS);
        assertThat(out[0][0]).as("0 xor 0").isLessThan(0.5 - MARGIN);
        assertThat(out[1][0]).as("0 xor 1").isGreaterThan(0.5 + MARGIN);
        assertThat(out[2][0]).as("1 xor 0").isGreaterThan(0.5 + MARGIN);
        assertThat(out[3][0]).as("1 xor 1").isLessThan(0.5 - MARGIN);
        assertThat(backprop.gradients(network, INPUTS, TARGETS).loss()).isLessThan(initialLoss / 10);
        assertThat(state.stepCount()).isEqualTo(2000);
    }
}
