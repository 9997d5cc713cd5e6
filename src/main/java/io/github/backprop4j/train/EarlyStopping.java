package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import java.util.ArrayList;
import java.util.List;

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

    /**
     * One run's early-stopping bookkeeping beside its configuration: the best epoch so far, its value and its
     * network, and the epochs since it. Used on the training thread only.
     */
    static final class Tracker {

        private final EarlyStopping config;
        private final boolean higherIsBetter;
        private Network best;
        private double bestValue = Double.NaN;
        private int bestEpoch;
        private int epochsWithoutImprovement;

        /**
         * Starts tracking with no epoch seen.
         *
         * @param config the configuration
         * @param higherIsBetter whether the monitored measurement is better when higher
         * @param start the network the run starts from: the best until an epoch of the run improves (on a
         *     resumed run whose best epoch came before the snapshot, it stands in for that epoch's network)
         */
        Tracker(EarlyStopping config, boolean higherIsBetter, Network start) {
            this.config = config;
            this.higherIsBetter = higherIsBetter;
            this.best = start;
        }

        /**
         * Starts tracking a run after checking that it measures what the configuration monitors.
         *
         * @param config the configuration
         * @param metrics the run's metrics
         * @param hasValidation whether the run has validation data (and so {@code val_} measurements)
         * @param start the network the run starts from
         * @return the tracker
         * @throws IllegalArgumentException naming the monitored measurement and the ones the run has, if it is
         *     not measured
         */
        static Tracker forRun(EarlyStopping config, List<Metric> metrics, boolean hasValidation, Network start) {
            return new Tracker(config, higherIsBetter(config.monitored(), metrics, hasValidation), start);
        }

        /** Returns whether the monitored measurement is better when higher, after checking that it exists. */
        private static boolean higherIsBetter(String name, List<Metric> metrics, boolean hasValidation) {
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

        /**
         * Replays the counts of epochs completed before a resumed run; their networks are gone, so the start
         * network stays the best one.
         *
         * @param earlier the history of the interrupted run
         */
        void replay(History earlier) {
            for (EpochSummary summary : earlier.epochs()) {
                record(summary);
            }
        }

        /**
         * Records a completed epoch.
         *
         * @param summary the epoch's measurements, the monitored one among them
         * @param network the network at the end of the epoch, kept if the epoch is the best so far
         * @return {@code null} to go on, or why the run stops here: the epoch made the patience run out
         */
        String epochEnded(EpochSummary summary, Network network) {
            if (record(summary)) {
                best = network;
                return null;
            }
            if (epochsWithoutImprovement < config.patience()) {
                return null;
            }
            String reason = "early stopping after epoch " + summary.epoch() + ": " + config.monitored()
                    + " did not improve on " + bestValue + " (epoch " + bestEpoch + ") for " + config.patience()
                    + " epochs";
            return config.restoresBest() ? reason + "; restored the network of epoch " + bestEpoch : reason;
        }

        /** Counts one epoch: the first, or one better than the best by more than minDelta, is the new best. */
        private boolean record(EpochSummary summary) {
            double value = summary.value(config.monitored());
            if (bestEpoch == 0 || config.improves(value, bestValue, higherIsBetter)) {
                bestValue = value;
                bestEpoch = summary.epoch();
                epochsWithoutImprovement = 0;
                return true;
            }
            epochsWithoutImprovement++;
            return false;
        }

        /**
         * Returns whether a stopped run returns {@link #best()} rather than its last network.
         *
         * @return the configuration's {@link EarlyStopping#restoresBest()}
         */
        boolean restoresBest() {
            return config.restoresBest();
        }

        /**
         * Returns the network of the best epoch of this run.
         *
         * @return that network, or the start network if no epoch of this run was the best
         */
        Network best() {
            return best;
        }

        /**
         * Returns the best epoch.
         *
         * @return its number, 0 before the first epoch
         */
        int bestEpoch() {
            return bestEpoch;
        }

        /**
         * Returns the monitored value of the best epoch.
         *
         * @return the value, NaN before the first epoch
         */
        double bestValue() {
            return bestValue;
        }

        /**
         * Returns the epochs since the best one.
         *
         * @return 0 right after an improvement
         */
        int epochsWithoutImprovement() {
            return epochsWithoutImprovement;
        }
    }

    @Override
    public String toString() {
        return "EarlyStopping[" + monitored + ", patience " + patience + ", minDelta " + minDelta
                + (restoreBest ? ", restores best" : "") + "]";
    }
}
