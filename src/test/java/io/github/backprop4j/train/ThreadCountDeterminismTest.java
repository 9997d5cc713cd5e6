package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The same seed gives a bit-identical trained network whatever the number of threads, at a size where the
 * engine really splits the products between threads (784 × 256 weights, batch 256: 51 M multiply-adds per
 * product, above the 2 M per thread from which the engine splits), in both precisions.
 */
class ThreadCountDeterminismTest {

    @AfterEach
    void restoreDefaultThreads() {
        Engine.setThreads(Runtime.getRuntime().availableProcessors());
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void oneThreadAndManyThreadsTrainTheSameNetwork(Precision precision) {
        DataSet data = randomData(1024, 784, 10, 3);
        Network start = Network.builder().input(784).dense(256, Activation.RELU).dense(10, Activation.SOFTMAX)
                .precision(precision).seed(3).build();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.momentum(0.05, 0.9))
                .epochs(2).batchSize(256).seed(3).logging(false).build();

        Engine.setThreads(1);
        Network single = trainer.fit(start, data).network();

        AtomicInteger helperTasks = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Engine.setExecutor(task -> {
                helperTasks.incrementAndGet();
                pool.execute(task);
            }, 4);
            Network parallel = trainer.fit(start, data).network();

            assertThat(parallel).isEqualTo(single);
        } finally {
            pool.shutdown();
        }
        assertThat(helperTasks.get()).as("helper tasks run for the " + precision + " products").isPositive();
    }

    private static DataSet randomData(int n, int features, int classes, long seed) {
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
}
