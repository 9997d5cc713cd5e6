package io.github.backprop4j.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterState;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.Gradients;
import org.junit.jupiter.api.Test;

/**
 * A user's own optimizer, written outside the library with public types only, trained through
 * {@link Backpropagator#apply}: the {@link Optimizer} contract is usable from outside.
 */
class CustomOptimizerTest {

    /**
     * Sign-SGD with a per-parameter update counter kept in the state:
     * {@code n ← n + 1}, {@code θ ← θ − η·sign(g)}.
     */
    record SignSgd(double learningRate) implements Optimizer {
        SignSgd {
            Checks.nonNegativeFinite(learningRate, "learningRate");
        }

        @Override
        public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
            Matrix count = state.slot("updates");
            count.map(n -> n + 1, count); //                           n ← n + 1
            Matrix sign = gradient.copy();
            gradient.map(Math::signum, sign);
            parameter.addScaled(-eta, sign); //                        θ ← θ − η·sign(g)
        }
    }

    private static final double[][] XOR_IN = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    private static final double[][] XOR_OUT = {{0}, {1}, {1}, {0}};

    @Test
    void userWrittenOptimizerTrainsThroughTheBackpropagator() {
        Network network = Network.builder().input(2).dense(8, Activation.TANH).dense(1, Activation.SIGMOID)
                .seed(42).build();
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Optimizer optimizer = new SignSgd(0.05).clippedByValue(1.0).freezing(99);
        LearningRateSchedule schedule = LearningRateSchedule.cosine(400).withMinimumRate(0.001);
        OptimizerState state = new OptimizerState();
        double firstLoss = backprop.gradients(network, XOR_IN, XOR_OUT).loss();
        double loss = firstLoss;
        for (int t = 1; t <= 400; t++) {
            Gradients g = backprop.gradients(network, XOR_IN, XOR_OUT);
            loss = g.loss();
            double eta = schedule.learningRate(optimizer.learningRate(), t, 1);
            network = backprop.apply(network, g, optimizer, state, eta);
        }
        assertThat(loss).isLessThan(firstLoss / 4);
        assertThat(state.stepCount()).isEqualTo(400);
        assertThat(state.slots()).containsOnlyKeys("layer1.weights.updates", "layer1.bias.updates",
                "layer2.weights.updates", "layer2.bias.updates");
        assertThat(state.slots().get("layer2.bias.updates").get(0, 0)).isEqualTo(400);
    }

    @Test
    void userWrittenOptimizerComparesByValueAndGetsTheDecorators() {
        assertThat(new SignSgd(0.1).withL2(0.01)).isEqualTo(new SignSgd(0.1).withL2(0.01));
        assertThat(new SignSgd(0.1).withL1(0.01).learningRate()).isEqualTo(0.1);
    }
}
