package io.github.backprop4j.train;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.optim.Optimizer;

/** A small seeded classification run with validation, shared by the export and report tests. */
public final class TrainerTestSupport {

    private TrainerTestSupport() {
    }

    /** Three Gaussian blobs in 2-D, 30 samples each, fixed seed. */
    public static DataSet blobs(long seed) {
        java.util.Random random = new java.util.Random(seed);
        double[][] x = new double[90][];
        int[] labels = new int[90];
        for (int i = 0; i < 90; i++) {
            int k = i % 3;
            x[i] = new double[] {k * 2 + random.nextGaussian() * 0.8, (k == 1 ? 2 : 0) + random.nextGaussian() * 0.8};
            labels[i] = k;
        }
        return DataSet.ofLabels(x, labels, 3);
    }

    /** A 2-8-3 softmax classifier trained 12 epochs on blobs, validated on other blobs. */
    public static TrainingResult irisLikeRun() {
        Network network = Network.builder().input(2).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX).seed(3)
                .build();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.02)).epochs(12)
                .batchSize(16).metrics(Metrics.ACCURACY).logging(false).seed(3).build();
        return trainer.fit(network, blobs(1), blobs(2));
    }

    /** The history of {@link #irisLikeRun()}. */
    public static History irisLikeHistory() {
        return irisLikeRun().history();
    }
}
