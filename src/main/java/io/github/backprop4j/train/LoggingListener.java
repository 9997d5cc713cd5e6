package io.github.backprop4j.train;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a training run through SLF4J (logger {@code io.github.backprop4j.train.LoggingListener}): one INFO
 * line per epoch with the loss, the metrics, samples per second and time, and the start and end of the
 * run. {@link Trainer} adds one unless told not to.
 */
public final class LoggingListener implements TrainingListener {

    private static final Logger LOG = LoggerFactory.getLogger(LoggingListener.class);

    /** Creates the listener. */
    public LoggingListener() {
    }

    @Override
    public void onTrainingStart(TrainingRun run) {
        LOG.info("Training {} for {} epochs", run.network(), run.totalEpochs());
    }

    @Override
    public void onEpochEnd(TrainingRun run, EpochSummary summary) {
        if (LOG.isInfoEnabled()) {
            LOG.info(summary.format(run.totalEpochs()));
        }
    }

    @Override
    public void onTrainingEnd(TrainingRun run, TrainingResult result) {
        LOG.info("Training ended: {}", result.stopReason());
    }
}
