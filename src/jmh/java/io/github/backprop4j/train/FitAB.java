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
import java.util.Arrays;
import java.util.List;

/**
 * {@link FitBench} as an A/B in one JVM, for a shared machine: rounds that alternate one {@link Trainer#fit}
 * epoch over the 8,000 MNIST digits (784-128-10, SGD) and the same batches fed straight to the
 * {@link TrainingSession}. Prints the medians in samples per second and their ratio.
 *
 * <pre>
 *   mvn -B -q -o -P bench test-compile
 *   java [--add-modules jdk.incubator.vector] -cp target/classes:target/test-classes:&lt;jmh class path&gt; \
 *       io.github.backprop4j.train.FitAB [rounds]
 * </pre>
 */
public final class FitAB {

    private FitAB() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 11;
        Engine.setThreads(1);
        Mnist mnist = Mnist.training();
        DataSet data = DataSet.of(mnist.images, mnist.labels);
        for (int batchSize : new int[] {32, 128}) {
            Network network = Network.builder().input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX)
                    .seed(1).precision(Precision.FLOAT32).build();
            Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.01)).epochs(1)
                    .batchSize(batchSize).seed(1).logging(false).build();
            TrainingSession session = new TrainingSession(network, Loss.CROSS_ENTROPY, Optimizer.sgd(0.01),
                    new OptimizerState(), Dropout.none(), 0);
            List<Matrix[]> batches = new ArrayList<>();
            try (DataSource.Batches pass = data.batches(batchSize, Precision.FLOAT32, null)) {
                while (pass.hasNext()) {
                    Batch b = pass.next();
                    batches.add(new Matrix[] {b.features(), b.targets()});
                }
            }
            double[] fit = new double[rounds];
            double[] raw = new double[rounds];
            for (int r = -3; r < rounds; r++) { // three rounds of warm-up
                long start = System.nanoTime();
                trainer.fit(network, data);
                double f = data.size() / ((System.nanoTime() - start) * 1e-9);
                start = System.nanoTime();
                for (Matrix[] b : batches) {
                    session.gradients(b[0], b[1], null);
                    session.update(0.01);
                }
                double s = data.size() / ((System.nanoTime() - start) * 1e-9);
                if (r >= 0) {
                    fit[r] = f;
                    raw[r] = s;
                }
            }
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                ratio[r] = fit[r] / raw[r];
            }
            System.out.printf("batch %3d: fit %8.0f samples/s, raw step %8.0f samples/s, fit/raw median of rounds"
                    + " %.2f%n", batchSize, median(fit), median(raw), median(ratio));
        }
    }

    private static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
