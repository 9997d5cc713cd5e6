package io.github.backprop4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerNorm;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Residual;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spark trains the layer kinds beyond dense: synchronous training of a network with layer normalization and a
 * residual block, and of one with an embedding (category indices in the samples), equals {@link Trainer#fit};
 * parameter averaging runs on a network of those kinds; batch normalization is refused before any job.
 */
class LayerKindsSparkTest {

    private static final Logger LOG = LoggerFactory.getLogger(LayerKindsSparkTest.class);
    private static final long SEED = 13;
    private static final int EPOCHS = 2;
    private static final int BATCH = 32;
    private static final int SAMPLES = 150; // 5 global batches per epoch, the last of 22 samples
    private static final int CATEGORIES = 4;

    private static SparkSession spark;
    private static JavaSparkContext sc;
    /** Columns: 3 numeric in [−1, 1), then a category index 0..3. */
    private static DataSet data;
    private static List<Sample> samples;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session(1);
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SplittableRandom random = new SplittableRandom(7);
        double[][] x = new double[SAMPLES][4];
        int[] labels = new int[SAMPLES];
        samples = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            int category = random.nextInt(CATEGORIES);
            x[i][3] = category;
            labels[i] = (category + (x[i][0] + x[i][1] > 0 ? 1 : 0)) % 3;
            samples.add(Sample.ofLabel(x[i], labels[i], 3));
        }
        data = DataSet.ofLabels(x, labels, 3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** 4 → dense(6, tanh) → layer_norm → residual[dense(5, tanh), layer_norm(silu), dense(6)] + tanh → 3 softmax. */
    private static Network normAndResidual() {
        return Network.builder().input(4).dense(6, Activation.TANH).layerNorm()
                .residual(Activation.TANH, b -> b.dense(5, Activation.TANH).layerNorm(Activation.SILU).dense(6))
                .dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(5).build();
    }

    /** 3 numeric + a column of 4 categories embedded in 3 → dense(6, tanh) → layer_norm(tanh) → 3 softmax. */
    private static Network embedding() {
        return Network.builder().input(3).categorical(CATEGORIES, 3).dense(6, Activation.TANH)
                .layerNorm(Activation.TANH).dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(6).build();
    }

    /** The two networks together: embedding, dense, layer norm, a residual block of dense and layer norm. */
    private static Network allButBatchNorm() {
        return Network.builder().input(3).categorical(CATEGORIES, 3).dense(6, Activation.TANH).layerNorm()
                .residual(Activation.TANH, b -> b.dense(5, Activation.TANH).layerNorm().dense(6))
                .dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(8).build();
    }

    private static Trainer trainer() {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01)).epochs(EPOCHS)
                .batchSize(BATCH).seed(SEED).logging(false).build();
    }

    @Test
    void synchronousTrainingOfLayerNormAndAResidualBlockEqualsTrainerFit() {
        assertSparkEqualsTrainerFit(normAndResidual());
    }

    @Test
    void synchronousTrainingOfAnEmbeddingWithCategoryIndicesInTheSamplesEqualsTrainerFit() {
        assertSparkEqualsTrainerFit(embedding());
    }

    private static void assertSparkEqualsTrainerFit(Network start) {
        Network viaTrainer = trainer().fit(start, data).network();
        assertThat(SparkTestSupport.relativeDifference(viaTrainer, start)).as("training moved the parameters")
                .isGreaterThan(1e-3);
        for (int partitions : new int[] {1, 3}) {
            Network viaSpark = SparkTrainer.builder(trainer()).build().fit(start, sc.parallelize(samples, partitions))
                    .network();

            double difference = SparkTestSupport.relativeDifference(viaSpark, viaTrainer);
            LOG.info("{}, {} partition(s): relative difference to Trainer.fit {}", start, partitions, difference);
            assertThat(difference).as("%d partitions", partitions).isLessThanOrEqualTo(1e-9);
            if (partitions == 1) {
                assertThat(viaSpark).as("one partition sums nothing: bit for bit").isEqualTo(viaTrainer);
            }
            for (int l = 1; l <= start.layerCount(); l++) {
                assertThat(viaSpark.layer(l).kind()).isEqualTo(start.layer(l).kind());
                assertThat(viaSpark.layer(l).activation()).isEqualTo(start.layer(l).activation());
            }
        }
    }

    @Test
    void parameterAveragingRunsOnANetworkOfEmbeddingLayerNormAndAResidualBlock() {
        Network start = allButBatchNorm();
        SparkTrainer averaging = SparkTrainer.builder(trainer()).parameterAveraging(2).build();

        TrainingResult first = averaging.fit(start, sc.parallelize(samples, 2));
        TrainingResult second = averaging.fit(start, sc.parallelize(samples, 2));

        assertThat(second.network()).as("deterministic").isEqualTo(first.network());
        assertThat(first.history().size()).isEqualTo(EPOCHS);
        assertThat(first.history().last().samples()).isEqualTo(SAMPLES);
        assertThat(first.history().values("loss")[1]).isLessThan(first.history().values("loss")[0]);
        Network trained = first.network();
        assertThat(SparkTestSupport.relativeDifference(trained, start)).isGreaterThan(1e-3);
        for (int l = 1; l <= start.layerCount(); l++) {
            assertThat(trained.layer(l)).as("layer %d changed", l).isNotEqualTo(start.layer(l));
        }
        double[] p = trained.predict(new double[] {0.5, -0.5, 0.25, 3});
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void batchNormalizationIsRefusedBeforeAnyJobAlsoInsideAResidualBlock() {
        Network plain = normAndResidual();
        Network topLevel = plain.withLayer(2, BatchNorm.of(6, Activation.IDENTITY, Precision.FLOAT64));
        Residual block = (Residual) plain.layer(3);
        List<Layer> inner = new ArrayList<>(block.inner());
        assertThat(inner.get(1)).isInstanceOf(LayerNorm.class);
        inner.set(1, BatchNorm.of(5, Activation.SILU, Precision.FLOAT64));
        Network nested = plain.withLayer(3, block.withInner(inner));

        for (SparkTrainer trainer : new SparkTrainer[] {SparkTrainer.builder(trainer()).build(),
            SparkTrainer.builder(trainer()).parameterAveraging(2).build()}) {
            for (Object[] c : new Object[][] {{topLevel, 2}, {nested, 3}}) {
                String group = "batch-norm-refusal-" + c[1];
                sc.setJobGroup(group, "must stay empty", false);
                try {
                    assertThatIllegalArgumentException()
                            .isThrownBy(() -> trainer.fit((Network) c[0], sc.parallelize(samples, 2)))
                            .withMessage("layer " + c[1] + " is a batch normalization layer (or holds one), which "
                                    + "SparkTrainer cannot train yet: each partition would normalize with the "
                                    + "statistics of its own share of the batch, so the result would not be the "
                                    + "network one machine trains; use LayerNorm instead, or train it with Trainer "
                                    + "on one machine");
                } finally {
                    sc.clearJobGroup();
                }
                assertThat(sc.statusTracker().getJobIdsForGroup(group)).as("no Spark job ran").isEmpty();
            }
        }
        sc.setJobGroup("control", "a job the tracker must see", false);
        try {
            assertThat(sc.parallelize(samples, 2).count()).isEqualTo(SAMPLES);
        } finally {
            sc.clearJobGroup();
        }
        assertThat(sc.statusTracker().getJobIdsForGroup("control")).as("the check sees jobs that do run").isNotEmpty();
    }
}
