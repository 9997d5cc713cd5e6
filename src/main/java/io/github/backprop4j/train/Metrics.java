package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * The built-in {@link Metric}s. Each is accumulated element by element in one fixed order (samples in the
 * order they arrive, outputs left to right) into running sums in double precision, so the result does not
 * depend on how the samples were cut into batches: it is bit-identical for any batch size.
 */
public final class Metrics {

    private Metrics() {
    }

    /**
     * Accuracy, the share of samples whose predicted class is the target class, in {@code [0, 1]}. Classes
     * are found as {@link Network#classesOf(Matrix)} finds them, in outputs and targets alike: the largest of
     * several outputs (argmax); for a single output, whether it exceeds {@link Network#BINARY_THRESHOLD} 0.5.
     * Named {@code "accuracy"}; higher is better.
     */
    public static final Metric ACCURACY = new Builtin("accuracy", true) {
        @Override
        public Accumulator newAccumulator() {
            return new Running() {
                long correct;

                @Override
                void addChecked(Matrix outputs, Matrix targets) {
                    for (int r = 0; r < outputs.rows(); r++) { // row by row: a batch allocates nothing
                        if (Network.classOf(outputs, r) == Network.classOf(targets, r)) {
                            correct++;
                        }
                    }
                }

                @Override
                double value() {
                    return (double) correct / samples;
                }
            };
        }
    };

    /**
     * Mean squared error over every output of every sample, {@code Σ (ŷ − y)² / (n · outputs)}. Named
     * {@code "mse"}; lower is better.
     */
    public static final Metric MEAN_SQUARED_ERROR = new MeanError("mse", (predicted, target) -> {
        double e = predicted - target;
        return e * e;
    });

    /**
     * Mean absolute error over every output of every sample, {@code Σ |ŷ − y| / (n · outputs)}. Named
     * {@code "mae"}; lower is better.
     */
    public static final Metric MEAN_ABSOLUTE_ERROR = new MeanError("mae",
            (predicted, target) -> Math.abs(predicted - target));

    /**
     * The coefficient of determination R², as scikit-learn's {@code r2_score} with uniform averaging: for each
     * output {@code j}, {@code R²ⱼ = 1 − SSEⱼ / SSTⱼ} with {@code SSEⱼ = Σ (yⱼ − ŷⱼ)²} and
     * {@code SSTⱼ = Σ (yⱼ − ȳⱼ)²}; the result is the mean of the {@code R²ⱼ}. {@code SSTⱼ} is accumulated with
     * Welford's update, which needs no second pass and does not cancel. For a constant target
     * ({@code SSTⱼ = 0}) {@code R²ⱼ} is 1 if the predictions are exact and 0 otherwise (scikit-learn's
     * {@code force_finite}). R² is 1 for perfect predictions, 0 for predicting the mean, negative for worse.
     * Named {@code "r2"}; higher is better.
     */
    public static final Metric R_SQUARED = new Builtin("r2", true) {
        @Override
        public Accumulator newAccumulator() {
            return new Running() {
                double[] sse;
                double[] mean;
                double[] sst;

                @Override
                void addChecked(Matrix outputs, Matrix targets) {
                    if (sse == null) {
                        sse = new double[width];
                        mean = new double[width];
                        sst = new double[width];
                    }
                    long n = samples - outputs.rows();
                    for (int r = 0; r < outputs.rows(); r++) {
                        n++;
                        for (int c = 0; c < outputs.cols(); c++) {
                            double y = targets.get(r, c);
                            double e = y - outputs.get(r, c);
                            sse[c] += e * e;
                            double delta = y - mean[c]; // Welford: ȳₙ = ȳₙ₋₁ + (y − ȳₙ₋₁)/n
                            mean[c] += delta / n;
                            sst[c] += delta * (y - mean[c]);
                        }
                    }
                }

                @Override
                double value() {
                    double sum = 0;
                    for (int c = 0; c < width; c++) {
                        sum += sst[c] == 0 ? (sse[c] == 0 ? 1 : 0) : 1 - sse[c] / sst[c];
                    }
                    return sum / width;
                }
            };
        }
    };

