package io.github.backprop4j.optim;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.Gradients;
import java.util.List;
import java.util.Random;

/** Small seeded networks and batches for the optimizer tests. */
final class Fixtures {

    static final Backpropagator BACKPROP = new Backpropagator(Loss.MSE);

    private Fixtures() {
    }

    /** A 3–5–4–2 network, tanh, tanh, identity, with biases made non-zero so that every parameter moves. */
    static Network network(Precision precision, long seed) {
        Network n = Network.builder().input(3).dense(5, Activation.TANH).dense(4, Activation.TANH)
                .dense(2, Activation.IDENTITY).seed(seed).precision(precision).build();
        Random random = new Random(seed);
        for (int l = 1; l <= n.layerCount(); l++) {
            double[] bias = new double[n.layer(l).outputSize()];
            for (int j = 0; j < bias.length; j++) {
                bias[j] = random.nextGaussian() * 0.1;
            }
            n = n.withLayer(l, n.dense(l).withBias(bias));
        }
        return n;
    }

    static double[][] inputs(long seed) {
        return random(new Random(seed + 1), 6, 3);
    }

    static double[][] targets(long seed) {
        return random(new Random(seed + 2), 6, 2);
    }

    static Gradients gradients(Network network, long seed) {
        return BACKPROP.gradients(network, inputs(seed), targets(seed));
    }

    /** Every built-in optimizer, with a learning rate large enough to be seen. */
    static List<Optimizer> builtIns(double learningRate) {
        return List.of(Optimizer.sgd(learningRate), Optimizer.sgd(learningRate).withWeightDecay(0.1),
                Optimizer.momentum(learningRate, 0.9), Optimizer.nesterov(learningRate, 0.9),
                Optimizer.adagrad(learningRate), Optimizer.rmsprop(learningRate), Optimizer.adam(learningRate),
                Optimizer.adamW(learningRate, 0.1));
    }

    private static double[][] random(Random random, int rows, int cols) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int c = 0; c < cols; c++) {
                row[c] = random.nextGaussian();
            }
        }
        return m;
    }
}
