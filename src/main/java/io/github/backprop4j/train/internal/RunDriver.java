package io.github.backprop4j.train.internal;

import io.github.backprop4j.Network;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import java.util.OptionalLong;

/**
 * The side of a {@link TrainingRun} that its training loop holds: it moves the run forward and calls the
 * listeners, in order, on the thread that calls it. {@code Trainer}'s own loop and Spark's report the same events
 * through it. Used on one thread.
 */
public interface RunDriver {

    /**
     * Returns the run the listeners see.
     *
     * @return the run
     */
    TrainingRun run();

    /**
     * Declares how many samples an epoch has, when known, and the batch size, so that listeners can show a total.
     *
     * @param samples the samples per epoch, or empty if unknown
     * @param batchSize the samples per batch, at least 1
     */
    void declareEpochSize(OptionalLong samples, int batchSize);

    /** Calls {@link TrainingListener#onTrainingStart}. */
    void startTraining();

    /**
     * Enters an epoch and calls {@link TrainingListener#onEpochStart}.
     *
     * @param epoch the epoch's number, from 1
     */
    void startEpoch(int epoch);

    /**
     * Records a completed optimizer step and calls {@link TrainingListener#onBatchEnd}.
     *
     * @param network the network after the step
     * @param state the optimizer state after the step (the one a snapshot copies)
     * @param batch the step's number within the epoch, from 1
     * @param loss the loss of the step's data before the step
     * @param learningRate the learning rate of the step
     */
    void stepped(Network network, OptimizerState state, int batch, double loss, double learningRate);

    /**
     * Records a completed epoch and calls {@link TrainingListener#onEpochEnd}.
     *
     * @param summary the epoch's measurements
     */
    void completed(EpochSummary summary);

    /**
     * Returns whether a listener asked the run to stop.
     *
     * @return {@code true} once {@link TrainingRun#requestStop(String)} was called
     */
    boolean isStopRequested();

    /**
     * Returns the reason a listener gave for stopping.
     *
     * @return e.g. {@code "stopped by request: enough"}, or {@code null} if none asked
     */
    String stopRequest();

    /**
     * Ends the run normally: builds the result with the run's current network and history and calls
     * {@link TrainingListener#onTrainingEnd}.
     *
     * @param stopReason why training ended
     * @return the result
     */
    TrainingResult end(String stopReason);
}
