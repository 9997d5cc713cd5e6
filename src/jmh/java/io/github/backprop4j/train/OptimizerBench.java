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
 * The cost of each built-in optimizer against the whole training step: a 784-256(ReLU)-10(softmax) network
 * (203,530 parameters), cross-entropy, batch 64 of MNIST digits, in the {@link TrainingSession} that
 * {@link Trainer#fit} uses.
 *
 * <ul>
 *   <li>{@code step}: forward, backpropagation and the optimizer's update on the next batch;</li>
 *   <li>{@code update}: the optimizer's update alone (all layers, then the step count), on the gradients of
 *       the last batch.</li>
 * </ul>
 * Both in microseconds per call, so {@code update / step} is the optimizer's share of the step (target
 * ≤ 10 %), and {@code update / 203,530} its cost per parameter.
 */
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class OptimizerBench {

    @Param({"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"})
    String optimizer;

    @Param({"FLOAT32", "FLOAT64"})
    Precision precision;

    @Param({"64"})
    int batchSize;

    @Param({"1"})
    int threads;

    private Matrix[][] batches;
    private int next;
    private TrainingSession session;

    static Optimizer optimizer(String name) {
        return switch (name) {
            case "sgd" -> Optimizer.sgd(0.01);
            case "momentum" -> Optimizer.momentum(0.01, 0.9);
            case "nesterov" -> Optimizer.nesterov(0.01, 0.9);
            case "adagrad" -> Optimizer.adagrad(0.01);
            case "rmsprop" -> Optimizer.rmsprop(1e-3);
            case "adam" -> Optimizer.adam(1e-3);
            case "adamw" -> Optimizer.adamW(1e-3, 0.01);
            case "adam_l2_clip" -> Optimizer.adam(1e-3).withL2(1e-4).clippedByValue(1);
            default -> throw new IllegalArgumentException("unknown optimizer " + name);
        };
    }

    @Setup(Level.Trial)
    public void setUp() {
        Engine.setThreads(threads);
        Mnist mnist = Mnist.training();
        batches = mnist.batches(batchSize, Precision.FLOAT32);
        if (precision == Precision.FLOAT64) {
            for (Matrix[] b : batches) {
                b[0] = b[0].toPrecision(Precision.FLOAT64);
                b[1] = b[1].toPrecision(Precision.FLOAT64);
            }
        }
        Network network = Network.builder().input(784).dense(256, Activation.RELU).dense(10, Activation.SOFTMAX)
                .seed(1).precision(precision).build();
        session = new TrainingSession(network, Loss.CROSS_ENTROPY, optimizer(optimizer), new OptimizerState(),
                Dropout.none(), 0);
        session.gradients(batches[0][0], batches[0][1], null);
        session.update(1e-3); // the buffers exist from here on
    }

    @Benchmark
    public double step() {
        Matrix[] batch = batches[next];
        next = next + 1 == batches.length ? 0 : next + 1;
        double cost = session.gradients(batch[0], batch[1], null);
        session.update(1e-3);
        return cost;
    }

    @Benchmark
    public void update() {
        session.update(1e-3);
    }
}
