package io.github.backprop4j.train;

import io.github.backprop4j.optim.OptimizerState;

/**
 * The one owner of a run's {@link OptimizerState}: where it comes from (empty for {@code fit}, a copy of a
 * snapshot's for {@code resume}, so a checkpoint is never changed), the live state the training session updates
 * in place, the copy each {@link TrainingSnapshot} gets, and the number of the next step, which the learning-rate
 * schedule is given. A loop outside this package that makes a new state at a step (parameter averaging on Spark)
 * hands it over with {@link #replace}. Used on the training thread only.
 *
 * <p>It keeps no state for the best epoch of early stopping: a restored best network is returned, but a
 * snapshot stays that of the last completed epoch, network and state together.
 */
final class RunOptimizerState {

    private OptimizerState current;

    private RunOptimizerState(OptimizerState current) {
        this.current = current;
    }

    /**
     * The state of a new run.
     *
     * @return an owner of an empty state
     */
    static RunOptimizerState fresh() {
        return new RunOptimizerState(new OptimizerState());
    }

    /**
     * The state of a run resumed from a snapshot: a copy of the snapshot's, which stays as it is.
     *
     * @param from the snapshot
     * @return an owner of the copy
     */
    static RunOptimizerState resumedFrom(TrainingSnapshot from) {
        return new RunOptimizerState(from.optimizerState().copy());
    }

    /**
     * The state of a run driven from outside this package, taken as it is: the caller's loop updates it.
     *
     * @param state the state the run starts with
     * @return an owner of that state
     */
    static RunOptimizerState of(OptimizerState state) {
        return new RunOptimizerState(state);
    }

    /**
     * Returns the live state, updated in place by each step.
     *
     * @return the state
     */
    OptimizerState current() {
        return current;
    }

    /**
     * Returns the number of the next optimizer step of the run, counted from 1 over the whole run (a resumed
     * run's steps continue the interrupted run's).
     *
     * @return the completed steps plus one
     */
    long nextStep() {
        return current.stepCount() + 1;
    }

    /**
     * Returns a copy of the live state, for a snapshot that must not change as training goes on.
     *
     * @return a new state with copies of every buffer
     */
    OptimizerState copy() {
        return current.copy();
    }

    /**
     * Replaces the live state by one a step made anew.
     *
     * @param next the state after the step
     */
    void replace(OptimizerState next) {
        current = next;
    }
}
