package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
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
 * The raw training step of the PyTorch comparison (bench/run_side_by_side.sh): a 784-128(ReLU)-10 (softmax)
 * network, float32 unless {@code precision} says otherwise, cross-entropy, plain SGD, on real MNIST digits.
 *
 * <ul>
 *   <li>{@code trainStep}: one training step (forward, backpropagation, SGD update) on the next batch, in the
 *       {@link TrainingSession} that {@link Trainer#fit} uses; score × batch = samples/s; {@code -prof gc}
 *       gives the allocation per step.</li>
 *   <li>{@code predictOne}: {@link Network#predict(float[])} of one sample.</li>
 *   <li>{@code predictBatch}: {@link Network#predict(Matrix)} of 1000 samples.</li>
 * </ul>
 * {@code threads} sets {@link Engine#setThreads(int)}; {@code precision} (FLOAT32 unless given, e.g.
 * {@code -p precision=FLOAT64}) is the network's and the data's.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 7, time = 2)
public class MnistBench {

    @Param({"32", "128"})
    int batchSize;

    @Param({"1", "2"})
    int threads;

    /** The network's precision; {@code -p precision=FLOAT64} for the float64 path. */
    @Param({"FLOAT32"})
    Precision precision;

    private Matrix[][] batches;
    private int next;
    private TrainingSession session;
    private Network network;
    private float[] one;
    private Matrix thousand;

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        Mnist mnist = Mnist.training();
        batches = mnist.batches(batchSize, precision);
        network = Network.builder().input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1)
                .precision(precision).build();
        session = new TrainingSession(network, Loss.CROSS_ENTROPY, Optimizer.sgd(0.01), new OptimizerState(),
                Dropout.none(), 0);
        one = mnist.images[0];
        thousand = mnist.batches(1000, precision)[0][0];
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public double trainStep() {
        Matrix[] batch = batches[next];
        next = next + 1 == batches.length ? 0 : next + 1;
        double cost = session.gradients(batch[0], batch[1], null);
        session.update(0.01);
        return cost;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public float[] predictOne() {
        return network.predict(one);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Matrix predictBatch() {
        return network.predict(thousand);
    }
}
