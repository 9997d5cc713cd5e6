package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.internal.RunDriver;
import io.github.backprop4j.train.internal.Runs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * The handle a {@link TrainingListener} gets on a run in progress: where it is, the current network, the
 * history so far, and a way to stop it cleanly. Used only on the training thread.
 */
public final class TrainingRun {

    private final int totalEpochs;
    private final List<EpochSummary> completed = new ArrayList<>();
    private Network network;
    /** Where the network of the last step comes from when asked, or {@code null} once it is taken. */
    private Supplier<Network> pending;
    private int epoch;
    private long step;
    private String stopRequest;
    private double learningRate = Double.NaN;
    // What a snapshot needs; the network and state are those of the last epoch boundary.
    private final long seed;
    private final RunOptimizerState state;
    private final Loss loss;
    private final Optimizer optimizer;
    private Network epochEndNetwork;
    private boolean atEpochEnd;
    /** What the loop declared of an epoch's size: samples per pass (−1 if unknown) and samples per batch (0). */
    private long epochSamples = -1;
    private int batchSize;

    TrainingRun(Network network, int totalEpochs, long seed, RunOptimizerState state, Loss loss, Optimizer optimizer,
            History earlier) {
        this.network = network;
        this.totalEpochs = totalEpochs;
        this.seed = seed;
        this.state = state;
        this.loss = loss;
        this.optimizer = optimizer;
        this.completed.addAll(earlier.epochs());
        this.epoch = earlier.size();
        this.epochEndNetwork = network;
        this.atEpochEnd = earlier.size() > 0;
    }

    /**
     * Returns what is needed to continue this run from the end of its last completed epoch, e.g. to save
     * a checkpoint from {@link TrainingListener#onEpochEnd}.
     *
     * @return the snapshot, with its own copy of the optimizer state; empty before the first epoch has
     *     completed and while an epoch is in progress (also when the run stopped in the middle of one)
     */
    public Optional<TrainingSnapshot> snapshot() {
        if (!atEpochEnd) {
            return Optional.empty();
        }
        return Optional.of(new TrainingSnapshot(epochEndNetwork, state.copy(), completed.size(), seed, history(), loss,
                optimizer));
    }

    /**
     * Returns the current network: after the last step, an immutable snapshot.
     *
     * @return the network
     */
    public Network network() {
        if (pending != null) {
            network = pending.get();
            pending = null;
        }
        return network;
    }

    /**
     * Returns the current epoch's number.
     *
     * @return 1..{@link #totalEpochs()}, 0 before the first epoch
     */
    public int epoch() {
        return epoch;
    }

    /**
     * Returns the number of optimizer steps made so far in this run.
     *
     * @return the step count
     */
    public long step() {
        return step;
    }

    /**
     * Returns the number of epochs the run was configured for.
     *
     * @return the configured epochs
     */
    public int totalEpochs() {
        return totalEpochs;
    }

