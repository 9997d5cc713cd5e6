package io.github.backprop4j.spark;

import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.io.Components;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.spark.Blocks.Block;
import io.github.backprop4j.spark.Blocks.EpochBlock;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.ForwardPass;
import io.github.backprop4j.train.Gradients;
import io.github.backprop4j.train.StepRunner;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import io.github.backprop4j.train.internal.RunDriver;
import io.github.backprop4j.train.internal.Runs;
import io.github.backprop4j.train.TrainingSnapshot;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p><b>Synchronous gradient averaging</b> (the default). Each global mini-batch of {@code N} samples (see
 * {@link GlobalBatches}) is split across the partitions that hold its samples; partition {@code p} runs the
 * forward pass and {@link Backpropagator} on its {@code nₚ} samples and returns {@code (nₚ/N)·∂Cₚ/∂θ}, its
 * gradient scaled by the global batch size. The driver sums these in the order of the partitions' indices,
 * {@code ∂C/∂θ = Σₚ (nₚ/N)·∂Cₚ/∂θ}, which for a loss that is a mean over samples is the gradient of the
 * whole batch, applies the optimizer with its one {@link OptimizerState}, and broadcasts the new network as
 * {@link io.github.backprop4j.io.ModelFile} bytes. This is large-batch training, equal (to rounding) to a
 * single machine training on the same batches in the same order; the partitioning changes only the order of
 * the sums. Not exact for {@code Loss.crossEntropy(weights)}, whose batch mean divides by the batch's weight
 * sum rather than its size.
 *
 * <p><b>Parameter averaging every K local steps</b> ({@link Builder#parameterAveraging(int)}). Each
 * partition shuffles its own samples every epoch (seeded by the seed, epoch and partition) and trains a copy
 * of the network on local mini-batches of {@link Builder#batchSize} samples for {@code K} steps, with its own
 * optimizer state; then the driver averages the partitions' networks, weighting each by the samples it saw in
 * the round, and (unless {@link Builder#averageOptimizerState(boolean) turned off}) their optimizer states
 * likewise. A round ends an epoch early for partitions that run out of samples; the epoch ends when every
 * partition has seen all of its samples. K times less communication than the synchronous mode, but not the
 * single-machine trajectory.
 *
 * <p><b>Failures.</b> The driver owns the only copy of the model that is updated. Every task is a pure
 * function of broadcast bytes and its partition's data, so Spark may rerun a failed or slow task without
 * changing the result. The data are read once and cached (memory, then disk) for the run.
 *
 * <p><b>Progress</b> goes through the listeners of the {@link Trainer} it was built from (its
 * {@link io.github.backprop4j.train.LoggingListener} included, unless that trainer turned logging off):
 * {@code onBatchEnd} after each global step (each
 * averaging round in that mode, with the mean loss of the round), {@code onEpochEnd} with the epoch's mean
 * training {@code loss}. Listeners run on the driver; {@link TrainingRun#requestStop(String)} stops after
 * the current step. Not supported here: dropout, metrics during training, validation, early stopping, resuming;
 * evaluate the returned network with {@code Trainer.evaluate}.
 *
 * <p>A {@code SparkTrainer} is an immutable configuration; {@link #fit} never changes the network it is given.
 * Its loss, optimizer and activations reach the executors through the library's model and checkpoint formats,
 * so custom ones must be registered with {@code io.github.backprop4j.io.Components} there as well.
 */
public final class SparkTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    /** How the partitions' work is combined. */
    public enum Mode {
        /** Every global mini-batch's gradients are summed on the driver: single-machine large-batch training. */
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
     *     deterministic; read once and cached for the run
     * @return the trained network and the history (the training {@code loss} of each epoch); a task that
     *     failed more often than Spark retries it (e.g. on a sample that does not fit the network) ends the
     *     run with Spark's {@code SparkException}, thrown undeclared
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
        JavaRDD<Block> blocks = data.zipWithIndex()
                .mapPartitions(samples -> Collections.singletonList(Block.of(samples, inputs, outputs)).iterator(),
                        true)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            List<Integer> sizes = blocks.map(Block::size).collect();
            long total = sizes.stream().mapToLong(Integer::longValue).sum();
            if (total == 0) {
                throw new IllegalArgumentException("the training data hold no samples");
            }
            LOG.info("Training {} on Spark: {} samples in {} partitions, {}", network, total, sizes.size(),
                    mode == Mode.SYNCHRONOUS ? "synchronous, global batch " + batchSize
                            : "parameter averaging every " + averagingInterval + " local steps of " + batchSize);
            Loop loop = new Loop(spark, blocks, sizes, (int) total, network);
            return loop.run();
        } finally {
            blocks.unpersist(false);
        }
    }

    /** One run of {@link #fit}: the driver's copy of the model and the listeners' view of it. */
    private final class Loop {
        private final JavaSparkContext spark;
        private final JavaRDD<Block> blocks;
        private final List<Integer> sizes;
        private final int total;
        private final Backpropagator backprop = new Backpropagator(loss);
        private final RunDriver driver;
        private Network network;
        private OptimizerState state = new OptimizerState();
        private long steps; // optimizer steps so far: global steps, or the longest partition's local steps
        private double eta = Double.NaN;

        Loop(JavaSparkContext spark, JavaRDD<Block> blocks, List<Integer> sizes, int total, Network network) {
            this.spark = spark;
            this.blocks = blocks;
            this.sizes = sizes;
            this.total = total;
            this.network = network;
            this.driver = Runs.drive(network, epochs, seed, state, loss, optimizer, listeners);
        }

        TrainingResult run() {
            driver.startTraining();
            String stopReason = "completed " + epochs + " epochs";
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

        /** Returns the epoch's summed loss and its sample count, or {@code null} if a listener stopped it. */
        private double[] synchronousEpoch(int epoch) {
            int n = total;
            long runSeed = seed;
            JavaRDD<EpochBlock> ordered = blocks.map(b -> b.inGlobalOrder(n, runSeed, epoch))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                int stepsInEpoch = (n + batchSize - 1) / batchSize;
                double lossSum = 0;
                for (int step = 1; step <= stepsInEpoch; step++) {
                    if (driver.isStopRequested()) {
                        return null;
                    }
                    int from = (step - 1) * batchSize;
                    int to = Math.min(from + batchSize, n);
                    Broadcast<byte[]> model = spark.broadcast(Carrier.network(network));
                    String lossName = loss.name();
                    HashMap<String, Double> lossParameters = new HashMap<>(loss.parameters());
                    List<PartGradient> parts;
                    try {
                        parts = new ArrayList<>(ordered.mapPartitionsWithIndex(
                                (p, it) -> gradientTask(p, it, lossName, lossParameters, model, from, to), true).collect());
                    } finally {
                        model.destroy();
                    }
                    Gradients gradients = sum(parts, network);
                    if (!Double.isFinite(gradients.loss())) {
                        throw new ArithmeticException("the loss became " + gradients.loss() + " at epoch " + epoch
                                + ", batch " + step + "; try a smaller learning rate or scaling the inputs");
                    }
                    if (clipNorm > 0) {
                        gradients = gradients.clippedByGlobalNorm(clipNorm);
                    }
                    eta = schedule.learningRate(optimizer.learningRate(), state.stepCount() + 1, epoch);
                    network = backprop.apply(network, gradients, optimizer, state, eta);
                    steps++;
                    lossSum += gradients.loss() * (to - from);
                    LOG.debug("epoch {} step {}: loss {} over {} samples from {} partitions", epoch, step,
                            gradients.loss(), to - from, parts.size());
                    driver.stepped(network, state, step, gradients.loss(), eta);
                }
                return new double[] {lossSum, n};
            } finally {
                ordered.unpersist(false);
            }
        }

        /** Returns the epoch's summed loss and its sample count, or {@code null} if a listener stopped it. */
        private double[] averagingEpoch(int epoch) {
            long runSeed = seed;
            int local = batchSize;
            JavaRDD<EpochBlock> ordered = blocks.mapPartitionsWithIndex(
                    (p, it) -> Collections.singletonList(it.next().inLocalOrder(runSeed, epoch, p)).iterator(), true)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            try {
                int longest = sizes.stream().mapToInt(s -> (s + local - 1) / local).max().orElse(0);
                int rounds = (longest + averagingInterval - 1) / averagingInterval;
                double lossSum = 0;
                long samples = 0;
                for (int round = 1; round <= rounds; round++) {
                    if (driver.isStopRequested()) {
                        return null;
                    }
                    int firstStep = (round - 1) * averagingInterval;
                    double[] etas = new double[Math.min(averagingInterval, longest - firstStep)];
                    for (int k = 0; k < etas.length; k++) {
                        etas[k] = schedule.learningRate(optimizer.learningRate(), steps + k + 1, epoch);
                    }
                    OptimizerState startState = averageOptimizerState ? state : new OptimizerState();
                    Broadcast<byte[]> start = spark.broadcast(Carrier.run(network, startState, loss, optimizer));
                    double clip = clipNorm;
                    List<PartModel> parts;
                    try {
                        parts = new ArrayList<>(ordered.mapPartitionsWithIndex(
                                (p, it) -> localTask(p, it, start, firstStep, local, etas, clip), true).collect());
                    } finally {
                        start.destroy();
                    }
                    parts.sort(Comparator.comparingInt(PartModel::partition));
                    long roundSamples = parts.stream().mapToLong(PartModel::samples).sum();
                    double roundLoss = parts.stream().mapToDouble(PartModel::lossSum).sum();
                    average(parts, roundSamples, etas.length);
                    steps += etas.length;
                    eta = etas[etas.length - 1];
                    lossSum += roundLoss;
                    samples += roundSamples;
                    LOG.debug("epoch {} round {}: loss {} over {} samples from {} partitions", epoch, round,
                            roundLoss / roundSamples, roundSamples, parts.size());
                    driver.stepped(network, state, round, roundLoss / roundSamples, eta);
                }
                return new double[] {lossSum, samples};
            } finally {
                ordered.unpersist(false);
            }
        }

        /** θ = Σₚ (mₚ/m)·θₚ in the order of the partitions, and the optimizer states likewise. */
        private void average(List<PartModel> parts, long roundSamples, int roundSteps) {
            List<TrainingSnapshot> trained = parts.stream().map(p -> Carrier.run(p.run())).toList();
            Precision precision = network.precision();
            List<Layer> layers = new ArrayList<>();
            for (int l = 1; l <= network.layerCount(); l++) {
                Layer layer = network.layer(l);
                List<Matrix> values = new ArrayList<>();
                for (io.github.backprop4j.Parameter p : layer.parameters()) {
                    values.add(Matrix.zeros(precision, p.value().rows(), p.value().cols()));
                }
                for (int i = 0; i < parts.size(); i++) {
                    double share = (double) parts.get(i).samples() / roundSamples;
                    List<io.github.backprop4j.Parameter> trainedParameters = trained.get(i).network().layer(l)
                            .parameters();
                    for (int k = 0; k < values.size(); k++) {
                        values.get(k).addScaled(share, trainedParameters.get(k).value());
                    }
                }
                layers.add(layer.withParameters(values));
            }
            network = Network.of(layers);
            if (averageOptimizerState) {
                Map<String, Matrix> slots = new TreeMap<>();
                for (int i = 0; i < parts.size(); i++) {
                    double share = (double) parts.get(i).samples() / roundSamples;
                    trained.get(i).optimizerState().slots().forEach((name, m) -> slots
                            .computeIfAbsent(name, k -> Matrix.zeros(m.precision(), m.rows(), m.cols()))
                            .addScaled(share, m));
                }
                state = OptimizerState.restore(slots, state.stepCount() + roundSteps);
            }
        }
    }

    // ------------------------------------------------------------------ tasks (run on the executors)

    /**
     * One partition's share of a global batch: its gradients scaled by {@code nₚ/N}.
     *
     * @param partition the partition's index
     * @param samples {@code nₚ}
     * @param loss {@code (nₚ/N)·Cₚ}
     * @param tensors {@code (nₚ/N)·∂Cₚ/∂Wˡ} and {@code (nₚ/N)·∂Cₚ/∂bˡ} for l = 1..L, rows of doubles
     */
    record PartGradient(int partition, int samples, double loss, double[][][] tensors) implements Serializable {
    }

    /**
     * One partition's result of a round of local training.
     *
     * @param partition the partition's index
     * @param samples the samples it trained on in this round, &gt; 0
     * @param lossSum the sum over its local steps of the batch loss times the batch size
     * @param run its network, optimizer state, loss and optimizer, as {@link Carrier#run} bytes
     */
    record PartModel(int partition, long samples, double lossSum, byte[] run) implements Serializable {
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

    private static Iterator<PartGradient> gradientTask(int partition, Iterator<EpochBlock> blocks,
            String lossName, Map<String, Double> lossParameters, Broadcast<byte[]> model, int from, int to) {
        EpochBlock block = blocks.next();
        int lo = block.firstAtOrAfter(from);
        int hi = block.firstAtOrAfter(to);
        if (lo == hi) {
            return Collections.emptyIterator();
        }
        Network network = Carrier.network(model.value());
        Loss loss = Components.loss(lossName, lossParameters);
        Precision precision = network.precision();
        Matrix x = Matrix.of(precision, Arrays.copyOfRange(block.features(), lo, hi), "features");
        Matrix y = Matrix.of(precision, Arrays.copyOfRange(block.targets(), lo, hi), "targets");
        Gradients g = new Backpropagator(loss).gradients(ForwardPass.run(network, x), y);
        double share = (double) (hi - lo) / (to - from); // scaled by the global batch size, not this share's
        List<double[][]> tensors = new ArrayList<>();
        for (int l = 1; l <= network.layerCount(); l++) {
            for (io.github.backprop4j.Parameter p : g.parameterGradients(l)) {
                tensors.add(scaled(p.value(), share)); // every parameter of every layer, in order
            }
        }
        return Collections.singletonList(new PartGradient(partition, hi - lo, g.loss() * share,
                tensors.toArray(double[][][]::new))).iterator();
    }

    private static double[][] scaled(Matrix m, double factor) {
        Matrix copy = m.copy();
        copy.scale(factor);
        return copy.toDoubleArray();
    }

    /** ∂C/∂θ = Σₚ (nₚ/N)·∂Cₚ/∂θ, summed in the order of the partitions' indices. */
    static Gradients sum(List<PartGradient> parts, Network network) {
        parts.sort(Comparator.comparingInt(PartGradient::partition));
        Precision precision = network.precision();
        List<List<io.github.backprop4j.Parameter>> byLayer = new ArrayList<>();
        int t = 0;
        for (int l = 1; l <= network.layerCount(); l++) {
            List<io.github.backprop4j.Parameter> layer = new ArrayList<>();
            for (io.github.backprop4j.Parameter p : network.layer(l).parameters()) {
                Matrix sum = Matrix.zeros(precision, p.value().rows(), p.value().cols());
                for (PartGradient part : parts) {
                    sum.addScaled(1, Matrix.of(precision, part.tensors()[t], "gradient"));
                }
                layer.add(new io.github.backprop4j.Parameter(p.name(), p.kind(), sum));
                t++;
            }
            byLayer.add(layer);
        }
        double loss = 0;
        for (PartGradient part : parts) {
            loss += part.loss();
        }
        return Gradients.ofParameters(loss, byLayer);
    }

    private static Iterator<PartModel> localTask(int partition, Iterator<EpochBlock> blocks, Broadcast<byte[]> start,
            int firstStep, int batchSize, double[] etas, double clipNorm) {
        EpochBlock block = blocks.next();
        if ((long) firstStep * batchSize >= block.size()) {
            return Collections.emptyIterator();
        }
        TrainingSnapshot run = Carrier.run(start.value());
        OptimizerState state = run.optimizerState().copy();
        StepRunner steps = new StepRunner(run.network(), run.loss(), run.optimizer(), state, clipNorm);
        Precision precision = run.network().precision();
        long samples = 0;
        double lossSum = 0;
        for (int k = 0; k < etas.length; k++) {
            int lo = (firstStep + k) * batchSize;
            if (lo >= block.size()) {
                break;
            }
            int hi = Math.min(lo + batchSize, block.size());
            Matrix x = Matrix.of(precision, Arrays.copyOfRange(block.features(), lo, hi), "features");
            Matrix y = Matrix.of(precision, Arrays.copyOfRange(block.targets(), lo, hi), "targets");
            double loss;
            try {
                loss = steps.step(x, y, etas[k]); // the workspace of Trainer.fit: the same bits as the readable path
            } catch (ArithmeticException e) {
                throw new ArithmeticException(e.getMessage() + " (in partition " + partition + ")");
            }
            samples += hi - lo;
            lossSum += loss * (hi - lo);
        }
        Network network = steps.network();
        byte[] trained = Carrier.run(network, state, run.loss(), run.optimizer());
        return Collections.singletonList(new PartModel(partition, samples, lossSum, trained)).iterator();
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
         * Builds the trainer.
         *
         * @return an immutable Spark trainer
         */
        public SparkTrainer build() {
            return new SparkTrainer(this);
        }
    }
}
