package io.github.backprop4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.IdxReader;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parameter averaging reaches the single-machine accuracy on the bundled MNIST digits: 3000 training and
 * 1000 test images, 3 epochs, within {@value #MARGIN} (absolute) of the single machine's test accuracy.
 */
class ParameterAveragingTest {

    private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTest.class);
    /** How far below the single machine's test accuracy parameter averaging may end. */
    static final double MARGIN = 0.03;
    private static final int EPOCHS = 3;
    private static final int BATCH = 32;

    private static SparkSession spark;
    private static JavaSparkContext sc;
    private static DataSet train;
    private static DataSet test;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkTestSupport.session(1);
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        train = mnist("train-8k").head(3000);
        test = mnist("test-2k").head(1000);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static DataSet mnist(String part) throws IOException {
        try (InputStream images = ParameterAveragingTest.class.getResourceAsStream("/data/mnist/" + part
                + "-images-idx3-ubyte.gz");
                InputStream labels = ParameterAveragingTest.class.getResourceAsStream("/data/mnist/" + part
                        + "-labels-idx1-ubyte.gz")) {
            assertThat(images).as(part + " images on the test classpath").isNotNull();
            return IdxReader.dataSet(images, labels, 10);
        }
    }

    private static Network network() {
        return Network.builder().input(784).dense(64, Activation.RELU).dense(10, Activation.SOFTMAX).seed(1).build();
    }

    private static double accuracy(Network network) {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).metrics(Metrics.ACCURACY)
                .logging(false).build().evaluate(network, test).get("accuracy");
    }

    @Test
    void reachesTheSingleMachineAccuracyOnMnistWithinTheMargin() {
        Network single = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.001)).epochs(EPOCHS)
                .batchSize(BATCH).seed(2).logging(false).build().fit(network(), train).network();
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < train.size(); i++) {
            samples.add(new Sample(train.features(i), train.targets(i)));
        }

        TrainingResult averaged = SparkTrainer.builder(Trainer.builder().loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.adam(0.001)).epochs(EPOCHS).batchSize(BATCH).seed(2).logging(false).build())
                .parameterAveraging(8).build().fit(network(), sc.parallelize(samples, 2));

        double singleAccuracy = accuracy(single);
        double averagedAccuracy = accuracy(averaged.network());
        LOG.info("MNIST test accuracy: single machine {}, parameter averaging (2 partitions, K = 8) {}",
                singleAccuracy, averagedAccuracy);
        assertThat(singleAccuracy).isGreaterThan(0.85);
        assertThat(averagedAccuracy).isGreaterThanOrEqualTo(singleAccuracy - MARGIN);
        assertThat(averaged.history().size()).isEqualTo(EPOCHS);
        assertThat(averaged.history().last().samples()).isEqualTo(3000);
    }

    @Test
    void averagingEveryStepWithoutStateIsDeterministicAndLearns() {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            samples.add(new Sample(train.features(i), train.targets(i)));
        }
        SparkTrainer trainer = SparkTrainer.builder(Trainer.builder().loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.sgd(0.1)).epochs(2).batchSize(BATCH).seed(4).logging(false).build())
                .parameterAveraging(1).averageOptimizerState(false).build();

        TrainingResult first = trainer.fit(network(), sc.parallelize(samples, 2));
        TrainingResult second = trainer.fit(network(), sc.parallelize(samples, 2));

        assertThat(second.network()).isEqualTo(first.network());
        assertThat(first.history().values("loss")[1]).isLessThan(first.history().values("loss")[0]);
    }
}
