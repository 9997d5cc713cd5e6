package io.github.backprop4j.spark;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.spark.Blocks.Block;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import io.github.backprop4j.train.internal.RunDriver;
import io.github.backprop4j.train.internal.Runs;
import io.github.backprop4j.train.TrainingSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.spark.Dependency;
import org.apache.spark.HashPartitioner;
import org.apache.spark.NarrowDependency;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * Trains a network data-parallel on Apache Spark and returns an ordinary {@link Network}.
 *
 * <pre>{@code
 * Trainer config = Trainer.builder()      // the same configuration a single machine uses
 *         .loss(Loss.CROSS_ENTROPY)
 *         .optimizer(Optimizer.adam(0.001))
 *         .epochs(5)
 *         .batchSize(256)          // the global mini-batch
 *         .seed(7)
 *         .build();
 * SparkTrainer trainer = SparkTrainer.builder(config).build();
 * TrainingResult result = trainer.fit(network, SparkData.labelledSamples(df, "features", "label", 10));
 * ModelFile.save(result.network(), Path.of("model.safetensors"));
 * }</pre>
 *
 * <p><b>One barrier stage per epoch.</b> The samples are read once and cached as one block per task (partitions
 * beyond the cluster's task slots are merged). Each epoch (or each {@link Builder#stepsPerStage block of steps},
 * or {@link Builder#epochsPerStage several epochs}) runs as one Spark barrier stage: every task decodes the network and optimizer state the driver holds, keeps a
 * replica of both, and trains it in step with the other tasks, which join in a ring of sockets (addresses
 * exchanged with {@code BarrierTaskContext.allGather}) and all-reduce among themselves, never through the driver.
 * At the end of the stage, task 0 returns the network and optimizer state, every task a checksum of its replica
 * (which must agree), and the driver reports the stage's steps to the listeners.
 *
 * <p><b>Synchronous gradient averaging</b> (the default). Each global mini-batch of {@code N} samples (see
 * {@link GlobalBatches}) is split across the tasks that hold its samples; task {@code p} runs the forward pass
 * and backpropagation on its {@code nₚ} samples and scales its gradient by {@code nₚ/N}; the ring sums
 * {@code ∂C/∂θ = Σₚ (nₚ/N)·∂Cₚ/∂θ} in a fixed order (reduce-scatter with fixed chunk owners, then all-gather),
 * so every replica gets the same bits, and each applies the optimizer locally. For a loss that is a mean over
 * samples this is the gradient of the whole batch: large-batch training, equal (to rounding) to a single machine
 * training on the same batches in the same order. A float32 network sends float32 gradients. Not exact for
 * {@code Loss.crossEntropy(weights)}, whose batch mean divides by the batch's weight sum rather than its size.
 *
 * <p><b>Parameter averaging every K local steps</b> ({@link Builder#parameterAveraging(int)}), on the same
 * mechanism. Each task shuffles its own samples every epoch (seeded by the seed, epoch and task) and trains its
 * replica on local mini-batches of {@link Builder#batchSize} samples for {@code K} steps; then the ring replaces
 * every replica's parameters (and, unless {@link Builder#averageOptimizerState(boolean) turned off}, optimizer
 * state) by their average weighted by the samples each task saw in the round. A round ends an epoch early for
 * tasks that run out of samples; the epoch ends when every task has seen all of its samples. K times less
 * communication than the synchronous mode, but not the single-machine trajectory.
 *
 * <p><b>Failures.</b> A stage is the unit of recovery: it starts from the network and state the previous stage
 * returned, and every task is a pure function of those and its block, so when a task fails the whole stage is
 * run again (Spark aborts a failed barrier job; the driver resubmits it, up to
 * {@code spark.stage.maxConsecutiveAttempts} attempts in all, default 4) and the result is unchanged. Every socket
 * operation has a deadline ({@link Builder#communicationTimeout}), and a task's sockets are closed when it ends,
 * so its peers fail at once rather than wait. A barrier stage needs a free slot per task at once, and Spark's
 * dynamic allocation cannot run one.
 *
 * <p><b>Progress</b> goes through the listeners of the {@link Trainer} it was built from (its
 * {@link io.github.backprop4j.train.LoggingListener} included, unless that trainer turned logging off):
 * {@code onBatchEnd} for each global step (each
 * averaging round in that mode, with the mean loss of the round), called when the stage that ran it ends, with
 * the network at the end of that stage; {@code onEpochEnd} with the epoch's mean training {@code loss}.
 * Listeners run on the driver; {@link TrainingRun#requestStop(String)} stops at the end of the current stage.
 * Not supported here: dropout, metrics during training, validation, early stopping, resuming; evaluate the
 * returned network with {@code Trainer.evaluate}.
 *
 * <p>A {@code SparkTrainer} is an immutable configuration; {@link #fit} never changes the network it is given.
 * Its loss, optimizer and activations reach the executors through the library's model and checkpoint formats,
 * so custom ones must be registered with {@code io.github.backprop4j.io.Components} there as well.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);
    /** The default of {@link Builder#communicationTimeout}, in seconds (its Javadoc quotes it). */
    static final int DEFAULT_TIMEOUT_SECONDS = 120;
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(DEFAULT_TIMEOUT_SECONDS);

    /** How the partitions' work is combined. */
    public enum Mode {
        /** Every global mini-batch's gradients are summed over the tasks: single-machine large-batch training. */
        SYNCHRONOUS,
        /** Partitions train locally for K steps, then their networks are averaged. */
        PARAMETER_AVERAGING
    }

    private final Loss loss;
    private final Optimizer optimizer;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final Mode mode;
    private final int averagingInterval;
    private final boolean averageOptimizerState;
    private final List<TrainingListener> listeners;
    private final double clipNorm;
    private final LearningRateSchedule schedule;
    private final int stepsPerStage;
    /**
     * The steps a synchronous stage should hold at least when {@link Builder#epochsPerStage} is not set: the number
     * of whole epochs per stage is chosen to reach it.
     */
    public static final int AUTOMATIC_STEPS_PER_STAGE = 128;

    /**
     * The whole epochs that make at least {@link #AUTOMATIC_STEPS_PER_STAGE} steps, at most all of them.
     *
     * @param stepsInEpoch the steps of one epoch, at least 1
     * @param epochs the epochs of the run, at least 1
     * @return between 1 and {@code epochs}
     */
    static int automaticEpochsPerStage(int stepsInEpoch, int epochs) {
        return Math.min(epochs, (AUTOMATIC_STEPS_PER_STAGE + stepsInEpoch - 1) / stepsInEpoch);
    }

    /** The epochs per stage as set, or 0 for {@link #AUTOMATIC_STEPS_PER_STAGE automatic}. */
    private final int epochsPerStageSet;
    private final Duration timeout;

    private SparkTrainer(Builder b) {
        Trainer t = b.trainer;
        this.loss = t.loss();
        this.optimizer = t.optimizer();
        this.epochs = t.epochs();
        this.batchSize = t.batchSize();
        this.seed = t.seed();
        this.mode = b.mode;
        this.averagingInterval = b.averagingInterval;
        this.averageOptimizerState = b.averageOptimizerState;
        this.listeners = t.listeners();
        this.clipNorm = t.clipGradientNorm();
        this.schedule = t.learningRateSchedule();
        this.stepsPerStage = b.stepsPerStage;
        this.epochsPerStageSet = b.epochsPerStage;
        this.timeout = b.timeout;
    }

    /**
     * Starts a Spark configuration from a single-machine one: the trainer's loss, optimizer, epochs, batch size
     * (the global mini-batch in synchronous mode, each partition's local batch in parameter averaging), seed,
     * listeners (its logging listener included), gradient clipping and learning-rate schedule.
     *
     * @param trainer the configuration to run on Spark
     * @return a new builder, synchronous unless told otherwise
     * @throws NullPointerException if {@code trainer} is {@code null}
     * @throws IllegalArgumentException naming each one, if the trainer uses what Spark training does not do:
     *     dropout, metrics, early stopping, a validation fraction, unshuffled epochs, or divergence as a listener
     *     event
     */
    public static Builder builder(Trainer trainer) {
        return new Builder(trainer);
    }

    /**
     * Trains a network on samples held by Spark.
     *
     * @param network the network to start from; not changed
     * @param data the training samples; their order (partition by partition) numbers them, so it should be
     *     deterministic; read once and cached for the run. If it has more partitions than the cluster has task
     *     slots ({@code spark.default.parallelism}), adjacent partitions are merged (one shuffle) into as many
     *     as there are slots: a barrier stage runs all its tasks at once
     * @return the trained network and the history (the training {@code loss} of each epoch); a stage that failed
     *     more often than Spark retries it (e.g. on a sample that does not fit the network) ends the run with
     *     Spark's {@code SparkException}, thrown undeclared
     * @throws IllegalArgumentException if the data are empty or too many (more than about 2³¹ samples)
     * @throws ArithmeticException if the loss or a parameter became NaN or infinite
     */
    public TrainingResult fit(Network network, JavaRDD<Sample> data) {
        Checks.notNull(network, "network");
        Checks.notNull(data, "data");
        loss.checkOutputActivation(network.outputLayer().activation(), network.layerCount());
        refuseBatchNormalization(network);
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(data.context());
        int inputs = network.inputSize();
        int outputs = network.outputSize();
        int partitions = data.getNumPartitions();
        int tasks = Math.max(1, Math.min(partitions, spark.defaultParallelism()));
        JavaRDD<Block> blocks;
        if (tasks == partitions && sameWidthWithinStage(data.rdd(), partitions)) {
            blocks = data.zipWithIndex().mapPartitions(
                    samples -> Collections.singletonList(Block.of(samples, inputs, outputs)).iterator(), true);
        } else { // a barrier stage needs a slot per task and ancestors of its own width: merge through a shuffle
            int from = partitions;
            blocks = data.zipWithIndex()
                    .mapPartitionsWithIndex((p, samples) -> Collections.singletonList(
                            new Tuple2<>((int) ((long) p * tasks / from), Block.of(samples, inputs, outputs))).iterator(),
                            true)
                    .mapToPair(t -> t)
                    .partitionBy(new HashPartitioner(tasks))
                    .values()
                    .mapPartitions(parts -> Collections.singletonList(Block.merge(parts)).iterator(), true);
        }
        blocks = blocks.persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Integer> sizes = blocks.map(Block::size).collect();
            long total = sizes.stream().mapToLong(Integer::longValue).sum();
            if (total == 0) {
                throw new IllegalArgumentException("the training data hold no samples");
            }
            LOG.info("Training {} on Spark: {} samples in {} tasks, {}", network, total, sizes.size(),
                    mode == Mode.SYNCHRONOUS ? "synchronous, global batch " + batchSize
                            : "parameter averaging every " + averagingInterval + " local steps of " + batchSize);
            try (AddressBook book = new AddressBook(spark.getConf().get("spark.driver.host", "localhost"))) {
                return new Loop(blocks, sizes, (int) total, network, book).run();
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot open the tasks' address book on the driver", e);
        } finally {
            blocks.unpersist(false);
        }
    }

    /** Whether every ancestor of {@code rdd} within its stage (through narrow dependencies) has {@code width} partitions. */
    private static boolean sameWidthWithinStage(RDD<?> rdd, int width) {
        if (rdd.getNumPartitions() != width) {
            return false;
        }
        for (Dependency<?> d : CollectionConverters.asJava(rdd.dependencies())) {
            if (d instanceof NarrowDependency<?> && !sameWidthWithinStage(d.rdd(), width)) {
                return false;
            }
        }
        return true;
    }

    /** One run of {@link #fit}: the driver's copy of the model, as the last stage returned it, and the listeners. */
    private final class Loop {
        private final JavaRDD<Block> blocks;
        private final List<Integer> sizes;
        private final int total;
        private final RunDriver driver;
        private Network network;
        private OptimizerState state = new OptimizerState();
        private long steps; // optimizer steps so far: global steps, or the longest partition's local steps
        private double eta = Double.NaN;
        private final AddressBook book;
        private int stages;
        private final int attempts;
        private long encodeNanos; // the driver's encoding of the last stage's start, for the debug log

        Loop(JavaRDD<Block> blocks, List<Integer> sizes, int total, Network network, AddressBook book) {
            this.book = book;
            this.blocks = blocks;
            this.attempts = Math.max(1, blocks.context().getConf().getInt("spark.stage.maxConsecutiveAttempts", 4));
            this.sizes = sizes;
            this.total = total;
            this.network = network;
            this.driver = Runs.drive(network, epochs, seed, state, loss, optimizer, listeners);
        }

        TrainingResult run() {
            driver.startTraining();
            String stopReason = "completed " + epochs + " epochs";
            int epochsPerStage = epochsPerStage();
            if (epochsPerStage > 1) {
                for (int epoch = 1; epoch <= epochs; epoch += epochsPerStage) {
                    int last = Math.min(epoch + epochsPerStage - 1, epochs);
                    if (driver.isStopRequested()) {
                        return driver.end(driver.stopRequest() + " before epoch " + epoch + "; returning the network "
                                + "of step " + driver.run().step());
                    }
                    synchronousEpochs(epoch, last);
                    if (driver.isStopRequested()) {
                        return driver.end(driver.stopRequest() + " in the stage of epochs " + epoch + ".." + last
                                + "; returning the network after epoch " + last);
                    }
                }
                return driver.end(stopReason);
            }
            for (int epoch = 1; epoch <= epochs; epoch++) {
                long start = System.nanoTime();
                driver.startEpoch(epoch);
                double[] lossAndSamples = mode == Mode.SYNCHRONOUS ? synchronousEpoch(epoch) : averagingEpoch(epoch);
                if (lossAndSamples == null) {
                    stopReason = driver.stopRequest() + " during epoch " + epoch + "; returning the network of step "
                            + driver.run().step();
                    break;
                }
                driver.completed(new EpochSummary(epoch, Map.of("loss", lossAndSamples[0] / lossAndSamples[1]),
                        (long) lossAndSamples[1], Duration.ofNanos(System.nanoTime() - start), eta));
                if (driver.isStopRequested()) {
                    stopReason = driver.stopRequest() + " after epoch " + epoch;
                    break;
                }
            }
            return driver.end(stopReason);
        }

        /**
         * The epochs one synchronous stage runs: as set, or by default enough for
         * {@value SparkTrainer#AUTOMATIC_STEPS_PER_STAGE} steps, which spreads a stage's fixed cost (about 200 ms in
         * {@code local[2]}, see docs/spark.md) to a millisecond or two per step; 1 with blocks of steps or parameter
         * averaging.
         */
        private int epochsPerStage() {
            if (mode != Mode.SYNCHRONOUS || stepsPerStage > 0) {
                return 1;
            }
            if (epochsPerStageSet > 0) {
                return epochsPerStageSet;
            }
            return automaticEpochsPerStage((total + batchSize - 1) / batchSize, epochs);
        }

        /** Runs one barrier stage and takes its result as the driver's network and optimizer state. */
        private StageTask.Result stage(StageTask task, String what) {
            long submitted = System.currentTimeMillis();
            long t0 = System.nanoTime();
            List<StageTask.Result> all = null;
            for (int attempt = 1; all == null; attempt++) {
                RDD<StageTask.Result> results = blocks.rdd().barrier().mapPartitions(task.at(book.address(), ++stages),
                        false, ClassTag$.MODULE$.apply(StageTask.Result.class));
                try {
                    all = new ArrayList<>(results.toJavaRDD().collect());
                } catch (Exception e) { // a SparkException, undeclared; rethrown as it came (precise rethrow)
                    // Spark aborts a failed barrier result stage rather than retry it; the driver retries it instead
                    // (a stage is a pure function of its start), which spares the shuffle that a retryable
                    // shuffle-map stage would need
                    if (!(e instanceof org.apache.spark.SparkException) || attempt >= attempts
                            || String.valueOf(e.getMessage()).contains("cancelled")) {
                        throw e;
                    }
                    LOG.warn("{} failed (attempt {} of {}), retrying it: {}", what, attempt, attempts,
                            e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
                }
            }
            all.sort(Comparator.comparingInt(StageTask.Result::task));
            StageTask.Result first = all.get(0);
            if (first.failure() != null) {
                throw new ArithmeticException(first.failure());
            }
            for (StageTask.Result r : all) {
                if (r.checksum() != first.checksum()) {
                    throw new IllegalStateException("after " + what + ", task " + r.task() + "'s network differs from "
                            + "task 0's (checksums " + Long.toHexString(r.checksum()) + " and "
                            + Long.toHexString(first.checksum()) + "): the replicas went out of step");
                }
            }
            long t1 = System.nanoTime();
            TrainingSnapshot trained = Carrier.run(first.run());
            network = trained.network();
            state = trained.optimizerState();
            if (LOG.isDebugEnabled()) {
                LOG.debug("stage {} ({}): {}", stages, what, breakdown(all, submitted, t1 - t0, System.nanoTime() - t1));
            }
            return first;
        }

        /**
         * One line of where a stage's time went: the job on the driver, from submission to the collected results;
         * per task the time from submission to its start (launch), joining the ring, preparing (decoding the
         * checkpoint, ordering and converting its block), the steps, encoding its result, and from its end to the
         * driver's receipt of all results; and the driver's decoding.
         */
        private String breakdown(List<StageTask.Result> all, long submitted, long jobNanos, long decodeNanos) {
            long received = submitted + jobNanos / 1_000_000;
            StringBuilder line = new StringBuilder(String.format(java.util.Locale.ROOT,
                    "encode %.1f ms, job %.1f ms, decode %.1f ms;", encodeNanos / 1e6, jobNanos / 1e6,
                    decodeNanos / 1e6));
            for (StageTask.Result r : all) {
                long[] t = r.times();
                line.append(String.format(java.util.Locale.ROOT,
                        " task %d: launch %d, join %.1f, prepare %.1f, steps %.1f, encode %.1f, return %d ms;",
                        r.task(), t[StageTask.Times.STARTED] - submitted, t[StageTask.Times.JOIN] / 1e6,
                        t[StageTask.Times.PREPARE] / 1e6, t[StageTask.Times.STEPS] / 1e6,
                        t[StageTask.Times.ENCODE] / 1e6, received - t[StageTask.Times.ENDED]));
            }
            return line.toString();
        }

        /**
         * Runs epochs {@code first..last} in one barrier stage, then reports each of them to the listeners: its
         * start, its steps (all with the network at the end of the stage) and its summary, whose duration is the
         * stage's divided evenly among its epochs.
         */
        private void synchronousEpochs(int first, int last) {
            long start = System.nanoTime();
            int stepsInEpoch = (total + batchSize - 1) / batchSize;
            double[][] etas = new double[last - first + 1][stepsInEpoch];
            long counted = state.stepCount();
            for (int e = 0; e < etas.length; e++) {
                for (int k = 0; k < stepsInEpoch; k++) {
                    etas[e][k] = schedule.learningRate(optimizer.learningRate(), ++counted, first + e);
                }
            }
            long encoding = System.nanoTime();
            byte[] bytes = Carrier.run(network, state, loss, optimizer);
            encodeNanos = System.nanoTime() - encoding;
            StageTask task = new StageTask.Synchronous(bytes, seed, first, batchSize, clipNorm, timeout, total, 1,
                    etas);
            StageTask.Result result = stage(task, "epochs " + first + ".." + last);
            Duration each = Duration.ofNanos((System.nanoTime() - start) / etas.length);
            int at = 0;
            for (int e = 0; e < etas.length; e++) {
                int epoch = first + e;
                driver.startEpoch(epoch);
                double lossSum = 0;
                for (int k = 0; k < stepsInEpoch; k++, at++) {
                    eta = etas[e][k];
                    steps++;
                    lossSum += result.losses()[at] * result.samples()[at];
                    LOG.debug("epoch {} step {}: loss {} over {} samples", epoch, k + 1, result.losses()[at],
                            result.samples()[at]);
                    driver.stepped(network, state, k + 1, result.losses()[at], eta);
                }
                driver.completed(new EpochSummary(epoch, Map.of("loss", lossSum / total), total, each, eta));
            }
        }

        /** Returns the epoch's summed loss and its sample count, or {@code null} if a listener stopped it. */
        private double[] synchronousEpoch(int epoch) {
            int stepsInEpoch = (total + batchSize - 1) / batchSize;
            int perStage = stepsPerStage > 0 ? stepsPerStage : stepsInEpoch;
            double lossSum = 0;
            for (int first = 1; first <= stepsInEpoch; first += perStage) {
                if (driver.isStopRequested()) {
                    return null;
                }
                int last = Math.min(first + perStage - 1, stepsInEpoch);
                double[] etas = new double[last - first + 1];
                for (int k = 0; k < etas.length; k++) {
                    etas[k] = schedule.learningRate(optimizer.learningRate(), state.stepCount() + k + 1, epoch);
                }
                long encoding = System.nanoTime();
                byte[] start = Carrier.run(network, state, loss, optimizer);
                encodeNanos = System.nanoTime() - encoding;
                StageTask task = new StageTask.Synchronous(start, seed, epoch,
                        batchSize, clipNorm, timeout, total, first, new double[][] {etas});
                StageTask.Result result = stage(task, "steps " + first + ".." + last + " of epoch " + epoch);
                for (int k = 0; k < etas.length; k++) {
                    eta = etas[k];
                    steps++;
                    lossSum += result.losses()[k] * result.samples()[k];
                    LOG.debug("epoch {} step {}: loss {} over {} samples", epoch, first + k, result.losses()[k],
                            result.samples()[k]);
                    driver.stepped(network, state, first + k, result.losses()[k], eta);
                }
            }
            return new double[] {lossSum, total};
        }

        /** Returns the epoch's summed loss and its sample count, or {@code null} if a listener stopped it. */
        private double[] averagingEpoch(int epoch) {
            if (driver.isStopRequested()) {
                return null;
            }
            int local = batchSize;
            int longest = sizes.stream().mapToInt(s -> (s + local - 1) / local).max().orElse(0);
            int rounds = (longest + averagingInterval - 1) / averagingInterval;
            double[][] etas = new double[rounds][];
            long counted = steps;
            for (int round = 0; round < rounds; round++) {
                etas[round] = new double[Math.min(averagingInterval, longest - round * averagingInterval)];
                for (int k = 0; k < etas[round].length; k++) {
                    etas[round][k] = schedule.learningRate(optimizer.learningRate(), counted + k + 1, epoch);
                }
                counted += etas[round].length;
            }
            int[] taskSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
            OptimizerState startState = averageOptimizerState ? state : new OptimizerState();
            StageTask task = new StageTask.Averaging(Carrier.run(network, startState, loss, optimizer), seed, epoch,
                    local, clipNorm, timeout, taskSizes, averagingInterval, averageOptimizerState, etas);
            StageTask.Result result = stage(task, "epoch " + epoch);
            double lossSum = 0;
            long samples = 0;
            for (int round = 0; round < rounds; round++) {
                steps += etas[round].length;
                eta = etas[round][etas[round].length - 1];
                lossSum += result.losses()[round];
                samples += (long) result.samples()[round];
                double roundLoss = result.losses()[round] / result.samples()[round];
                LOG.debug("epoch {} round {}: loss {} over {} samples", epoch, round + 1, roundLoss,
                        result.samples()[round]);
                driver.stepped(network, state, round + 1, roundLoss, eta);
            }
            return new double[] {lossSum, samples};
        }
    }

    /**
     * Refuses batch normalization: each partition would normalize with its own share's statistics, so neither
     * the gradients nor the running statistics would be the single-machine network's.
     */
    private static void refuseBatchNormalization(Network network) {
        for (int l = 1; l <= network.layerCount(); l++) {
            if (!network.layer(l).buffers().isEmpty()) {
                throw new IllegalArgumentException("layer " + l + " is a batch normalization layer (or holds one), "
                        + "which SparkTrainer cannot train yet: each partition would normalize with the statistics of "
                        + "its own share of the batch, so the result would not be the network one machine trains; use "
                        + "LayerNorm instead, or train it with Trainer on one machine");
            }
        }
    }

    @Override
    public String toString() {
        return "SparkTrainer[" + loss + ", " + optimizer + ", " + epochs + " epochs, batch " + batchSize + ", "
                + (mode == Mode.SYNCHRONOUS ? "synchronous" : "parameter averaging every " + averagingInterval)
                + ", seed " + seed + "]";
    }

    /** A fluent configuration of a {@link SparkTrainer}. Not thread-safe. */
    public static final class Builder {

        private final Trainer trainer;
        private Mode mode = Mode.SYNCHRONOUS;
        private int averagingInterval = 1;
        private boolean averageOptimizerState = true;
        private int stepsPerStage;
        private int epochsPerStage; // 0: automatic
        private Duration timeout = DEFAULT_TIMEOUT;

        private Builder(Trainer trainer) {
            this.trainer = Checks.notNull(trainer, "trainer");
            List<String> unsupported = new ArrayList<>();
            if (!trainer.dropout().isNone()) {
                unsupported.add("dropout " + trainer.dropout());
            }
            if (!trainer.metrics().isEmpty()) {
                unsupported.add("metrics " + trainer.metrics());
            }
            if (trainer.earlyStopping() != null) {
                unsupported.add(trainer.earlyStopping().toString());
            }
            if (trainer.validationFraction() > 0) {
                unsupported.add("validationFraction " + trainer.validationFraction());
            }
            if (!trainer.shuffles()) {
                unsupported.add("shuffle(false)");
            }
            if (!trainer.throwsOnDivergence()) {
                unsupported.add("throwOnDivergence(false)");
            }
            if (!unsupported.isEmpty()) {
                throw new IllegalArgumentException("trainer: Spark training does not support " + unsupported
                        + "; configure the Trainer without them");
            }
        }

        /**
         * Chooses synchronous gradient averaging, the default.
         *
         * @return this builder
         */
        public Builder synchronous() {
            mode = Mode.SYNCHRONOUS;
            return this;
        }

        /**
         * Chooses parameter averaging: each partition trains alone for {@code localSteps} mini-batches between
         * two averagings.
         *
         * @param localSteps K, at least 1
         * @return this builder
         */
        public Builder parameterAveraging(int localSteps) {
            averagingInterval = Checks.positive(localSteps, "localSteps");
            mode = Mode.PARAMETER_AVERAGING;
            return this;
        }

        /**
         * Sets whether parameter averaging also averages the partitions' optimizer states (the default) or
         * starts every round with an empty state (enough for plain SGD, which keeps none).
         *
         * @param value {@code true} to average the states
         * @return this builder
         */
        public Builder averageOptimizerState(boolean value) {
            averageOptimizerState = value;
            return this;
        }

        /**
         * Sets how many synchronous steps one barrier stage runs: the unit of recovery (a failed task reruns its
         * stage from the network the stage before returned) and of progress (listeners hear of a stage's steps
         * when it ends, and a stop request takes effect at the end of a stage). The default, 0, runs each epoch as
         * one stage. Parameter averaging always runs an epoch per stage.
         *
         * @param steps global steps per stage, at least 1, or 0 for one stage per epoch
         * @return this builder
         * @throws IllegalArgumentException if {@code steps} is negative
         */
        public Builder stepsPerStage(int steps) {
            if (steps < 0) {
                throw new IllegalArgumentException("steps must be at least 0 (0: one stage per epoch), was " + steps);
            }
            stepsPerStage = steps;
            return this;
        }

        /**
         * Sets how many whole epochs one barrier stage runs in synchronous mode, to spread a stage's fixed cost
         * (launching its tasks, sending them the network and optimizer state, converting their samples, returning
         * the result: a few hundred milliseconds, see docs/spark.md) over more steps. The result is the same bits
         * whatever the value. The trade-off: the stage is the unit of recovery, so a failed task reruns all of the
         * stage's epochs; listeners hear of the stage's epochs and steps only when it ends (each step with the
         * network at the end of the stage, each epoch with an equal share of the stage's time); and a stop request
         * takes effect at the end of a stage. By default a stage runs as many epochs as make at least
         * {@value SparkTrainer#AUTOMATIC_STEPS_PER_STAGE} steps (one epoch when an epoch has that many), up to all of
         * them; 1 runs one stage per epoch. With {@link #stepsPerStage} or {@link #parameterAveraging} a stage runs one
         * epoch or part of one.
         *
         * @param epochs epochs per stage, at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code epochs} is not positive
         */
        public Builder epochsPerStage(int epochs) {
            epochsPerStage = Checks.positive(epochs, "epochs");
            return this;
        }

        /**
         * Sets the deadline of each socket operation between the tasks (connecting, and each message of an
         * all-reduce, which includes waiting for the slowest task's share of a step). A task past it fails, and
         * Spark retries the stage. Default 120 s.
         *
         * @param timeout positive
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder communicationTimeout(Duration timeout) {
            Checks.notNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /**
         * Builds the trainer.
         *
         * @return an immutable Spark trainer
         * @throws IllegalArgumentException if {@link #epochsPerStage} above 1 is combined with
         *     {@link #stepsPerStage} or {@link #parameterAveraging}
         */
        public SparkTrainer build() {
            if (epochsPerStage > 1 && stepsPerStage > 0) {
                throw new IllegalArgumentException("epochsPerStage(" + epochsPerStage + ") and stepsPerStage("
                        + stepsPerStage + ") exclude each other: a stage runs either several epochs or part of one");
            }
            if (epochsPerStage > 1 && mode == Mode.PARAMETER_AVERAGING) {
                throw new IllegalArgumentException("epochsPerStage(" + epochsPerStage + ") is for synchronous "
                        + "training; parameter averaging runs one epoch per stage");
            }
            return new SparkTrainer(this);
        }
    }
}