    /**
     * The Brier score, the mean squared distance between the predicted probabilities and the one-hot target,
     * {@code Σᵢ Σₖ (pᵢₖ − yᵢₖ)² / n} (Brier 1950; 0 is perfect, 2 the worst for several classes). For a single
     * sigmoid output it is {@code Σᵢ (pᵢ − yᵢ)² / n} (scikit-learn's {@code brier_score_loss}), half the sum over
     * two complementary columns. The outputs must be probabilities (a softmax output layer, or a single sigmoid
     * output); an output outside {@code [0, 1]} is refused naming its row and column. Named {@code "brier"};
     * lower is better.
     */
    public static final Metric BRIER_SCORE = new Builtin("brier", false) {
        @Override
        public Accumulator newAccumulator() {
            return new Running() {
                double sum;

                @Override
                void addChecked(Matrix outputs, Matrix targets) {
                    ReliabilityDiagram.requireProbabilities(outputs, "brier");
                    for (int r = 0; r < outputs.rows(); r++) {
                        for (int c = 0; c < outputs.cols(); c++) {
                            double e = outputs.get(r, c) - targets.get(r, c);
                            sum += e * e;
                        }
                    }
                }

                @Override
                double value() {
                    return sum / samples;
                }
            };
        }
    };

    /**
     * The expected calibration error over 10 equal-width confidence bins, as
     * {@link #expectedCalibrationError(int)} defines it. Named {@code "ece"}; lower is better.
     */
    public static final Metric EXPECTED_CALIBRATION_ERROR = expectedCalibrationError(10);

    /**
     * The expected calibration error, {@code Σ_b (n_b / n) · |acc_b − conf_b|} over equal-width bins of the
     * predicted class's probability; see {@link ReliabilityDiagram} for the definitions. The outputs must be
     * probabilities. Named {@code "ece"} for 10 bins, {@code "ece<bins>"} (e.g. {@code "ece15"}) otherwise; lower
     * is better.
     *
     * @param bins the number of bins, at least 1
     * @return the metric
     * @throws IllegalArgumentException if {@code bins < 1}
     */
    public static Metric expectedCalibrationError(int bins) {
        new ReliabilityDiagram.Tally(bins, "ece"); // checks the count now, not at the first evaluation
        return new Builtin(bins == 10 ? "ece" : "ece" + bins, false) {
            @Override
            public Accumulator newAccumulator() {
                ReliabilityDiagram.Tally tally = new ReliabilityDiagram.Tally(bins, name());
                return new Running() {
                    @Override
                    void addChecked(Matrix outputs, Matrix targets) {
                        tally.add(outputs, targets);
                    }

                    @Override
                    double value() {
                        return tally.diagram().expectedCalibrationError();
                    }
                };
            }
        };
    }

    /** A named metric; the accumulator is supplied by each constant. */
    private abstract static class Builtin implements Metric {
        private final String name;
        private final boolean higherIsBetter;

        Builtin(String name, boolean higherIsBetter) {
            this.name = name;
            this.higherIsBetter = higherIsBetter;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean higherIsBetter() {
            return higherIsBetter;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The mean over every output of every sample of an element-wise error {@code e(ŷ, y)}. */
    private static final class MeanError extends Builtin {
        private final java.util.function.DoubleBinaryOperator error;

        MeanError(String name, java.util.function.DoubleBinaryOperator error) {
            super(name, false);
            this.error = error;
        }

        @Override
        public Accumulator newAccumulator() {
            return new Running() {
                double sum;

                @Override
                void addChecked(Matrix outputs, Matrix targets) {
                    for (int r = 0; r < outputs.rows(); r++) { // element by element: batching cannot change the sum
                        for (int c = 0; c < outputs.cols(); c++) {
                            sum += error.applyAsDouble(outputs.get(r, c), targets.get(r, c));
                        }
                    }
                }

                @Override
                double value() {
                    return sum / ((double) samples * width);
                }
            };
        }
    }

    /**
     * The checks every accumulator makes of a batch: outputs and targets of one shape, as wide as the earlier
     * batches.
     *
     * @param outputs the batch's outputs
     * @param targets its targets
     * @param width the width of the earlier batches, or -1 before the first
     * @return the batch's width
     */
    static int checkBatch(Matrix outputs, Matrix targets, int width) {
        Checks.notNull(outputs, "outputs");
        Checks.notNull(targets, "targets");
        if (outputs.rows() != targets.rows() || outputs.cols() != targets.cols()) {
            throw new IllegalArgumentException("outputs are " + outputs.shape() + " but targets are "
                    + targets.shape() + "; they must have the same shape");
        }
        if (width >= 0) {
            Checks.sameSize(outputs.cols(), width, "outputs: the number of columns",
                    "the number of columns of the earlier batches");
        }
        return outputs.cols();
    }

    /** Shape checks and sample counting shared by every built-in accumulator. */
    private abstract static class Running implements Metric.Accumulator {
        long samples;
        int width = -1;

        @Override
        public final void add(Matrix outputs, Matrix targets) {
            width = checkBatch(outputs, targets, width);
            samples += outputs.rows();
            addChecked(outputs, targets);
        }

        @Override
        public final double result() {
            return samples == 0 ? Double.NaN : value();
        }

        abstract void addChecked(Matrix outputs, Matrix targets);

        abstract double value();
    }
}