    /**
     * Returns the number of samples per optimizer step, as the training loop declared it.
     *
     * @return the configured batch size (the last batch of an epoch may be smaller), or 0 if the loop did not
     *     declare it
     */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Returns the number of training samples in one epoch, when the training data declare it
     * ({@link io.github.backprop4j.data.DataSource#sampleCount()}; an in-memory data set always does).
     *
     * @return the samples per epoch, or empty if unknown
     */
    public OptionalLong samplesPerEpoch() {
        return epochSamples < 0 ? OptionalLong.empty() : OptionalLong.of(epochSamples);
    }

    /**
     * Returns the number of batches (optimizer steps) in one epoch, when it is known: the samples per epoch
     * divided by the batch size, rounded up. A {@link TrainingListener#onBatchEnd} listener can show the
     * progress of an epoch with it (as {@link ProgressListener} does).
     *
     * @return {@code ⌈samples / batchSize⌉}, or empty if the samples per epoch or the batch size are unknown
     */
    public OptionalLong batchesPerEpoch() {
        if (epochSamples < 0 || batchSize < 1) {
            return OptionalLong.empty();
        }
        return OptionalLong.of((epochSamples + batchSize - 1) / batchSize);
    }

    /**
     * Returns the number of samples in the first {@code batches} batches of an epoch: {@code batches × batchSize},
     * at most the epoch's samples when they are known.
     *
     * @param batches the number of batches, from 0
     * @return the samples they hold, 0 if the batch size is unknown
     */
    long samplesIn(long batches) {
        long samples = batches * batchSize;
        return epochSamples < 0 ? samples : Math.min(samples, epochSamples);
    }

    void epochSize(long samples, int samplesPerBatch) {
        epochSamples = samples;
        batchSize = samplesPerBatch;
    }

    /**
     * Returns the measurements of the epochs completed so far.
     *
     * @return a snapshot of the history
     */
    public History history() {
        return new History(completed);
    }

    /**
     * Asks the run to stop after the current step; {@code fit} then returns the network of that step.
     *
     * @param reason why, reported in {@link TrainingResult#stopReason()}
     */
    public void requestStop(String reason) {
        if (stopRequest == null) {
            stopRequest = "stopped by request: " + (reason == null ? "no reason given" : reason);
        }
    }

    /**
     * Returns whether a stop has been requested.
     *
     * @return {@code true} once {@link #requestStop(String)} was called
     */
    public boolean isStopRequested() {
        return stopRequest != null;
    }

    /**
     * Returns the learning rate of the last step.
     *
     * @return {@code η} of the most recent step, NaN before the first
     */
    public double learningRate() {
        return learningRate;
    }

    void learningRate(double eta) {
        learningRate = eta;
    }

    String stopRequest() {
        return stopRequest;
    }

    void startEpoch(int number) {
        epoch = number;
        atEpochEnd = false;
    }

    void stepped(Network updated) {
        network = updated;
        pending = null;
        step++;
    }

    /** A step made in a training session: the network is snapshot only if someone asks for it. */
    void stepped(Supplier<Network> snapshot) {
        pending = snapshot;
        step++;
    }

    void restore(Network best) {
        network = best;
        pending = null;
    }

    void completed(EpochSummary summary) {
        completed.add(summary);
        epochEndNetwork = network();
        atEpochEnd = true;
    }

    static {
        Runs.install(TrainingRun::drive);
    }

    /**
     * Starts a run whose loop lives outside this package, e.g. the Spark trainer of
     * {@code io.github.backprop4j.spark}, which reaches it through {@link Runs#drive}: the loop reports its progress
     * to the returned driver, which keeps the run up to date and calls the listeners, in order, on the thread that
     * calls the driver.
     *
     * @param network the network the run starts from
     * @param totalEpochs the configured number of epochs, at least 1
     * @param seed the seed of the run's random streams
     * @param state the optimizer state the run starts with
     * @param loss the loss the run minimises
     * @param optimizer the optimizer configuration
     * @param listeners the listeners, called in this order
     * @return the driver of the new run
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if {@code totalEpochs} is below 1
     */
    static Driver drive(Network network, int totalEpochs, long seed, OptimizerState state, Loss loss,
            Optimizer optimizer, List<TrainingListener> listeners) {
        Checks.notNull(network, "network");
        Checks.positive(totalEpochs, "totalEpochs");
        Checks.notNull(state, "state");
        Checks.notNull(loss, "loss");
        Checks.notNull(optimizer, "optimizer");
        List<TrainingListener> copy = List.copyOf(listeners);
        return new Driver(new TrainingRun(network, totalEpochs, seed, RunOptimizerState.of(state), loss, optimizer,
                new History(List.of())), copy);
    }

    /**
     * The side of a {@link TrainingRun} that its training loop holds: it moves the run forward and calls the
     * listeners. {@link Trainer}'s own loop drives its runs through a driver too, so both loops report the same
     * events in the same way. Used on one thread.
     */
    static final class Driver implements RunDriver {

        private final TrainingRun run;
        private final List<TrainingListener> listeners;

        /**
         * Drives a run.
         *
         * @param run the run the listeners see
         * @param listeners the listeners, an unmodifiable list, called in its order
         */
        Driver(TrainingRun run, List<TrainingListener> listeners) {
            this.run = run;
            this.listeners = listeners;
        }

        /**
         * Returns the run the listeners see.
         *
         * @return the run
         */
        @Override
        public TrainingRun run() {
            return run;
        }

        /**
         * Tells the listeners how large an epoch is (through {@link TrainingRun#batchSize()},
         * {@link TrainingRun#samplesPerEpoch()} and {@link TrainingRun#batchesPerEpoch()}); call it before
         * {@link #startTraining()}. A loop that never calls it leaves both unknown.
         *
         * @param samples the training samples per epoch, or empty if unknown
         * @param batchSize the samples per optimizer step, at least 1
         * @throws IllegalArgumentException if the batch size is below 1 or the sample count below 1
         */
        @Override
        public void declareEpochSize(OptionalLong samples, int batchSize) {
            Checks.notNull(samples, "samples");
            Checks.positive(batchSize, "batchSize");
            if (samples.isPresent() && samples.getAsLong() < 1) {
                throw new IllegalArgumentException("samples per epoch must be at least 1, was "
                        + samples.getAsLong());
            }
            run.epochSize(samples.orElse(-1), batchSize);
        }

        /** Calls {@link TrainingListener#onTrainingStart}. */
        @Override
        public void startTraining() {
            listeners.forEach(l -> l.onTrainingStart(run));
        }

        /**
         * Enters an epoch and calls {@link TrainingListener#onEpochStart}.
         *
         * @param epoch the epoch's number, from 1
         */
        @Override
        public void startEpoch(int epoch) {
            run.startEpoch(epoch);
            listeners.forEach(l -> l.onEpochStart(run, epoch));
        }

        /**
         * Records a completed optimizer step and calls {@link TrainingListener#onBatchEnd}.
         *
         * @param network the network after the step
         * @param state the optimizer state after the step (the one a snapshot copies)
         * @param batch the step's number within the epoch, from 1
         * @param loss the loss of the step's data before the step
         * @param learningRate the learning rate of the step
         */
        @Override
        public void stepped(Network network, OptimizerState state, int batch, double loss, double learningRate) {
            run.state.replace(Checks.notNull(state, "state"));
            run.learningRate(learningRate);
            run.stepped(Checks.notNull(network, "network"));
            batchEnded(batch, loss);
        }

        /**
         * Records a completed step of a training session, whose network is snapshot only if someone asks for
         * it, and calls {@link TrainingListener#onBatchEnd}. The session has updated the run's optimizer state
         * in place.
         *
         * @param snapshot takes the network after the step, checked to be finite
         * @param batch the step's number within the epoch, from 1
         * @param loss the loss of the step's data before the step
         * @param learningRate the learning rate of the step
         */
        void stepped(Supplier<Network> snapshot, int batch, double loss, double learningRate) {
            run.learningRate(learningRate);
            run.stepped(snapshot);
            batchEnded(batch, loss);
        }

        /** Calls every listener's {@link TrainingListener#onBatchEnd}, in a plain loop: no capturing lambda per step. */
        private void batchEnded(int batch, double loss) {
            int epoch = run.epoch();
            for (int i = 0; i < listeners.size(); i++) {
                listeners.get(i).onBatchEnd(run, epoch, batch, loss);
            }
        }

        /**
         * Makes another network the run's current one, e.g. the best epoch's when early stopping restores it.
         *
         * @param network the network the run returns unless it goes on
         */
        void restore(Network network) {
            run.restore(network);
        }

        /**
         * Ends the run's training on divergence without throwing: makes the last finite network the current one
         * and calls {@link TrainingListener#onDivergence}.
         *
         * @param divergence what diverged, with the last finite network
         */
        void diverged(TrainingDivergedException divergence) {
            run.restore(divergence.lastFiniteNetwork());
            listeners.forEach(l -> l.onDivergence(run, divergence));
        }

        /**
         * Records a completed epoch and calls {@link TrainingListener#onEpochEnd}.
         *
         * @param summary the epoch's measurements
         */
        @Override
        public void completed(EpochSummary summary) {
            run.completed(Checks.notNull(summary, "summary"));
            listeners.forEach(l -> l.onEpochEnd(run, summary));
        }

        /**
         * Returns whether a listener asked the run to stop.
         *
         * @return {@code true} once {@link TrainingRun#requestStop(String)} was called
         */
        @Override
        public boolean isStopRequested() {
            return run.isStopRequested();
        }

        /**
         * Returns the reason a listener gave for stopping.
         *
         * @return e.g. {@code "stopped by request: enough"}, or {@code null} if none asked
         */
        @Override
        public String stopRequest() {
            return run.stopRequest();
        }

        /**
         * Ends the run normally: builds the result with the run's current network and history and calls
         * {@link TrainingListener#onTrainingEnd}.
         *
         * @param stopReason why training ended
         * @return the result
         */
        @Override
        public TrainingResult end(String stopReason) {
            TrainingResult result = new TrainingResult(run.network(), run.history(), stopReason);
            listeners.forEach(l -> l.onTrainingEnd(run, result));
            return result;
        }
    }
}
