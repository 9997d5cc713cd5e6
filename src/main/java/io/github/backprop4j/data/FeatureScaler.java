package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;

/**
 * A per-feature transformation fitted on training data and then applied, unchanged, to any data: training,
 * validation, test, and the inputs of a deployed model. Fit on the training part only, so that no statistic
 * of the test data leaks into the model:
 *
 * <pre>{@code
 * Standardizer scaler = Standardizer.fit(split.train());
 * DataSet train = scaler.transform(split.train());
 * DataSet test = scaler.transform(split.test());     // uses the training means and deviations
 * double[] input = scaler.transform(new double[] {5.1, 3.5, 1.4, 0.2});
 * }</pre>
 *
 * <p>A fitted scaler is an immutable value: keep it with the model it was trained for. Only features are
 * transformed; targets and labels pass through.
 *
 * <p><b>Categorical columns.</b> A scaler is fitted on, and applied to, the {@linkplain
 * DataSet#numericFeatureCount() numeric features} only: the category indices that a data set declares in its last
 * columns ({@link DataSet#categories()}) are neither measured nor changed, since scaling an index would make it
 * no index at all. For one sample given as its numeric features followed by its indices, use
 * {@link #transformNumeric(double[])}.
 */
public interface FeatureScaler {

    /**
     * Returns the number of features the scaler was fitted on.
     *
     * @return the required width of every input
     */
    int featureCount();

    /**
     * Transforms one feature {@code value} of column {@code feature}.
     *
     * @param feature the column, from 0
     * @param value the raw value
     * @return the scaled value
     * @throws IndexOutOfBoundsException if there is no such feature
     */
    double transform(int feature, double value);

    /**
     * Transforms one sample.
     *
     * @param features the raw features, {@code [featureCount]}
     * @return a new array of the scaled features
     * @throws IllegalArgumentException if the length differs from {@link #featureCount()}, naming both
     */
    default double[] transform(double[] features) {
        Checks.notNull(features, "features");
        Checks.sameSize(features.length, featureCount(), "features: the number of values",
                "the number of features the scaler was fitted on");
        double[] out = new double[features.length];
        for (int j = 0; j < out.length; j++) {
            out[j] = transform(j, features[j]);
        }
        return out;
    }

    /**
     * Transforms one sample whose numeric features are followed by its category indices: the first
     * {@link #featureCount()} values are scaled, the rest copied unchanged.
     *
     * @param row the raw numeric features, {@code [featureCount]}, then any number of category indices
     * @return a new array of the same length
     * @throws IllegalArgumentException if the row is shorter than {@link #featureCount()}, naming both lengths
     */
    default double[] transformNumeric(double[] row) {
        Checks.notNull(row, "row");
        if (row.length < featureCount()) {
            throw new IllegalArgumentException("row: " + row.length + " values, fewer than the " + featureCount()
                    + " numeric features the scaler was fitted on");
        }
        double[] out = row.clone();
        for (int j = 0; j < featureCount(); j++) {
            out[j] = transform(j, row[j]);
        }
        return out;
    }

    /**
     * Transforms several samples.
     *
     * @param features the raw features, {@code [n × featureCount]}
     * @return new arrays of the scaled features
     * @throws NullPointerException if a row is {@code null}, naming it
     * @throws IllegalArgumentException if a row's length differs from {@link #featureCount()}, naming the row
     *     and both sizes
     */
    default double[][] transform(double[][] features) {
        Checks.notNull(features, "features");
        double[][] out = new double[features.length][];
        for (int i = 0; i < features.length; i++) {
            Checks.notNull(features[i], "features: row " + i);
            Checks.sameSize(features[i].length, featureCount(), "features: the number of values in row " + i,
                    "the number of features the scaler was fitted on");
            out[i] = transform(features[i]);
        }
        return out;
    }

    /**
     * Transforms the numeric features of a data set, keeping its category columns, targets, labels, categories
     * and storage precision.
     *
     * @param data a data set with {@link #featureCount()} {@linkplain DataSet#numericFeatureCount() numeric
     *     features}
     * @return a new data set
     * @throws IllegalArgumentException if the number of numeric features differs, naming both (and the
     *     categorical columns left aside), or a scaled value is not finite
     */
    default DataSet transform(DataSet data) {
        Checks.notNull(data, "data");
        int numeric = data.numericFeatureCount();
        int categorical = data.categories().count();
        Checks.sameSize(numeric, featureCount(), categorical == 0 ? "data: the number of features"
                : "data: the number of numeric features (beside " + categorical + " categorical columns, which are"
                + " never scaled)", "the number of features the scaler was fitted on");
        Matrix x = data.features();
        Matrix out = x.copy();
        for (int i = 0; i < x.rows(); i++) {
            for (int j = 0; j < numeric; j++) {
                out.set(i, j, transform(j, x.get(i, j)));
            }
        }
        return data.withFeatures(out.requireFinite("scaled features"));
    }
}
