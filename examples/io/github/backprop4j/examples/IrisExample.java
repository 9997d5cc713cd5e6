package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.report.TrainingReport;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.ExplainedStep;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.ReliabilityDiagram;
import io.github.backprop4j.train.TemperatureScaling;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Classifies Fisher's irises: a seeded 70/30 split, features standardised with statistics of the training
 * part only, a 4-16-3 network trained with Adam (a fifth of the training part held out to validate each epoch
 * and to fit a calibration temperature on), and the confusion matrix of the test part. It writes a training
 * report (with its first training step explained), one self-contained HTML file, to {@code target/iris-report.html} (or the temporary folder where there
 * is no {@code target}) and prints its path.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=IrisExample}.
 */
public final class IrisExample {

    private IrisExample() {
    }

    /**
     * Trains the classifier, prints its confusion matrix and writes its report.
     *
     * @param args optionally the number of epochs (100 unless given), then the report's path
     * @throws IOException if the report cannot be written
     */
    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        DataSet.Split split = BundledData.iris().split(0.7, 7);
        Standardizer scaler = Standardizer.fit(split.train()); // fitted on the training part only
        DataSet.Split fitAndValidation = scaler.transform(split.train()).split(0.8, 7);
        DataSet train = fitAndValidation.train();
        DataSet validation = fitAndValidation.test();
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
        TrainingResult result = trainer.fit(network, train, validation);

        ConfusionMatrix confusion = ConfusionMatrix.of(result.network(), test);
        System.out.println("Confusion matrix of the " + test.size() + " test irises (rows: actual, columns: predicted)");
        System.out.println(confusion);
        System.out.printf(Locale.ROOT, "test accuracy: %.4f%n", confusion.accuracy());

        // Calibration: can the probabilities be trusted? A temperature fitted on the validation part, judged on test.
        TemperatureScaling temperature = TemperatureScaling.fit(result.network(), validation);
        ReliabilityDiagram before = ReliabilityDiagram.of(result.network(), test, 10);
        ReliabilityDiagram after = ReliabilityDiagram.of(temperature.probabilities(result.network(), test.features()),
                test.targets(), 10);
        System.out.printf(Locale.ROOT, "test ECE %.4f; with temperature %.3f fitted on validation: %.4f%n",
                before.expectedCalibrationError(), temperature.temperature(), after.expectedCalibrationError());

        // What backpropagation did in the run's first step, on its first four samples, for the report.
        DataSet four = train.head(4);
        ExplainedStep firstStep = ExplainedStep.of(trainer, network, new Batch(four.features(), four.targets()));

        Path report = args.length > 1 ? Path.of(args[1])
                : (Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir")))
                        .resolve("iris-report.html");
        TrainingReport.of("Iris: 4-16-3 classifier")
                .network(result.network())
                .configuration(trainer)
                .history(result.history())
                .confusionMatrix(confusion)
                .reliability(before)
                .calibrated(temperature, after)
                .section("The first training step, explained", firstStep.toHtml())
                .write(report);
        System.out.println("training report written to " + report.toAbsolutePath());
    }
}
