package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.util.Locale;

/**
 * The main example: a 784-128-10 network learns the bundled MNIST digits (8,000 for training, 2,000 for
 * testing) with SGD and momentum, showing its progress (a bar within each epoch on a terminal, one line per
 * epoch elsewhere), and prints its test accuracy as the last line.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec} (it is the default example). An
 * optional argument sets the number of epochs (10 unless given).
 */
public final class MnistExample {

    private MnistExample() {
    }

    /**
     * Trains and evaluates the network.
     *
     * @param args optionally the number of epochs
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        DataSet train = BundledData.mnistTrain();
        DataSet test = BundledData.mnistTest();

        Network network = Network.builder()
                .input(784)
                .dense(128, Activation.RELU)
                .dense(10, Activation.SOFTMAX)
                .seed(1)
                .build();

        Trainer trainer = Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.momentum(0.05, 0.9))
                .epochs(epochs)
                .batchSize(32)
                .metrics(Metrics.ACCURACY)
                .logging(false)
                .progress() // a bar within each epoch on a terminal, a line per epoch elsewhere
                .seed(1)
                .build();
        TrainingResult result = trainer.fit(network, train, test);

        double accuracy = trainer.evaluate(result.network(), test).get("accuracy");
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", accuracy);
    }
}
