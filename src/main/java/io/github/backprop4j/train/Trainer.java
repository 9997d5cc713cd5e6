package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop: epochs of shuffled mini-batches, each a forward pass, backpropagation and an
 * optimizer step, with metrics, validation, early stopping and listeners.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder()
 *         .loss(Loss.CROSS_ENTROPY)
 *         .optimizer(Optimizer.sgd(0.1))
 *         .epochs(10)
 *         .batchSize(32)
 *         .metrics(Metrics.ACCURACY)
 *         .seed(7)
 *         .build();
 * TrainingResult result = trainer.fit(network, trainingData, validationData);
 * }</pre>
 *
 * <p><b>Reproducibility.</b> Each epoch's random stream (for shuffling and dropout) is derived from the
 * trainer's seed and the epoch's number alone, so the same seed, configuration, network and data give a
 * bit-identical trained network, and a run resumed at an epoch boundary continues the same streams.
 *
 * <p>A {@code Trainer} is an immutable configuration: it can train many networks, also concurrently; each
 * {@link #fit} call has its own optimizer state and never changes the network it is given. Training stops
 * cleanly, returning the network of the last completed step, when a listener asks for it or the training
 * thread is interrupted (the interrupt flag stays set).
 */
public final class Trainer {

    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** Epochs unless set otherwise. */
    static final int DEFAULT_EPOCHS = 10;
    /** Samples per mini-batch unless set otherwise. */
    static final int DEFAULT_BATCH_SIZE = 32;

    private final Loss loss;
    private final Optimizer optimizer;
    private final int epochs;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final List<Metric> metrics;
    private final EarlyStopping earlyStopping;
    private final List<TrainingListener> listeners;
    private final Dropout dropout;
    private final double clipNorm;
    private final LearningRateSchedule schedule;

    private Trainer(Builder b) {
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.seed = b.seed != null ? b.seed : ThreadLocalRandom.current().nextLong();
        if (b.seed == null) {
            LOG.debug("No seed given; shuffling and dropout use seed {}", seed);
        }
        this.shuffle = b.shuffle;
        this.metrics = List.copyOf(b.metrics);
        this.earlyStopping = b.earlyStopping;
        List<TrainingListener> all = new ArrayList<>(b.listeners);
        if (b.logging) {
            all.add(0, new LoggingListener());
        }
        this.listeners = List.copyOf(all);
        this.dropout = b.dropout;
        this.clipNorm = b.clipNorm;
        this.schedule = b.schedule;
    }

    /**
     * Starts a configuration. {@link Builder#loss} and {@link Builder#optimizer} are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains a network on the training data, without validation.
     *
     * @param network the network to start from; not changed
     * @param training the training data
     * @return the trained network and the history
     * @throws IllegalArgumentException if the data do not fit the network or the configuration
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite
     */
    public TrainingResult fit(Network network, DataSource training) {
        return fit(network, training, null);
    }

    /**
     * Trains a network, evaluating the validation data after every epoch (measurements named
     * {@code val_loss}, {@code val_<metric>}).
     *
     * @param network the network to start from; not changed
     * @param training the training data
     * @param validation the validation data, or {@code null} for none
     * @return the trained network and the history
     * @throws IllegalArgumentException if the data do not fit the network or the configuration
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite
     */
    public TrainingResult fit(Network network, DataSource training, DataSource validation) {
        Checks.notNull(network, "network");
        checkFits(network, Checks.notNull(training, "training"), "training");
        if (validation != null) {
            checkFits(network, validation, "validation");
        }
        loss.checkOutputActivation(network.outputLayer().activation(), network.layerCount());
        dropout.checkFits(network);
        boolean monitorHigherIsBetter = earlyStopping == null ? false
                : checkMonitored(earlyStopping.monitored(), validation != null);

        OptimizerState state = new OptimizerState();
        TrainingSession session = new TrainingSession(network, loss, optimizer, state, dropout, clipNorm);
        TrainingRun run = new TrainingRun(network, epochs);
        listeners.forEach(l -> l.onTrainingStart(run));

        String stopReason = "completed " + epochs + " epochs";
        Network best = network;
        double bestValue = Double.NaN;
        int bestEpoch = 0;
        int epochsWithoutImprovement = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) {
            long start = System.nanoTime();
            run.startEpoch(epoch);
            final int e = epoch;
            listeners.forEach(l -> l.onEpochStart(run, e));
            SplittableRandom epochRandom = epochRandom(seed, epoch);
            SplittableRandom shuffleRandom = epochRandom.split();
            SplittableRandom dropoutRandom = epochRandom.split();

            Evaluation trainingEval = new Evaluation();
            String interruption = trainEpoch(run, session, state, training, epoch, shuffleRandom, dropoutRandom,
                    trainingEval);
            if (interruption != null) {
                stopReason = interruption + " during epoch " + epoch + "; returning the network of step "
                        + run.step();
                break;
            }
            run.network(); // a snapshot per epoch, checked to be finite
            Map<String, Double> values = trainingEval.results("");
            if (validation != null) {
                values.putAll(evaluate(run.network(), validation, "val_"));
            }
            EpochSummary summary = new EpochSummary(epoch, values, trainingEval.samples,
                    Duration.ofNanos(System.nanoTime() - start), run.learningRate());
            run.completed(summary);
            listeners.forEach(l -> l.onEpochEnd(run, summary));

            if (earlyStopping != null) {
                double value = summary.value(earlyStopping.monitored());
                if (bestEpoch == 0 || earlyStopping.improves(value, bestValue, monitorHigherIsBetter)) {
                    best = run.network();
                    bestValue = value;
                    bestEpoch = epoch;
                    epochsWithoutImprovement = 0;
                } else if (++epochsWithoutImprovement >= earlyStopping.patience()) {
                    stopReason = "early stopping after epoch " + epoch + ": " + earlyStopping.monitored()
                            + " did not improve on " + bestValue + " (epoch " + bestEpoch + ") for "
                            + earlyStopping.patience() + " epochs";
                    if (earlyStopping.restoresBest()) {
                        run.restore(best);
                        stopReason += "; restored the network of epoch " + bestEpoch;
                    }
                    break;
                }
            }
            if (run.isStopRequested()) {
                stopReason = run.stopRequest() + " after epoch " + epoch;
                break;
            }
        }
        TrainingResult result = new TrainingResult(run.network(), run.history(), stopReason);
        listeners.forEach(l -> l.onTrainingEnd(run, result));
        return result;
    }

    /**
     * Trains one epoch in the run's {@link TrainingSession}, accumulating the training loss and metrics. The
     * session computes what {@link Backpropagator#step} would, in reused buffers; the run's network is a
     * snapshot taken when asked.
     *
     * @return {@code null} if the epoch completed, else why it stopped early
     */
    private String trainEpoch(TrainingRun run, TrainingSession session, OptimizerState state, DataSource training,
            int epoch, SplittableRandom shuffleRandom, SplittableRandom dropoutRandom, Evaluation eval) {
        Network network = run.network();
        try (DataSource.Batches batches = training.batches(batchSize, network.precision(),
                shuffle ? shuffleRandom : null)) {
            int batchNumber = 0;
            while (batches.hasNext()) {
                if (Thread.currentThread().isInterrupted()) {
                    return "interrupted";
                }
                Batch batch = batches.next();
                batchNumber++;
                final int b = batchNumber;
                double batchLoss = session.gradients(batch.features(), batch.targets(), dropoutRandom);
                if (!Double.isFinite(batchLoss)) {
                    throw new TrainingDivergedException("the loss became " + batchLoss, epoch, b,
                            snapshotOrLastFinite(session, epoch, b));
                }
                double eta = schedule.learningRate(optimizer.learningRate(), state.stepCount() + 1, epoch);
                run.learningRate(eta);
                session.update(eta);
                run.stepped(() -> snapshot(session, epoch, b));
                eval.add(batchLoss, session.output(), batch.targets());
                listeners.forEach(l -> l.onBatchEnd(run, epoch, b, batchLoss));
                if (run.isStopRequested() && batches.hasNext()) {
                    return run.stopRequest();
                }
            }
        }
        return null;
    }

    /** The session's network, checked to be finite; a parameter that is not ends the run as diverged. */
    private static Network snapshot(TrainingSession session, int epoch, int batch) {
        try {
            return session.snapshot();
        } catch (ArithmeticException diverged) {
            TrainingDivergedException e = new TrainingDivergedException(diverged.getMessage(), epoch, batch,
                    session.lastSnapshot());
            e.initCause(diverged);
            throw e;
        }
    }

    private static Network snapshotOrLastFinite(TrainingSession session, int epoch, int batch) {
        try {
            return session.snapshot();
        } catch (ArithmeticException diverged) {
            return session.lastSnapshot();
        }
    }

    /**
     * Evaluates a network on data: the loss and every configured metric, with no dropout.
     *
     * @param network the network
     * @param data the data, read once in batches of the configured size, unshuffled
     * @return {@code loss} and each metric's value, by name
     * @throws IllegalArgumentException if the data do not fit the network
     */
    public Map<String, Double> evaluate(Network network, DataSource data) {
        Checks.notNull(network, "network");
        checkFits(network, Checks.notNull(data, "data"), "data");
        return evaluate(network, data, "");
    }

    private Map<String, Double> evaluate(Network network, DataSource data, String prefix) {
        Evaluation eval = new Evaluation();
        int last = network.layerCount();
        try (DataSource.Batches batches = data.batches(batchSize, network.precision(), null)) {
            while (batches.hasNext()) {
                Batch batch = batches.next();
                ForwardPass pass = ForwardPass.run(network, batch.features());
                eval.add(loss.value(pass.weightedSums(last), pass.output(), batch.targets()), pass.output(),
                        batch.targets());
            }
        }
        return eval.results(prefix);
    }

    /** The running loss and metrics of one pass over data. */
    private final class Evaluation {
        private final List<Metric.Accumulator> accumulators = metrics.stream().map(Metric::newAccumulator).toList();
        private double lossSum;
        private long samples;

        void add(double batchLoss, Matrix outputs, Matrix targets) {
            lossSum += batchLoss * outputs.rows(); // batch losses are means: weight them by batch size
            samples += outputs.rows();
            accumulators.forEach(a -> a.add(outputs, targets));
        }

        Map<String, Double> results(String prefix) {
            Map<String, Double> values = new LinkedHashMap<>();
            values.put(prefix + "loss", samples == 0 ? Double.NaN : lossSum / samples);
            for (int i = 0; i < metrics.size(); i++) {
                values.put(prefix + metrics.get(i).name(), accumulators.get(i).result());
            }
            return values;
        }
    }

    /** Returns whether the monitored measurement is better when higher, after checking that it exists. */
    private boolean checkMonitored(String name, boolean hasValidation) {
        boolean validationName = name.startsWith("val_");
        String base = validationName ? name.substring(4) : name;
        if (validationName && !hasValidation) {
            throw new IllegalArgumentException("early stopping monitors '" + name
                    + "', but fit was given no validation data");
        }
        if (base.equals("loss")) {
            return false;
        }
        for (Metric m : metrics) {
            if (m.name().equals(base)) {
                return m.higherIsBetter();
            }
        }
        List<String> known = new ArrayList<>(List.of("loss"));
        metrics.forEach(m -> known.add(m.name()));
        throw new IllegalArgumentException("early stopping monitors '" + name + "', which is not measured; the "
                + "measurements are " + known + (hasValidation ? " and their val_ forms" : ""));
    }

    private static void checkFits(Network network, DataSource data, String name) {
        Checks.sameSize(data.featureCount(), network.inputSize(), name + ": the number of features",
                "the input size of layer 1");
        Checks.sameSize(data.targetCount(), network.outputSize(), name + ": the number of targets",
                "the output size of layer " + network.layerCount() + " (the output layer)");
    }

    /**
     * The random stream of one epoch, a function of the seed and the epoch's number alone: the seed and
     * epoch are mixed (SplitMix64's finaliser) so that neighbouring epochs get unrelated streams.
     */
    static SplittableRandom epochRandom(long seed, int epoch) {
        return new SplittableRandom(mix64(mix64(seed) + epoch));
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /**
     * Returns the seed of shuffling and dropout (drawn at random if none was given).
     *
     * @return the seed
     */
    public long seed() {
        return seed;
    }

    @Override
    public String toString() {
        return "Trainer[" + loss + ", " + optimizer + ", " + epochs + " epochs, batch " + batchSize + ", seed "
                + seed + "]";
    }

    /**
     * A fluent configuration of a {@link Trainer}. Not thread-safe; {@link #build()} may be called more than
     * once.
     */
    public static final class Builder {

        private Loss loss;
        private Optimizer optimizer;
        private int epochs = DEFAULT_EPOCHS;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private Long seed;
        private boolean shuffle = true;
        private final List<Metric> metrics = new ArrayList<>();
        private EarlyStopping earlyStopping;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private boolean logging = true;
        private Dropout dropout = Dropout.none();
        private double clipNorm;
        private LearningRateSchedule schedule = LearningRateSchedule.constant();

        private Builder() {
        }

        /**
         * Sets the loss to minimise (required).
         *
         * @param value the loss
         * @return this builder
         */
        public Builder loss(Loss value) {
            loss = Checks.notNull(value, "loss");
            return this;
        }

        /**
         * Sets the optimizer configuration (required).
         *
         * @param value the optimizer
         * @return this builder
         */
        public Builder optimizer(Optimizer value) {
            optimizer = Checks.notNull(value, "optimizer");
            return this;
        }

        /**
         * Sets the number of passes over the training data ({@value Trainer#DEFAULT_EPOCHS} unless set).
         *
         * @param value at least 1
         * @return this builder
         */
        public Builder epochs(int value) {
            epochs = Checks.positive(value, "epochs");
            return this;
        }

        /**
         * Sets the number of samples per optimizer step ({@value Trainer#DEFAULT_BATCH_SIZE} unless set).
         *
         * @param value at least 1
         * @return this builder
         */
        public Builder batchSize(int value) {
            batchSize = Checks.positive(value, "batchSize");
            return this;
        }

        /**
         * Sets the seed of shuffling and dropout; without one a random seed is drawn and logged at DEBUG.
         *
         * @param value the seed
         * @return this builder
         */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /**
         * Sets whether each epoch visits the training data in a fresh seeded order (the default) or in the
         * source's own order.
         *
         * @param value {@code true} to shuffle
         * @return this builder
         */
        public Builder shuffle(boolean value) {
            shuffle = value;
            return this;
        }

        /**
         * Adds metrics measured on the training data during each epoch and on the validation data after it.
         *
         * @param values the metrics; names must be distinct and must not be {@code loss}
         * @return this builder
         */
        public Builder metrics(Metric... values) {
            Checks.notNull(values, "metrics");
            for (Metric m : values) {
                Checks.notNull(m, "metric");
                if (m.name().equals("loss") || metrics.stream().anyMatch(x -> x.name().equals(m.name()))) {
                    throw new IllegalArgumentException("metric name '" + m.name() + "' is already measured");
                }
                metrics.add(m);
            }
            return this;
        }

        /**
         * Stops training when a measurement stops improving.
         *
         * @param value the early-stopping configuration
         * @return this builder
         */
        public Builder earlyStopping(EarlyStopping value) {
            earlyStopping = Checks.notNull(value, "earlyStopping");
            return this;
        }

        /**
         * Adds listeners, called in the order added (after the logging listener).
         *
         * @param values the listeners
         * @return this builder
         */
        public Builder listeners(TrainingListener... values) {
            Checks.notNull(values, "listeners");
            for (TrainingListener l : values) {
                listeners.add(Checks.notNull(l, "listener"));
            }
            return this;
        }

        /**
         * Sets whether a {@link LoggingListener} logs each epoch through SLF4J (the default).
         *
         * @param value {@code false} to train silently
         * @return this builder
         */
        public Builder logging(boolean value) {
            logging = value;
            return this;
        }

        /**
         * Drops the activations of one layer while training, with inverted scaling so that inference needs no
         * change. May be called for several layers.
         *
         * @param layer the layer whose activations are dropped, 0 (the inputs) .. L−1
         * @param rate the probability of dropping each activation, in [0, 1)
         * @return this builder
         */
        public Builder dropout(int layer, double rate) {
            dropout = dropout.with(layer, rate);
            return this;
        }

        /**
         * Clips the gradients of every step by their global L2 norm (see
         * {@link Gradients#clippedByGlobalNorm(double)}).
         *
         * @param maxNorm the largest allowed norm, finite and &gt; 0
         * @return this builder
         */
        public Builder clipGradientNorm(double maxNorm) {
            clipNorm = Checks.positiveFinite(maxNorm, "maxNorm");
            return this;
        }

        /**
         * Varies the learning rate over the run: step {@code t} (counted from 1 over the whole run) of epoch
         * {@code e} uses {@code schedule.learningRate(optimizer.learningRate(), t, e)}. Constant unless set.
         *
         * @param value the schedule
         * @return this builder
         */
        public Builder learningRateSchedule(LearningRateSchedule value) {
            schedule = Checks.notNull(value, "learningRateSchedule");
            return this;
        }

        /**
         * Builds the trainer.
         *
         * @return an immutable trainer
         * @throws IllegalStateException naming what is missing, if the loss or optimizer was not set
         */
        public Trainer build() {
            if (loss == null) {
                throw new IllegalStateException("a Trainer needs a loss: call loss(...) before build()");
            }
            if (optimizer == null) {
                throw new IllegalStateException("a Trainer needs an optimizer: call optimizer(...) before build()");
            }
            return new Trainer(this);
        }
    }
}
