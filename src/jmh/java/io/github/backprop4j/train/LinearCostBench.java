package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time of one float32 training step of a 784-width(ReLU)-10(softmax) network on random data, for the
 * table of time per sample in docs/performance.md (divide the score by the batch size). One thread.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LinearCostBench {

    @Param({"64", "128", "256", "512", "1024"})
    int width;

    @Param({"1", "8", "32", "128", "512"})
    int batch;

    private TrainingSession session;
    private Matrix x;
    private Matrix y;

    @Setup
    public void setUp() {
        Engine.setThreads(1);
        Network network = Network.builder().input(784).dense(width, Activation.RELU).dense(10, Activation.SOFTMAX)
                .seed(1).precision(Precision.FLOAT32).build();
        session = new TrainingSession(network, Loss.CROSS_ENTROPY, Optimizer.sgd(0.001), new OptimizerState(),
                Dropout.none(), 0);
        SplittableRandom random = new SplittableRandom(9);
        double[][] xs = new double[batch][784];
        double[][] ys = new double[batch][10];
        for (int i = 0; i < batch; i++) {
            for (int p = 0; p < 784; p++) {
                xs[i][p] = random.nextDouble();
            }
            ys[i][random.nextInt(10)] = 1;
        }
        x = Matrix.of(Precision.FLOAT32, xs, "x");
        y = Matrix.of(Precision.FLOAT32, ys, "y");
    }

    @Benchmark
    public double trainStep() {
        double cost = session.gradients(x, y, null);
        session.update(0.001);
        return cost;
    }
}
