package io.github.backprop4j.train;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * One run of {@link Trainer#fit} or {@link Trainer#resume}: the epochs, each of batches from
 * {@link EpochBatches}, each batch a step in the run's {@link TrainingSession}; the listeners called through the
 * run's {@link TrainingRun.Driver}; stop requests and interrupts honoured before every batch. The pieces beside
 * it: {@link RunOptimizerState} owns the optimizer state, {@link DivergenceGuard} detects divergence and keeps
 * the last finite network, {@link Evaluation} measures the loss and metrics, {@link EarlyStopping.Tracker}
 * decides when improvement has stopped. Used once, on the calling thread.
 */
final class TrainingLoop {

    private final Trainer config;
    private final Loss loss;
    private final Optimizer optimizer;
    private final List<Metric> metrics;
    private final Network start;
    private final RunOptimizerState state;
    private final long seed;
    private final History earlier;
    private final DataSource training;
    private final DataSource validation;

    /**
     * Prepares a run; nothing is checked or trained until {@link #run()}.
     *
     * @param config the trainer's configuration
     * @param start the network to start from; not changed
     * @param state the optimizer state to start from
     * @param seed the seed of the run's random streams
     * @param earlier the epochs completed before (of the interrupted run, when resuming), else an empty history
     * @param training the training data
     * @param validation the validation data, or {@code null} for none
     */
    TrainingLoop(Trainer config, Network start, RunOptimizerState state, long seed, History earlier,
            DataSource training, DataSource validation) {
        this.config = config;
        this.loss = config.loss();
        this.optimizer = config.optimizer();
        this.metrics = config.metrics();
        this.start = start;
        this.state = state;
        this.seed = seed;
        this.earlier = earlier;
        this.training = training;
        this.validation = validation;
    }

    /**
     * Checks the data and the configuration against the network, then trains from the epoch after the earlier
     * history up to the configured number of epochs, or until the run stops.
     *
     * @return the trained network, the whole history and why training ended
     * @throws IllegalArgumentException if the data do not fit the network or the configuration, or the training
     *     data yield no batch in an epoch
     * @throws TrainingDivergedException if the loss or a parameter became NaN or infinite and the configuration
     *     throws on divergence
     * @throws IllegalStateException if the learning-rate schedule returns a negative or non-finite rate
     */
    TrainingResult run() {
        DataChecks.fits(start, training, "training");
        if (validation != null) {
            DataChecks.fits(start, validation, "validation");
        }
        loss.checkOutputActivation(start.outputLayer().activation(), start.layerCount());
        DataChecks.values(start, loss, training, "training");
        if (validation != null) {
            DataChecks.values(start, loss, validation, "validation");
        }
        DataChecks.batchesForBatchNormalization(start, training, config.batchSize(), "training");
        config.dropout().checkFits(start);
        EarlyStopping.Tracker earlyStopping = config.earlyStopping() == null ? null
                : EarlyStopping.Tracker.forRun(config.earlyStopping(), metrics, validation != null, start);

        TrainingSession session = new TrainingSession(start, loss, optimizer, state.current(), config.dropout(),
                config.clipGradientNorm());
        DivergenceGuard divergence = new DivergenceGuard(session);
        EpochBatches batches = EpochBatches.of(training, config.batchSize(), start.precision());
        int epochs = config.epochs();
        TrainingRun.Driver driver = new TrainingRun.Driver(
                new TrainingRun(start, epochs, seed, state, loss, optimizer, earlier), config.listeners());
        TrainingRun run = driver.run();
        driver.declareEpochSize(training.sampleCount(), config.batchSize());
        driver.startTraining();
        if (earlyStopping != null) {
            earlyStopping.replay(earlier);
        }

        String stopReason = "completed " + epochs + " epochs";
        for (int epoch = earlier.size() + 1; epoch <= epochs; epoch++) {
            long started = System.nanoTime();
            driver.startEpoch(epoch);
            SplittableRandom epochRandom = Trainer.epochRandom(seed, epoch);
            SplittableRandom shuffleRandom = epochRandom.split();
            SplittableRandom dropoutRandom = epochRandom.split();

            Evaluation trainingEval = new Evaluation(metrics);
            String interruption;
            try {
                interruption = trainEpoch(driver, session, divergence, batches, epoch, shuffleRandom, dropoutRandom,
                        trainingEval);
                if (interruption == null) {
                    run.network(); // a snapshot per epoch, checked to be finite
                }
            } catch (TrainingDivergedException diverged) {
                if (config.throwsOnDivergence()) {
                    throw diverged;
                }
                driver.diverged(diverged);
                stopReason = "diverged: " + diverged.getMessage();
                break;
            }
            if (interruption != null) {
                stopReason = interruption + " during epoch " + epoch + "; returning the network of step "
                        + run.step();
                break;
            }
            Map<String, Double> values = trainingEval.results("");
            if (validation != null) {
                values.putAll(Evaluation.over(run.network(), validation, loss, metrics, config.batchSize(),
                        "validation").results("val_"));
            }
            EpochSummary summary = new EpochSummary(epoch, values, trainingEval.samples(),
                    Duration.ofNanos(System.nanoTime() - started), run.learningRate());
            DivergenceGuard.warnIfTheLossExploded(run.history(), summary);
            driver.completed(summary);

            if (earlyStopping != null) {
                String stop = earlyStopping.epochEnded(summary, run.network());
                if (stop != null) {
                    if (earlyStopping.restoresBest()) {
                        driver.restore(earlyStopping.best());
                    }
                    stopReason = stop;
                    break;
                }
            }
            if (driver.isStopRequested()) {
                stopReason = driver.stopRequest() + " after epoch " + epoch;
                break;
            }
        }
        return driver.end(stopReason);
    }

    /**
     * Trains one epoch in the run's {@link TrainingSession}, accumulating the training loss and metrics. The
     * session computes what {@link Backpropagator#step} would, in reused buffers; the run's network is a
     * snapshot taken when asked.
     *
     * @return {@code null} if the epoch completed, else why it stopped early
     */
    private String trainEpoch(TrainingRun.Driver driver, TrainingSession session, DivergenceGuard divergence,
            EpochBatches batches, int epoch, SplittableRandom shuffleRandom, SplittableRandom dropoutRandom,
            Evaluation eval) {
        batches.start(config.shuffles() ? shuffleRandom : null);
        StepSnapshot snapshot = new StepSnapshot(divergence);
        try (batches) {
            int batchNumber = 0;
            while (batches.hasNext()) {
                if (Thread.currentThread().isInterrupted()) {
                    return "interrupted";
                }
                if (driver.isStopRequested()) { // e.g. asked for in onTrainingStart or onEpochStart
                    return driver.stopRequest();
                }
                batches.next();
                batchNumber++;
                final int b = batchNumber;
                double batchLoss;
                try {
                    batchLoss = session.gradients(batches.features(), batches.targets(), dropoutRandom,
                            batches.checkedBeforehand());
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("training: epoch " + epoch + ", batch " + b
                            + " (rows are numbered within the batch): " + e.getMessage(), e);
                }
                divergence.checkLoss(batchLoss, epoch, b);
                double eta = learningRate(state.nextStep(), epoch);
                session.update(eta);
                eval.add(batchLoss, session.output(), batches.targets());
                snapshot.at(epoch, b);
                driver.stepped(snapshot, b, batchLoss, eta);
            }
            if (batchNumber == 0) {
                throw new IllegalArgumentException("training: the data source " + training.getClass().getName()
                        + " gave no batch in epoch " + epoch + " (batch size " + config.batchSize() + "); a data "
                        + "source must yield at least one batch per epoch");
            }
        }
        return null;
    }

    /**
     * The network after the latest step, taken only if someone asks for it: one object per epoch, pointed at each
     * step in turn, so that a step allocates no supplier. The run holds it only until the next step.
     */
    private static final class StepSnapshot implements Supplier<Network> {
        private final DivergenceGuard divergence;
        private int epoch;
        private int batch;

        StepSnapshot(DivergenceGuard divergence) {
            this.divergence = divergence;
        }

        void at(int stepEpoch, int stepBatch) {
            epoch = stepEpoch;
            batch = stepBatch;
        }

        @Override
        public Network get() {
            return divergence.snapshot(epoch, batch);
        }
    }

    /** The schedule's rate for one step, refused with the step and epoch if it is negative or not finite. */
    private double learningRate(long step, int epoch) {
        LearningRateSchedule schedule = config.learningRateSchedule();
        double eta = schedule.learningRate(optimizer.learningRate(), step, epoch);
        if (!(eta >= 0) || eta == Double.POSITIVE_INFINITY) {
            String named = schedule.getClass().isSynthetic() || schedule.getClass().getName().contains("$$Lambda")
                    ? "(a lambda; override toString to name it here)" : String.valueOf(schedule);
            throw new IllegalStateException("the learning-rate schedule " + named + " returned " + eta
                    + " for step " + step + " of epoch " + epoch + "; a learning rate must be a finite number >= 0");
        }
        return eta;
    }
}
