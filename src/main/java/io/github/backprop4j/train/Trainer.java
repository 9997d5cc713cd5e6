package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration of the training loop, and its entry points: epochs of shuffled mini-batches, each a
 * forward pass, backpropagation and an
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
 *
 * <p><b>Blow-ups.</b> A loss that becomes NaN or infinite ends training with a
 * {@link TrainingDivergedException}. A loss that stays finite but grows without bound (a learning rate far too
 * large can take Adam or RMSProp to losses of 10²¹) is not an error, but the first epoch whose training loss
 * exceeds a million times the first epoch's logs one warning. Training data that yield no batch in an epoch
 * are refused rather than reported as an epoch of loss NaN.
 *
 * <p><b>Threading.</b> {@link #fit} and {@link #evaluate} run entirely on the calling thread: they open the
 * {@link DataSource}'s passes and consume them there, and call every {@link TrainingListener} there, in
 * order. Other threads may keep predicting with the network given to {@code fit} (or with any network a
 * listener receives) while training runs, because networks are immutable values. Concurrent {@code fit}
 * calls share nothing but this configuration; if they are given the same {@code DataSource} or listener,
 * that object must tolerate concurrent use ({@link DataSet} does).
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
    private final double validationFraction;
    private final boolean throwOnDivergence;

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
        this.validationFraction = b.validationFraction;
        this.throwOnDivergence = b.throwOnDivergence;
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
     * Trains a network on the training data. With a {@linkplain Builder#validationFraction validation
     * fraction}, that share of the (in-memory) training data is held out, chosen at random from the trainer's
     * seed, and evaluated after every epoch; otherwise there is no validation.
     *
     * @param network the network to start from; not changed
     * @param training the training data
     * @return the trained network and the history
     * @throws IllegalArgumentException if the data do not fit the network or the configuration (e.g. a network
     *     with batch normalization and in-memory data whose batch size leaves a batch of 1 sample), or the
     *     training data yield no batch in an epoch
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite
     */
    public TrainingResult fit(Network network, DataSource training) {
        Checks.notNull(network, "network");
        Checks.notNull(training, "training");
        if (validationFraction > 0) {
            if (!(training instanceof DataSet data)) {
                throw new IllegalArgumentException("validationFraction needs in-memory training data (a DataSet) to "
                        + "split, but got " + training + "; pass validation data to fit(network, training, "
                        + "validation) instead");
            }
            DataSet.Split split;
            try {
                split = data.split(1 - validationFraction, seed);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("validationFraction " + validationFraction + " cannot be held out of "
                        + data.size() + " training samples: both parts need at least one sample (" + e.getMessage()
                        + ")", e);
            }
            return fit(network, split.train(), split.test());
        }
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
     * @throws IllegalArgumentException if the data do not fit the network or the configuration (e.g. a network
     *     with batch normalization and in-memory data whose batch size leaves a batch of 1 sample), or the
     *     training data yield no batch in an epoch
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite
     * @throws IllegalStateException if the learning-rate schedule returns a negative or non-finite rate
     */
    public TrainingResult fit(Network network, DataSource training, DataSource validation) {
        Checks.notNull(network, "network");
        return train(network, RunOptimizerState.fresh(), seed, new History(List.of()), training, validation);
    }

    /**
     * Continues a run from a snapshot (e.g. a loaded checkpoint) up to this trainer's number of epochs, with
     * the snapshot's seed. With the same configuration and data, the result is bit-identical to a run that
     * was never interrupted, and its history includes the snapshot's epochs. Early stopping picks up its
     * counts from the history; if it restores the best network and the best epoch came before the snapshot,
     * the snapshot's network stands in for it (only the best network after the snapshot is kept).
     *
     * @param from where to continue; not changed
     * @param training the training data, as in the interrupted run
     * @param validation the validation data, or {@code null} for none
     * @return the trained network and the whole history
     * @throws IllegalArgumentException if the data do not fit the network (or, with batch normalization, leave a
     *     batch of 1 sample), or the training data yield no batch in an epoch
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite
     */
    public TrainingResult resume(TrainingSnapshot from, DataSource training, DataSource validation) {
        Checks.notNull(from, "from");
        if (!from.loss().equals(loss) || !from.optimizer().equals(optimizer)) {
            LOG.warn("Resuming a run of {} with {} using {} with {}: the result will differ from an uninterrupted run",
                    from.loss(), from.optimizer(), loss, optimizer);
        }
        return train(from.network(), RunOptimizerState.resumedFrom(from), from.seed(), from.history(), training,
                validation);
    }

    /** Trains from the epoch after the earlier history up to {@link #epochs}, in a {@link TrainingLoop}. */
    private TrainingResult train(Network network, RunOptimizerState state, long runSeed, History earlier,
            DataSource training, DataSource validation) {
        Checks.notNull(training, "training");
        return new TrainingLoop(this, network, state, runSeed, earlier, training, validation).run();
    }

    /**
     * Evaluates a network on data: the loss and every configured metric, with no dropout.
     *
     * @param network the network
     * @param data the data, read once in batches of the configured size, unshuffled
     * @return {@code loss} and each metric's value, by name
     * @throws IllegalArgumentException if the data do not fit the network, or the loss does not suit its output
     *     layer
     */
    public Map<String, Double> evaluate(Network network, DataSource data) {
        Checks.notNull(network, "network");
        DataChecks.fits(network, Checks.notNull(data, "data"), "data");
        loss.checkOutputActivation(network.outputLayer().activation(), network.layerCount());
        DataChecks.values(network, loss, data, "data");
        return Evaluation.over(network, data, loss, metrics, batchSize, "data").results("");
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

    /**
     * Returns the loss this trainer minimises.
     *
     * @return the loss
     */
    public Loss loss() {
        return loss;
    }

    /**
     * Returns the optimizer configuration.
     *
     * @return the optimizer
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Returns the number of epochs.
     *
     * @return at least 1
     */
    public int epochs() {
        return epochs;
    }

    /**
     * Returns the number of samples per optimizer step.
     *
     * @return at least 1
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns whether each epoch visits the data in a fresh seeded order.
     *
     * @return {@code true} unless {@link Builder#shuffle(boolean) shuffle(false)} was set
     */
    public boolean shuffles() {
        return shuffle;
    }

    /**
     * Returns the metrics measured each epoch.
     *
     * @return an unmodifiable list, possibly empty
     */
    public List<Metric> metrics() {
        return metrics;
    }

    /**
     * Returns the listeners, the logging listener first if logging is on.
     *
     * @return an unmodifiable list
     */
    public List<TrainingListener> listeners() {
        return listeners;
    }

    /**
     * Returns the early-stopping configuration.
     *
     * @return the configuration, or {@code null} if training never stops early
     */
    public EarlyStopping earlyStopping() {
        return earlyStopping;
    }

    /**
     * Returns the dropout rates.
     *
     * @return the rates per layer, {@link Dropout#none()} if none
     */
    public Dropout dropout() {
        return dropout;
    }

    /**
     * Returns the global-norm bound of gradient clipping.
     *
     * @return the largest allowed global norm, or 0 if gradients are not clipped
     */
    public double clipGradientNorm() {
        return clipNorm;
    }

    /**
     * Returns the learning-rate schedule.
     *
     * @return the schedule, {@link LearningRateSchedule#constant()} unless set
     */
    public LearningRateSchedule learningRateSchedule() {
        return schedule;
    }

    /**
     * Returns the share of in-memory training data held out for validation.
     *
     * @return the fraction, 0 if none
     */
    public double validationFraction() {
        return validationFraction;
    }

    /**
     * Returns whether divergence throws (the default) rather than ending the run with a listener event.
     *
     * @return {@code true} if {@link #fit} throws {@link TrainingDivergedException}
     */
    public boolean throwsOnDivergence() {
        return throwOnDivergence;
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
        private double validationFraction;
        private boolean throwOnDivergence = true;

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
         * Shows the progress of training on {@code System.out}: a bar within each epoch on an interactive
         * terminal, one line per epoch elsewhere (see {@link ProgressListener}). Adds
         * {@link ProgressListener#toStandardOutput()} to the listeners, in the order of the calls; for another
         * output add {@link ProgressListener#to(Appendable, boolean)} with {@link #listeners}. Independent of
         * {@link #logging(boolean)}, which interactive runs usually turn off.
         *
         * @return this builder
         */
        public Builder progress() {
            listeners.add(ProgressListener.toStandardOutput());
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
         * Holds out a share of the training data for validation when {@link Trainer#fit(Network, DataSource)}
         * is given a {@link DataSet}: the samples are chosen at random from the trainer's seed.
         *
         * @param fraction the share held out, strictly between 0 and 1
         * @return this builder
         * @throws IllegalArgumentException if the fraction is not strictly between 0 and 1
         */
        public Builder validationFraction(double fraction) {
            if (!(fraction > 0 && fraction < 1)) {
                throw new IllegalArgumentException("validationFraction must be strictly between 0 and 1, was "
                        + fraction);
            }
            validationFraction = fraction;
            return this;
        }

        /**
         * Chooses what happens when the loss or a parameter becomes NaN or infinite. By default
         * {@link Trainer#fit} throws a {@link TrainingDivergedException} naming the epoch and batch and carrying
         * the last finite network. With {@code false}, listeners get
         * {@link TrainingListener#onDivergence} instead and {@code fit} returns normally with the last finite
         * network and the reason in {@link TrainingResult#stopReason()}. Either way no network with a
         * non-finite parameter is ever handed out.
         *
         * @param value {@code true} to throw (the default), {@code false} to notify listeners and return
         * @return this builder
         */
        public Builder throwOnDivergence(boolean value) {
            throwOnDivergence = value;
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
