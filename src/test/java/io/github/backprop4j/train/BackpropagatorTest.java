package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterState;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Properties of a training step, and the errors that bad arguments get. */
class BackpropagatorTest {

    private static final double[][] INPUTS = {{0.5, -1, 2}, {1.5, 0.25, -0.75}, {-2, 1, 0}, {0.1, 0.2, 0.3}};
    private static final double[][] TARGETS = {{0.1, 0.9}, {0.7, 0.2}, {0.4, 0.4}, {1, 0}};

    private static Network network(Precision precision) {
        return Network.builder()
                .input(3)
                .dense(5, Activation.TANH)
                .dense(2, Activation.SIGMOID)
                .precision(precision)
                .seed(11)
                .build();
    }

    /** A copy that shares nothing with the original: every layer rebuilt from copied arrays. */
    private static Network independentCopy(Network network) {
        return Network.of(network.layers().stream().map(DenseLayer.class::cast)
                .map(l -> Layer.of(l.weights(), l.bias(), l.activation(), l.precision()))
                .toList());
    }

    // ------------------------------------------------------------------ properties

    @ParameterizedTest
    @EnumSource(Precision.class)
    void learningRateZeroLeavesTheNetworkEqual(Precision precision) {
        Network network = network(precision);
        Backpropagator backprop = new Backpropagator(Loss.MSE);

        Network after = backprop.step(network, INPUTS, TARGETS, Optimizer.sgd(0), new OptimizerState());

        assertThat(after).isEqualTo(network);
        assertThat(backprop.gradients(network, INPUTS, TARGETS).loss()).isGreaterThan(0);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void stepNeverChangesItsInputNetwork(Precision precision) {
        Network network = network(precision);
        Network copy = independentCopy(network);
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        OptimizerState state = new OptimizerState();

        Network after = backprop.step(network, INPUTS, TARGETS, Optimizer.sgd(0.5), state);
        backprop.step(after, INPUTS, TARGETS, Optimizer.sgd(0.5), state);

        assertThat(network).isEqualTo(copy);
        assertThat(after).isNotEqualTo(network);
        assertThat(state.stepCount()).isEqualTo(2);
    }

    @Test
    void stepMovesEveryParameterAgainstItsGradient() {
        Network network = network(Precision.FLOAT64);
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Gradients g = backprop.gradients(network, INPUTS, TARGETS);

        Network after = backprop.apply(network, g, Optimizer.sgd(0.1), new OptimizerState());

        for (int l = 1; l <= network.layerCount(); l++) {
            DenseLayer before = network.dense(l);
            DenseLayer now = after.dense(l);
            assertThat(now.weight(1, 0)).isCloseTo(before.weight(1, 0) - 0.1 * g.weightGradient(l).get(1, 0),
                    within(1e-15));
            assertThat(now.bias(1)).isCloseTo(before.bias(1) - 0.1 * g.biasGradient(l).get(0, 1), within(1e-15));
        }
        assertThat(backprop.gradients(after, INPUTS, TARGETS).loss()).isLessThan(g.loss());
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void softmaxRowsSumToOneEvenForHugeInputs(Precision precision) {
        Network network = Network.of(Layer.of(new double[][] {{1, 0}, {0, 1}, {-1, -1}}, new double[3],
                Activation.SOFTMAX, precision));
        double[][] inputs = {{0, 0}, {1000, -1000}, {-1000, 1000}, {1000, 1000}, {-1000, -1000}, {3, -7}};

        double[][] out = network.predict(inputs);

        for (double[] row : out) {
            assertThat(row).doesNotContain(Double.NaN);
            for (double p : row) {
                assertThat(p).isBetween(0.0, 1.0);
            }
            assertThat(row[0] + row[1] + row[2]).isCloseTo(1, within(1e-6));
        }
        assertThat(out[1][0]).isCloseTo(1, within(1e-12));
        assertThat(out[2][1]).isCloseTo(1, within(1e-12));
        assertThat(out[0]).containsExactly(new double[] {1.0 / 3, 1.0 / 3, 1.0 / 3}, within(1e-7));
    }

    @Test
    void softmaxRowsSumToOneOnRandomBatches() {
        SplittableRandom random = new SplittableRandom(3);
        double[][] z = new double[50][7];
        for (double[] row : z) {
            for (int c = 0; c < row.length; c++) {
                row[c] = random.nextDouble(-50, 50);
            }
        }
        Matrix m = Matrix.of(Precision.FLOAT64, z, "z");
        Matrix a = Matrix.zeros(Precision.FLOAT64, 50, 7);

        Activation.SOFTMAX.forward(m, a);

        for (int r = 0; r < 50; r++) {
            assertThat(Matrix.of(Precision.FLOAT64, new double[][] {a.row(r)}, "row").sum())
                    .isCloseTo(1, within(1e-12));
        }
    }

    @Test
    void crossEntropyLossIsFiniteForHugeLogits() {
        Network network = Network.of(Layer.of(new double[][] {{1}, {-1}}, new double[2], Activation.SOFTMAX));
        Gradients g = new Backpropagator(Loss.CROSS_ENTROPY)
                .gradients(network, new double[][] {{1000}}, new double[][] {{0, 1}});

        assertThat(g.loss()).isCloseTo(2000, within(1e-9));
        assertThat(g.errorSignal(1).row(0)).containsExactly(1, -1);
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void wrongInputWidthNamesBothSizesAndLayer1() {
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        double[][] twoFeatures = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};

        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.step(network(Precision.FLOAT64), twoFeatures, TARGETS, Optimizer.sgd(1),
                        new OptimizerState()))
                .withMessageContaining("inputs")
                .withMessageContaining("is 2")
                .withMessageContaining("input size of layer 1 is 3");
    }

    @Test
    void wrongTargetWidthNamesBothSizesAndTheOutputLayer() {
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        double[][] threeTargets = {{1, 2, 3}, {1, 2, 3}, {1, 2, 3}, {1, 2, 3}};

        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.gradients(network(Precision.FLOAT64), INPUTS, threeTargets))
                .withMessageContaining("targets")
                .withMessageContaining("is 3")
                .withMessageContaining("output size of layer 2")
                .withMessageContaining("is 2");
    }

