package io.github.backprop4j.train;

/**
 * Callbacks from a training run. Every method has an empty default; implement those you need.
 *
 * <p>Threading: all callbacks of one run are made on the thread that called {@link Trainer#fit}, in
 * order, so a listener used by one run needs no synchronisation. A listener may stop the run cleanly with
 * {@link TrainingRun#requestStop(String)}; {@code fit} then returns after the current step with the
 * network of the last completed step. A callback that throws ends the run with that exception.
 *
 * <p>The {@link TrainingRun} handle belongs to the training thread and must not be used from others; the
 * networks it hands out are immutable and may be passed to other threads (e.g. to serve predictions while
 * training continues). A listener instance added to a trainer that runs several {@code fit} calls
 * concurrently is called from each of those threads and must then be thread-safe itself.
 */
public interface TrainingListener {

    /**
     * Called once before the first epoch.
     *
     * @param run the run
     */
    default void onTrainingStart(TrainingRun run) {
    }

    /**
     * Called before each epoch.
     *
     * @param run the run
     * @param epoch the epoch's number, from 1
     */
    default void onEpochStart(TrainingRun run, int epoch) {
    }

    /**
     * Called after each optimizer step. The epoch has {@link TrainingRun#batchesPerEpoch()} batches when the
     * training data declare their size ({@link ProgressListener} draws its bar from it). Keep it cheap: it runs
     * once per step, and a step of {@link Trainer#fit} itself allocates nothing.
     *
     * @param run the run; {@link TrainingRun#network()} is the network after this step
     * @param epoch the epoch's number, from 1
     * @param batch the batch's number within the epoch, from 1
     * @param loss the batch's loss before the step
     */
    default void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
    }

    /**
     * Called after each completed epoch, validation included.
     *
     * @param run the run
     * @param summary the epoch's measurements
     */
    default void onEpochEnd(TrainingRun run, EpochSummary summary) {
    }

    /**
     * Called when the loss or a parameter became NaN or infinite and the trainer was configured not to throw
     * ({@link Trainer.Builder#throwOnDivergence(boolean) throwOnDivergence(false)}); training then ends with
     * the last finite network, and {@link #onTrainingEnd} follows.
     *
     * @param run the run; {@link TrainingRun#network()} is the last finite network
     * @param divergence what diverged, with its epoch and batch
     */
    default void onDivergence(TrainingRun run, TrainingDivergedException divergence) {
    }

    /**
     * Called once when training ends normally, early or by request (not when it throws).
     *
     * @param run the run
     * @param result what {@code fit} is about to return
     */
    default void onTrainingEnd(TrainingRun run, TrainingResult result) {
    }
}
