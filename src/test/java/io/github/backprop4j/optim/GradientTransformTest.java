package io.github.backprop4j.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.train.Gradients;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Gradient transforms (L2, L1, clipping), freezing, and AdamW's bias exclusion. */
class GradientTransformTest {

    /** Records the gradient each update receives, then makes a plain SGD step; for tests only. */
    static final class Recording implements Optimizer {
        final List<Matrix> seen = new ArrayList<>();

        @Override
        public double learningRate() {
            return 0.1;
        }

        @Override
        public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
            seen.add(gradient.copy());
            parameter.addScaled(-eta, gradient);
        }
    }

    private static final long SEED = 21;

    @ParameterizedTest
    @EnumSource(Precision.class)
    void freezingLeavesFrozenLayersBitIdenticalWhileOthersMove(Precision precision) {
        Network network = Fixtures.network(precision, SEED);
        Optimizer frozen = Optimizer.adam(0.05).withL2(0.1).freezing(1, 3);
        OptimizerState state = new OptimizerState();
        Network after = network;
        for (int step = 0; step < 4; step++) {
            after = Fixtures.BACKPROP.apply(after, Fixtures.gradients(after, SEED), frozen, state);
        }
        assertThat(after.layer(1)).isEqualTo(network.layer(1));
        assertThat(after.layer(3)).isEqualTo(network.layer(3));
        assertThat(after.dense(2).weightMatrix()).isNotEqualTo(network.dense(2).weightMatrix());
        assertThat(after.dense(2).biasVector()).isNotEqualTo(network.dense(2).biasVector());
        assertThat(state.slots().keySet()).allMatch(name -> name.startsWith("layer2."));
    }

    @Test
    void freezingComposesAndKeepsTransformsInOrder() {
        Optimizer a = Optimizer.adam().freezing(1).freezing(2).withL2(0.1);
        assertThat(a).isEqualTo(Optimizer.adam().withL2(0.1).freezing(2, 1));
    }

    @Test
    void clippingByValueBoundsTheEffectiveGradient() {
        Network network = Fixtures.network(Precision.FLOAT64, SEED);
        Gradients g = Fixtures.gradients(network, SEED);
        double limit = 0.05;
        Recording recording = new Recording();
        Fixtures.BACKPROP.apply(network, g, recording.withL1(1.0).clippedByValue(limit), new OptimizerState());
        assertThat(recording.seen).hasSize(2 * network.layerCount());
        for (Matrix seen : recording.seen) {
            assertThat(seen.firstWhere(x -> Math.abs(x) > limit)).isNull();
        }
        // some elements are clipped, and small ones pass unchanged
        double[][] raw = g.weightGradient(1).toDoubleArray();
        double[][] clipped = recording.seen.get(0).toDoubleArray();
        double[][] w = network.dense(1).weights();
        for (int j = 0; j < raw.length; j++) {
            for (int k = 0; k < raw[j].length; k++) {
                double withL1 = raw[j][k] + Math.signum(w[j][k]);
                assertThat(clipped[j][k]).isEqualTo(Math.max(-limit, Math.min(limit, withL1)));
            }
        }
    }

    @Test
    void l1AddsLambdaTimesTheSignOfEachParameter() {
        Network network = Fixtures.network(Precision.FLOAT64, SEED);
        Gradients g = Fixtures.gradients(network, SEED);
        double lambda = 0.01;
        Recording recording = new Recording();
        Fixtures.BACKPROP.apply(network, g, recording.withL1(lambda), new OptimizerState());
        double[][] raw = g.weightGradient(2).toDoubleArray();
        double[][] seen = recording.seen.get(2).toDoubleArray(); // layer 2 weights
        double[][] w = network.dense(2).weights();
        for (int j = 0; j < raw.length; j++) {
            for (int k = 0; k < raw[j].length; k++) {
                assertThat(seen[j][k]).isCloseTo(raw[j][k] + lambda * Math.signum(w[j][k]), within(1e-15));
            }
        }
    }

    @Test
    void l1DrivesParametersTowardsZeroWithoutAnyLoss() {
        Network network = Fixtures.network(Precision.FLOAT64, SEED);
        Recording recording = new Recording();
        Matrix theta = network.dense(1).weightMatrix().copy();
        Matrix zero = Matrix.zeros(Precision.FLOAT64, theta.rows(), theta.cols());
        OptimizerState state = new OptimizerState();
        recording.withL1(0.5).update(theta, zero, 0.1, state.forParameter(1, ParameterKind.WEIGHTS, theta));
        double[][] before = network.dense(1).weights();
        double[][] after = theta.toDoubleArray();
        for (int j = 0; j < before.length; j++) {
            for (int k = 0; k < before[j].length; k++) {
                assertThat(after[j][k]).isCloseTo(before[j][k] - 0.05 * Math.signum(before[j][k]), within(1e-15));
            }
        }
    }

    @Test
    void weightDecayRestrictedToWeightsSparesTheBiases() {
        Network network = Fixtures.network(Precision.FLOAT64, SEED);
        Gradients g = Fixtures.gradients(network, SEED);
        Recording recording = new Recording();
        Fixtures.BACKPROP.apply(network, g,
                recording.transformingGradients(GradientTransform.l2(0.5).onlyFor(ParameterKind.WEIGHTS)),
                new OptimizerState());
        Matrix expectedW = g.weightGradient(1).copy();
        expectedW.addScaled(0.5, network.dense(1).weightMatrix());
        assertThat(recording.seen.get(0)).isEqualTo(expectedW);
        assertThat(recording.seen.get(1)).isEqualTo(g.biasGradient(1));
        assertThat(GradientTransform.l2(0.5).onlyFor(ParameterKind.WEIGHTS))
                .isEqualTo(GradientTransform.l2(0.5).onlyFor(ParameterKind.WEIGHTS))
                .isNotEqualTo(GradientTransform.l2(0.5));
    }

    @Test
    void transformsDoNotChangeTheGradientsTheyAreGiven() {
        Network network = Fixtures.network(Precision.FLOAT64, SEED);
        Gradients g = Fixtures.gradients(network, SEED);
        Matrix before = g.weightGradient(1).copy();
        Fixtures.BACKPROP.apply(network, g, Optimizer.adam().withL2(1).withL1(1).clippedByValue(0.01),
                new OptimizerState());
        assertThat(g.weightGradient(1)).isEqualTo(before);
    }

    @Test
    void adamWCanSpareBiasesFromDecay() {
        Network network = Fixtures.network(Precision.FLOAT64, SEED);
        Gradients g = Fixtures.gradients(network, SEED);
        Network adam = Fixtures.BACKPROP.apply(network, g, Optimizer.adam(0.01), new OptimizerState());
        Network spared = Fixtures.BACKPROP.apply(network, g, Optimizer.adamW(0.01, 0.5).excludingBiasesFromDecay(),
                new OptimizerState());
        Network decayed = Fixtures.BACKPROP.apply(network, g, Optimizer.adamW(0.01, 0.5), new OptimizerState());
        for (int l = 1; l <= network.layerCount(); l++) {
            assertThat(spared.dense(l).biasVector()).isEqualTo(adam.dense(l).biasVector());
            assertThat(decayed.dense(l).biasVector()).isNotEqualTo(adam.dense(l).biasVector());
            assertThat(spared.dense(l).weightMatrix()).isEqualTo(decayed.dense(l).weightMatrix());
        }
    }
}
