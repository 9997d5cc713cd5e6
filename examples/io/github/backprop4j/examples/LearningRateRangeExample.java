package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.report.HistoryCharts;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.LearningRateFinder;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Finds a learning rate for the iris classifier with the learning-rate range test (SGD, rates from 10⁻⁴ to 10³
 * in 300 steps), prints the suggestion and every 20th point of the curve, writes the curve as an SVG chart to
 * {@code target/lr-range.svg} (or the temporary folder where there is no {@code target}), then trains with the suggested rate
 * and prints the test accuracy.
 *
 * <p>Run it with {@code mvn -q test-compile exec:exec -Dexample=LearningRateRangeExample}.
 */
public final class LearningRateRangeExample {

    private LearningRateRangeExample() {
    }

    /**
     * Runs the range test, then trains with its suggestion.
     *
     * @param args optionally the number of epochs of the final training (30 unless given)
     * @throws IOException if the chart cannot be written
     */
    public static void main(String[] args) throws IOException {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        DataSet.Split split = BundledData.iris().split(0.7, 7);
        Standardizer scaler = Standardizer.fit(split.train());
        DataSet train = scaler.transform(split.train());
        DataSet test = scaler.transform(split.test());
        Network network = Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).seed(7)
                .build();
        Trainer.Builder config = Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.sgd(0.1))
                .epochs(epochs)
                .batchSize(16)
                .metrics(Metrics.ACCURACY)
                .logging(false)
                .seed(7);

        LearningRateFinder.Result range = LearningRateFinder.of(config.build()).range(1e-4, 1e3).steps(300)
                .run(network, train);
        System.out.println(range);
        System.out.println("    step  learning rate      loss  smoothed loss");
        List<LearningRateFinder.Point> points = range.points();
        for (int i = 0; i < points.size(); i++) {
            LearningRateFinder.Point p = points.get(i);
            if (i % 20 == 0 || i == points.size() - 1) {
                System.out.printf(Locale.ROOT, "%8d  %13.3e  %8.4f  %13.4f%n", p.step(), p.learningRate(), p.loss(),
                        p.smoothedLoss());
            }
        }

        Path chart = (Files.isDirectory(Path.of("target")) ? Path.of("target") : Path.of(System.getProperty("java.io.tmpdir")))
                .resolve("lr-range.svg");
        HistoryCharts.learningRateRange(range).writeSvg(chart);
        System.out.println("range test chart written to " + chart.toAbsolutePath());

        Trainer tuned = config.optimizer(Optimizer.sgd(range.suggestedRate())).progress().build();
        TrainingResult result = tuned.fit(network, train);
        System.out.printf(Locale.ROOT, "test accuracy at the suggested rate %.3g: %.4f%n", range.suggestedRate(),
                ConfusionMatrix.of(result.network(), test).accuracy());
    }
}
