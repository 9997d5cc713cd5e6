package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.optim.OptimizerState;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The learning-rate range test (Leslie Smith, "Cyclical Learning Rates for Training Neural Networks", 2017, as
 * popularised by fastai's {@code lr_find}): train for a few hundred steps while the learning rate grows
 * exponentially from a tiny rate to a huge one, record the loss of each step, and read a good rate off the
 * curve: where the loss falls fastest, well before it blows up.
 *
 * <pre>{@code
 * LearningRateFinder.Result r = LearningRateFinder.of(trainer).run(network, trainingData);
 * System.out.println(r);            // the suggestion and how it was found
 * Files.writeString(path, r.toCsv()); // the curve: step, learning_rate, loss, smoothed_loss
 * Trainer tuned = ... .optimizer(Optimizer.adam(r.suggestedRate())) ...
 * }</pre>
 *
 * <p>Step {@code i} of {@code n} (from 0) uses
 *
 * <pre>
 * ηᵢ = η_min · (η_max / η_min)^(i / (n − 1))
 * </pre>
 *
 * and records the loss of its batch before its update, as training does. The losses are smoothed with an
 * exponential moving average corrected for its start (as Adam corrects its moments):
 * {@code mᵢ = β·mᵢ₋₁ + (1 − β)·Cᵢ}, {@code m̂ᵢ = mᵢ / (1 − βⁱ⁺¹)}. The test stops early once the smoothed
 * loss exceeds {@code k} times the lowest smoothed loss so far, or a loss is not finite.
 *
 * <p><b>The suggestion</b> ({@link Result#suggestedRate()}) is the rate at the lowest smoothed loss divided by 10
 * (no lower than {@code η_min}): at the minimum the rate is already about to be too large, and a tenth of it
 * still learns quickly (fastai's {@code lr_min / 10}). {@link Result#steepestDescentRate()} gives the other
 * usual reading, the rate where the smoothed loss falls fastest per factor of rate.
 *
 * <p>Everything else comes from the {@link Trainer} it is made from: the loss, the optimizer (any; its own
 * learning rate and the trainer's schedule are replaced by {@code ηᵢ}), the batch size, the seed (each pass over
 * the data is shuffled and drops out as epoch 1, 2, … of that trainer would), shuffling, dropout and gradient
 * clipping. The data are passed over as often as the steps need. The test trains its own copy of the network's
 * parameters, with fresh optimizer state: the network given is not changed, and no trained network is returned,
 * since one trained at ever larger rates is of no use. Immutable; runs on the calling thread.
 */
public final class LearningRateFinder {

    /** The smallest rate unless set. */
    static final double DEFAULT_MIN_RATE = 1e-6;
    /** The largest rate unless set. */
    static final double DEFAULT_MAX_RATE = 10;
    /** The number of steps unless set. */
    static final int DEFAULT_STEPS = 200;
    /** The smoothing factor β unless set. */
    static final double DEFAULT_SMOOTHING = 0.98;
    /** How many times the best smoothed loss ends the test, unless set. */
    static final double DEFAULT_STOP_FACTOR = 4;
    /** What the rate at the lowest smoothed loss is divided by for the suggestion. */
    static final double SUGGESTION_DIVISOR = 10;

    private final Trainer trainer;
    private final double minRate;
    private final double maxRate;
    private final int steps;
    private final double smoothing;
    private final double stopFactor;

    private LearningRateFinder(Trainer trainer, double minRate, double maxRate, int steps, double smoothing,
            double stopFactor) {
        this.trainer = trainer;
        this.minRate = minRate;
        this.maxRate = maxRate;
        this.steps = steps;
        this.smoothing = smoothing;
        this.stopFactor = stopFactor;
    }

    /**
     * Returns a range test with the trainer's loss, optimizer, batch size, seed, dropout and clipping, from
     * {@code 1e-6} to {@code 10} in 200 steps, smoothing 0.98, stopping at 4 times the best smoothed loss.
     *
     * @param trainer the configuration to find a rate for
     * @return the range test
     * @throws NullPointerException if {@code trainer} is {@code null}
     */
    public static LearningRateFinder of(Trainer trainer) {
        return new LearningRateFinder(Checks.notNull(trainer, "trainer"), DEFAULT_MIN_RATE, DEFAULT_MAX_RATE,
                DEFAULT_STEPS, DEFAULT_SMOOTHING, DEFAULT_STOP_FACTOR);
    }

    /**
     * Returns this test over another range of rates.
     *
     * @param min the rate of the first step, finite and &gt; 0
     * @param max the rate of the last step, finite and &gt; {@code min}
     * @return a new range test
     * @throws IllegalArgumentException naming the argument, if a rate is not finite and positive or
     *     {@code max <= min}
     */
    public LearningRateFinder range(double min, double max) {
        Checks.positiveFinite(min, "min");
        Checks.positiveFinite(max, "max");
        if (!(max > min)) {
            throw new IllegalArgumentException("the range's max (" + max + ") must exceed its min (" + min + ")");
        }
        return new LearningRateFinder(trainer, min, max, steps, smoothing, stopFactor);
    }

    /**
     * Returns this test with another number of steps.
     *
     * @param value the number of optimizer steps (and rates), at least 2
     * @return a new range test
     * @throws IllegalArgumentException if {@code value} is below 2
     */
    public LearningRateFinder steps(int value) {
        if (value < 2) {
            throw new IllegalArgumentException("steps must be at least 2 (the first and the last rate), was " + value);
        }
        return new LearningRateFinder(trainer, minRate, maxRate, value, smoothing, stopFactor);
    }

    /**
     * Returns this test with another smoothing factor of the loss curve.
     *
     * @param beta the weight β of the moving average's past, in [0, 1); 0 does not smooth
     * @return a new range test
     * @throws IllegalArgumentException if {@code beta} is not in [0, 1)
     */
    public LearningRateFinder smoothing(double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException("smoothing (beta) must be in [0, 1), was " + beta);
        }
        return new LearningRateFinder(trainer, minRate, maxRate, steps, beta, stopFactor);
    }

    /**
     * Returns this test with another early stop: once the smoothed loss exceeds {@code factor} times the lowest
     * smoothed loss so far.
     *
     * @param factor greater than 1, or {@link Double#POSITIVE_INFINITY} to stop only at a non-finite loss
     * @return a new range test
     * @throws IllegalArgumentException if {@code factor} is not greater than 1
     */
    public LearningRateFinder stopFactor(double factor) {
        if (!(factor > 1)) {
            throw new IllegalArgumentException("stopFactor must be greater than 1, was " + factor);
        }
        return new LearningRateFinder(trainer, minRate, maxRate, steps, smoothing, factor);
    }

    /**
     * Returns the rate of step {@code i} of {@code n}, {@code ηᵢ = η_min · (η_max / η_min)^(i / (n − 1))}.
     *
     * @param step the step, 0 .. {@code steps − 1}
     * @return its rate
     */
    double rate(int step) {
        return minRate * Math.pow(maxRate / minRate, (double) step / (steps - 1));
    }

    /**
     * Runs the test: up to {@link #steps(int) steps} optimizer steps on a copy of the network's parameters.
     *
     * @param network the network whose rate is sought; not changed
     * @param data the training data, passed over as often as needed
     * @return the curve and the suggested rate
     * @throws IllegalArgumentException if the data do not fit the network or the trainer's configuration, or
     *     yield no batch in a pass
     */
    public Result run(Network network, DataSource data) {
        Checks.notNull(network, "network");
        Checks.notNull(data, "data");
        DataChecks.fits(network, data, "data");
        trainer.loss().checkOutputActivation(network.outputLayer().activation(), network.layerCount());
        DataChecks.values(network, trainer.loss(), data, "data");
        DataChecks.batchesForBatchNormalization(network, data, trainer.batchSize(), "data");
        trainer.dropout().checkFits(network);

        TrainingSession session = new TrainingSession(network, trainer.loss(), trainer.optimizer(),
                new OptimizerState(), trainer.dropout(), trainer.clipGradientNorm());
        EpochBatches batches = EpochBatches.of(data, trainer.batchSize(), network.precision());
        List<Point> points = new ArrayList<>(steps);
        double average = 0;
        double best = Double.POSITIVE_INFINITY;
        String stop = null; // why the test ended before its last step
        int step = 0;
        for (int pass = 1; step < steps && stop == null; pass++) {
            SplittableRandom passRandom = Trainer.epochRandom(trainer.seed(), pass);
            SplittableRandom shuffle = passRandom.split();
            SplittableRandom dropout = passRandom.split();
            batches.start(trainer.shuffles() ? shuffle : null);
            int inPass = 0;
            try (batches) {
                while (step < steps && batches.hasNext()) {
                    if (Thread.currentThread().isInterrupted()) {
                        stop = "interrupted at step " + (step + 1);
                        break;
                    }
                    batches.next();
                    inPass++;
                    double loss;
                    try {
                        loss = session.gradients(batches.features(), batches.targets(), dropout,
                                batches.checkedBeforehand());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("data: pass " + pass + ", batch " + inPass
                                + " (rows are numbered within the batch): " + e.getMessage(), e);
                    }
                    double eta = rate(step);
                    if (!Double.isFinite(loss)) {
                        stop = "the loss became " + loss + " at step " + (step + 1) + " (rate " + brief(eta) + ")";
                        break;
                    }
                    average = smoothing * average + (1 - smoothing) * loss;           // mᵢ
                    double smoothed = average / (1 - Math.pow(smoothing, step + 1)); // m̂ᵢ
                    points.add(new Point(step + 1, eta, loss, smoothed));
                    best = Math.min(best, smoothed);
                    if (smoothed > stopFactor * best) {
                        stop = "the smoothed loss exceeded " + brief(stopFactor) + " × its lowest at step "
                                + (step + 1) + " (rate " + brief(eta) + ")";
                        step++;
                        break;
                    }
                    session.update(eta);
                    step++;
                }
            }
            if (inPass == 0 && stop == null) {
                throw new IllegalArgumentException("data: the data source " + data.getClass().getName()
                        + " gave no batch in pass " + pass + " (batch size " + trainer.batchSize() + ")");
            }
        }
        if (points.isEmpty()) {
            throw new IllegalArgumentException("data: the loss of the very first batch was not finite (" + stop
                    + "); check the data and the network's initialisation");
        }
        return new Result(points, minRate, maxRate, smoothing, stop != null ? stop : "completed " + steps + " steps");
    }

    @Override
    public String toString() {
        return "LearningRateFinder[" + trainer.optimizer() + ", rates " + brief(minRate) + ".." + brief(maxRate)
                + " in " + steps + " steps, smoothing " + smoothing + ", stop at " + brief(stopFactor) + "×]";
    }

    /** A rate in three significant digits: {@code 0.566}, {@code 10}, {@code 1000}, or {@code 1.0e-04}. */
    static String brief(double x) {
        if (!Double.isFinite(x)) {
            return String.valueOf(x);
        }
        if (x == 0 || Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5) {
            return new BigDecimal(x).round(new MathContext(3)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.2e", x).replaceFirst("\\.?0+e", "e");
    }

    /**
     * One step of the range test.
     *
     * @param step the step's number, from 1
     * @param learningRate the rate of its update, {@code ηᵢ}
     * @param loss its batch's loss before the update
     * @param smoothedLoss the bias-corrected moving average of the losses up to this step
     */
    public record Point(int step, double learningRate, double loss, double smoothedLoss) {
    }

    /**
     * What a range test found: the curve of (rate, loss, smoothed loss), the suggested rate and why the test
     * ended. Immutable.
     */
    public static final class Result {

        private final List<Point> points;
        private final double minRate;
        private final double maxRate;
        private final double smoothing;
        private final String stopReason;

        Result(List<Point> points, double minRate, double maxRate, double smoothing, String stopReason) {
            this.points = List.copyOf(points);
            this.smoothing = smoothing;
            this.minRate = minRate;
            this.maxRate = maxRate;
            this.stopReason = stopReason;
        }

        /**
         * Returns the curve, one point per step made.
         *
         * @return an unmodifiable list in step order, not empty
         */
        public List<Point> points() {
            return points;
        }

        /**
         * Returns the rates of the steps made, for a chart's x axis (logarithmic).
         *
         * @return a new array, one rate per point
         */
        public double[] learningRates() {
            return points.stream().mapToDouble(Point::learningRate).toArray();
        }

        /**
         * Returns the losses of the steps made.
         *
         * @return a new array, one loss per point
         */
        public double[] losses() {
            return points.stream().mapToDouble(Point::loss).toArray();
        }

        /**
         * Returns the smoothed losses of the steps made.
         *
         * @return a new array, one smoothed loss per point
         */
        public double[] smoothedLosses() {
            return points.stream().mapToDouble(Point::smoothedLoss).toArray();
        }

        /**
         * Returns the point of the lowest smoothed loss.
         *
         * @return the first point whose smoothed loss is the lowest
         */
        public Point minimum() {
            Point min = points.get(0);
            for (Point p : points) {
                if (p.smoothedLoss() < min.smoothedLoss()) {
                    min = p;
                }
            }
            return min;
        }

        /**
         * Returns the suggested learning rate: the rate at the lowest smoothed loss divided by
         * {@value LearningRateFinder#SUGGESTION_DIVISOR}, no lower than the range's smallest rate.
         *
         * @return the suggestion, within the tested range
         */
        public double suggestedRate() {
            return Math.max(minRate, minimum().learningRate() / SUGGESTION_DIVISOR);
        }

        /**
         * Returns the rate where the smoothed loss falls fastest: the steepest negative slope of the smoothed loss
         * over {@code ln η}, by differences across {@code ±w} points ({@code w} a fortieth of the points, at least
         * 1), among the points up to the minimum after the moving average's warm-up ({@code 1/(1 − β)} points, at
         * most half of those before the minimum). Noisier than {@link #suggestedRate()}, and often larger.
         *
         * @return that rate; the minimum's rate if the smoothed loss never fell there
         */
        public double steepestDescentRate() {
            int end = points.indexOf(minimum());
            int w = Math.max(1, points.size() / 40);
            int start = (int) Math.min(Math.round(1 / (1 - smoothing)), end / 2);
            double steepest = 0;
            double rate = points.get(end).learningRate();
            for (int i = Math.max(start, w); i + w <= end; i++) {
                Point before = points.get(i - w);
                Point after = points.get(i + w);
                double slope = (after.smoothedLoss() - before.smoothedLoss())
                        / (Math.log(after.learningRate()) - Math.log(before.learningRate()));
                if (slope < steepest) {
                    steepest = slope;
                    rate = points.get(i).learningRate();
                }
            }
            return rate;
        }

        /**
         * Returns why the test ended.
         *
         * @return e.g. {@code "completed 200 steps"} or {@code "the smoothed loss exceeded 4.0 × its lowest at
         *     step 163 (rate 0.72)"}
         */
        public String stopReason() {
            return stopReason;
        }

        /**
         * Returns the curve as CSV: a header {@code step,learning_rate,loss,smoothed_loss} and one line per
         * point, numbers as {@link Double#toString(double)} writes them, lines ended by {@code \n}.
         *
         * @return the CSV text
         */
        public String toCsv() {
            StringBuilder csv = new StringBuilder("step,learning_rate,loss,smoothed_loss\n");
            for (Point p : points) {
                csv.append(p.step()).append(',').append(p.learningRate()).append(',').append(p.loss()).append(',')
                        .append(p.smoothedLoss()).append('\n');
            }
            return csv.toString();
        }

        /**
         * Returns e.g. {@code "suggested learning rate 0.0031 (the lowest smoothed loss 0.0812 at rate 0.031, ÷10;
         * steepest descent at 0.0087); 178 steps from 1e-06 to 10: the smoothed loss exceeded …"}.
         */
        @Override
        public String toString() {
            Point min = minimum();
            return String.format(Locale.ROOT, "suggested learning rate %s (the lowest smoothed loss %.4f at rate %s, "
                    + "÷%.0f; steepest descent at %s); %d steps from %s to %s: %s", brief(suggestedRate()),
                    min.smoothedLoss(), brief(min.learningRate()), SUGGESTION_DIVISOR, brief(steepestDescentRate()),
                    points.size(), brief(minRate), brief(maxRate), stopReason);
        }
    }
}
