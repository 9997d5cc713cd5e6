package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import org.junit.jupiter.api.Test;

class CalibrationTest {

    private static final double[][] P = {{0.9, 0.1}, {0.8, 0.2}, {0.3, 0.7}, {0.6, 0.4}, {0.81, 0.19}};
    private static final double[][] Y = {{1, 0}, {0, 1}, {0, 1}, {1, 0}, {1, 0}};

    private static Matrix m(double[][] v) {
        return Matrix.of(Precision.FLOAT64, v, "m");
    }

    private static double evaluate(Metric metric, double[][] p, double[][] y, int batch) {
        Metric.Accumulator acc = metric.newAccumulator();
        for (int start = 0; start < p.length; start += batch) {
            int end = Math.min(p.length, start + batch);
            acc.add(m(java.util.Arrays.copyOfRange(p, start, end)), m(java.util.Arrays.copyOfRange(y, start, end)));
        }
        return acc.result();
    }

    @Test
    void eceAndBrierOfAHandMadeCase() {
        // bins of 0.1: 0.9 right (bin 9), 0.8 wrong and 0.81 right (bin 8: conf 0.805, acc 0.5), 0.7 right, 0.6 right
        double ece = (0.1 + 2 * Math.abs(0.5 - 0.805) + 0.3 + 0.4) / 5;
        double brier = (0.02 + 1.28 + 0.18 + 0.32 + 2 * 0.19 * 0.19) / 5;
        for (int batch : new int[] {1, 2, 5}) {
            assertThat(evaluate(Metrics.EXPECTED_CALIBRATION_ERROR, P, Y, batch)).isCloseTo(ece, within(1e-12));
            assertThat(evaluate(Metrics.BRIER_SCORE, P, Y, batch)).isCloseTo(brier, within(1e-12));
        }
        ReliabilityDiagram diagram = ReliabilityDiagram.of(m(P), m(Y), 10);
        assertThat(diagram.samples()).isEqualTo(5);
        ReliabilityDiagram.Bin eight = diagram.bins().get(8);
        assertThat(eight.count()).isEqualTo(2);
        assertThat(eight.meanConfidence()).isCloseTo(0.805, within(1e-12));
        assertThat(eight.accuracy()).isEqualTo(0.5);
        assertThat(eight.lower()).isEqualTo(0.8);
        assertThat(diagram.bins().get(0).count()).isZero();
        assertThat(diagram.bins().get(0).accuracy()).isNaN();
        assertThat(diagram.expectedCalibrationError()).isCloseTo(ece, within(1e-12));
        assertThat(diagram.maximumCalibrationError()).isCloseTo(0.4, within(1e-12)); // bin 6: 0.6 sure, always right
        assertThat(diagram.toString()).contains("[0.80, 0.90)").contains("ECE 0.2820");
        assertThat(Metrics.expectedCalibrationError(5).name()).isEqualTo("ece5");
        assertThat(Metrics.EXPECTED_CALIBRATION_ERROR.higherIsBetter()).isFalse();
    }

    @Test
    void aSingleSigmoidOutputIsTheConfidenceOfItsClass() {
        double[][] p = {{0.9}, {0.2}, {0.6}};
        double[][] y = {{1}, {1}, {0}};
        // 0.9 predicts 1, right; 0.2 predicts 0 with confidence 0.8, wrong; 0.6 predicts 1, wrong
        assertThat(evaluate(Metrics.EXPECTED_CALIBRATION_ERROR, p, y, 3)).isCloseTo((0.1 + 0.8 + 0.6) / 3,
                within(1e-12));
        assertThat(evaluate(Metrics.BRIER_SCORE, p, y, 2)).isCloseTo((0.01 + 0.64 + 0.36) / 3, within(1e-12));
        assertThat(evaluate(Metrics.EXPECTED_CALIBRATION_ERROR, new double[][] {{1.0}}, new double[][] {{1}}, 1))
                .isZero();
    }

