package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.IdxReader;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The bundled MNIST subset (8,000 training and 2,000 test digits): a 784-128-10 network trained with SGD
 * and momentum reaches at least 95 % test accuracy. The longer three-seed run is tagged {@code heavy} and
 * runs only with {@code mvn -Pheavy}.
 */
class MnistEndToEndTest {

    private static DataSet train;
    private static DataSet test;

    @BeforeAll
    static void load() throws IOException {
        train = mnist("train-8k");
        test = mnist("test-2k");
    }

    private static DataSet mnist(String part) throws IOException {
        try (InputStream images = MnistEndToEndTest.class.getResourceAsStream("/data/mnist/" + part
                + "-images-idx3-ubyte.gz");
                InputStream labels = MnistEndToEndTest.class.getResourceAsStream("/data/mnist/" + part
                        + "-labels-idx1-ubyte.gz")) {
            assertThat(images).as(part + " images on the test classpath").isNotNull();
            assertThat(labels).as(part + " labels on the test classpath").isNotNull();
            return IdxReader.dataSet(images, labels, 10);
        }
    }

    /** Trains the example's configuration with one seed and returns the test accuracy. */
    private static double testAccuracy(long seed, int epochs) {
        Network network = Network.builder().input(784).dense(128, Activation.RELU).dense(10, Activation.SOFTMAX)
                .seed(seed).build();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.momentum(0.05, 0.9))
                .epochs(epochs).batchSize(32).metrics(Metrics.ACCURACY).logging(false).seed(seed).build();

        TrainingResult result = trainer.fit(network, train);

        assertThat(result.history().size()).isEqualTo(epochs);
        assertThat(result.history().last().value("accuracy")).as("training accuracy").isGreaterThan(0.95);
        return trainer.evaluate(result.network(), test).get("accuracy");
    }

    @Test
    void learnsTheDigitsToNinetyFivePercent() {
        assertThat(train.size()).isEqualTo(8000);
        assertThat(test.size()).isEqualTo(2000);

        assertThat(testAccuracy(1, 10)).isGreaterThanOrEqualTo(0.95);
    }

    @Test
    @Tag("heavy")
    void medianOverThreeSeedsOfFifteenEpochsIsAtLeastNinetySixPercent() {
        double[] accuracies = {testAccuracy(1, 15), testAccuracy(2, 15), testAccuracy(3, 15)};

        double[] sorted = accuracies.clone();
        Arrays.sort(sorted);
        org.slf4j.LoggerFactory.getLogger(MnistEndToEndTest.class).info(
                "MNIST 784-128-10, momentum 0.05/0.9, batch 32, 15 epochs: test accuracy by seed 1, 2, 3 = {}, median {}",
                Arrays.toString(accuracies), sorted[1]);
        assertThat(sorted[1]).as("median of %s", Arrays.toString(accuracies)).isGreaterThanOrEqualTo(0.96);
    }
}
