package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpropagation against central finite differences, in float64, for every activation (as the hidden
 * activation) × every loss with every output activation it goes with, on small seeded random networks:
 * {@code |backprop − numeric| ≤ 1e-6·max(|backprop|, |numeric|) + 1e-9} for every weight and bias.
 */
class GradientCheckTest {

    private static final double RELATIVE = 1e-6;
    private static final double ABSOLUTE = 1e-9;

    private static final int INPUTS = 3;
    private static final int HIDDEN = 4;
    private static final int OUTPUTS = 3;
    private static final int BATCH = 5;

    /** softsign, {@code z / (1 + |z|)}, with its derivative {@code 1 / (1 + |z|)²}: a user's own activation. */
    private static final Activation SOFTSIGN = Activation.elementwise("softsign",
            z -> z / (1 + Math.abs(z)), (z, a) -> 1 / ((1 + Math.abs(z)) * (1 + Math.abs(z))));

    private static List<Activation> allActivations() {
        return List.of(Activation.IDENTITY, Activation.SIGMOID, Activation.TANH, Activation.RELU,
                Activation.LEAKY_RELU, Activation.ELU, Activation.SOFTPLUS, Activation.SILU, Activation.GELU,
                Activation.SOFTMAX, Activation.leakyRelu(0.2), Activation.elu(0.5), SOFTSIGN);
    }

    /** What the targets of a case look like. */
    enum Targets {
        /** Any real numbers, for the regression losses. */
        REAL,
        /** Rows of non-negative numbers that sum to 1. */
        SOFT,
        /** Rows with a single 1. */
        ONE_HOT,
        /** Numbers in [0, 1], for binary cross-entropy. */
        UNIT_INTERVAL
    }

    static Stream<Arguments> pairs() {
        List<Arguments> cases = new ArrayList<>();
        long seed = 1000;
        for (Activation hidden : allActivations()) {
            for (Loss loss : List.of(Loss.MSE, Loss.MAE, Loss.HUBER, Loss.huber(0.3))) {
                for (Activation output : allActivations()) {
                    cases.add(Arguments.of(hidden, loss, output, Targets.REAL, seed++));
                }
            }
            cases.add(Arguments.of(hidden, Loss.CROSS_ENTROPY, Activation.SOFTMAX, Targets.SOFT, seed++));
            cases.add(Arguments.of(hidden, Loss.CROSS_ENTROPY, Activation.SOFTMAX, Targets.ONE_HOT, seed++));
            cases.add(Arguments.of(hidden, Loss.BINARY_CROSS_ENTROPY, Activation.SIGMOID, Targets.UNIT_INTERVAL,
                    seed++));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} hidden, {2} output, {1} with {3} targets (seed {4})")
    @MethodSource("pairs")
    void backpropagationAgreesWithFiniteDifferences(Activation hidden, Loss loss, Activation output,
            Targets kind, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        // Alternate between two and three layers, so that both an error signal sent back through one hidden
        // layer and one sent back through two are checked for every pair.
        Network.Builder builder = Network.builder().input(INPUTS).dense(HIDDEN, hidden);
        if (seed % 2 == 0) {
            builder.dense(HIDDEN, hidden);
        }
        Network network = withRandomBiases(builder.dense(OUTPUTS, output).seed(seed).build(), random);
        double[][] inputs = uniform(random, BATCH, INPUTS, -2, 2);
        double[][] targets = targets(kind, random);

        GradientCheck.Report report = GradientCheck.run(network, loss, inputs, targets);

        assertThat(report.entries()).hasSize((int) network.parameterCount());
        assertThat(report.passes(RELATIVE, ABSOLUTE))
                .as("%s; failures: %s", report, report.failures(RELATIVE, ABSOLUTE))
                .isTrue();
    }

    @Test
    void checkFailsAndNamesTheLayerOfAWrongDerivative() {
        // softsign again, but with the derivative missing its square: wrong everywhere except at z = 0.
        Activation wrong = Activation.elementwise("bad_softsign", z -> z / (1 + Math.abs(z)),
                (z, a) -> 1 / (1 + Math.abs(z)));
        SplittableRandom random = new SplittableRandom(7);
        Network network = withRandomBiases(Network.builder()
                .input(INPUTS)
                .dense(HIDDEN, wrong)
                .dense(HIDDEN, Activation.TANH)
                .dense(OUTPUTS, Activation.IDENTITY)
                .seed(7)
                .build(), random);
        double[][] inputs = uniform(random, BATCH, INPUTS, -2, 2);
        double[][] targets = uniform(random, BATCH, OUTPUTS, -1, 1);

        GradientCheck.Report report = GradientCheck.run(network, Loss.MSE, inputs, targets);

        assertThat(report.passes(RELATIVE, ABSOLUTE)).isFalse();
        assertThat(report.worst().layer()).isEqualTo(1);
        assertThat(report.worstRelativeError()).isGreaterThan(1e-2);
        // Only the derivative of layer 1 is wrong, and it is used only for layer 1's gradients.
        assertThat(report.failures(RELATIVE, ABSOLUTE)).isNotEmpty()
                .allSatisfy(e -> assertThat(e.layer()).isEqualTo(1));
        assertThat(report.toString()).contains("worst layer 1 ");
    }

    @Test
    void sameNetworkWithTheRightDerivativePasses() {
        // The control for the test above: the same network, seed and data with softsign's true derivative.
        SplittableRandom random = new SplittableRandom(7);
        Network network = withRandomBiases(Network.builder()
                .input(INPUTS)
                .dense(HIDDEN, SOFTSIGN)
                .dense(HIDDEN, Activation.TANH)
                .dense(OUTPUTS, Activation.IDENTITY)
                .seed(7)
                .build(), random);
        double[][] inputs = uniform(random, BATCH, INPUTS, -2, 2);
        double[][] targets = uniform(random, BATCH, OUTPUTS, -1, 1);

        assertThat(GradientCheck.run(network, Loss.MSE, inputs, targets).passes(RELATIVE, ABSOLUTE)).isTrue();
    }

    /** Biases start at zero; random ones make every layer's bias gradient matter. */
    private static Network withRandomBiases(Network network, SplittableRandom random) {
        Network result = network;
        for (int l = 1; l <= network.layerCount(); l++) {
            double[] bias = uniform(random, 1, network.layer(l).outputSize(), -0.5, 0.5)[0];
            result = result.withLayer(l, result.dense(l).withBias(bias));
        }
        return result;
    }

    private static double[][] targets(Targets kind, SplittableRandom random) {
        return switch (kind) {
            case REAL -> uniform(random, BATCH, OUTPUTS, -1, 1);
            case UNIT_INTERVAL -> uniform(random, BATCH, OUTPUTS, 0, 1);
            case SOFT -> {
                double[][] y = uniform(random, BATCH, OUTPUTS, 0.05, 1);
                for (double[] row : y) {
                    double sum = 0;
                    for (double v : row) {
                        sum += v;
                    }
                    for (int c = 0; c < row.length; c++) {
                        row[c] /= sum;
                    }
                }
                yield y;
            }
            case ONE_HOT -> {
                double[][] y = new double[BATCH][OUTPUTS];
                for (double[] row : y) {
                    row[random.nextInt(OUTPUTS)] = 1;
                }
                yield y;
            }
        };
    }

    private static double[][] uniform(SplittableRandom random, int rows, int cols, double low, double high) {
        double[][] values = new double[rows][cols];
        for (double[] row : values) {
            for (int c = 0; c < cols; c++) {
                row[c] = random.nextDouble(low, high);
            }
        }
        return values;
    }
}
