package io.github.backprop4j.train;

import io.github.backprop4j.Network;

/**
 * What {@link Trainer#fit} returns.
 *
 * @param network the trained network: after the last step, or the best epoch's when early stopping restored it
 * @param history the measurements of every completed epoch
 * @param stopReason why training ended, e.g. {@code "completed 10 epochs"}
 */
public record TrainingResult(Network network, History history, String stopReason) {
}
