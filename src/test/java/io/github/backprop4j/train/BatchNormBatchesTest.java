package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Batch normalization cannot train on a batch of 1 sample (no batch variance): {@link Trainer#fit} refuses, before
 * the first step, in-memory data whose batch size leaves one, and names the layer, the sizes and a batch size that
 * works.
 */
class BatchNormBatchesTest {

    private static DataSet data(int samples) {
        SplittableRandom random = new SplittableRandom(samples);
        double[][] x = new double[samples][3];
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            labels[i] = x[i][0] > 0 ? 1 : 0;
        }
        return DataSet.ofLabels(x, labels, 2);
    }

    private static Network withBatchNorm() {
        return Network.builder().input(3).dense(6).batchNorm(Activation.RELU).dense(2, Activation.SOFTMAX).seed(1)
                .precision(Precision.FLOAT64).build();
    }

    private static Network withBatchNormInResidual() {
        return Network.builder().input(3).dense(6, Activation.TANH)
                .residual(b -> b.dense(6).batchNorm(Activation.TANH)).dense(2, Activation.SOFTMAX).seed(1).build();
    }

    private static Trainer trainer(int batchSize, List<String> events) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(2)
                .batchSize(batchSize).seed(3).logging(false).listeners(new TrainingListener() {
                    @Override
                    public void onTrainingStart(TrainingRun run) {
                        events.add("started");
                    }
                }).build();
    }

    @Test
    void aLastBatchOfOneSampleIsRefusedBeforeTrainingStartsWithABatchSizeThatWorks() {
        List<String> events = new ArrayList<>();
        assertThatThrownBy(() -> trainer(8, events).fit(withBatchNorm(), data(17)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("training: 17 samples in batches of 8 leave a batch of 1 sample")
                .hasMessageContaining("layer 2 (batch normalization)")
                .hasMessageContaining("use a batch size of 7");
        assertThat(events).as("no listener saw a start").isEmpty();
        // the suggested size trains
        assertThat(trainer(7, events).fit(withBatchNorm(), data(17)).stopReason()).startsWith("completed");
    }

    @Test
    void batchNormalizationInsideAResidualBlockIsFoundToo() {
        assertThatThrownBy(() -> trainer(5, new ArrayList<>()).fit(withBatchNormInResidual(), data(21)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("21 samples in batches of 5")
                .hasMessageContaining("layer 2 (a residual block holding batch normalization)")
                .hasMessageContaining("use a batch size of 6");
    }

    @Test
    void batchesOfOneThroughoutAreRefused() {
        assertThatThrownBy(() -> trainer(1, new ArrayList<>()).fit(withBatchNorm(), data(10)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("10 samples in batches of 1 leave a batch of 1 sample")
                .hasMessageContaining("use a batch size of 2");
    }

    @Test
    void theHeldOutValidationShareIsNotCountedAsTraining() {
        // 20 samples, a quarter held out: 15 train in batches of 7, leaving a last batch of 1
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(1)
                .batchSize(7).validationFraction(0.25).seed(3).logging(false).build();
        assertThatThrownBy(() -> trainer.fit(withBatchNorm(), data(20))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("15 samples in batches of 7");
    }

    @Test
    void networksWithoutBatchNormalizationTrainOnAnyBatchSize() {
        Network layerNorm = Network.builder().input(3).dense(6).layerNorm(Activation.RELU).dense(2, Activation.SOFTMAX)
                .seed(1).build();
        assertThat(trainer(8, new ArrayList<>()).fit(layerNorm, data(17)).stopReason()).startsWith("completed");
    }
}
