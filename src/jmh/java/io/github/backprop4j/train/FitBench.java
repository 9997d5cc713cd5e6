package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@link Trainer#fit} costs beyond the raw training step: one epoch over the 8,000 bundled MNIST digits
 * (784-128(ReLU)-10(softmax), cross-entropy, SGD 0.01, shuffled) as a user calls it, against the same number of
 * steps on the same batch sizes fed straight to the {@link TrainingSession} (as {@code MnistBench.trainStep}).
 * Both scores are epochs per second, so {@code fitEpoch / rawEpoch} is the share of the step's throughput that
 * {@code fit} keeps (target ≥ 0.9); times 8,000 they are samples per second.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FitBench {

    @Param({"32", "128"})
    int batchSize;

    @Param({"1"})
    int threads;

    @Param({"FLOAT32"})
    Precision precision;

    private DataSet data;
    private Network network;
    private Trainer trainer;
    private TrainingSession session;
    private Matrix[][] batches;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        Mnist mnist = Mnist.training();
        data = DataSet.of(mnist.images, mnist.labels);
        network = Network.builder().input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1)
                .precision(precision).build();
        trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.01)).epochs(1)
                .batchSize(batchSize).seed(1).logging(false).build();
        session = new TrainingSession(network, Loss.CROSS_ENTROPY, Optimizer.sgd(0.01), new OptimizerState(),
                Dropout.none(), 0);
        List<Matrix[]> all = new ArrayList<>();
        try (DataSource.Batches pass = data.batches(batchSize, precision, null)) {
            while (pass.hasNext()) {
                Batch b = pass.next();
                all.add(new Matrix[] {b.features(), b.targets()});
            }
        }
        batches = all.toArray(Matrix[][]::new);
    }

    /** One {@code Trainer.fit} epoch from the starting network, as a user calls it. */
    @Benchmark
    public Network fitEpoch() {
        return trainer.fit(network, data).network();
    }

    /** The same batches through the raw step: gathered once beforehand, so no batching, listeners or checks. */
    @Benchmark
    public double rawEpoch() {
        double cost = 0;
        for (Matrix[] batch : batches) {
            cost += session.gradients(batch[0], batch[1], null);
            session.update(0.01);
        }
        return cost;
    }
}
