package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.Arrays;
import java.util.Objects;

/**
 * Standardises each feature to zero mean and unit variance, {@code x' = (x − μⱼ) / σⱼ}, with the mean
 * {@code μⱼ} and the population standard deviation {@code σⱼ = √(Σ(x − μⱼ)² / n)} of feature {@code j} over
 * the training data (as scikit-learn's {@code StandardScaler}).
 *
 * <p>A constant feature ({@code σⱼ = 0}, every training value equal) is centred but not scaled: it is
 * divided by 1 instead of 0, so it becomes 0 on the training data rather than NaN, and other data keep
 * their offset from the constant. {@link #standardDeviations()} still reports 0 for it.
 *
 * <p>Immutable; equal when the means and deviations are equal.
 */
public final class Standardizer implements FeatureScaler {

    private final double[] means;
    private final double[] deviations;

    private Standardizer(double[] means, double[] deviations) {
        this.means = means;
        this.deviations = deviations;
    }

    /**
     * Fits the scaler to the numeric features of a data set; its categorical columns, if it
     * {@linkplain DataSet#categories() declares} any, are left out.
     *
     * @param training the training data
     * @return the fitted scaler, of {@link DataSet#numericFeatureCount()} features
     * @throws IllegalArgumentException if every feature of the data set is categorical
     */
    public static Standardizer fit(DataSet training) {
        Checks.notNull(training, "training");
        return fit(training.features(), training.numericFeaturesToScale());
    }

    /**
     * Fits the scaler to samples given as arrays.
     *
     * @param training {@code [n × features]}, at least one rectangular row of finite values
     * @return the fitted scaler
     * @throws IllegalArgumentException if the array is empty, ragged or holds a value that is not finite
     */
    public static Standardizer fit(double[][] training) {
        Matrix x = Matrix.of(Precision.FLOAT64, training, "training").requireFinite("training");
        return fit(x, x.cols());
    }

    /** Fits the first {@code d} columns of {@code x}. */
    private static Standardizer fit(Matrix x, int d) {
        int n = x.rows();
        double[] mean = new double[d];
        double[] deviation = new double[d];
        for (int j = 0; j < d; j++) {
            double sum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                double v = x.get(i, j);
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            mean[j] = sum / n;
            if (min == max) {
                // constant: exactly zero, not the rounding noise of Σ(x − μ)²
                mean[j] = min;
                continue;
            }
            double squares = 0;
            for (int i = 0; i < n; i++) {
                double e = x.get(i, j) - mean[j];
                squares += e * e;
            }
            deviation[j] = Math.sqrt(squares / n);
        }
        return new Standardizer(mean, deviation);
    }

    /**
     * Creates a scaler from parameters kept from an earlier fit.
     *
     * @param means the mean of each feature, finite
     * @param standardDeviations the standard deviation of each feature, finite and &ge; 0, as many as means
     * @return the scaler
     * @throws IllegalArgumentException if the arrays are empty or differ in length, or a value is invalid
     *     (naming the feature)
     */
    public static Standardizer of(double[] means, double[] standardDeviations) {
        Checks.notNull(means, "means");
        Checks.notNull(standardDeviations, "standardDeviations");
        Checks.positive(means.length, "means: the number of features");
        Checks.sameSize(standardDeviations.length, means.length, "standardDeviations: the number of values",
                "the number of means");
        for (int j = 0; j < means.length; j++) {
            Checks.finite(means[j], "means: feature " + j);
            Checks.nonNegativeFinite(standardDeviations[j], "standardDeviations: feature " + j);
        }
        return new Standardizer(means.clone(), standardDeviations.clone());
    }

    @Override
    public int featureCount() {
        return means.length;
    }

    /** {@code x' = (x − μⱼ) / σⱼ}, or {@code x − μⱼ} for a constant feature. */
    @Override
    public double transform(int feature, double value) {
        checkFeature(feature);
        double sigma = deviations[feature];
        return sigma == 0 ? value - means[feature] : (value - means[feature]) / sigma;
    }

    /**
     * Returns the mean of each feature over the training data.
     *
     * @return a new array of {@link #featureCount()} means
     */
    public double[] means() {
        return means.clone();
    }

    /**
     * Returns the population standard deviation of each feature over the training data.
     *
     * @return a new array of {@link #featureCount()} deviations, 0 for a constant feature
     */
    public double[] standardDeviations() {
        return deviations.clone();
    }

    /** Scalers are equal when their means and standard deviations are equal. */
    /** Throws unless {@code feature} is one of the columns this scaler was fitted on. */
    private void checkFeature(int feature) {
        if (feature < 0 || feature >= featureCount()) {
            throw new IndexOutOfBoundsException("feature " + feature + " does not exist: the scaler was fitted on "
                    + featureCount() + " features, numbered 0.." + (featureCount() - 1));
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Standardizer s && Arrays.equals(s.means, means)
                && Arrays.equals(s.deviations, deviations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(means), Arrays.hashCode(deviations));
    }

    /** Returns the size, e.g. {@code "Standardizer[4 features]"}. */
    @Override
    public String toString() {
        return "Standardizer[" + featureCount() + " features]";
    }
}
