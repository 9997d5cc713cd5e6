package io.github.backprop4j.train.internal;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.TrainingListener;
import java.util.List;

/**
 * Starts runs whose loop lives outside the training package. The training package installs the factory when its
 * {@code TrainingRun} class initialises (the pattern of the JDK's shared secrets): that keeps the run's constructor
 * and its driver package-private, and out of the exported API.
 */
public final class Runs {

    /** Makes the driver of a new run; see {@link #drive}. */
    @FunctionalInterface
    public interface Factory {
        /**
         * Starts a run.
         *
         * @param network the network the run starts from
         * @param totalEpochs the configured number of epochs, at least 1
         * @param seed the seed of the run's random streams
         * @param state the optimizer state the run starts with
         * @param loss the loss the run minimises
         * @param optimizer the optimizer configuration
         * @param listeners the listeners, called in this order
         * @return the driver of the new run
         */
        RunDriver drive(Network network, int totalEpochs, long seed, OptimizerState state, Loss loss,
                Optimizer optimizer, List<TrainingListener> listeners);
    }

    private static volatile Factory factory;

    private Runs() {
    }

    /**
     * Installs the factory; called once, by the training package.
     *
     * @param f the factory
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(Factory f) {
        if (factory != null) {
            throw new IllegalStateException("the run factory is installed already");
        }
        factory = f;
    }

    /**
     * Starts a run whose loop lives outside the training package, e.g. the Spark trainer: the loop reports its
     * progress to the returned driver, which keeps the run up to date and calls the listeners.
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
    public static RunDriver drive(Network network, int totalEpochs, long seed, OptimizerState state, Loss loss,
            Optimizer optimizer, List<TrainingListener> listeners) {
        Factory f = factory;
        if (f == null) {
            try { // initialising TrainingRun installs the factory
                Class.forName("io.github.backprop4j.train.TrainingRun", true, Runs.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("the training package is missing", e);
            }
            f = factory;
        }
        return f.drive(network, totalEpochs, seed, state, loss, optimizer, listeners);
    }
}
