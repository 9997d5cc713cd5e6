package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a {@link Trainer} run's divergence is detected: a batch loss that is NaN or infinite, and
 * a parameter that became so, found when the session's parameters are snapshot. Either ends the run with a
 * {@link TrainingDivergedException} carrying the last finite network, which the {@link TrainingSession} keeps
 * as its last snapshot; so no network with a non-finite parameter is ever handed out. A finite loss that grows
 * without bound is no divergence, only {@linkplain #warnIfTheLossExploded warned} of. Used on the training
 * thread only.
 */
final class DivergenceGuard {

    /** The trainer's logger: the warning has always been logged under {@link Trainer}, where users look. */
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** How many times the first epoch's training loss an epoch's loss may reach before a warning. */
    static final double LOSS_EXPLOSION_FACTOR = 1e6;

    private final TrainingSession session;

    /**
     * Guards one session.
     *
     * @param session the run's session; every snapshot of it is to be taken through {@link #snapshot}
     */
    DivergenceGuard(TrainingSession session) {
        this.session = session;
    }

    /**
     * Checks a batch's loss, computed before the batch's step is applied.
     *
     * @param loss the batch's loss
     * @param epoch the epoch, from 1
     * @param batch the batch within the epoch, from 1
     * @throws TrainingDivergedException if the loss is NaN or infinite, with the current parameters as the last
     *     finite network if they are all finite, else the last snapshot
     */
    void checkLoss(double loss, int epoch, int batch) {
        if (!Double.isFinite(loss)) {
            throw new TrainingDivergedException("the loss became " + loss, epoch, batch, snapshotOrLastFinite());
        }
    }

    /**
     * Returns the session's network, checked to be finite.
     *
     * @param epoch the epoch, from 1, named if the check fails
     * @param batch the batch within the epoch, from 1, named if the check fails
     * @return the snapshot
     * @throws TrainingDivergedException naming the layer and position of a parameter that is NaN or infinite,
     *     with the session's last snapshot as the last finite network
     */
    Network snapshot(int epoch, int batch) {
        try {
            return session.snapshot();
        } catch (ArithmeticException diverged) {
            TrainingDivergedException e = new TrainingDivergedException(diverged.getMessage(), epoch, batch,
                    session.lastSnapshot());
            e.initCause(diverged);
            throw e;
        }
    }

    /**
     * Returns the last network whose parameters were all finite.
     *
     * @return the session's last snapshot (or its starting network)
     */
    Network lastFinite() {
        return session.lastSnapshot();
    }

    private Network snapshotOrLastFinite() {
        try {
            return session.snapshot();
        } catch (ArithmeticException diverged) {
            return session.lastSnapshot();
        }
    }

    /**
     * Logs one warning, the first time in a run that an epoch's training loss exceeds a million times the first
     * epoch's: a loss that grows so far is still finite, so no divergence is flagged, but the run has almost
     * certainly blown up (a learning rate far too large, say) and its network is of no use.
     *
     * @param before the epochs completed before this one (of a resumed run, the interrupted run's too)
     * @param summary the epoch just completed
     * @return whether this call warned
     */
    static boolean warnIfTheLossExploded(History before, EpochSummary summary) {
        List<EpochSummary> epochs = before.epochs();
        if (epochs.isEmpty() || !summary.values().containsKey("loss")) {
            return false;
        }
        double first = epochs.get(0).value("loss");
        double now = summary.value("loss");
        if (!(first > 0) || !(now > LOSS_EXPLOSION_FACTOR * first)) {
            return false;
        }
        for (int i = 1; i < epochs.size(); i++) { // warned already?
            if (epochs.get(i).values().getOrDefault("loss", 0.0) > LOSS_EXPLOSION_FACTOR * first) {
                return false;
            }
        }
        LOG.warn("The training loss of epoch {} is {}, more than {} times the first epoch's {}: training has "
                + "probably blown up (is the learning rate {} far too large?)", summary.epoch(), now,
                LOSS_EXPLOSION_FACTOR, first, summary.learningRate());
        return true;
    }
}
