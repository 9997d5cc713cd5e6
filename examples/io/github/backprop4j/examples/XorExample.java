package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.Backpropagator;
import java.util.Locale;

/**
 * Learns XOR with a 2-4-1 network and plain gradient descent, the smallest problem a single layer cannot
 * solve. Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=XorExample}.
 */
public final class XorExample {

    private XorExample() {
    }

    /**
     * Trains the network and prints its predictions.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        // readme-sample-start
        double[][] inputs = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
        double[][] targets = {{0}, {1}, {1}, {0}};

        Network network = Network.builder()
                .input(2)
                .dense(4, Activation.TANH)
                .dense(1, Activation.SIGMOID)
                .seed(42)
                .build();

        Backpropagator backprop = new Backpropagator(Loss.MSE);
        Optimizer sgd = Optimizer.sgd(2.0);
        OptimizerState state = new OptimizerState();
        for (int step = 0; step < 2000; step++) {
            network = backprop.step(network, inputs, targets, sgd, state); // returns a new network
        }

        for (double[] x : inputs) {
            System.out.printf("%s xor %s -> %.3f%n", (int) x[0], (int) x[1], network.predict(x)[0]);
        }
        // readme-sample-end
        double loss = backprop.gradients(network, inputs, targets).loss();
        System.out.printf(Locale.ROOT, "final loss: %.6f%n", loss);
    }
}
