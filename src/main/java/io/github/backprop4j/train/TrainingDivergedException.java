package io.github.backprop4j.train;

import io.github.backprop4j.Network;

/**
 * Thrown when training produces a loss or a parameter that is NaN or infinite. It names the epoch and
 * batch, and carries the last network whose parameters were all finite, so that nothing trained is lost.
 */
public final class TrainingDivergedException extends ArithmeticException {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The last finite network; not serialized with the exception. */
    private final transient Network lastFiniteNetwork;
    /** The epoch in which training diverged, from 1. */
    private final int epoch;
    /** The batch within the epoch at which training diverged, from 1. */
    private final int batch;

    TrainingDivergedException(String what, int epoch, int batch, Network lastFiniteNetwork) {
        super(what + " at epoch " + epoch + ", batch " + batch
                + "; training stopped and the last finite network is kept (lastFiniteNetwork()). "
                + "Try a smaller learning rate, gradient clipping, or scaling the inputs.");
        this.lastFiniteNetwork = lastFiniteNetwork;
        this.epoch = epoch;
        this.batch = batch;
    }

    /**
     * Returns the network before the step that diverged.
     *
     * @return the last network whose parameters are all finite
     */
    public Network lastFiniteNetwork() {
        return lastFiniteNetwork;
    }

    /**
     * Returns the epoch in which training diverged.
     *
     * @return the epoch's number, from 1
     */
    public int epoch() {
        return epoch;
    }

    /**
     * Returns the batch at which training diverged.
     *
     * @return the batch's number within the epoch, from 1
     */
    public int batch() {
        return batch;
    }
}
