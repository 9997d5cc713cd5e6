package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.data.CsvReader;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Fisher's irises from the bundled CSV: over five seeded 70/30 splits, each standardised with statistics of
 * its training part only, a 4-16-3 network reaches a median test accuracy of at least 95 %.
 */
class IrisEndToEndTest {

    private static DataSet iris() throws IOException {
        try (InputStream in = IrisEndToEndTest.class.getResourceAsStream("/data/iris/iris.csv")) {
            assertThat(in).as("/data/iris/iris.csv on the test classpath").isNotNull();
            return CsvReader.create().skipLines(1).labelColumn(4).classNames("setosa", "versicolor", "virginica")
                    .read(in);
        }
    }

    @Test
    void medianTestAccuracyOverFiveSplitsIsAtLeastNinetyFivePercent() throws IOException {
        DataSet iris = iris();
        assertThat(iris.size()).isEqualTo(150);
        assertThat(iris.classNames()).containsExactly("setosa", "versicolor", "virginica");

        double[] accuracies = new double[5];
        for (int seed = 1; seed <= 5; seed++) {
            DataSet.Split split = iris.split(0.7, seed);
            Standardizer scaler = Standardizer.fit(split.train()); // the test part stays unseen
            DataSet train = scaler.transform(split.train());
            DataSet test = scaler.transform(split.test());
            Network network = Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX)
                    .seed(seed).build();
            Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01))
                    .epochs(100).batchSize(16).metrics(Metrics.ACCURACY).logging(false).seed(seed).build();

            Network trained = trainer.fit(network, train).network();

            ConfusionMatrix confusion = ConfusionMatrix.of(trained, test);
            assertThat(confusion.total()).isEqualTo(45);
            accuracies[seed - 1] = confusion.accuracy();
            assertThat(trainer.evaluate(trained, test).get("accuracy")).isEqualTo(confusion.accuracy());
        }

        double[] sorted = accuracies.clone();
        Arrays.sort(sorted);
        org.slf4j.LoggerFactory.getLogger(IrisEndToEndTest.class).info(
                "Iris 4-16-3, Adam 0.01, 100 epochs: test accuracy of the splits with seeds 1..5 = {}, median {}",
                Arrays.toString(accuracies), sorted[2]);
        assertThat(sorted[2]).as("median of %s", Arrays.toString(accuracies)).isGreaterThanOrEqualTo(0.95);
        assertThat(sorted[0]).as("worst of %s", Arrays.toString(accuracies)).isGreaterThanOrEqualTo(0.8);
    }
}
