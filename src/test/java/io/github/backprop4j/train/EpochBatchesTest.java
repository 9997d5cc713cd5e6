package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Trainer#fit} on an in-memory {@link DataSet} gathers each batch into the run's own buffers: the same
 * samples in the same order as the data set's own pass, so the same bits, with no batch allocated per step.
 */
class EpochBatchesTest {

    /** A data set seen only through the {@link DataSource} interface: fit takes the general path for it. */
    private record Opaque(DataSet data) implements DataSource {
        @Override
        public int featureCount() {
            return data.featureCount();
        }

        @Override
        public int targetCount() {
            return data.targetCount();
        }

        @Override
        public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
            return data.batches(batchSize, precision, shuffle);
        }
    }

    private static DataSet data(int n, int features, int classes, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[n][features];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(classes);
            for (int j = 0; j < features; j++) {
                x[i][j] = random.nextDouble() + (j % classes == labels[i] ? 0.5 : 0);
            }
        }
        return DataSet.ofLabels(x, labels, classes);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void gatheredBatchesTrainTheSameNetworkAsTheDataSetsOwnPass(Precision precision) {
        DataSet data = data(203, 7, 3, 1); // 203 = 6 batches of 32 and a last one of 11
        Network start = Network.builder().input(7).dense(9, Activation.TANH).dense(3, Activation.SOFTMAX)
                .precision(precision).seed(2).build();
        for (boolean shuffle : new boolean[] {true, false}) {
            Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01))
                    .epochs(3).batchSize(32).shuffle(shuffle).dropout(1, 0.2).seed(5).logging(false).build();
            TrainingResult gathered = trainer.fit(start, data);
            TrainingResult passed = trainer.fit(start, new Opaque(data));
            assertThat(gathered.network()).as("shuffle %s", shuffle).isEqualTo(passed.network());
            assertThat(gathered.history().epochs().get(2).value("loss")).as("shuffle %s", shuffle)
                    .isEqualTo(passed.history().epochs().get(2).value("loss"));
            assertThat(gathered.network()).isNotEqualTo(start);
        }
    }

    @Test
    void aBatchLargerThanTheDataIsOneBatchOfAllSamples() {
        DataSet data = data(20, 4, 2, 3);
        Network start = Network.builder().input(4).dense(2, Activation.SOFTMAX).seed(4).build();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(2)
                .batchSize(64).seed(6).logging(false).build();
        assertThat(trainer.fit(start, data).network()).isEqualTo(trainer.fit(start, new Opaque(data)).network());
    }

    /**
     * An epoch's allocation does not grow with the batch: 200 steps of batch 10 over 200 features. Through the
     * data set's own pass each step allocates its batch (10 × 200 doubles, 16,000 B, gathered through row
     * arrays); gathered into the run's buffers a step allocates a few small objects. The same measurement of
     * the general path shows that it sees a batch.
     */
    @Test
    void stepsAllocateNoBatch() {
        DataSet data = data(2000, 200, 2, 7);
        long gathered = bytesPerStep(data);
        long passed = bytesPerStep(new Opaque(data));
        assertThat(passed).as("bytes per step through the data set's own pass").isGreaterThan(16_000);
        assertThat(gathered).as("bytes per step through the gathered batches").isLessThan(4_000);
    }

    /** The allocation of four more epochs, per step, once the JIT has settled (the last of three rounds). */
    private static long bytesPerStep(DataSource data) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Network start = Network.builder().input(200).dense(2, Activation.SOFTMAX).precision(Precision.FLOAT64)
                .seed(8).build();
        long[] perRun = new long[2];
        int[] epochs = {2, 6};
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < 2; k++) {
                Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.momentum(0.01, 0.9))
                        .epochs(epochs[k]).batchSize(10).seed(9).logging(false).build();
                long before = threads.getCurrentThreadAllocatedBytes();
                trainer.fit(start, data);
                perRun[k] = threads.getCurrentThreadAllocatedBytes() - before;
            }
        }
        return (perRun[1] - perRun[0]) / (4 * 200);
    }
}
