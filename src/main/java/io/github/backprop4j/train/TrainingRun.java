package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The handle a {@link TrainingListener} gets on a run in progress: where it is, the current network, the
 * history so far, and a way to stop it cleanly. Used only on the training thread.
 */
public final class TrainingRun {

    private final int totalEpochs;
    private final List<EpochSummary> completed = new ArrayList<>();
    private Network network;
    private int epoch;
    private long step;
    private String stopRequest;
    private double learningRate = Double.NaN;
    // What a snapshot needs; the network and state are those of the last epoch boundary.
    private final long seed;
    private final OptimizerState state;
    private final Loss loss;
    private final Optimizer optimizer;
    private Network epochEndNetwork;
    private boolean atEpochEnd;

    TrainingRun(Network network, int totalEpochs, long seed, OptimizerState state, Loss loss, Optimizer optimizer,
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
        step++;
    }

    void restore(Network best) {
        network = best;
    }

    void completed(EpochSummary summary) {
        completed.add(summary);
        epochEndNetwork = network;
        atEpochEnd = true;
    }
}