    @Test
    void outputsThatAreNotProbabilitiesAreRefusedByRowAndColumn() {
        assertThatThrownBy(() -> evaluate(Metrics.BRIER_SCORE, new double[][] {{0.5, 0.5}, {1.7, -0.7}},
                new double[][] {{1, 0}, {0, 1}}, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("brier").hasMessageContaining("row 1, column 0 is 1.7");
        assertThatThrownBy(() -> Metrics.expectedCalibrationError(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("binCount: 0");
        Network regression = Network.builder().input(2).dense(1, Activation.IDENTITY).seed(1).build();
        assertThatThrownBy(() -> TemperatureScaling.fit(regression, TrainerTestSupport.blobs(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layer 1")
                .hasMessageContaining("identity");
        assertThatThrownBy(() -> new TemperatureScaling(0)).hasMessageContaining("temperature: 0.0");
    }

    @Test
    void theCalibrationMetricsRunInTrainingLikeAnyMetric() {
        Network network = Network.builder().input(2).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).seed(3)
                .build();
        Trainer trainer = Trainer.builder().loss(io.github.backprop4j.Loss.CROSS_ENTROPY)
                .optimizer(io.github.backprop4j.optim.Optimizer.adam(0.02)).epochs(3).batchSize(16)
                .metrics(Metrics.EXPECTED_CALIBRATION_ERROR, Metrics.BRIER_SCORE).logging(false).seed(3).build();
        DataSet validation = TrainerTestSupport.blobs(2);
        TrainingResult result = trainer.fit(network, TrainerTestSupport.blobs(1), validation);
        assertThat(result.history().names()).contains("ece", "brier", "val_ece", "val_brier");
        double ece = ReliabilityDiagram.of(result.network(), validation, 10).expectedCalibrationError();
        assertThat(result.history().last().value("val_ece")).isCloseTo(ece, within(1e-9));
    }

    /** A classifier whose output weights were scaled up 6 times: the same classes, far too sure of them. */
    private static Network overConfident() {
        Network trained = TrainerTestSupport.irisLikeRun().network();
        DenseLayer out = (DenseLayer) trained.layer(2);
        double[][] w = out.weights();
        double[] b = out.bias();
        for (double[] row : w) {
            for (int j = 0; j < row.length; j++) {
                row[j] *= 6;
            }
        }
        for (int k = 0; k < b.length; k++) {
            b[k] *= 6;
        }
        return trained.withLayer(2, out.withWeights(w).withBias(b));
    }

    @Test
    void temperatureScalingLowersTheEceOfAnOverConfidentNetwork() {
        Network network = overConfident();
        DataSet validation = TrainerTestSupport.blobs(2);
        DataSet test = TrainerTestSupport.blobs(3);

        TemperatureScaling scaling = TemperatureScaling.fit(network, validation);
        assertThat(scaling.temperature()).isBetween(2.0, 20.0); // softening, of the order of the factor 6

        double before = ReliabilityDiagram.of(network.predict(test.features()), test.targets(), 10)
                .expectedCalibrationError();
        Matrix scaled = scaling.probabilities(network, test.features());
        double after = ReliabilityDiagram.of(scaled, test.targets(), 10).expectedCalibrationError();
        assertThat(after).as("ECE after scaling, before %s", before).isLessThan(before * 0.7);
        // the classes do not change, so neither does the accuracy
        assertThat(Network.classesOf(scaled)).containsExactly(network.predictClasses(test.features()));
        // the fitted T is the minimum of the validation NLL
        double nll = scaling.negativeLogLikelihood(network, validation);
        assertThat(nll).isLessThan(new TemperatureScaling(1).negativeLogLikelihood(network, validation));
        assertThat(nll).isLessThanOrEqualTo(new TemperatureScaling(scaling.temperature() * 1.05)
                .negativeLogLikelihood(network, validation));
        assertThat(nll).isLessThanOrEqualTo(new TemperatureScaling(scaling.temperature() / 1.05)
                .negativeLogLikelihood(network, validation));
    }

    @Test
    void temperatureOneIsTheNetworkAsItIsAndSigmoidOutputsScaleToo() {
        Network network = TrainerTestSupport.irisLikeRun().network();
        DataSet test = TrainerTestSupport.blobs(3);
        Matrix plain = network.predict(test.features());
        Matrix one = new TemperatureScaling(1).probabilities(network, test.features());
        for (int r = 0; r < plain.rows(); r++) {
            for (int c = 0; c < plain.cols(); c++) {
                assertThat(one.get(r, c)).isCloseTo(plain.get(r, c), within(1e-6)); // the network computes in float32
            }
        }
        Network binary = Network.builder().input(1).dense(1, Activation.SIGMOID).seed(1).build();
        DenseLayer layer = (DenseLayer) binary.layer(1);
        binary = binary.withLayer(1, layer.withWeights(new double[][] {{4}}).withBias(new double[] {0}));
        Matrix x = Matrix.of(Precision.FLOAT64, new double[][] {{0.5}}, "x");
        assertThat(new TemperatureScaling(2).probabilities(binary, x).get(0, 0))
                .isCloseTo(1 / (1 + Math.exp(-1.0)), within(1e-12)); // σ(4 · 0.5 / 2)
        // a sigmoid classifier that is right everywhere with a confident margin is sharpened: T < 1
        DataSet easy = DataSet.of(new double[][] {{1}, {-1}, {2}, {-2}}, new double[][] {{1}, {0}, {1}, {0}});
        assertThat(TemperatureScaling.fit(binary, easy).temperature()).isLessThan(1);
    }
}
