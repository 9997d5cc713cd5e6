package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.util.Locale;

/**
 * Classifies Fisher's irises: a seeded 70/30 split, features standardised with statistics of the training
 * part only, a 4-16-3 network trained with Adam, and the confusion matrix of the test part.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=IrisExample}.
 */
public final class IrisExample {

    private IrisExample() {
    }

    /**
     * Trains the classifier and prints its confusion matrix.
     *
     * @param args optionally the number of epochs (100 unless given)
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        DataSet.Split split = BundledData.iris().split(0.7, 7);
        Standardizer scaler = Standardizer.fit(split.train()); // fitted on the training part only
        DataSet train = scaler.transform(split.train());
        DataSet test = scaler.transform(split.test());

        Network network = Network.builder()
                .input(4)
                .dense(16, Activation.RELU)
                .dense(3, Activation.SOFTMAX)
                .seed(7)
                .build();
        Trainer trainer = Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.adam(0.01))
                .epochs(epochs)
                .batchSize(16)
                .metrics(Metrics.ACCURACY)
                .logging(false)
                .progress() // a bar within each epoch on a terminal, a line per epoch elsewhere
                .seed(7)
                .build();
        TrainingResult result = trainer.fit(network, train);

        ConfusionMatrix confusion = ConfusionMatrix.of(result.network(), test);
        System.out.println("Confusion matrix of the " + test.size() + " test irises (rows: actual, columns: predicted)");
        System.out.println(confusion);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", confusion.accuracy());
    }
}
