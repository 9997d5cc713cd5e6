package io.github.backprop4j.bench;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.StepRunner;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Bytes allocated per steady-state training step (the workspace {@code Trainer.fit} runs, through
 * {@link StepRunner}) for a dense network and for networks with layer normalization, batch normalization and a
 * residual block, on whichever kernel path the JVM runs (the test {@code TrainingStepAllocationTest} holds the
 * scalar path to zero; the Vector API's boxes are removed only once C2 has compiled the kernels, so the vector path
 * is measured here, after a warm-up of some seconds). One thread, Adam, batch 64 of random 784-wide inputs.
 *
 * <pre>
 *   mvn -B -q -o -P bench test-compile
 *   java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes:&lt;bench class path&gt; \
 *       io.github.backprop4j.bench.StepAllocation [float32|float64] [warm-up seconds, default 10]
 * </pre>
 */
public final class StepAllocation {

    private StepAllocation() {
    }

    /**
     * Runs the measurement and prints one line per network.
     *
     * @param args the precision and the warm-up in seconds, both optional
     */
    public static void main(String[] args) {
        Precision p = args.length > 0 && args[0].equals("float64") ? Precision.FLOAT64 : Precision.FLOAT32;
        double warmupSeconds = args.length > 1 ? Double.parseDouble(args[1]) : 10;
        Engine.setThreads(1);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        SplittableRandom random = new SplittableRandom(1);
        int batch = 64;
        Matrix x = Matrix.zeros(p, batch, 784);
        Matrix y = Matrix.zeros(p, batch, 10);
        for (int r = 0; r < batch; r++) {
            for (int c = 0; c < 784; c++) {
                x.set(r, c, random.nextDouble());
            }
            y.set(r, random.nextInt(10), 1);
        }
        String[] names = {"dense 784-128-10", "dense + layer norm + batch norm", "dense + residual(dense, layer norm, dense)"};
        Network[] networks = {
            Network.builder().input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX)
                    .precision(p).seed(1).build(),
            Network.builder().input(784).dense(128, Activation.RELU).layerNorm().batchNorm(Activation.RELU)
                    .dense(10, Activation.SOFTMAX).precision(p).seed(1).build(),
            Network.builder().input(784).dense(128, Activation.RELU)
                    .residual(b -> b.dense(64, Activation.RELU).layerNorm().dense(128)).dense(10, Activation.SOFTMAX)
                    .precision(p).seed(1).build(),
        };
        System.out.println("kernels: " + Engine.kernels());
        for (int k = 0; k < networks.length; k++) {
            StepRunner steps = new StepRunner(networks[k], Loss.CROSS_ENTROPY, Optimizer.adam(1e-3),
                    new OptimizerState(), 0);
            long end = System.nanoTime() + (long) (warmupSeconds * 1e9);
            int warm = 0;
            while (System.nanoTime() < end || warm < 1000) {
                steps.step(x, y, 1e-3);
                warm++;
            }
            int measured = 2000;
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < measured; i++) {
                steps.step(x, y, 1e-3);
            }
            long bytes = threads.getCurrentThreadAllocatedBytes() - before;
            System.out.printf("%s, %s: %.1f bytes per step over %d steps, after %d warm-up steps%n", p, names[k],
                    bytes / (double) measured, measured, warm);
        }
    }
}
