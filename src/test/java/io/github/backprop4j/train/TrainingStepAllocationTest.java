package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Once warmed up, a training step of the {@link TrainingSession} allocates nothing: its layers' computations keep
 * their buffers per batch size (two sizes, for full batches and a shorter last one), and the optimizer state its
 * buffers per parameter. Measured with the thread's allocation counter
 * ({@code com.sun.management.ThreadMXBean#getThreadAllocatedBytes}) around many steps after warm-up, which counts
 * every object the steps allocate, on the scalar path (the pom's {@code scalar-kernels} run; on the vector path the
 * Vector API boxes its lanes until C2 has intrinsified each operation, which a short test cannot wait for).
 * Networks with layer norm, batch norm (also inside a residual block), embeddings and residual blocks, both
 * precisions, Adam. And a step of {@link Trainer#fit} itself, with listeners that watch every batch (the progress
 * listener in both modes) but draw nothing in the measured stretch, allocates nothing either.
 */
class TrainingStepAllocationTest {

    private static final int FEATURES = 12;
    private static final int FULL = 16;
    private static final int LAST = 7;

    static Stream<Arguments> networks() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (Precision precision : Precision.values()) {
            cases.add(Arguments.of("dense only, " + precision, (Supplier<Network>) () ->
                    Network.builder().input(FEATURES).dense(24, Activation.RELU).dense(16, Activation.TANH)
                            .dense(3, Activation.SOFTMAX).seed(4).precision(precision).build()));
            cases.add(Arguments.of("dense, layer norm, batch norm, " + precision, (Supplier<Network>) () ->
                    Network.builder().input(FEATURES).dense(24).layerNorm(Activation.RELU).dense(16)
                            .batchNorm(Activation.TANH).dense(3, Activation.SOFTMAX).seed(4).precision(precision)
                            .build()));
            cases.add(Arguments.of("batch norm in a residual block, " + precision, (Supplier<Network>) () ->
                    Network.builder().input(FEATURES).dense(16, Activation.TANH)
                            .residual(b -> b.dense(16).batchNorm(Activation.RELU).dense(16)).layerNorm()
                            .dense(3, Activation.SOFTMAX).seed(4).precision(precision).build()));
            cases.add(Arguments.of("every kind, " + precision, (Supplier<Network>) () ->
                    Network.builder().input(FEATURES - 2).categorical(5, 3).categorical(4, 2)
                            .dense(16, Activation.TANH).layerNorm()
                            .residual(Activation.RELU, b -> b.dense(12, Activation.TANH).batchNorm().dense(16))
                            .batchNorm(Activation.RELU).dense(3, Activation.SOFTMAX).seed(4).precision(precision)
                            .build()));
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void aWarmTrainingStepAllocatesNothing(String name, Supplier<Network> network) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean m
                && m.isThreadAllocatedMemorySupported() && m.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count the bytes a thread allocates");
        Assumptions.assumeFalse(Engine.isVectorized(), "measured on the scalar path (the pom's scalar-kernels run): "
                + "before C2 intrinsifies them, Vector API operations box their lanes, which is the JIT's business");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        Network start = network.get();
        boolean embedded = start.layer(1) instanceof io.github.backprop4j.Embedding;
        Matrix[][] full = batch(start.precision(), FULL, 1, embedded);
        Matrix[][] last = batch(start.precision(), LAST, 2, embedded);
        TrainingSession session = new TrainingSession(start, Loss.CROSS_ENTROPY, Optimizer.adam(0.001),
                new OptimizerState(), Dropout.none(), 0);

        steps(session, full, last, 3000); // warm-up: both buffer sets made, the step compiled
        long thread = Thread.currentThread().getId();
        long before = counter.getThreadAllocatedBytes(thread);
        int measured = 2000;
        steps(session, full, last, measured);
        long allocated = counter.getThreadAllocatedBytes(thread) - before;

        // Less than a byte per step: a single object made in every step (16 bytes or more) would exceed it.
        assertThat((double) allocated / measured).as("%s: bytes allocated per step (%d in %d steps)", name,
                allocated, measured).isLessThan(1);
    }

    @ParameterizedTest(name = "progress on a terminal: {0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void aWarmStepOfFitAllocatesNothingWhileItsListenersWatchEveryBatch(boolean terminal) {
        java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        Assumptions.assumeTrue(bean instanceof com.sun.management.ThreadMXBean m
                && m.isThreadAllocatedMemorySupported() && m.isThreadAllocatedMemoryEnabled(),
                "this JVM does not count the bytes a thread allocates");
        Assumptions.assumeFalse(Engine.isVectorized(), "measured on the scalar path (the pom's scalar-kernels run)");
        com.sun.management.ThreadMXBean counter = (com.sun.management.ThreadMXBean) bean;
        int batches = 3000;
        Matrix[][] data = batch(Precision.FLOAT64, FULL * batches, 5, false);
        io.github.backprop4j.data.DataSet set = io.github.backprop4j.data.DataSet.of(data[0][0], data[1][0]);
        long[] measured = new long[2];
        TrainingListener meter = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                if (epoch == 3 && batch == 1000) {
                    measured[0] = counter.getThreadAllocatedBytes(Thread.currentThread().getId());
                } else if (epoch == 3 && batch == batches) {
                    measured[1] = counter.getThreadAllocatedBytes(Thread.currentThread().getId());
                }
            }
        };
        StringBuilder out = new StringBuilder();
        // A clock that stands still: the bar is drawn at the start of the run and never again.
        ProgressListener progress = new ProgressListener(() -> out, () -> terminal, () -> 0L);
        // With the accuracy metric, which finds each row's class in place (it allocated two int arrays a batch).
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.001)).epochs(3)
                .batchSize(FULL).metrics(Metrics.ACCURACY).logging(false).seed(2).listeners(progress, meter).build();

        trainer.fit(Network.builder().input(FEATURES).dense(24, Activation.RELU).dense(3, Activation.SOFTMAX).seed(4)
                .build(), set);

        long steps = batches - 1000;
        long allocated = measured[1] - measured[0];
        assertThat(out.toString().split("\n")).as("the progress shown").hasSize(3);
        assertThat((double) allocated / steps).as("bytes allocated per step of fit (%d in %d steps)", allocated,
                steps).isLessThan(1);
    }

    /** Steps alternating two full batches and a short last one, as an epoch of 2 × 16 + 7 samples does. */
    private static void steps(TrainingSession session, Matrix[][] full, Matrix[][] last, int count) {
        for (int i = 0; i < count; i++) {
            Matrix[][] b = i % 3 == 2 ? last : full;
            session.gradients(b[0][0], b[1][0], null, true);
            session.update(0.001);
        }
    }

    /** A batch of {@code rows} samples; with {@code embedded}, the last two columns category indices below 5 and 4. */
    private static Matrix[][] batch(Precision precision, int rows, long seed, boolean embedded) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[rows][FEATURES];
        double[][] y = new double[rows][3];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < FEATURES; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            if (embedded) {
                x[i][FEATURES - 2] = random.nextInt(5);
                x[i][FEATURES - 1] = random.nextInt(4);
            }
            y[i][i % 3] = 1;
        }
        return new Matrix[][] {{Matrix.of(precision, x, "x")}, {Matrix.of(precision, y, "y")}};
    }
}
