package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.GradientCheck;
import io.github.backprop4j.train.Trainer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Loss#crossEntropy(double...)}: softmax cross-entropy with a weight per class. */
class WeightedCrossEntropyTest {

    private static final Precision P = Precision.FLOAT64;

    private static final Matrix Z = m(new double[][] {{1, 2, 3}, {0.5, -0.5, 0}, {0, 1, -1}});
    private static final Matrix ONE_HOT = m(new double[][] {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}});

    private static Matrix m(double[][] values) {
        return Matrix.of(P, values, "m");
    }

    private static Matrix softmax(Matrix z) {
        Matrix a = Matrix.zeros(P, z.rows(), z.cols());
        Activation.SOFTMAX.forward(z, a);
        return a;
    }

    private static double[][] errorSignal(Loss loss, Matrix z, Matrix y) {
        Matrix delta = Matrix.zeros(P, z.rows(), z.cols());
        loss.outputErrorSignal(Activation.SOFTMAX, z, softmax(z), y, delta);
        return delta.toDoubleArray();
    }

    @Test
    void allOnesWeightsEqualPlainCrossEntropyForOneHotTargets() {
        Loss ones = Loss.crossEntropy(1, 1, 1);
        Matrix a = softmax(Z);

        assertThat(ones.value(Z, a, ONE_HOT)).isCloseTo(Loss.CROSS_ENTROPY.value(Z, a, ONE_HOT), within(1e-15));
        double[][] weighted = errorSignal(ones, Z, ONE_HOT);
        double[][] plain = errorSignal(Loss.CROSS_ENTROPY, Z, ONE_HOT);
        for (int r = 0; r < plain.length; r++) {
            assertThat(weighted[r]).containsExactly(plain[r], within(1e-15));
        }
    }

    @Test
    void theValueIsTheWeightedMeanOfTheSampleLosses() {
        // Σᵣ w(cᵣ)·(logΣe^zᵣ − zᵣ,cᵣ) / Σᵣ w(cᵣ), with weights 3, 0.5 and 2 for the three samples (from Python's math)
        Loss loss = Loss.crossEntropy(0.5, 2, 3);

        assertThat(loss.value(Z, softmax(Z), ONE_HOT)).isCloseTo(0.43239357409868534, within(1e-15));
        assertThat(loss.name()).isEqualTo("weighted_cross_entropy");
        assertThat(loss).isEqualTo(Loss.crossEntropy(0.5, 2, 3)).isNotEqualTo(Loss.crossEntropy(1, 2, 3));
    }

    @Test
    void theErrorSignalIsWeightedAndDividedByTheTotalWeight() {
        Matrix z = m(new double[][] {{0, 0}, {0, 0}});
        Matrix y = m(new double[][] {{1, 0}, {0, 1}});

        // weights 1 and 3: δ = (sᵣ·a − w⊙y) / 4 with a = ½ everywhere
        double[][] delta = errorSignal(Loss.crossEntropy(1, 3), z, y);

        assertThat(delta[0]).containsExactly(new double[] {-0.125, 0.125}, within(1e-15));
        assertThat(delta[1]).containsExactly(new double[] {0.375, -0.375}, within(1e-15));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void backpropagationAgreesWithFiniteDifferences(long seed) {
        Network network = Network.builder().input(3).dense(4, Activation.TANH).dense(3, Activation.SOFTMAX)
                .seed(seed).build();
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[6][3];
        double[][] y = new double[6][3];
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextGaussian();
            }
            y[i][random.nextInt(3)] = 1;
        }

        GradientCheck.Report report = GradientCheck.run(network, Loss.crossEntropy(0.2, 1.5, 4), x, y);

        assertThat(report.passes(1e-6, 1e-9)).as("%s", report).isTrue();
        assertThat(report.entries()).hasSize((int) network.parameterCount());
    }

    @Test
    void invalidWeightsAreRefused() {
        assertThatIllegalArgumentException().isThrownBy(Loss::crossEntropy).withMessageContaining("empty");
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.crossEntropy(1, -0.5))
                .withMessageContaining("classWeights[1]");
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.crossEntropy(Double.NaN, 1))
                .withMessageContaining("classWeights[0]");
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.crossEntropy(1, Double.POSITIVE_INFINITY))
                .withMessageContaining("classWeights[1]");
        assertThatNullPointerException().isThrownBy(() -> Loss.crossEntropy((double[]) null))
                .withMessageContaining("classWeights");
    }

    @Test
    void theWeightsMustFitTheTargetsAndTheOutputMustBeSoftmax() {
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.crossEntropy(1, 2).checkTargets(ONE_HOT))
                .withMessageContaining("2 entries").withMessageContaining("3 classes");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Loss.crossEntropy(1, 2, 3).checkOutputActivation(Activation.SIGMOID, 2))
                .withMessageContaining("softmax");
    }

    @Test
    void theWeightsAreCopied() {
        double[] weights = {1, 2, 3};
        Loss loss = Loss.crossEntropy(weights);
        weights[2] = 100;

        assertThat(loss).isEqualTo(Loss.crossEntropy(1, 2, 3));
    }

    /**
     * Two overlapping classes in one dimension, nine negatives to each positive: unweighted, the classifier
     * mostly answers "negative"; with the positive class weighted 9, it finds most positives.
     */
    @Test
    void upWeightingARareClassShiftsPredictionsTowardIt() {
        DataSet train = imbalanced(400, 31);
        DataSet test = imbalanced(2000, 32);
        Network start = Network.builder().input(1).dense(2, Activation.SOFTMAX).seed(3).build();
        Trainer.Builder builder = Trainer.builder().optimizer(Optimizer.adam(0.05)).epochs(60).batchSize(40)
                .logging(false).seed(3);

        Network plain = builder.loss(Loss.CROSS_ENTROPY).build().fit(start, train).network();
        Network weighted = builder.loss(Loss.crossEntropy(1, 9)).build().fit(start, train).network();

        double plainRecall = positiveRecall(plain, test);
        double weightedRecall = positiveRecall(weighted, test);
        assertThat(plainRecall).isLessThan(0.45);
        assertThat(weightedRecall).isGreaterThan(0.6);
    }

    @Test
    void allZeroWeightsAreRefusedAndAZeroWeightBatchCostsNothing() {
        assertThatIllegalArgumentException().isThrownBy(() -> Loss.crossEntropy(0, 0))
                .withMessageContaining("at least one class weight must be > 0");

        Loss loss = Loss.crossEntropy(0, 1);
        Matrix z = Matrix.of(Precision.FLOAT64, new double[][] {{0.3, -0.2}, {1.0, 0.5}}, "z");
        Matrix a = Matrix.zeros(Precision.FLOAT64, 2, 2);
        Activation.SOFTMAX.forward(z, a);
        Matrix onlyClassZero = Matrix.of(Precision.FLOAT64, new double[][] {{1, 0}, {1, 0}}, "y");
        Matrix delta = Matrix.zeros(Precision.FLOAT64, 2, 2);
        loss.outputErrorSignal(Activation.SOFTMAX, z, a, onlyClassZero, delta);

        assertThat(loss.value(z, a, onlyClassZero)).isZero();
        assertThat(delta.toDoubleArray()).isDeepEqualTo(new double[][] {{0, 0}, {0, 0}});
    }

    /** Negatives from N(0, 1), positives (one in ten) from N(1.5, 1). */
    private static DataSet imbalanced(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][1];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 10 == 0 ? 1 : 0;
            x[i][0] = random.nextGaussian() + 1.5 * labels[i];
        }
        return DataSet.ofLabels(x, labels, 2);
    }

    private static double positiveRecall(Network network, DataSet data) {
        int[] predicted = network.predictClasses(data.featuresAsArray());
        int positives = 0;
        int found = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (data.label(i) == 1) {
                positives++;
                found += predicted[i] == 1 ? 1 : 0;
            }
        }
        return (double) found / positives;
    }
}
