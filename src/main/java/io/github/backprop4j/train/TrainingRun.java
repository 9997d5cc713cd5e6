package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import java.util.ArrayList;
import java.util.List;

/**
 * The handle a {@link TrainingListener} gets on a run in progress: where it is, the current network, the
 * history so far, and a way to stop it cleanly. Used only on the training thread.
 */
public final class TrainingRun {

    private final int totalEpochs;
    private final List<EpochSummary> completed = new ArrayList<>();
    private Network network;
    /** Where the network of the last step comes from when asked, or {@code null} once it is taken. */
    private java.util.function.Supplier<Network> pending;
    private int epoch;
    private long step;
    private String stopRequest;
    private double learningRate = Double.NaN;

    TrainingRun(Network network, int totalEpochs) {
        this.network = network;
        this.totalEpochs = totalEpochs;
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
    }

    void stepped(Network updated) {
        network = updated;
        pending = null;
        step++;
    }

    /** A step made in a training session: the network is snapshot only if someone asks for it. */
    void stepped(java.util.function.Supplier<Network> snapshot) {
        pending = snapshot;
        step++;
    }

    void restore(Network best) {
        network = best;
        pending = null;
    }

    void completed(EpochSummary summary) {
        completed.add(summary);
    }
}
