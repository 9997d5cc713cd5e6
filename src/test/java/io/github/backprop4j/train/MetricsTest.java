package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static final List<Metric> ALL = List.of(Metrics.ACCURACY, Metrics.MEAN_SQUARED_ERROR,
            Metrics.MEAN_ABSOLUTE_ERROR, Metrics.R_SQUARED);

    private static double evaluate(Metric metric, double[][] outputs, double[][] targets) {
        Metric.Accumulator a = metric.newAccumulator();
        a.add(Matrix.of(Precision.FLOAT64, outputs, "outputs"), Matrix.of(Precision.FLOAT64, targets, "targets"));
        return a.result();
    }

    @Test
    void accuracyComparesArgmaxesOrThresholdsASingleOutput() {
        double[][] outputs = {{0.1, 0.7, 0.2}, {0.5, 0.3, 0.2}, {0.2, 0.2, 0.6}, {0.4, 0.4, 0.2}};
        double[][] targets = {{0, 1, 0}, {0, 0, 1}, {0, 0, 1}, {1, 0, 0}};
        assertThat(evaluate(Metrics.ACCURACY, outputs, targets)).isEqualTo(0.75); // a tie picks the first
        double[][] single = {{0.9}, {0.5}, {0.2}, {0.51}};
        double[][] labels = {{1}, {0}, {1}, {1}};
        assertThat(evaluate(Metrics.ACCURACY, single, labels)).isEqualTo(0.75); // 0.5 is not above 0.5
        assertThat(Metrics.ACCURACY.name()).isEqualTo("accuracy");
        assertThat(Metrics.ACCURACY.higherIsBetter()).isTrue();
    }

    @Test
    void errorsAreMeansOverEveryOutput() {
        double[][] outputs = {{1, 2}, {3, 5}};
        double[][] targets = {{1, 0}, {4, 2}};
        assertThat(evaluate(Metrics.MEAN_SQUARED_ERROR, outputs, targets)).isEqualTo((0 + 4 + 1 + 9) / 4.0);
        assertThat(evaluate(Metrics.MEAN_ABSOLUTE_ERROR, outputs, targets)).isEqualTo((0 + 2 + 1 + 3) / 4.0);
        assertThat(Metrics.MEAN_SQUARED_ERROR.higherIsBetter()).isFalse();
        assertThat(Metrics.MEAN_ABSOLUTE_ERROR.name()).isEqualTo("mae");
    }

    @Test
    void rSquaredAveragesOneMinusSseOverSstPerOutputAsScikitLearn() {
        // sklearn.metrics.r2_score([[3, 1], [-0.5, 2], [2, 3], [7, 4]], [[2.5, 1], [0, 2], [2, 3.5], [8, 4]])
        double[][] targets = {{3, 1}, {-0.5, 2}, {2, 3}, {7, 4}};
        double[][] outputs = {{2.5, 1}, {0, 2}, {2, 3.5}, {8, 4}};
        double first = 1 - 1.5 / 29.1875;
        double second = 1 - 0.25 / 5.0;
        assertThat(evaluate(Metrics.R_SQUARED, outputs, targets)).isCloseTo((first + second) / 2, within(1e-15));
        // a constant target: 1 if predicted exactly, 0 otherwise
        assertThat(evaluate(Metrics.R_SQUARED, new double[][] {{2}, {2}}, new double[][] {{2}, {2}})).isEqualTo(1);
        assertThat(evaluate(Metrics.R_SQUARED, new double[][] {{2}, {3}}, new double[][] {{2}, {2}})).isZero();
        // predicting the mean scores 0
        assertThat(evaluate(Metrics.R_SQUARED, new double[][] {{2}, {2}}, new double[][] {{1}, {3}})).isZero();
    }

    @Test
    void everyMetricGivesTheSameValueWhateverTheBatching() {
        SplittableRandom random = new SplittableRandom(11);
        double[][] outputs = new double[37][3];
        double[][] targets = new double[37][3];
        for (int r = 0; r < 37; r++) {
            for (int c = 0; c < 3; c++) {
                outputs[r][c] = random.nextDouble(-2, 2);
                targets[r][c] = random.nextDouble(-2, 2) + outputs[r][c] / 2;
            }
        }
        for (Metric metric : ALL) {
            double whole = evaluate(metric, outputs, targets);
            for (int batchSize : new int[] {1, 2, 5, 36}) {
                Metric.Accumulator a = metric.newAccumulator();
                for (int from = 0; from < 37; from += batchSize) {
                    int to = Math.min(37, from + batchSize);
                    a.add(Matrix.of(Precision.FLOAT64, Arrays.copyOfRange(outputs, from, to), "o"),
                            Matrix.of(Precision.FLOAT64, Arrays.copyOfRange(targets, from, to), "t"));
                }
                assertThat(a.result()).as(metric + " in batches of " + batchSize).isEqualTo(whole);
            }
        }
    }

    @Test
    void anEmptyEvaluationIsNaNAndShapesAreChecked() {
        for (Metric metric : ALL) {
            Metric.Accumulator a = metric.newAccumulator();
            assertThat(a.result()).isNaN();
            assertThatThrownBy(() -> a.add(Matrix.zeros(Precision.FLOAT64, 2, 3), Matrix.zeros(Precision.FLOAT64, 2, 2)))
                    .hasMessageContaining("2 × 3").hasMessageContaining("2 × 2");
            a.add(Matrix.zeros(Precision.FLOAT64, 1, 3), Matrix.zeros(Precision.FLOAT64, 1, 3));
            assertThatThrownBy(() -> a.add(Matrix.zeros(Precision.FLOAT64, 1, 2), Matrix.zeros(Precision.FLOAT64, 1, 2)))
                    .hasMessageContaining("is 2").hasMessageContaining("is 3");
        }
    }
}
