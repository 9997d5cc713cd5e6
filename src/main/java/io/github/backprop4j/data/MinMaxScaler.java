package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.Arrays;
import java.util.Objects;

/**
 * Scales each feature linearly so that its training range {@code [minⱼ, maxⱼ]} maps onto
 * {@code [lower, upper]} ({@code [0, 1]} unless given):
 * {@code x' = lower + (x − minⱼ) · (upper − lower) / (maxⱼ − minⱼ)}, as scikit-learn's {@code MinMaxScaler}.
 *
 * <p>Other data may fall outside the training range and are not clipped: a value above {@code maxⱼ} maps
 * above {@code upper}. A constant feature ({@code maxⱼ = minⱼ}) is treated as having range 1, so it maps to
 * {@code lower} on the training data rather than to NaN.
 *
 * <p>Immutable; equal when the ranges are equal.
 */
public final class MinMaxScaler implements FeatureScaler {

    private final double[] minimums;
    private final double[] maximums;
    private final double lower;
    private final double upper;

    private MinMaxScaler(double[] minimums, double[] maximums, double lower, double upper) {
        this.minimums = minimums;
        this.maximums = maximums;
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * Fits the scaler to the numeric features of a data set, to map them onto {@code [0, 1]}; its categorical
     * columns, if it {@linkplain DataSet#categories() declares} any, are left out.
     *
     * @param training the training data
     * @return the fitted scaler, of {@link DataSet#numericFeatureCount()} features
     * @throws IllegalArgumentException if every feature of the data set is categorical
     */
    public static MinMaxScaler fit(DataSet training) {
        return fit(training, 0, 1);
    }

    /**
     * Fits the scaler to the numeric features of a data set, to map them onto {@code [lower, upper]}; its
     * categorical columns, if it {@linkplain DataSet#categories() declares} any, are left out.
     *
     * @param training the training data
     * @param lower the image of each feature's training minimum, finite
     * @param upper the image of each feature's training maximum, finite and &gt; {@code lower}
     * @return the fitted scaler, of {@link DataSet#numericFeatureCount()} features
     * @throws IllegalArgumentException if the range is not finite or not increasing, or every feature of the
     *     data set is categorical
     */
    public static MinMaxScaler fit(DataSet training, double lower, double upper) {
        Checks.notNull(training, "training");
        checkRange(lower, upper);
        Matrix x = training.features();
        int d = training.numericFeaturesToScale();
        double[] min = new double[d];
        double[] max = new double[d];
        Arrays.fill(min, Double.POSITIVE_INFINITY);
        Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < d; j++) {
                double v = x.get(i, j);
                min[j] = Math.min(min[j], v);
                max[j] = Math.max(max[j], v);
            }
        }
        return new MinMaxScaler(min, max, lower, upper);
    }

    /**
     * Fits the scaler to samples given as arrays, to map them onto {@code [0, 1]}.
     *
     * @param training {@code [n × features]}, at least one rectangular row of finite values
     * @return the fitted scaler
     * @throws IllegalArgumentException if the array is empty, ragged or holds a value that is not finite
     */
    public static MinMaxScaler fit(double[][] training) {
        Matrix x = Matrix.of(Precision.FLOAT64, training, "training").requireFinite("training");
        return fit(DataSet.of(x, Matrix.zeros(Precision.FLOAT64, x.rows(), 1)));
    }

    /**
     * Creates a scaler from parameters kept from an earlier fit.
     *
     * @param minimums each feature's training minimum, finite
     * @param maximums each feature's training maximum, finite and &ge; its minimum, as many as minimums
     * @param lower the image of a minimum, finite
     * @param upper the image of a maximum, finite and &gt; {@code lower}
     * @return the scaler
     * @throws IllegalArgumentException if the arrays are empty or differ in length, or a value is invalid
     *     (naming the feature)
     */
    public static MinMaxScaler of(double[] minimums, double[] maximums, double lower, double upper) {
        Checks.notNull(minimums, "minimums");
        Checks.notNull(maximums, "maximums");
        Checks.positive(minimums.length, "minimums: the number of features");
        Checks.sameSize(maximums.length, minimums.length, "maximums: the number of values",
                "the number of minimums");
        checkRange(lower, upper);
        for (int j = 0; j < minimums.length; j++) {
            Checks.finite(minimums[j], "minimums: feature " + j);
            Checks.finite(maximums[j], "maximums: feature " + j);
            if (maximums[j] < minimums[j]) {
                throw new IllegalArgumentException("feature " + j + ": maximum " + maximums[j]
                        + " is below minimum " + minimums[j]);
            }
        }
        return new MinMaxScaler(minimums.clone(), maximums.clone(), lower, upper);
    }

    private static void checkRange(double lower, double upper) {
        Checks.finite(lower, "lower");
        Checks.finite(upper, "upper");
        if (!(upper > lower)) {
            throw new IllegalArgumentException("upper must be greater than lower, but the range is [" + lower + ", "
                    + upper + "]");
        }
    }

    @Override
    public int featureCount() {
        return minimums.length;
    }

    /** {@code x' = lower + (x − minⱼ) · (upper − lower) / (maxⱼ − minⱼ)}, range 1 for a constant feature. */
    @Override
    public double transform(int feature, double value) {
        checkFeature(feature);
        double range = maximums[feature] - minimums[feature];
        return lower + (value - minimums[feature]) * (upper - lower) / (range == 0 ? 1 : range);
    }

    /**
     * Returns each feature's minimum over the training data.
     *
     * @return a new array of {@link #featureCount()} values
     */
    public double[] minimums() {
        return minimums.clone();
    }

    /**
     * Returns each feature's maximum over the training data.
     *
     * @return a new array of {@link #featureCount()} values
     */
    public double[] maximums() {
        return maximums.clone();
    }

    /**
     * Returns the value a training minimum maps to.
     *
     * @return the lower end of the target range
     */
    public double lower() {
        return lower;
    }

    /**
     * Returns the value a training maximum maps to.
     *
     * @return the upper end of the target range
     */
    public double upper() {
        return upper;
    }

    /** Scalers are equal when their training ranges and target ranges are equal. */
    /** Throws unless {@code feature} is one of the columns this scaler was fitted on. */
    private void checkFeature(int feature) {
        if (feature < 0 || feature >= featureCount()) {
            throw new IndexOutOfBoundsException("feature " + feature + " does not exist: the scaler was fitted on "
                    + featureCount() + " features, numbered 0.." + (featureCount() - 1));
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof MinMaxScaler s && Arrays.equals(s.minimums, minimums)
                && Arrays.equals(s.maximums, maximums) && Double.compare(s.lower, lower) == 0
                && Double.compare(s.upper, upper) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(minimums), Arrays.hashCode(maximums), lower, upper);
    }

    /** Returns the size and target range, e.g. {@code "MinMaxScaler[4 features → [0.0, 1.0]]"}. */
    @Override
    public String toString() {
        return "MinMaxScaler[" + featureCount() + " features → [" + lower + ", " + upper + "]]";
    }
}
