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
import java.util.Map;

/**
 * Regression: a 1-32-32-1 tanh network learns {@code y = sin(x)} on [−π, π] from 200 evenly spaced points
 * and is tested on 50 points between them; prints the test errors and a few predictions.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=SineRegressionExample}.
 */
public final class SineRegressionExample {

    private SineRegressionExample() {
    }

    /**
     * Trains the regression and prints its error.
     *
     * @param args optionally the number of epochs (300 unless given)
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        DataSet train = sine(200, 0);
        DataSet test = sine(50, 0.5); // points halfway between training points

        Network network = Network.builder()
                .input(1)
                .dense(32, Activation.TANH)
                .dense(32, Activation.TANH)
                .dense(1, Activation.IDENTITY)
                .seed(3)
                .build();
        Trainer trainer = Trainer.builder()
                .loss(Loss.MSE)
                .optimizer(Optimizer.adam(0.01))
                .epochs(epochs)
                .batchSize(20)
                .metrics(Metrics.MEAN_ABSOLUTE_ERROR, Metrics.R_SQUARED)
                .logging(false)
                .progress() // a bar within each epoch on a terminal, a line per epoch elsewhere
                .seed(3)
                .build();
        TrainingResult result = trainer.fit(network, train);

        Map<String, Double> errors = trainer.evaluate(result.network(), test);
        for (double x : new double[] {-3, -1.5, 0, 1.5, 3}) {
            System.out.printf(Locale.ROOT, "sin(%5.2f) = %7.4f, predicted %7.4f%n", x, Math.sin(x),
                    result.network().predict(new double[] {x})[0]);
        }
        System.out.printf(Locale.ROOT, "test mse: %.6f, mae: %.6f, r2: %.6f%n", errors.get("loss"), errors.get("mae"),
                errors.get("r2"));
    }

    /** {@code n} points of the sine on [−π, π], shifted by {@code offset} steps. */
    private static DataSet sine(int n, double offset) {
        double[][] x = new double[n][1];
        double[][] y = new double[n][1];
        double step = 2 * Math.PI / n;
        for (int i = 0; i < n; i++) {
            x[i][0] = -Math.PI + (i + offset) * step;
            y[i][0] = Math.sin(x[i][0]);
        }
        return DataSet.of(x, y);
    }
}
