package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ReferenceOptimizers;
import java.util.Arrays;

/**
 * An A/B run in one JVM, for a shared machine where JMH's forks one after another see different loads: for
 * each optimizer and precision, rounds that alternate the one-pass update and the reference update (the code
 * it replaced) on a 784-256-10 network's gradients of a batch of 64, and the whole training step with the
 * one-pass update. Prints medians over the rounds: the update's µs, its ns per parameter, and its share of the
 * step.
 *
 * <pre>
 *   mvn -B -q -o -P bench test-compile
 *   java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes:&lt;jmh class path&gt; \
 *       io.github.backprop4j.train.OptimizerAB [rounds]
 * </pre>
 */
public final class OptimizerAB {

    private OptimizerAB() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        Engine.setThreads(1);
        Mnist mnist = Mnist.training();
        Matrix[][] batches32 = mnist.batches(64, Precision.FLOAT32);
        System.out.printf("%-9s %-8s %12s %12s %10s %12s %10s %8s%n", "optimizer", "precision", "update µs",
                "reference µs", "speed-up", "ns/parameter", "step µs", "share");
        for (Precision precision : Precision.values()) {
            Matrix[][] batches = batches32;
            if (precision == Precision.FLOAT64) {
                batches = new Matrix[batches32.length][];
                for (int b = 0; b < batches.length; b++) {
                    batches[b] = new Matrix[] {batches32[b][0].toPrecision(Precision.FLOAT64),
                        batches32[b][1].toPrecision(Precision.FLOAT64)};
                }
            }
            for (String name : new String[] {"sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw"}) {
                Optimizer optimizer = OptimizerBench.optimizer(name);
                Network network = Network.builder().input(784).dense(256, Activation.RELU)
                        .dense(10, Activation.SOFTMAX).seed(1).precision(precision).build();
                TrainingSession fast = session(network, optimizer, batches[0]);
                TrainingSession reference = session(network, ReferenceOptimizers.of(optimizer), batches[0]);
                double[] a = new double[rounds];
                double[] b = new double[rounds];
                double[] step = new double[rounds];
                int next = 0;
                for (int r = -3; r < rounds; r++) { // three rounds of warm-up
                    double ta = time(fast, 40);
                    double tb = time(reference, 40);
                    long start = System.nanoTime();
                    for (int i = 0; i < 20; i++) {
                        Matrix[] batch = batches[next];
                        next = (next + 1) % batches.length;
                        fast.gradients(batch[0], batch[1], null);
                        fast.update(1e-3);
                    }
                    double ts = (System.nanoTime() - start) / 20e3;
                    if (r >= 0) {
                        a[r] = ta;
                        b[r] = tb;
                        step[r] = ts;
                    }
                }
                double ua = median(a);
                double ub = median(b);
                double us = median(step);
                System.out.printf("%-9s %-8s %12.1f %12.1f %9.1fx %12.2f %10.1f %7.1f%%%n", name, precision, ua, ub,
                        ub / ua, ua * 1e3 / 203_530, us, 100 * ua / us);
            }
        }
    }

    private static TrainingSession session(Network network, Optimizer optimizer, Matrix[] batch) {
        TrainingSession session = new TrainingSession(network, Loss.CROSS_ENTROPY, optimizer, new OptimizerState(),
                Dropout.none(), 0);
        session.gradients(batch[0], batch[1], null);
        return session;
    }

    /** µs per update, over {@code n} updates. */
    private static double time(TrainingSession session, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            session.update(1e-4);
        }
        return (System.nanoTime() - start) / (n * 1e3);
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
