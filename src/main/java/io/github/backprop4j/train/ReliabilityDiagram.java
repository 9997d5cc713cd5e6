package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.ArrayList;
import java.util.List;

/**
 * How far a classifier's confidence can be trusted: its predictions grouped by confidence into equal-width
 * bins over {@code [0, 1]}, with each bin's mean confidence and accuracy. A calibrated classifier is right in
 * about 80 % of the predictions it makes with 80 % confidence, so its bins lie on the diagonal.
 *
 * <p>A sample's <b>confidence</b> is the probability of its predicted class: the largest output (the predicted
 * class as {@link Network#classesOf(Matrix)} finds it) of a softmax layer, or for a single sigmoid output
 * {@code p} if it predicts class 1 ({@code p > 0.5}) and {@code 1 − p} otherwise. It is <b>correct</b> if the
 * predicted class is the target's. Bin {@code b} of {@code B} holds the confidences in
 * {@code [b/B, (b+1)/B)}, the last one also 1.
 *
 * <p>The <b>expected calibration error</b> (Guo et al. 2017, "On Calibration of Modern Neural Networks") is
 * {@code ECE = Σ_b (n_b / n) · |acc_b − conf_b|}, the maximum calibration error
 * {@code MCE = max_b |acc_b − conf_b|} over the bins that hold samples. {@link Metrics#expectedCalibrationError(int)}
 * is the ECE as a {@link Metric}. Immutable.
 */
public final class ReliabilityDiagram {

    /**
     * One bin.
     *
     * @param lower the smallest confidence it holds
     * @param upper the confidence its range ends at (excluded, but for the last bin)
     * @param count the number of samples
     * @param meanConfidence their mean confidence, NaN if the bin is empty
     * @param accuracy the share of them predicted correctly, NaN if the bin is empty
     */
    public record Bin(double lower, double upper, long count, double meanConfidence, double accuracy) {

        /**
         * Returns the gap between accuracy and confidence.
         *
         * @return {@code accuracy − meanConfidence}: negative where over-confident; NaN if empty
         */
        public double gap() {
            return accuracy - meanConfidence;
        }
    }

    private final List<Bin> bins;
    private final long samples;

    private ReliabilityDiagram(List<Bin> bins, long samples) {
        this.bins = List.copyOf(bins);
        this.samples = samples;
    }

    /**
     * Bins a network's predictions of a data set.
     *
     * @param network a classifier with a softmax output layer, or a single sigmoid output
     * @param data samples with one-hot targets (or 0/1 for one output)
     * @param binCount the number of bins, at least 1
     * @return the diagram
     * @throws IllegalArgumentException if the sizes do not fit or an output is not a probability, naming them
     */
    public static ReliabilityDiagram of(Network network, DataSet data, int binCount) {
        Checks.notNull(network, "network");
        Checks.notNull(data, "data");
        Checks.sameSize(data.targetCount(), network.outputSize(), "data: the number of targets",
                "the network's output size");
        Tally tally = new Tally(binCount, "reliability");
        try (DataSource.Batches batches = data.batches(1024, network.precision(), null)) {
            while (batches.hasNext()) {
                var batch = batches.next();
                tally.add(network.predict(batch.features()), batch.targets());
            }
        }
        return tally.diagram();
    }

    /**
     * Bins given probabilities.
     *
     * @param probabilities the predicted probabilities, {@code [samples × classes]} (or {@code [samples × 1]})
     * @param targets the one-hot targets, the same shape
     * @param binCount the number of bins, at least 1
     * @return the diagram
     * @throws IllegalArgumentException if the shapes differ or a probability lies outside {@code [0, 1]}, naming
     *     its row and column
     */
    public static ReliabilityDiagram of(Matrix probabilities, Matrix targets, int binCount) {
        Tally tally = new Tally(binCount, "reliability");
        tally.add(probabilities, targets);
        return tally.diagram();
    }

    /**
     * Returns the bins, from low confidence to high.
     *
     * @return one per bin, empty ones included
     */
    public List<Bin> bins() {
        return bins;
    }

    /**
     * Returns the number of samples binned.
     *
     * @return the count
     */
    public long samples() {
        return samples;
    }

