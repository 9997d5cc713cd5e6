package io.github.backprop4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.train.Gradients;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Properties of the built-in optimizers that hold for any network and batch. */
class OptimizerTest {

    static Stream<Optimizer> builtInsWithZeroRate() {
        return Fixtures.builtIns(0).stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtInsWithZeroRate")
    void learningRateZeroLeavesEveryParameterUnchanged(Optimizer optimizer) {
        Network network = Fixtures.network(Precision.FLOAT64, 3);
        OptimizerState state = new OptimizerState();
        Network after = network;
        for (int step = 0; step < 3; step++) {
            after = Fixtures.BACKPROP.apply(after, Fixtures.gradients(after, 3), optimizer, state);
        }
        assertThat(after).isEqualTo(network);
        assertThat(state.stepCount()).isEqualTo(3);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void adamFirstStepMovesEveryParameterByAboutTheLearningRate(Precision precision) {
        double lr = 1e-3;
        Network network = Fixtures.network(precision, 5);
        Gradients g = Fixtures.gradients(network, 5);
        Network after = Fixtures.BACKPROP.apply(network, g, Optimizer.adam(lr), new OptimizerState());
        for (int l = 1; l <= network.layerCount(); l++) {
            double[][] w0 = network.dense(l).weights();
            double[][] w1 = after.dense(l).weights();
            double[][] dW = g.weightGradient(l).toDoubleArray();
            for (int j = 0; j < w0.length; j++) {
                for (int k = 0; k < w0[j].length; k++) {
                    // m̂ = g and v̂ = g², so the step is η·g/(|g| + ε) = η·sign(g) while |g| ≫ ε.
                    assertThat(w0[j][k] - w1[j][k]).as("layer %d W[%d][%d]", l, j, k)
                            .isCloseTo(lr * Math.signum(dW[j][k]), within(lr * 1e-3));
                }
            }
            double[] b0 = network.dense(l).bias();
            double[] b1 = after.dense(l).bias();
            for (int j = 0; j < b0.length; j++) {
                assertThat(Math.abs(b0[j] - b1[j])).as("layer %d b[%d]", l, j).isCloseTo(lr, within(lr * 1e-3));
            }
        }
    }

    @Test
    void momentumBufferStartsAtTheGradient() {
        Network network = Fixtures.network(Precision.FLOAT64, 7);
        Gradients g = Fixtures.gradients(network, 7);
        OptimizerState state = new OptimizerState();
        Network after = Fixtures.BACKPROP.apply(network, g, Optimizer.momentum(0.1, 0.9), state);
        assertThat(state.slots().get("layer1.weights." + Momentum.VELOCITY)).isEqualTo(g.weightGradient(1));
        // so the first momentum step is a plain SGD step
        assertThat(after).isEqualTo(Fixtures.BACKPROP.apply(network, g, Optimizer.sgd(0.1), new OptimizerState()));
    }

    @Test
    void explicitLearningRateOverridesTheOptimizersOwn() {
        Network network = Fixtures.network(Precision.FLOAT64, 8);
        Gradients g = Fixtures.gradients(network, 8);
        Network withOverride = Fixtures.BACKPROP.apply(network, g, Optimizer.adam(0.5), new OptimizerState(), 0.01);
        Network plain = Fixtures.BACKPROP.apply(network, g, Optimizer.adam(0.01), new OptimizerState());
        assertThat(withOverride).isEqualTo(plain);
        assertThatThrownBy(() -> Fixtures.BACKPROP.apply(network, g, Optimizer.adam(), new OptimizerState(), -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("learningRate")
                .hasMessageContaining("-1.0");
    }

    @Test
    void oneConfigurationTrainsTwoNetworksIndependently() {
        Optimizer adam = Optimizer.adam(0.01).withL2(1e-3);
        Network a = Fixtures.network(Precision.FLOAT64, 11);
        Network b = Fixtures.network(Precision.FLOAT64, 12);
        OptimizerState stateA = new OptimizerState();
        OptimizerState stateB = new OptimizerState();
        Network aInterleaved = a;
        Network bInterleaved = b;
        for (int step = 0; step < 5; step++) {
            aInterleaved = Fixtures.BACKPROP.apply(aInterleaved, Fixtures.gradients(aInterleaved, 11), adam, stateA);
            bInterleaved = Fixtures.BACKPROP.apply(bInterleaved, Fixtures.gradients(bInterleaved, 12), adam, stateB);
        }
        Network aAlone = a;
        OptimizerState fresh = new OptimizerState();
        for (int step = 0; step < 5; step++) {
            aAlone = Fixtures.BACKPROP.apply(aAlone, Fixtures.gradients(aAlone, 11), adam, fresh);
        }
        assertThat(aInterleaved).isEqualTo(aAlone);
        assertThat(aInterleaved).isNotEqualTo(a);
        assertThat(bInterleaved).isNotEqualTo(b);
        assertThat(stateA.slots().get("layer1.weights.exp_avg"))
                .isNotEqualTo(stateB.slots().get("layer1.weights.exp_avg"));
    }

    @Test
    void stateOfAnotherNetworkIsRefused() {
        Network small = Fixtures.network(Precision.FLOAT64, 1);
        OptimizerState state = new OptimizerState();
        Fixtures.BACKPROP.apply(small, Fixtures.gradients(small, 1), Optimizer.adam(), state);
        Network other = Network.builder().input(3).dense(7, Activation.TANH)
                .dense(2, Activation.IDENTITY).seed(1).build();
        assertThatThrownBy(() -> Fixtures.BACKPROP.apply(other, Fixtures.gradients(other, 1), Optimizer.adam(), state))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer1.weights");
    }

    static Stream<Arguments> invalidHyperParameters() {
        return Stream.of(
                bad("learningRate", "-0.1", () -> Optimizer.momentum(-0.1, 0.9)),
                bad("momentum", "1.0", () -> Optimizer.momentum(0.1, 1.0)),
                bad("momentum", "-0.5", () -> Optimizer.nesterov(0.1, -0.5)),
                bad("learningRate", "NaN", () -> Optimizer.adagrad(Double.NaN)),
                bad("epsilon", "0.0", () -> Optimizer.adagrad(0.1).withEpsilon(0)),
                bad("initialAccumulator", "-1.0", () -> Optimizer.adagrad(0.1).withInitialAccumulator(-1)),
                bad("alpha", "1.5", () -> Optimizer.rmsprop().withAlpha(1.5)),
                bad("epsilon", "Infinity", () -> Optimizer.rmsprop().withEpsilon(Double.POSITIVE_INFINITY)),
                bad("learningRate", "Infinity", () -> Optimizer.adam(Double.POSITIVE_INFINITY)),
                bad("beta1", "1.0", () -> Optimizer.adam().withBetas(1.0, 0.999)),
                bad("beta2", "-0.1", () -> Optimizer.adam().withBetas(0.9, -0.1)),
                bad("epsilon", "-1.0E-8", () -> Optimizer.adam().withEpsilon(-1e-8)),
                bad("weightDecay", "-0.01", () -> Optimizer.adamW(1e-3, -0.01)),
                bad("beta2", "1.0", () -> Optimizer.adamW().withBetas(0.9, 1.0)),
                bad("lambda", "-1.0", () -> Optimizer.adam().withL2(-1)),
                bad("lambda", "NaN", () -> Optimizer.adam().withL1(Double.NaN)),
                bad("limit", "0.0", () -> Optimizer.adam().clippedByValue(0)),
                bad("layer", "0", () -> Optimizer.adam().freezing(0)),
                bad("layer", "none", () -> Optimizer.adam().freezing()));
    }

    private static Arguments bad(String name, String value, ThrowingCallable call) {
        return Arguments.of(name, value, call);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("invalidHyperParameters")
    void invalidHyperParametersAreNamedWithTheirValue(String name, String value, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(name)
                .hasMessageContaining(value);
    }

    @Test
    void defaultsAreTorchs() {
        Adam adam = Optimizer.adam();
        assertThat(adam.learningRate()).isEqualTo(1e-3);
        assertThat(adam.beta1()).isEqualTo(0.9);
        assertThat(adam.beta2()).isEqualTo(0.999);
        assertThat(adam.epsilon()).isEqualTo(1e-8);
        AdamW adamW = Optimizer.adamW();
        assertThat(adamW.learningRate()).isEqualTo(1e-3);
        assertThat(adamW.weightDecay()).isEqualTo(1e-2);
        assertThat(adamW.decaysBiases()).isTrue();
        assertThat(adamW.adam()).isEqualTo(adam);
        RmsProp rmsprop = Optimizer.rmsprop();
        assertThat(rmsprop.learningRate()).isEqualTo(1e-2);
        assertThat(rmsprop.alpha()).isEqualTo(0.99);
        assertThat(rmsprop.epsilon()).isEqualTo(1e-8);
        AdaGrad adagrad = Optimizer.adagrad();
        assertThat(adagrad.learningRate()).isEqualTo(1e-2);
        assertThat(adagrad.epsilon()).isEqualTo(1e-10);
        assertThat(adagrad.initialAccumulator()).isZero();
    }

    @Test
    void configurationsCompareAndPrintByValue() {
        assertThat(Optimizer.adam(0.01).withBetas(0.8, 0.99)).isEqualTo(Optimizer.adam(0.01).withBetas(0.8, 0.99))
                .hasSameHashCodeAs(Optimizer.adam(0.01).withBetas(0.8, 0.99))
                .isNotEqualTo(Optimizer.adam(0.01)).hasToString(
                        "Adam[learningRate=0.01, beta1=0.8, beta2=0.99, epsilon=1.0E-8]");
        assertThat(Optimizer.momentum(0.1, 0.9)).isEqualTo(Optimizer.momentum(0.1, 0.9))
                .isNotEqualTo(Optimizer.nesterov(0.1, 0.9)).hasToString("Momentum[learningRate=0.1, momentum=0.9]");
        assertThat(Optimizer.nesterov(0.1, 0.9)).hasSameHashCodeAs(Optimizer.nesterov(0.1, 0.9));
        assertThat(Optimizer.adagrad(0.1).withInitialAccumulator(0.1))
                .isEqualTo(Optimizer.adagrad(0.1).withInitialAccumulator(0.1)).isNotEqualTo(Optimizer.adagrad(0.1));
        assertThat(Optimizer.rmsprop().withAlpha(0.9)).isEqualTo(Optimizer.rmsprop().withAlpha(0.9))
                .isNotEqualTo(Optimizer.rmsprop());
        assertThat(Optimizer.adamW()).isEqualTo(Optimizer.adamW()).hasSameHashCodeAs(Optimizer.adamW())
                .isNotEqualTo(Optimizer.adamW().excludingBiasesFromDecay());
        assertThat(Optimizer.adamW().toString()).contains("weightDecay=0.01", "decayBiases=true");
        Optimizer decorated = Optimizer.adam().withL2(1e-4).clippedByValue(1).freezing(2);
        assertThat(decorated).isEqualTo(Optimizer.adam().withL2(1e-4).clippedByValue(1).freezing(2))
                .hasSameHashCodeAs(Optimizer.adam().withL2(1e-4).clippedByValue(1).freezing(2))
                .isNotEqualTo(Optimizer.adam().clippedByValue(1).withL2(1e-4).freezing(2));
        assertThat(decorated.toString()).contains("Adam[", "L2[lambda=1.0E-4]", "ClipByValue[limit=1.0]", "[2] frozen");
        assertThat(decorated.learningRate()).isEqualTo(1e-3);
    }
}
