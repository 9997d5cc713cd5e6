package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * An immutable, in-memory data set: {@code n} samples, each a row of features and a row of targets, and,
 * for a classification data set, the class label of each sample.
 *
 * <pre>{@code
 * DataSet data = DataSet.ofLabels(features, labels, 3);     // one-hot targets [n × 3]
 * DataSet.Split parts = data.split(0.8, 42);                 // 80 % train, 20 % test, reproducible
 * Standardizer scaler = Standardizer.fit(parts.train());     // statistics of the training part only
 * DataSet train = scaler.transform(parts.train());
 * DataSet test = scaler.transform(parts.test());
 * }</pre>
 *
 * <p>Storage is compact: features and targets are each one row-major {@code double[]} or {@code float[]}
 * (the {@linkplain #precision() storage precision}: {@link Precision#FLOAT64} when built from
 * {@code double[][]}, {@link Precision#FLOAT32} when built from {@code float[][]}), so 8,000 MNIST images
 * of 784 pixels take 25 MB as floats. Batches are produced in whatever precision the caller asks for.
 *
 * <p><b>Categorical columns.</b> A data set may declare its last feature columns {@linkplain #categories()
 * categorical}: each holds a 0-based category index, stored as a number like the others, and the columns before
 * them are the {@linkplain #numericFeatureCount() numeric features}. Subsets, splits and scaled copies keep the
 * declaration, and {@link FeatureScaler scalers} never change those columns.
 *
 * <p>Every data set has at least one sample, one feature and one target, and every value is finite. It is
 * thread-safe: any number of passes may run at once.
 */
public final class DataSet implements DataSource {

    private final Matrix features;
    private final Matrix targets;
    private final int[] labels;
    private final List<String> classNames;
    /** The trailing categorical feature columns; {@link Categories#none()} if there are none. */
    private final Categories categories;

    /** Trusted: the matrices are owned by this data set, checked, and never handed out writable. */
    private DataSet(Matrix features, Matrix targets, int[] labels, List<String> classNames, Categories categories) {
        this.features = features;
        this.targets = targets;
        this.labels = labels;
        this.classNames = classNames;
        this.categories = categories;
    }

    // ------------------------------------------------------------------ creation

    /**
     * Creates a data set of features and targets, stored as doubles.
     *
     * @param features {@code [n × features]}, rectangular, finite
     * @param targets {@code [n × targets]}, rectangular, finite, as many rows as {@code features}
     * @return a data set holding copies of the values
     * @throws NullPointerException if an array or a row is {@code null}
     * @throws IllegalArgumentException if an array is empty or ragged (naming the row), a value is not finite
     *     (naming row and column), or the row counts differ (naming both)
     */
    public static DataSet of(double[][] features, double[][] targets) {
        return owned(Matrix.of(Precision.FLOAT64, features, "features"), Matrix.of(Precision.FLOAT64, targets,
                "targets"));
    }

    /**
     * Creates a data set of features and targets, stored as floats.
     *
     * @param features {@code [n × features]}, rectangular, finite
     * @param targets {@code [n × targets]}, rectangular, finite, as many rows as {@code features}
     * @return a data set holding copies of the values
     * @throws NullPointerException if an array or a row is {@code null}
     * @throws IllegalArgumentException as {@link #of(double[][], double[][])}
     */
    public static DataSet of(float[][] features, float[][] targets) {
        return owned(Matrix.of(Precision.FLOAT32, features, "features"), Matrix.of(Precision.FLOAT32, targets,
                "targets"));
    }

    /**
     * Creates a data set from matrices, stored in the precision of {@code features}.
     *
     * @param features {@code [n × features]}, finite
     * @param targets {@code [n × targets]}, finite
     * @return a data set holding copies of the matrices
     * @throws IllegalArgumentException if a value is not finite (naming row and column) or the row counts
     *     differ (naming both)
     */
    public static DataSet of(Matrix features, Matrix targets) {
        Checks.notNull(features, "features");
        Checks.notNull(targets, "targets");
        return owned(features.copy(), targets.toPrecision(features.precision(), "targets"));
    }

    private static DataSet owned(Matrix features, Matrix targets) {
        checkRows(targets.rows(), features.rows(), "targets: the number of rows");
        features.requireFinite("features");
        targets.requireFinite("targets");
        return new DataSet(features, targets, null, List.of(), Categories.none());
    }

    /**
     * Creates a classification data set, stored as doubles; the targets are the labels one-hot encoded
     * (row {@code i} is 1 in column {@code labels[i]}, 0 elsewhere), and the labels are kept.
     *
     * @param features {@code [n × features]}, rectangular, finite
     * @param labels {@code [n]}, each in {@code 0..classCount-1}
     * @param classCount the number of classes, at least 1: the width of the targets
     * @return a data set with {@code classCount} targets
     * @throws IllegalArgumentException as {@link #of(double[][], double[][])}, or if a label is out of range
     *     (naming its row) or the number of labels differs from the number of rows
     */
    public static DataSet ofLabels(double[][] features, int[] labels, int classCount) {
        return withOneHotTargets(Matrix.of(Precision.FLOAT64, features, "features").requireFinite("features"),
                labels, classCount);
    }

    /**
     * Creates a classification data set, stored as floats; see {@link #ofLabels(double[][], int[], int)}.
     *
     * @param features {@code [n × features]}, rectangular, finite
     * @param labels {@code [n]}, each in {@code 0..classCount-1}
     * @param classCount the number of classes, at least 1: the width of the targets
     * @return a data set with {@code classCount} targets
     * @throws IllegalArgumentException as {@link #ofLabels(double[][], int[], int)}
     */
    public static DataSet ofLabels(float[][] features, int[] labels, int classCount) {
        return withOneHotTargets(Matrix.of(Precision.FLOAT32, features, "features").requireFinite("features"),
                labels, classCount);
    }

    /**
     * Creates a classification data set from a feature matrix, stored in its precision; see
     * {@link #ofLabels(double[][], int[], int)}.
     *
     * @param features {@code [n × features]}, finite
     * @param labels {@code [n]}, each in {@code 0..classCount-1}
     * @param classCount the number of classes, at least 1: the width of the targets
     * @return a data set with {@code classCount} targets
     * @throws IllegalArgumentException as {@link #ofLabels(double[][], int[], int)}
     */
    public static DataSet ofLabels(Matrix features, int[] labels, int classCount) {
        Checks.notNull(features, "features");
        features.requireFinite("features");
        return withOneHotTargets(features.copy(), labels, classCount);
    }

    /**
     * Creates a two-class data set for a network with a single (sigmoid) output, stored as doubles: the
     * target is one column holding the label, 0 or 1, and the labels are kept (two classes).
     *
     * @param features {@code [n × features]}, rectangular, finite
     * @param labels {@code [n]}, each 0 or 1
     * @return a data set with one target
     * @throws IllegalArgumentException as {@link #ofLabels(double[][], int[], int)}
     */
    public static DataSet ofBinaryLabels(double[][] features, int[] labels) {
        Matrix x = Matrix.of(Precision.FLOAT64, features, "features").requireFinite("features");
        int[] y = checkLabels(labels, x.rows(), 2);
        Matrix t = Matrix.zeros(x.precision(), y.length, 1);
        for (int i = 0; i < y.length; i++) {
            t.set(i, 0, y[i]);
        }
        return new DataSet(x, t, y, defaultClassNames(2), Categories.none());
    }

    /**
     * Builds a labelled data set around a feature matrix that the caller hands over (it must not be written
     * afterwards); used by the readers to avoid a copy.
     */
    static DataSet withOneHotTargets(Matrix ownedFeatures, int[] labels, int classCount) {
        Checks.positive(classCount, "classCount");
        int[] y = checkLabels(labels, ownedFeatures.rows(), classCount);
        Matrix t = Matrix.zeros(ownedFeatures.precision(), y.length, classCount);
        for (int i = 0; i < y.length; i++) {
            t.set(i, y[i], 1);
        }
        return new DataSet(ownedFeatures, t, y, defaultClassNames(classCount), Categories.none());
    }

    private static int[] checkLabels(int[] labels, int rows, int classCount) {
        Checks.notNull(labels, "labels");
        checkRows(labels.length, rows, "labels: the number of labels");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classCount) {
                throw new IllegalArgumentException("labels: row " + i + " is " + labels[i] + " but must be in 0.."
                        + (classCount - 1) + " for " + classCount + " classes");
            }
        }
        return labels.clone();
    }

    private static void checkRows(int actual, int featureRows, String what) {
        Checks.sameSize(actual, featureRows, what, "the number of feature rows");
    }

    private static List<String> defaultClassNames(int classCount) {
        return IntStream.range(0, classCount).mapToObj(Integer::toString).toList();
    }

    /**
     * Returns this data set with names for its classes, e.g. {@code "setosa"} for class 0.
     *
     * @param names one non-null name per class, in class order
     * @return a new data set sharing this one's values
     * @throws IllegalStateException if this data set has no labels
     * @throws IllegalArgumentException if the number of names differs from the number of classes
     */
    public DataSet withClassNames(List<String> names) {
        requireLabels("withClassNames");
        Checks.notNull(names, "names");
        Checks.sameSize(names.size(), classCount(), "names: the number of class names", "the number of classes");
        for (int i = 0; i < names.size(); i++) {
            Checks.notNull(names.get(i), "names: class " + i);
        }
        return new DataSet(features, targets, labels, List.copyOf(names), categories);
    }

    /**
     * Returns a data set with these features in place of this one's, keeping targets, labels and categories;
     * the caller keeps the category columns as they were.
     */
    DataSet withFeatures(Matrix ownedFeatures) {
        return new DataSet(ownedFeatures, targets, labels, classNames, categories);
    }

    /**
     * Returns this data set with its last feature columns declared categorical: the last
     * {@code categories.count()} columns hold, in the order of {@code categories}, each a 0-based category
     * index (a whole number below that column's {@linkplain CategoryMapping#cardinality() cardinality}); the
     * columns before them are the numeric features. Scalers leave the categorical columns alone, and an
     * embedding layer reads them. {@link CsvReader#categoryColumns(String...)} produces such data sets.
     *
     * @param categories the mappings of the trailing columns, in column order; {@link Categories#none()}
     *     declares every column numeric
     * @return a new data set sharing this one's values
     * @throws IllegalArgumentException if there are more categorical columns than features (naming both), or a
     *     value in a categorical column is not a valid index of its mapping (naming the row, the column and the
     *     cardinality)
     */
    public DataSet withCategories(Categories categories) {
        Checks.notNull(categories, "categories");
        int first = featureCount() - categories.count();
        if (first < 0) {
            throw new IllegalArgumentException("categories: " + categories.count() + " categorical columns "
                    + categories.columnNames() + " but the data set has only " + featureCount() + " features");
        }
        for (int c = 0; c < categories.count(); c++) {
            CategoryMapping m = categories.mapping(c);
            for (int i = 0; i < size(); i++) {
                double v = features.get(i, first + c);
                if (!(v >= 0 && v < m.cardinality() && v == Math.rint(v))) {
                    throw new IllegalArgumentException("categories: row " + i + ", feature column " + (first + c)
                            + " (categorical column " + c + ", \"" + m.column() + "\") holds " + v + ", which is not"
                            + " a category index: the column has " + m.cardinality() + " indices, 0.."
                            + (m.cardinality() - 1));
                }
            }
        }
        return new DataSet(features, targets, labels, classNames, categories);
    }

    // ------------------------------------------------------------------ accessors

    /**
     * Returns the number of samples.
     *
     * @return the number of rows, at least 1
     */
    public int size() {
        return features.rows();
    }

    /**
     * Returns the number of samples, which an in-memory data set always knows.
     *
     * @return {@link #size()}
     */
    @Override
    public OptionalLong sampleCount() {
        return OptionalLong.of(size());
    }

    @Override
    public int featureCount() {
        return features.cols();
    }

    /**
     * Returns the number of numeric features: the leading feature columns, before the categorical ones.
     *
     * @return {@code featureCount() - categories().count()}, at least 0
     */
    public int numericFeatureCount() {
        return featureCount() - categories.count();
    }

    /**
     * Returns the number of leading columns a scaler fits: the numeric features.
     *
     * @throws IllegalArgumentException if there is none, every feature being categorical
     */
    int numericFeaturesToScale() {
        if (numericFeatureCount() == 0) {
            throw new IllegalArgumentException("training: all " + featureCount() + " features are categorical columns "
                    + categories.columnNames() + ", which are never scaled: there is nothing to fit");
        }
        return numericFeatureCount();
    }

    /**
     * Returns the mappings of the categorical feature columns, which are the last {@code categories().count()}
     * columns of {@link #features()}, in this order.
     *
     * @return the categories; {@link Categories#none()} (never {@code null}) if every feature is numeric
     */
    public Categories categories() {
        return categories;
    }

    @Override
    public int targetCount() {
        return targets.cols();
    }

    /**
     * Returns the precision in which the values are stored.
     *
     * @return {@link Precision#FLOAT64} or {@link Precision#FLOAT32}
     */
    public Precision precision() {
        return features.precision();
    }

    /**
     * Returns the features without copying them.
     *
     * @return a read-only {@code [size × featureCount]} matrix in the storage precision
     */
    public Matrix features() {
        return features.readOnlyView();
    }

    /**
     * Returns the targets without copying them.
     *
     * @return a read-only {@code [size × targetCount]} matrix in the storage precision
     */
    public Matrix targets() {
        return targets.readOnlyView();
    }

    /**
     * Copies the features into arrays.
     *
     * @return a new {@code double[size][featureCount]}
     */
    public double[][] featuresAsArray() {
        return features.toDoubleArray();
    }

    /**
     * Copies the targets into arrays.
     *
     * @return a new {@code double[size][targetCount]}
     */
    public double[][] targetsAsArray() {
        return targets.toDoubleArray();
    }

    /**
     * Copies the features of one sample.
     *
     * @param row the sample, from 0
     * @return a new {@code double[featureCount]}
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public double[] features(int row) {
        return features.row(checkRow(row));
    }

    /**
     * Copies the targets of one sample.
     *
     * @param row the sample, from 0
     * @return a new {@code double[targetCount]}
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public double[] targets(int row) {
        return targets.row(checkRow(row));
    }

    /**
     * Returns whether this is a classification data set that knows each sample's class.
     *
     * @return {@code true} if it was built from labels
     */
    public boolean hasLabels() {
        return labels != null;
    }

    /**
     * Copies the class labels.
     *
     * @return a new {@code int[size]}, each in {@code 0..classCount()-1}
     * @throws IllegalStateException if this data set has no labels
     */
    public int[] labels() {
        requireLabels("labels");
        return labels.clone();
    }

    /**
     * Returns the class label of one sample.
     *
     * @param row the sample, from 0
     * @return its class, in {@code 0..classCount()-1}
     * @throws IllegalStateException if this data set has no labels
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public int label(int row) {
        requireLabels("label");
        return labels[checkRow(row)];
    }

    private int checkRow(int row) {
        if (row < 0 || row >= size()) {
            throw new IndexOutOfBoundsException("row " + row + " does not exist: the data set has " + size()
                    + " rows, numbered 0.." + (size() - 1));
        }
        return row;
    }

    /**
     * Returns the number of classes of a classification data set.
     *
     * @return the number of classes, or 0 if this data set has no labels
     */
    public int classCount() {
        return classNames.size();
    }

    /**
     * Returns the names of the classes, in class order: those given to {@link #withClassNames} or found by a
     * reader, else {@code "0"}, {@code "1"}, ….
     *
     * @return an unmodifiable list of {@link #classCount()} names, empty if this data set has no labels
     */
    public List<String> classNames() {
        return classNames;
    }

    private void requireLabels(String method) {
        if (labels == null) {
            throw new IllegalStateException(method + ": this data set has no class labels; build it with"
                    + " DataSet.ofLabels or read it with a label column");
        }
    }

    // ------------------------------------------------------------------ selection

    /**
     * Returns the given samples, in the given order; a row may appear more than once (a bootstrap sample).
     *
     * @param rows at least one row number, each in {@code 0..size()-1}
     * @return a new data set with {@code rows.length} samples, in the same storage precision
     * @throws IllegalArgumentException if {@code rows} is empty or a row number is out of range (naming its
     *     position)
     */
    public DataSet subset(int[] rows) {
        Checks.notNull(rows, "rows");
        if (rows.length == 0) {
            throw new IllegalArgumentException("rows must not be empty: a data set has at least one sample");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] < 0 || rows[i] >= size()) {
                throw new IllegalArgumentException("rows: element " + i + " is " + rows[i] + " but the data set has "
                        + size() + " rows, numbered 0.." + (size() - 1));
            }
        }
        int[] y = null;
        if (labels != null) {
            y = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                y[i] = labels[rows[i]];
            }
        }
        return new DataSet(gather(features, rows, 0, rows.length, precision()),
                gather(targets, rows, 0, rows.length, precision()), y, classNames, categories);
    }

    /**
     * Returns the first samples.
     *
     * @param count the number of samples, at least 1; more than {@link #size()} means all
     * @return a new data set of the first {@code min(count, size())} samples
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public DataSet head(int count) {
        Checks.positive(count, "count");
        return subset(IntStream.range(0, Math.min(count, size())).toArray());
    }

    /**
     * Splits the samples at random into a training part and a test part; each part keeps the samples in
     * their original order. The same seed always gives the same split.
     *
     * @param trainFraction the share of samples in the training part, strictly between 0 and 1; the training
     *     part gets {@code round(trainFraction · size())} samples
     * @param seed the seed of the random permutation
     * @return the two parts, disjoint, together holding every sample once
     * @throws IllegalArgumentException if the fraction is not strictly between 0 and 1, or leaves a part empty
     */
    public Split split(double trainFraction, long seed) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new IllegalArgumentException("trainFraction must be strictly between 0 and 1, was "
                    + trainFraction);
        }
        int trainSize = (int) Math.round(trainFraction * size());
        if (trainSize < 1 || trainSize >= size()) {
            throw new IllegalArgumentException("trainFraction " + trainFraction + " of " + size() + " samples gives "
                    + trainSize + " training and " + (size() - trainSize) + " test samples; both need at least 1");
        }
        int[] order = permutation(size(), new SplittableRandom(seed));
        int[] train = Arrays.copyOfRange(order, 0, trainSize);
        int[] test = Arrays.copyOfRange(order, trainSize, order.length);
        Arrays.sort(train);
        Arrays.sort(test);
        return new Split(subset(train), subset(test));
    }

    /**
     * A data set split in two by {@link #split(double, long)}.
     *
     * @param train the training part
     * @param test the test part
     */
    public record Split(DataSet train, DataSet test) {
        /**
         * Checks that both parts are present.
         *
         * @param train the training part
         * @param test the test part
         * @throws NullPointerException if a part is {@code null}
         */
        public Split {
            Checks.notNull(train, "train");
            Checks.notNull(test, "test");
        }
    }

    /** A Fisher–Yates shuffle of {@code 0..n-1}: for i from n−1 down to 1, swap i with a uniform j ≤ i. */
    static int[] permutation(int n, SplittableRandom random) {
        int[] order = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Copies rows {@code order[from..to)} of {@code m} into a new matrix of the given precision. */
    private static Matrix gather(Matrix m, int[] order, int from, int to, Precision precision) {
        Matrix out = Matrix.zeros(precision, to - from, m.cols());
        Matrix.gatherRows(m, order, from, to, out);
        return out;
    }

    // ------------------------------------------------------------------ batches

    /**
     * {@inheritDoc}
     *
     * <p>With {@code shuffle}, the pass visits the rows in a Fisher–Yates permutation drawn from it (so the
     * same seed gives the same order); without, in order. Every row appears in exactly one batch per pass.
     * Each batch is a pair of new writable matrices.
     *
     * @throws IllegalArgumentException if {@code batchSize} is below 1
     */
    @Override
    public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
        Checks.positive(batchSize, "batchSize");
        Checks.notNull(precision, "precision");
        int[] order = shuffle == null ? IntStream.range(0, size()).toArray() : permutation(size(), shuffle);
        return new Batches() {
            private int next;

            @Override
            public boolean hasNext() {
                return next < order.length;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the pass is over: all " + order.length + " samples were"
                            + " returned");
                }
                int end = Math.min(next + batchSize, order.length);
                Batch batch = new Batch(gather(features, order, next, end, precision),
                        gather(targets, order, next, end, precision));
                next = end;
                return batch;
            }

            @Override
            public void close() {
                next = order.length;
            }
        };
    }

    // ------------------------------------------------------------------ object

    /**
     * Data sets are equal when they hold the same values in the same precision, the same labels (or none), the
     * same class names and the same categories.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof DataSet d && d.features.equals(features) && d.targets.equals(targets)
                && Arrays.equals(d.labels, labels) && d.classNames.equals(classNames)
                && d.categories.equals(categories);
    }

    @Override
    public int hashCode() {
        return Objects.hash(features, targets, Arrays.hashCode(labels), classNames, categories);
    }

    /**
     * Returns the sizes, never the values, e.g.
     * {@code "DataSet[150 samples, 4 features, 3 targets, 3 classes (setosa, versicolor, virginica), FLOAT64]"},
     * or with categorical columns {@code "DataSet[500 samples, 5 features (2 numeric + 3 categorical: a, b, c),
     * …]"}.
     */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("DataSet[").append(size()).append(" samples, ").append(featureCount())
                .append(" features");
        if (!categories.isEmpty()) {
            s.append(" (").append(numericFeatureCount()).append(" numeric + ").append(categories.count())
                    .append(" categorical: ").append(String.join(", ", categories.columnNames())).append(')');
        }
        s.append(", ").append(targetCount()).append(" targets");
        if (labels != null) {
            List<String> shown = new ArrayList<>(classNames.subList(0, Math.min(10, classNames.size())));
            if (classNames.size() > shown.size()) {
                shown.add("…");
            }
            s.append(", ").append(classCount()).append(" classes (").append(String.join(", ", shown)).append(')');
        }
        return s.append(", ").append(precision()).append(']').toString();
    }
}