    @Test
    void wrongTargetRowCountNamesBothCounts() {
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        double[][] threeRows = {{0, 1}, {0, 1}, {0, 1}};

        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.gradients(network(Precision.FLOAT64), INPUTS, threeRows))
                .withMessageContaining("targets: the number of rows is 3")
                .withMessageContaining("input samples is 4");
    }

    @Test
    void layersThatDoNotChainNameBothLayersAndSizes() {
        DenseLayer first = Layer.of(new double[4][3], new double[4], Activation.TANH);
        DenseLayer second = Layer.of(new double[2][5], new double[2], Activation.SIGMOID);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.of(first, second))
                .withMessageContaining("layer 2 has 5 inputs")
                .withMessageContaining("layer 1 has 4 outputs");
    }

    @Test
    void layersOfDifferentPrecisionNameBoth() {
        DenseLayer first = Layer.of(new double[4][3], new double[4], Activation.TANH);
        DenseLayer second = Layer.of(new double[2][4], new double[2], Activation.SIGMOID, Precision.FLOAT32);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.of(first, second))
                .withMessageContaining("layer 2 is FLOAT32")
                .withMessageContaining("layer 1 is FLOAT64");
    }

    @Test
    void emptyBatchIsRefused() {
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Network network = network(Precision.FLOAT64);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.gradients(network, new double[0][], new double[0][]))
                .withMessageContaining("inputs must have at least one row");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.gradients(network, INPUTS, new double[0][]))
                .withMessageContaining("targets must have at least one row");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> network.predict(new double[0][]))
                .withMessageContaining("inputs must have at least one row");
    }

    @Test
    void raggedBatchNamesTheRow() {
        double[][] ragged = {{1, 2, 3}, {1, 2}};

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.MSE).gradients(network(Precision.FLOAT64), ragged,
                        new double[][] {{0, 0}, {0, 0}}))
                .withMessageContaining("row 0 has 3 values and row 1 has 2");
    }

    // ------------------------------------------------------------------ values

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteInputNamesRowAndColumn(double bad) {
        double[][] inputs = copy(INPUTS);
        inputs[2][1] = bad;

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.MSE).gradients(network(Precision.FLOAT64), inputs, TARGETS))
                .withMessageContaining("inputs: row 2, column 1 is " + bad);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void nonFiniteTargetNamesRowAndColumn(double bad) {
        double[][] targets = copy(TARGETS);
        targets[3][0] = bad;

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.MSE).gradients(network(Precision.FLOAT32), INPUTS, targets))
                .withMessageContaining("targets: row 3, column 0 is " + bad);
    }

    @ParameterizedTest
    @ValueSource(doubles = {-1, -1e-300, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    void badLearningRateIsRefused(double learningRate) {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Optimizer.sgd(learningRate))
                .withMessageContaining("learningRate")
                .withMessageContaining(String.valueOf(learningRate));
    }

    @Test
    void negativeLearningRateOfACustomOptimizerIsRefusedByApply() {
        Optimizer ascent = new Optimizer() {
            @Override
            public double learningRate() {
                return -1;
            }

            @Override
            public void update(Matrix parameter, Matrix gradient, double eta, ParameterState s) {
                parameter.addScaled(-eta, gradient);
            }
        };
        Network network = network(Precision.FLOAT64);
        Backpropagator backprop = new Backpropagator(Loss.MSE);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.step(network, INPUTS, TARGETS, ascent, new OptimizerState()))
                .withMessageContaining("learningRate must be a finite number >= 0, was -1.0");
    }

    @Test
    void crossEntropyWithoutSoftmaxOutputIsRefused() {
        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> backprop.gradients(network(Precision.FLOAT64), INPUTS, TARGETS))
                .withMessageContaining("cross_entropy needs a softmax output layer")
                .withMessageContaining("layer 2")
                .withMessageContaining("sigmoid");
    }

    @Test
    void binaryCrossEntropyWithoutSigmoidOutputIsRefused() {
        Network network = network(Precision.FLOAT64).withLayer(2,
                network(Precision.FLOAT64).layer(2).withActivation(Activation.TANH));

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.BINARY_CROSS_ENTROPY).gradients(network, INPUTS, TARGETS))
                .withMessageContaining("binary_cross_entropy needs a sigmoid output layer")
                .withMessageContaining("layer 2")
                .withMessageContaining("tanh");
    }

    @ParameterizedTest
    @ValueSource(doubles = {-0.5, 1.5})
    void binaryCrossEntropyTargetOutsideUnitIntervalIsRefused(double bad) {
        double[][] targets = copy(TARGETS);
        targets[1][1] = bad;

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.BINARY_CROSS_ENTROPY)
                        .gradients(network(Precision.FLOAT64), INPUTS, targets))
                .withMessageContaining("targets: row 1, column 1 is " + bad)
                .withMessageContaining("[0, 1]");
    }

    @Test
    void crossEntropyNegativeTargetIsRefused() {
        Network network = Network.of(Layer.of(new double[2][3], new double[2], Activation.SOFTMAX));
        double[][] targets = {{1, 0}, {0, 1}, {-0.25, 1.25}, {0.5, 0.5}};

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.CROSS_ENTROPY).gradients(network, INPUTS, targets))
                .withMessageContaining("targets: row 2, column 0 is -0.25");
    }

    // ------------------------------------------------------------------ nulls

    @Test
    void nullArgumentsAreNamed() {
        Network network = network(Precision.FLOAT64);
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Optimizer sgd = Optimizer.sgd(0.1);
        OptimizerState state = new OptimizerState();

        assertThatNullPointerException().isThrownBy(() -> new Backpropagator(null))
                .withMessage("loss must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.step(null, INPUTS, TARGETS, sgd, state))
                .withMessage("network must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.step(network, null, TARGETS, sgd, state))
                .withMessage("inputs must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.step(network, INPUTS, null, sgd, state))
                .withMessage("targets must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.step(network, INPUTS, TARGETS, null, state))
                .withMessage("optimizer must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.step(network, INPUTS, TARGETS, sgd, null))
                .withMessage("state must not be null");
        assertThatNullPointerException()
                .isThrownBy(() -> backprop.step(network, (Matrix) null, (Matrix) null, sgd, state))
                .withMessage("inputs must not be null");
        assertThatNullPointerException()
                .isThrownBy(() -> backprop.gradients(ForwardPass.run(network, INPUTS), (Matrix) null))
                .withMessage("targets must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.gradients((ForwardPass) null, TARGETS))
                .withMessage("pass must not be null");
        assertThatNullPointerException().isThrownBy(() -> backprop.apply(network, null, sgd, state))
                .withMessage("gradients must not be null");
        assertThatNullPointerException()
                .isThrownBy(() -> backprop.step(network, new double[][] {INPUTS[0], null}, TARGETS, sgd, state))
                .withMessage("inputs: row 1 is null");
    }

    // ------------------------------------------------------------------ apply

    @Test
    void gradientsOfAnotherNetworkAreRefused() {
        Network network = network(Precision.FLOAT64);
        Network deeper = network.toBuilder().dense(2, Activation.SIGMOID).seed(1).build();
        Gradients g = new Backpropagator(Loss.MSE).gradients(deeper, INPUTS, TARGETS);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Backpropagator(Loss.MSE).apply(network, g, Optimizer.sgd(1),
                        new OptimizerState()))
                .withMessageContaining("is 3")
                .withMessageContaining("is 2");
    }

    @Test
    void divergingUpdateNamesTheParameter() {
        Network network = Network.of(Layer.of(new double[][] {{1e308}}, new double[] {0}, Activation.IDENTITY));

        assertThatThrownBy(() -> new Backpropagator(Loss.MSE).step(network, new double[][] {{1}},
                new double[][] {{-1e308}}, Optimizer.sgd(10), new OptimizerState()))
                .isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("layer 1 weights [0][0]");
    }

    @Test
    void forwardPassNamesTheValidLayers() {
        ForwardPass pass = ForwardPass.run(network(Precision.FLOAT64), INPUTS);

        assertThat(pass.activations(0)).isEqualTo(Matrix.of(Precision.FLOAT64, INPUTS, "x"));
        assertThatThrownBy(() -> pass.weightedSums(0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("1..2");
        assertThatThrownBy(() -> pass.activations(3)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("0..2");
        assertThat(pass.output().isReadOnly()).isTrue();
        assertThat(List.of(pass.weightedSums(1), pass.activations(1))).allMatch(Matrix::isReadOnly);
    }

    private static double[][] copy(double[][] values) {
        double[][] c = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            c[r] = values[r].clone();
        }
        return c;
    }
}
