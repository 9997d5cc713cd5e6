package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;

/**
 * Everything a training run needs to continue from the end of an epoch exactly as if it had never stopped:
 * the network and optimizer state after that epoch, the epoch's number, the seed of the random streams and
 * the history so far, with the loss and optimizer the run used. Taken with {@link TrainingRun#snapshot()},
 * saved and loaded by {@code io.github.backprop4j.io.Checkpoint}, and continued with
 * {@link Trainer#resume(TrainingSnapshot, io.github.backprop4j.data.DataSource,
 * io.github.backprop4j.data.DataSource)}.
 *
 * <p>The optimizer state is mutable: the record holds its own copy and hands it out as is, so treat it as
 * read-only ({@code resume} copies it again before training).
 *
 * @param network the network at the end of epoch {@code epoch}
 * @param optimizerState the optimizer's buffers and step count at that point
 * @param epoch the number of completed epochs, &ge; 1
 * @param seed the seed of shuffling and dropout; each epoch's stream derives from it and the epoch number
 * @param history the measurements of epochs 1..{@code epoch}
 * @param loss the loss the run minimised
 * @param optimizer the optimizer configuration the run used
 */
public record TrainingSnapshot(Network network, OptimizerState optimizerState, int epoch, long seed,
        History history, Loss loss, Optimizer optimizer) {

    /**
     * Checks the parts.
     *
     * @param network the network at the end of epoch {@code epoch}
     * @param optimizerState the optimizer's buffers and step count
     * @param epoch the number of completed epochs, &ge; 1
     * @param seed the seed of shuffling and dropout
     * @param history the measurements of epochs 1..{@code epoch}
     * @param loss the loss the run minimised
     * @param optimizer the optimizer configuration the run used
     * @throws IllegalArgumentException if the epoch is below 1 or the history does not have one summary per
     *     epoch, numbered 1..{@code epoch}
     */
    public TrainingSnapshot {
        Checks.notNull(network, "network");
        Checks.notNull(optimizerState, "optimizerState");
        Checks.positive(epoch, "epoch");
        Checks.notNull(history, "history");
        Checks.notNull(loss, "loss");
        Checks.notNull(optimizer, "optimizer");
        if (history.size() != epoch) {
            throw new IllegalArgumentException("the history has " + history.size() + " epochs but the snapshot is "
                    + "after epoch " + epoch);
        }
        for (int e = 1; e <= epoch; e++) {
            if (history.epochs().get(e - 1).epoch() != e) {
                throw new IllegalArgumentException("history entry " + e + " is for epoch "
                        + history.epochs().get(e - 1).epoch());
            }
        }
    }
}
