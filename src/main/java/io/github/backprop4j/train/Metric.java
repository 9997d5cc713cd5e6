package io.github.backprop4j.train;

import io.github.backprop4j.math.Matrix;

/**
 * A measure of a network's predictions against targets, accumulated batch by batch over a data set
 * (e.g. accuracy, mean absolute error). Training histories, listeners and early stopping refer to metrics by
 * {@link #name()}.
 *
 * <p>A metric is an immutable description; {@link #newAccumulator()} creates the mutable running state of
 * one evaluation.
 */
public interface Metric {

    /**
     * Returns the metric's name, e.g. {@code "accuracy"}.
     *
     * @return the name
     */
    String name();

    /**
     * Returns whether larger values are better (accuracy) rather than smaller (error).
     *
     * @return {@code true} if larger is better
     */
    boolean higherIsBetter();

    /**
     * Starts one evaluation.
     *
     * @return a fresh accumulator
     */
    Accumulator newAccumulator();

    /** The running state of one evaluation; not thread-safe. */
    interface Accumulator {
        /**
         * Adds one batch.
         *
         * @param outputs the network's outputs, {@code [batch × outputs]}
         * @param targets the targets, the same shape
         */
        void add(Matrix outputs, Matrix targets);

        /**
         * Returns the metric over every batch added so far.
         *
         * @return the value, NaN if nothing was added
         */
        double result();
    }
}
