package io.github.backprop4j.train;

import io.github.backprop4j.math.Checks;

/**
 * Stops training when a monitored measurement has not improved for a number of epochs, and by default
 * restores the network of the best epoch.
 *
 * <pre>{@code
 * EarlyStopping.monitor("val_loss").patience(3).minDelta(1e-4)
 * }</pre>
 *
 * <p>An epoch improves on the best so far when it is better by more than {@code minDelta}: lower for
 * {@code loss}, {@code val_loss} and metrics whose {@link Metric#higherIsBetter()} is false; higher for
 * the others. Immutable.
 */
public final class EarlyStopping {

    /** Epochs without improvement tolerated unless set otherwise. */
    static final int DEFAULT_PATIENCE = 5;

    private final String monitored;
    private final int patience;
    private final double minDelta;
    private final boolean restoreBest;

    private EarlyStopping(String monitored, int patience, double minDelta, boolean restoreBest) {
        this.monitored = monitored;
        this.patience = patience;
        this.minDelta = minDelta;
        this.restoreBest = restoreBest;
    }

    /**
     * Early stopping on one measurement, with patience {@value #DEFAULT_PATIENCE}, no minimum delta, and the
     * best network restored.
     *
     * @param measurement the name in the history, e.g. {@code "val_loss"} or {@code "val_accuracy"}
     * @return the configuration
     */
    public static EarlyStopping monitor(String measurement) {
        Checks.notNull(measurement, "measurement");
        if (measurement.isBlank()) {
            throw new IllegalArgumentException("measurement must name a measurement such as \"val_loss\", was blank");
        }
        return new EarlyStopping(measurement, DEFAULT_PATIENCE, 0, true);
    }

    /**
     * Returns a copy with another patience.
     *
     * @param epochs how many epochs without improvement to tolerate before stopping, at least 1
     * @return a new configuration
     */
    public EarlyStopping patience(int epochs) {
        return new EarlyStopping(monitored, Checks.positive(epochs, "patience"), minDelta, restoreBest);
    }

    /**
     * Returns a copy with another minimum improvement.
     *
     * @param delta how much better than the best an epoch must be to count as an improvement, finite, &ge; 0
     * @return a new configuration
     */
    public EarlyStopping minDelta(double delta) {
        return new EarlyStopping(monitored, patience, Checks.nonNegativeFinite(delta, "minDelta"), restoreBest);
    }

    /**
     * Returns a copy that does or does not restore the best epoch's network when it stops.
     *
     * @param restore {@code true} to return the best network, {@code false} for the last
     * @return a new configuration
     */
    public EarlyStopping restoreBest(boolean restore) {
        return new EarlyStopping(monitored, patience, minDelta, restore);
    }

    /**
     * Returns the monitored measurement's name.
     *
     * @return e.g. {@code "val_loss"}
     */
    public String monitored() {
        return monitored;
    }

    /**
     * Returns the patience.
     *
     * @return epochs without improvement tolerated
     */
    public int patience() {
        return patience;
    }

    /**
     * Returns the minimum improvement.
     *
     * @return {@code minDelta ≥ 0}
     */
    public double minDelta() {
        return minDelta;
    }

    /**
     * Returns whether the best epoch's network is restored.
     *
     * @return {@code true} if so
     */
    public boolean restoresBest() {
        return restoreBest;
    }

    boolean improves(double value, double best, boolean higherIsBetter) {
        return higherIsBetter ? value > best + minDelta : value < best - minDelta;
    }

    @Override
    public String toString() {
        return "EarlyStopping[" + monitored + ", patience " + patience + ", minDelta " + minDelta
                + (restoreBest ? ", restores best" : "") + "]";
    }
}
