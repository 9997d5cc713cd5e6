package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A network is an immutable value: many threads may predict with it at once and get exactly what one thread
 * gets, and training in another thread never changes it.
 */
class ConcurrencyTest {

    private static final int INPUTS = 16;
    private static final int SAMPLES = 600;
    private static final int BATCH = 4;
    private static final int THREADS = 8;
    private static final int PREDICTIONS = 100_000;

    private static Network network(Precision precision) {
        return Network.builder().input(INPUTS).dense(32, Activation.TANH).dense(24, Activation.RELU)
                .dense(8, Activation.SOFTMAX).precision(precision).seed(7).build();
    }

    private static double[][] samples(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[SAMPLES][INPUTS];
        for (double[] row : x) {
            for (int j = 0; j < INPUTS; j++) {
                row[j] = random.nextDouble(-2, 2);
            }
        }
        return x;
    }

    private static float[] toFloat(double[] row) {
        float[] f = new float[row.length];
        for (int j = 0; j < f.length; j++) {
            f[j] = (float) row[j];
        }
        return f;
    }

    /** What one thread computes for every kind of call, sample by sample. */
    private record Expected(double[][] single, float[][] singleFloat, double[][][] batches) {
        static Expected of(Network network, double[][] x) {
            double[][] single = new double[SAMPLES][];
            float[][] singleFloat = new float[SAMPLES][];
            double[][][] batches = new double[SAMPLES][][];
            for (int i = 0; i < SAMPLES; i++) {
                single[i] = network.predict(x[i]);
                singleFloat[i] = network.predict(toFloat(x[i]));
                batches[i] = network.predict(batchAt(x, i));
            }
            return new Expected(single, singleFloat, batches);
        }
    }

    /** The {@value #BATCH} samples from {@code i} on, wrapping around. */
    private static double[][] batchAt(double[][] x, int i) {
        double[][] batch = new double[BATCH][];
        for (int k = 0; k < BATCH; k++) {
            batch[k] = x[(i + k) % SAMPLES];
        }
        return batch;
    }

    /** Call number {@code n} of a thread: one of the three kinds of prediction, checked bit for bit. */
    private static boolean predictsAsExpected(Network network, double[][] x, Expected expected, int n, int sample) {
        switch (n % 3) {
            case 0:
                return Arrays.equals(network.predict(x[sample]), expected.single()[sample]);
            case 1:
                return Arrays.equals(network.predict(toFloat(x[sample])), expected.singleFloat()[sample]);
            default:
                return Arrays.deepEquals(network.predict(batchAt(x, sample)), expected.batches()[sample]);
        }
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    @Timeout(60)
    void eightThreadsPredictExactlyWhatOneThreadPredicts(Precision precision) throws Exception {
        Network network = network(precision);
        double[][] x = samples(1);
        Expected expected = Expected.of(network, x);
        AtomicLong calls = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    SplittableRandom order = new SplittableRandom(100 + thread);
                    for (int n = 0; n < PREDICTIONS / THREADS; n++) {
                        if (!predictsAsExpected(network, x, expected, n + thread, order.nextInt(SAMPLES))) {
                            mismatches.incrementAndGet();
                        }
                        calls.incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(calls.get()).isEqualTo(PREDICTIONS);
        assertThat(mismatches.get()).as("predictions that differ from the sequential ones").isZero();
    }

    /** A copy that shares nothing with the original, made from its arrays. */
    private static Network deepCopy(Network network) {
        List<Layer> layers = new ArrayList<>();
        for (DenseLayer l : network.layers().stream().map(DenseLayer.class::cast).toList()) {
            layers.add(Layer.of(l.weights(), l.bias(), l.activation(), l.precision()));
        }
        return Network.of(layers);
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    @Timeout(60)
    void trainingInOneThreadLeavesTheNetworkOthersPredictWithUnchanged(Precision precision) throws Exception {
        Network network = network(precision);
        Network before = deepCopy(network);
        double[][] x = samples(2);
        Expected expected = Expected.of(network, x);
        int[] labels = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            labels[i] = x[i][0] > 0 ? (x[i][1] > 0 ? 1 : 2) : 3;
        }
        DataSet data = DataSet.ofLabels(x, labels, 8);
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01)).epochs(4)
                .batchSize(16).logging(false).seed(3).build();

        AtomicBoolean training = new AtomicBoolean(true);
        AtomicLong callsDuringTraining = new AtomicLong();
        AtomicLong mismatches = new AtomicLong();
        CountDownLatch predicting = new CountDownLatch(4);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        TrainingResult result;
        try {
            List<Future<?>> predictors = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                predictors.add(pool.submit(() -> {
                    SplittableRandom order = new SplittableRandom(200 + thread);
                    predicting.countDown();
                    for (int n = 0; training.get(); n++) {
                        if (!predictsAsExpected(network, x, expected, n + thread, order.nextInt(SAMPLES))) {
                            mismatches.incrementAndGet();
                        }
                        callsDuringTraining.incrementAndGet();
                    }
                    return null;
                }));
            }
            predicting.await();
            try {
                result = trainer.fit(network, data);
            } finally {
                training.set(false);
            }
            for (Future<?> f : predictors) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(result.history().size()).isEqualTo(4);
        assertThat(result.network()).isNotEqualTo(network);
        assertThat(callsDuringTraining.get()).as("predictions made while training ran").isPositive();
        assertThat(mismatches.get()).as("predictions that differ from those before training").isZero();
        assertThat(network).isEqualTo(before);
        assertThat(Expected.of(network, x)).satisfies(after -> {
            assertThat(after.single()).isDeepEqualTo(expected.single());
            assertThat(after.singleFloat()).isDeepEqualTo(expected.singleFloat());
        });
    }
}
