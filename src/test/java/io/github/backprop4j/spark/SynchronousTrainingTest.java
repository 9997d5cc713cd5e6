package io.github.backprop4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.io.Components;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Synchronous gradient averaging is large-batch training: it gives the single-machine network. */
class SynchronousTrainingTest {

    private static final Logger LOG = LoggerFactory.getLogger(SynchronousTrainingTest.class);
    private static final long SEED = 11;
    private static final int EPOCHS = 3;
    private static final int BATCH = 32;
    private static final int SAMPLES = 200; // 7 global batches per epoch, the last of 8 samples
    /**
     * How far synchronous float32 training on two tasks may end from {@code Trainer.fit} (relative, ‖·‖∞): the
     * sum over tasks rounds differently from the sum over one batch (≈ 6e-8 relative per step), and 21 Adam steps
     * carry those differences on.
     */
    static final double FLOAT32_BOUND = 1e-5; // measured 6.6e-8

    private static SparkSession spark;
    private static JavaSparkContext sc;
    private static DataSet data;
    private static List<Sample> samples;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session(4); // a failed stage is retried
        sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        SplittableRandom random = new SplittableRandom(3);
        double[][] x = new double[SAMPLES][4];
        int[] labels = new int[SAMPLES];
        samples = new ArrayList<>();
        for (int i = 0; i < SAMPLES; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = random.nextDouble(-1, 1);
            }
            labels[i] = x[i][0] + x[i][1] > 0.3 ? 0 : x[i][2] * x[i][3] > 0 ? 1 : 2;
            samples.add(Sample.ofLabel(x[i], labels[i], 3));
        }
        data = DataSet.ofLabels(x, labels, 3);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Network network() {
        return Network.builder().input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .precision(Precision.FLOAT64).seed(5).build();
    }

    private static SparkTrainer.Builder trainer(Loss loss, TrainingListener... listeners) {
        return SparkTrainer.builder(Trainer.builder().loss(loss).optimizer(Optimizer.adam(0.01)).epochs(EPOCHS)
                .batchSize(BATCH).seed(SEED).logging(false).listeners(listeners).build());
    }

    /** The single-machine loop over the same global batches: GlobalBatches' definition, through DataSet. */
    private static Network singleMachine(Loss loss) {
        Backpropagator backprop = new Backpropagator(loss);
        Optimizer optimizer = Optimizer.adam(0.01);
        OptimizerState state = new OptimizerState();
        Network network = network();
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            try (DataSource.Batches batches = data.batches(BATCH, Precision.FLOAT64,
                    GlobalBatches.epochRandom(SEED, epoch))) {
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    network = backprop.step(network, batch.features(), batch.targets(), optimizer, state);
                }
            }
        }
        return network;
    }

    @Test
    void equalsSingleMachineLargeBatchTrainingOnOneTwoAndFourPartitions() {
        Network reference = singleMachine(Loss.CROSS_ENTROPY);
        for (int partitions : new int[] {1, 2, 4}) {
            Network trained = trainer(Loss.CROSS_ENTROPY).build()
                    .fit(network(), sc.parallelize(samples, partitions)).network();

            double difference = SparkTestSupport.relativeDifference(trained, reference);
            LOG.info("{} partition(s): relative difference to the single machine {}", partitions, difference);
            assertThat(difference).as("%d partitions", partitions).isLessThanOrEqualTo(1e-9);
            if (partitions == 1) {
                assertThat(trained).as("one partition sums nothing: bit for bit").isEqualTo(reference);
            }
        }
    }

    @Test
    void followsTheTrainersOwnShufflingSoItEqualsTrainerFit() {
        Network viaTrainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01))
                .epochs(EPOCHS).batchSize(BATCH).seed(SEED).logging(false).build().fit(network(), data).network();

        Network viaSpark = trainer(Loss.CROSS_ENTROPY).build().fit(network(), sc.parallelize(samples, 2)).network();

        assertThat(SparkTestSupport.relativeDifference(viaSpark, viaTrainer)).isLessThanOrEqualTo(1e-9);
    }

    @Test
    void float32SendsFloat32GradientsAndStaysWithinItsBoundOfTrainerFit() {
        Network start = network().toPrecision(Precision.FLOAT32);
        Network viaTrainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01))
                .epochs(EPOCHS).batchSize(BATCH).seed(SEED).logging(false).build().fit(start, data).network();
        SparkTrainer trainer = trainer(Loss.CROSS_ENTROPY).build();

        Network onOne = trainer.fit(start, sc.parallelize(samples, 1)).network();
        Network onTwo = trainer.fit(start, sc.parallelize(samples, 2)).network();

        double difference = SparkTestSupport.relativeDifference(onTwo, viaTrainer);
        LOG.info("float32, 2 tasks: relative difference to Trainer.fit {}", difference);
        assertThat(onTwo.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(onOne).as("one task sums nothing: bit for bit").isEqualTo(viaTrainer);
        assertThat(difference).as("float32 bound").isLessThanOrEqualTo(FLOAT32_BOUND).isGreaterThan(0);
    }

    @Test
    void releasesTheReadLockOfEveryCachedBlock() {
        List<String> log = SparkTestSupport.capturingSparkLog(() -> {
            trainer(Loss.CROSS_ENTROPY).build().fit(network(), sc.parallelize(samples, 2));
            trainer(Loss.CROSS_ENTROPY).parameterAveraging(2).build().fit(network(), sc.parallelize(samples, 2));
        });

        assertThat(log).as("the capture works").anyMatch(line -> line.contains("Finished task"));
        assertThat(log).noneMatch(line -> line.contains("block locks were not released"));
    }

    @Test
    void reportsEveryGlobalStepAndEpochToTheListeners() {
        List<String> calls = new ArrayList<>();
        TrainingListener listener = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                calls.add("batch " + epoch + "." + batch);
            }

            @Override
            public void onEpochEnd(TrainingRun run, EpochSummary summary) {
                calls.add("epoch " + summary.epoch() + " " + summary.samples());
            }
        };

        TrainingResult result = trainer(Loss.CROSS_ENTROPY, listener).build()
                .fit(network(), sc.parallelize(samples, 2));

        assertThat(calls).hasSize(EPOCHS * 8).contains("batch 1.7", "epoch 1 200", "batch 3.7", "epoch 3 200");
        assertThat(result.history().size()).isEqualTo(EPOCHS);
        assertThat(result.history().values("loss")[2]).isLessThan(result.history().values("loss")[0]);
        assertThat(result.stopReason()).isEqualTo("completed 3 epochs");
    }

    @Test
    void severalEpochsPerStageGiveTheSameBitsAndTheSameListenerEvents() {
        List<String> perEpoch = new ArrayList<>();
        List<String> perTwo = new ArrayList<>();
        Network oneStageAnEpoch = trainer(Loss.CROSS_ENTROPY, recorder(perEpoch)).build()
                .fit(network(), sc.parallelize(samples, 2)).network();

        TrainingResult twoEpochsAStage = trainer(Loss.CROSS_ENTROPY, recorder(perTwo)).epochsPerStage(2).build()
                .fit(network(), sc.parallelize(samples, 2)); // epochs 1..2, then 3 alone

        assertThat(twoEpochsAStage.network()).isEqualTo(oneStageAnEpoch);
        assertThat(perTwo).isEqualTo(perEpoch).hasSize(EPOCHS * 9);
        assertThat(twoEpochsAStage.history().size()).isEqualTo(EPOCHS);
        assertThat(twoEpochsAStage.stopReason()).isEqualTo("completed 3 epochs");
        Network allInOne = trainer(Loss.CROSS_ENTROPY).epochsPerStage(EPOCHS + 1).build()
                .fit(network(), sc.parallelize(samples, 2)).network();
        assertThat(allInOne).isEqualTo(oneStageAnEpoch);
    }

    /** Records each epoch's start, each step with its loss, and each epoch's end with its loss. */
    private static TrainingListener recorder(List<String> calls) {
        return new TrainingListener() {
            @Override
            public void onEpochStart(TrainingRun run, int epoch) {
                calls.add("start " + epoch);
            }

            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                calls.add("batch " + epoch + "." + batch + " " + loss);
            }

            @Override
            public void onEpochEnd(TrainingRun run, EpochSummary summary) {
                calls.add("epoch " + summary.epoch() + " " + summary.samples() + " " + summary.value("loss"));
            }
        };
    }

    @Test
    void stopsWhenAListenerAsks() {
        TrainingListener stopper = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                if (batch == 3) {
                    run.requestStop("enough");
                }
            }
        };

        TrainingResult result = trainer(Loss.CROSS_ENTROPY, stopper).stepsPerStage(2).build()
                .fit(network(), sc.parallelize(samples, 2));

        // a stop takes effect at the end of the stage (steps 3 and 4), whose network is returned
        assertThat(result.stopReason()).isEqualTo("stopped by request: enough during epoch 1; returning the network "
                + "of step 4");
        assertThat(result.history().size()).isZero();
    }

    /**
     * Cross-entropy whose backward step fails once when armed: in the {@value #FAILING_CALL}th backward step after
     * arming, in the middle of a barrier stage (an epoch has 7 steps on each of 2 tasks).
     */
    private static final class FailingOnce implements Loss {
        static final int FAILING_CALL = 10;
        static final AtomicInteger COUNTDOWN = new AtomicInteger();
        static final FailingOnce INSTANCE = new FailingOnce();

        @Override
        public String name() {
            return "test_failing_once_cross_entropy";
        }

        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            return Loss.CROSS_ENTROPY.value(z, a, target);
        }

        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            Loss.CROSS_ENTROPY.gradient(a, target, out);
        }

        @Override
        public void outputErrorSignal(Activation outputActivation, Matrix z, Matrix a, Matrix target, Matrix delta) {
            TaskContext task = TaskContext.get();
            if (task != null && task.stageAttemptNumber() == 0 && COUNTDOWN.get() > 0
                    && COUNTDOWN.decrementAndGet() == 0) {
                throw new IllegalStateException("an executor lost in the middle of a step (test)");
            }
            Loss.CROSS_ENTROPY.outputErrorSignal(outputActivation, z, a, target, delta);
        }
    }

    @Test
    void aTaskThatFailsAndIsRetriedLeavesTheResultUnchanged() {
        Components.register(FailingOnce.INSTANCE);
        Network clean = trainer(FailingOnce.INSTANCE).build().fit(network(), sc.parallelize(samples, 2)).network();

        FailingOnce.COUNTDOWN.set(FailingOnce.FAILING_CALL);
        Network retried = trainer(FailingOnce.INSTANCE).build().fit(network(), sc.parallelize(samples, 2)).network();

        assertThat(FailingOnce.COUNTDOWN).as("the failure happened").hasValue(0);
        assertThat(retried).isEqualTo(clean);

        FailingOnce.COUNTDOWN.set(FailingOnce.FAILING_CALL + 7); // in the second epoch of a stage of three
        Network retriedInLongStage = trainer(FailingOnce.INSTANCE).epochsPerStage(EPOCHS).build()
                .fit(network(), sc.parallelize(samples, 2)).network();
        assertThat(FailingOnce.COUNTDOWN).as("the failure happened").hasValue(0);
        assertThat(retriedInLongStage).isEqualTo(clean);
    }
}