    /**
     * Returns the expected calibration error, {@code Σ_b (n_b / n) · |acc_b − conf_b|}.
     *
     * @return in {@code [0, 1]}; NaN if no sample was binned
     */
    public double expectedCalibrationError() {
        if (samples == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (Bin b : bins) {
            if (b.count > 0) {
                sum += (double) b.count / samples * Math.abs(b.gap());
            }
        }
        return sum;
    }

    /**
     * Returns the maximum calibration error, {@code max_b |acc_b − conf_b|} over the bins that hold samples.
     *
     * @return in {@code [0, 1]}; NaN if no sample was binned
     */
    public double maximumCalibrationError() {
        double max = samples == 0 ? Double.NaN : 0;
        for (Bin b : bins) {
            if (b.count > 0) {
                max = Math.max(max, Math.abs(b.gap()));
            }
        }
        return max;
    }

    /** Returns a table: one line per bin with its range, count, confidence, accuracy and gap, then the ECE. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("confidence     count  mean confidence  accuracy     gap\n");
        for (Bin b : bins) {
            s.append(String.format(java.util.Locale.ROOT, "[%.2f, %.2f%c  %6d  %15s  %8s  %6s%n", b.lower, b.upper,
                    b.upper == 1 ? ']' : ')', b.count, b.count == 0 ? "" : format(b.meanConfidence),
                    b.count == 0 ? "" : format(b.accuracy), b.count == 0 ? "" : format(b.gap())));
        }
        return s.append(String.format(java.util.Locale.ROOT, "ECE %.4f over %d samples%n",
                expectedCalibrationError(), samples)).toString();
    }

    private static String format(double v) {
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    /**
     * Running sums per bin, fed batch by batch, sample by sample in arrival order (so the result does not
     * depend on the batch size); the state of the ECE metric's accumulator too.
     */
    static final class Tally {
        private final String metric;
        private final long[] counts;
        private final double[] confidence;
        private final long[] correct;
        private long samples;
        private int width = -1;

        Tally(int binCount, String metric) {
            if (binCount < 1) {
                throw new IllegalArgumentException("binCount: " + binCount + "; a reliability diagram needs at "
                        + "least 1 bin");
            }
            this.metric = metric;
            counts = new long[binCount];
            confidence = new double[binCount];
            correct = new long[binCount];
        }

        void add(Matrix outputs, Matrix targets) {
            width = Metrics.checkBatch(outputs, targets, width);
            requireProbabilities(outputs, metric);
            int bins = counts.length;
            for (int r = 0; r < outputs.rows(); r++) { // row by row: a batch allocates nothing
                int predicted = Network.classOf(outputs, r);
                double p = width == 1 ? outputs.get(r, 0) : outputs.get(r, predicted);
                double conf = width == 1 && predicted == 0 ? 1 - p : p;
                int b = Math.min(bins - 1, (int) (conf * bins));
                counts[b]++;
                confidence[b] += conf;
                if (predicted == Network.classOf(targets, r)) {
                    correct[b]++;
                }
            }
            samples += outputs.rows();
        }

        ReliabilityDiagram diagram() {
            List<Bin> out = new ArrayList<>();
            int bins = counts.length;
            for (int b = 0; b < bins; b++) {
                long n = counts[b];
                out.add(new Bin((double) b / bins, (double) (b + 1) / bins, n, n == 0 ? Double.NaN : confidence[b] / n,
                        n == 0 ? Double.NaN : (double) correct[b] / n));
            }
            return new ReliabilityDiagram(out, samples);
        }
    }

    /** Refuses outputs outside [0, 1] (up to rounding), naming the metric, row, column and value. */
    static void requireProbabilities(Matrix outputs, String metric) {
        for (int r = 0; r < outputs.rows(); r++) {
            for (int c = 0; c < outputs.cols(); c++) {
                double p = outputs.get(r, c);
                if (!(p >= -1e-6 && p <= 1 + 1e-6)) {
                    throw new IllegalArgumentException(metric + ": output row " + r + ", column " + c + " is " + p
                            + ", not a probability in [0, 1]; calibration needs a softmax output layer or a single "
                            + "sigmoid output");
                }
            }
        }
    }
}
