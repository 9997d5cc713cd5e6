package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inverted dropout: configuration, masks, reproducible training, no effect on inference, exact gradients. */
class DropoutTest {

    private static Network network(long seed) {
        return Network.builder().input(4).dense(6, Activation.TANH).dense(5, Activation.SIGMOID)
                .dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(seed).build();
    }

    private static DataSet data(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][4];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = random.nextGaussian();
            }
            labels[i] = x[i][0] + x[i][1] > 0.5 ? 0 : x[i][2] > 0 ? 1 : 2;
        }
        return DataSet.ofLabels(x, labels, 3);
    }

    private static Trainer.Builder trainer() {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(3).batchSize(10)
                .metrics(Metrics.ACCURACY).logging(false).seed(21);
    }

    // ------------------------------------------------------------------ configuration

    @ParameterizedTest
    @ValueSource(doubles = {-0.1, 1, 1.5, Double.NaN, Double.POSITIVE_INFINITY})
    void aRateOutsideZeroToOneIsRefused(double rate) {
        assertThatIllegalArgumentException().isThrownBy(() -> Dropout.none().with(1, rate))
                .withMessageContaining("[0, 1)").withMessageContaining(String.valueOf(rate));
        assertThatIllegalArgumentException().isThrownBy(() -> Trainer.builder().dropout(1, rate))
                .withMessageContaining("layer 1");
    }

    @Test
    void theInputsOfAnEmbeddingLayerCannotDropButItsOutputCan() {
        Network embedded = Network.builder().input(2).categorical(5, 3).dense(4, Activation.TANH)
                .dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(3).build();
        double[][] x = {{0.5, -1, 4}, {1, 0.25, 0}, {-0.5, 2, 3}, {0, 0, 1}};
        DataSet data = DataSet.ofLabels(x, new int[] {0, 1, 2, 1}, 3);

        assertThatIllegalArgumentException().isThrownBy(() -> trainer().dropout(0, 0.2).build().fit(embedded, data))
                .withMessageContaining("dropout on layer 0").withMessageContaining("embedding layer")
                .withMessageContaining("layer 1, instead");
        assertThat(trainer().dropout(1, 0.2).build().fit(embedded, data).stopReason()).startsWith("completed");
    }

    @Test
    void aNegativeLayerIsRefused() {
        assertThatIllegalArgumentException().isThrownBy(() -> Dropout.none().with(-1, 0.5))
                .withMessageContaining("-1").withMessageContaining("0 is the input");
    }

    @Test
    void theOutputLayerCannotDropAndFitSaysWhichLayersCan() {
        Trainer trainer = trainer().dropout(3, 0.5).build();

        assertThatIllegalArgumentException().isThrownBy(() -> trainer.fit(network(1), data(20, 2)))
                .withMessageContaining("layer 3").withMessageContaining("0..2");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ForwardPass.run(network(1), data(20, 2).features(), Dropout.none().with(7, 0.5),
                        new SplittableRandom(1)))
                .withMessageContaining("layer 7").withMessageContaining("0..2");
    }

    @Test
    void ratesAreKeptPerLayerAndZeroMeansNone() {
        Dropout dropout = Dropout.none().with(0, 0.2).with(2, 0.5);

        assertThat(dropout.rate(0)).isEqualTo(0.2);
        assertThat(dropout.rate(1)).isZero();
        assertThat(dropout.rate(2)).isEqualTo(0.5);
        assertThat(dropout.isNone()).isFalse();
        assertThat(Dropout.none().with(1, 0).isNone()).isTrue();
        assertThat(dropout).isEqualTo(Dropout.none().with(2, 0.5).with(0, 0.2)).isNotEqualTo(Dropout.none());
    }

    // ------------------------------------------------------------------ masks

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.3, 0.75})
    void theMaskHoldsOnlyZeroAndTheInverseKeepRateInAboutTheRightProportion(double rate) {
        Network wide = Network.builder().input(500).dense(2, Activation.SOFTMAX).precision(Precision.FLOAT64)
                .seed(1).build();
        Matrix inputs = Matrix.zeros(Precision.FLOAT64, 200, 500);
        inputs.fill(1);

        ForwardPass pass = ForwardPass.run(wide, inputs, Dropout.none().with(0, rate), new SplittableRandom(3));

        Matrix mask = pass.dropoutMask(0);
        double kept = 1 / (1 - rate);
        long zeros = 0;
        for (int r = 0; r < mask.rows(); r++) {
            for (double m : mask.row(r)) {
                assertThat(m).isIn(0.0, kept);
                zeros += m == 0 ? 1 : 0;
            }
        }
        // 100,000 draws: the share dropped has a standard deviation below 0.0016
        assertThat(zeros / 100_000.0).isCloseTo(rate, within(0.01));
        assertThat(pass.passedOn(0).row(5)).isEqualTo(mask.row(5)); // inputs of 1: ã = m
        assertThat(pass.activations(0).row(5)).containsOnly(1.0); // a itself is untouched
        assertThat(pass.dropoutMask(1)).isNull();
    }

    @Test
    void theSameRandomSeedGivesTheSameMask() {
        Matrix x = data(8, 4).features();
        Dropout dropout = Dropout.none().with(1, 0.5).with(2, 0.4);

        ForwardPass a = ForwardPass.run(network(1), x, dropout, new SplittableRandom(99));
        ForwardPass b = ForwardPass.run(network(1), x, dropout, new SplittableRandom(99));
        ForwardPass c = ForwardPass.run(network(1), x, dropout, new SplittableRandom(100));

        assertThat(a.dropoutMask(1)).isEqualTo(b.dropoutMask(1)).isNotEqualTo(c.dropoutMask(1));
        assertThat(a.dropoutMask(2)).isEqualTo(b.dropoutMask(2));
        assertThat(a.output()).isEqualTo(b.output()).isNotEqualTo(c.output());
    }

    // ------------------------------------------------------------------ training and inference

    @Test
    void trainingWithDropoutIsReproducibleAndDiffersFromTrainingWithout() {
        DataSet data = data(60, 5);

        Network once = trainer().dropout(1, 0.3).build().fit(network(1), data).network();
        Network twice = trainer().dropout(1, 0.3).build().fit(network(1), data).network();
        Network without = trainer().build().fit(network(1), data).network();
        Network rateZero = trainer().dropout(1, 0).build().fit(network(1), data).network();

        assertThat(once).isEqualTo(twice).isNotEqualTo(without);
        assertThat(rateZero).as("a rate of 0 drops nothing").isEqualTo(without);
    }

    @Test
    void inferenceIgnoresTheDropoutConfiguration() {
        DataSet data = data(60, 5);
        DataSet validation = data(30, 6);
        Trainer withDropout = trainer().dropout(0, 0.5).dropout(2, 0.5).build();
        Network trained = withDropout.fit(network(1), data, validation).network();
        TrainingResult again = withDropout.fit(network(1), data, validation);

        // evaluation, validation and prediction are deterministic and see no masks
        assertThat(withDropout.evaluate(trained, validation)).isEqualTo(trainer().build().evaluate(trained, validation));
        assertThat(again.history().last().value("val_loss"))
                .isEqualTo(trainer().build().evaluate(trained, validation).get("loss"));
        assertThat(trained.predict(validation.featuresAsArray()))
                .isDeepEqualTo(ForwardPass.run(trained, validation.featuresAsArray()).output().toDoubleArray())
                .isDeepEqualTo(trained.predict(validation.featuresAsArray()));
    }

    // ------------------------------------------------------------------ gradients through a fixed mask

    @Test
    void gradientsWithAFixedMaskAgreeWithFiniteDifferencesOfTheMaskedLoss() {
        Network network = network(8);
        DataSet data = data(6, 9);
        Matrix x = data.features();
        Matrix y = data.targets();
        Dropout dropout = Dropout.none().with(0, 0.3).with(1, 0.5).with(2, 0.25);
        long maskSeed = 12345;
        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);

        ForwardPass pass = ForwardPass.run(network, x, dropout, new SplittableRandom(maskSeed));
        Gradients gradients = backprop.gradients(pass, y);
        // the masks really drop something, so the check covers the masked paths
        assertThat(pass.dropoutMask(1).firstWhere(m -> m == 0)).isNotNull();
        assertThat(pass.dropoutMask(2).firstWhere(m -> m == 0)).isNotNull();

        double epsilon = 1e-6;
        int checked = 0;
        for (int l = 1; l <= network.layerCount(); l++) {
            DenseLayer layer = network.dense(l);
            for (int i = 0; i < layer.outputSize(); i++) {
                for (int j = 0; j <= layer.inputSize(); j++) { // j == inputSize: the bias
                    double numeric = (maskedLoss(perturbed(network, l, i, j, epsilon), x, y, dropout, maskSeed)
                            - maskedLoss(perturbed(network, l, i, j, -epsilon), x, y, dropout, maskSeed))
                            / (2 * epsilon);
                    double analytic = j < layer.inputSize() ? gradients.weightGradient(l).get(i, j)
                            : gradients.biasGradient(l).get(0, i);
                    double tolerance = 1e-6 * Math.max(Math.abs(numeric), Math.abs(analytic)) + 1e-9;
                    assertThat(analytic).as("layer %d, %s [%d][%d]", l, j < layer.inputSize() ? "weight" : "bias",
                            i, j).isCloseTo(numeric, within(tolerance));
                    checked++;
                }
            }
        }
        assertThat(checked).isEqualTo(network.parameterCount());
    }

    /** The loss with the masks drawn from {@code maskSeed}: the same masks for every perturbed network. */
    private static double maskedLoss(Network network, Matrix x, Matrix y, Dropout dropout, long maskSeed) {
        ForwardPass pass = ForwardPass.run(network, x, dropout, new SplittableRandom(maskSeed));
        return Loss.CROSS_ENTROPY.value(pass.weightedSums(network.layerCount()), pass.output(), y);
    }

    /** The network with one weight ({@code j < inputs}) or bias ({@code j == inputs}) of layer l moved by h. */
    private static Network perturbed(Network network, int l, int i, int j, double h) {
        DenseLayer layer = network.dense(l);
        if (j < layer.inputSize()) {
            double[][] w = layer.weights();
            w[i][j] += h;
            return network.withLayer(l, layer.withWeights(w));
        }
        double[] b = layer.bias();
        b[i] += h;
        return network.withLayer(l, layer.withBias(b));
    }
}
