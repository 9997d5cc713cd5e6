package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code Network.predict} runs each kind's own forward function, as the evaluation-mode pass of the readable path
 * and the training workspace do: the outputs are the same bits, for a network of every kind whose batch
 * normalization has running statistics of its own (after training steps), in both precisions.
 */
class PredictionMatchesEvaluationPassTest {

    @ParameterizedTest
    @EnumSource(Precision.class)
    void predictGivesTheEvaluationPassBitForBit(Precision precision) {
        Network network = Network.builder().input(3).categorical(5, 2).categorical(4, 3)
                .dense(8, Activation.GELU).batchNorm(Activation.RELU)
                .residual(Activation.TANH, b -> b.dense(6, Activation.TANH).layerNorm().batchNorm().dense(8))
                .layerNorm(Activation.SILU).dense(3, Activation.SOFTMAX).precision(precision).seed(7).build();
        SplittableRandom random = new SplittableRandom(11);
        Matrix x = Matrix.zeros(precision, 16, 5);
        Matrix y = Matrix.zeros(precision, 16, 3);
        for (int r = 0; r < 16; r++) {
            for (int c = 0; c < 3; c++) {
                x.set(r, c, random.nextDouble(-2, 2));
            }
            x.set(r, 3, random.nextInt(5));
            x.set(r, 4, random.nextInt(4));
            y.set(r, random.nextInt(3), 1);
        }
        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);
        OptimizerState state = new OptimizerState();
        for (int step = 0; step < 3; step++) { // running statistics that are not the initial 0 and 1
            network = backprop.step(network, x, y, Optimizer.adam(0.01), state);
        }

        Matrix predicted = network.predict(x);

        assertThat(predicted).isEqualTo(ForwardPass.runForEvaluation(network, x).output());
        assertThat(predicted).isNotEqualTo(ForwardPass.run(network, x).output()); // batch statistics differ
    }
}
