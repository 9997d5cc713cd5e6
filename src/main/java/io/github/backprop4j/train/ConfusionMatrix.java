package io.github.backprop4j.train;

import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Precision;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The counts of a classifier's predictions, {@code count(actual, predicted)}, with the measures derived from
 * them: accuracy, and per class {@code k}
 *
 * <ul>
 *   <li>precision {@code = TPₖ / (TPₖ + FPₖ)}: of the samples predicted {@code k}, the share that are {@code k};
 *   <li>recall {@code = TPₖ / (TPₖ + FNₖ)}: of the samples that are {@code k}, the share predicted {@code k};
 *   <li>F1 {@code = 2 · precision · recall / (precision + recall)}, their harmonic mean;
 * </ul>
 *
 * <p>and their macro averages, the unweighted means over all classes. <b>The 0/0 case</b>: a class that is
 * never predicted has precision 0, a class that never occurs has recall 0, and F1 is 0 when precision and
 * recall are both 0 (scikit-learn's {@code zero_division=0}); such classes still count in the macro averages.
 *
 * <pre>{@code
 * ConfusionMatrix cm = ConfusionMatrix.of(network, testData);
 * System.out.println(cm);            // an aligned table with the class names
 * double f1 = cm.macroF1();
 * }</pre>
 *
 * <p>Immutable.
 */
public final class ConfusionMatrix {

    private final long[][] counts;
    private final List<String> classNames;
    private final long total;

    private ConfusionMatrix(long[][] counts, List<String> classNames) {
        this.counts = counts;
        this.classNames = classNames;
        this.total = Arrays.stream(counts).flatMapToLong(Arrays::stream).sum();
    }

    /**
     * Counts pairs of actual and predicted classes; the classes are named {@code "0"}, {@code "1"}, ….
     *
     * @param actual the true class of each sample, each in {@code 0..classCount-1}
     * @param predicted the predicted class of each sample, as many as {@code actual}, each in range
     * @param classCount the number of classes, at least 1
     * @return the confusion matrix
     * @throws IllegalArgumentException if the lengths differ, naming both, or a class is out of range, naming
     *     the array and the sample
     */
    public static ConfusionMatrix of(int[] actual, int[] predicted, int classCount) {
        Checks.positive(classCount, "classCount");
        return of(actual, predicted, IntStream.range(0, classCount).mapToObj(Integer::toString).toList());
    }

    /**
     * Counts pairs of actual and predicted classes, with names for the classes.
     *
     * @param actual the true class of each sample, each in {@code 0..classNames.size()-1}
     * @param predicted the predicted class of each sample, as many as {@code actual}, each in range
     * @param classNames one name per class, at least one
     * @return the confusion matrix
     * @throws IllegalArgumentException if the lengths differ, naming both, or a class is out of range, naming
     *     the array and the sample
     */
    public static ConfusionMatrix of(int[] actual, int[] predicted, List<String> classNames) {
        Checks.notNull(actual, "actual");
        Checks.notNull(predicted, "predicted");
        Checks.notNull(classNames, "classNames");
        List<String> names = List.copyOf(classNames);
        int k = Checks.positive(names.size(), "classNames: the number of classes");
        Checks.sameSize(predicted.length, actual.length, "predicted: the number of samples",
                "the number of actual classes");
        long[][] counts = new long[k][k];
        for (int i = 0; i < actual.length; i++) {
            counts[checkClass(actual[i], "actual", i, k)][checkClass(predicted[i], "predicted", i, k)]++;
        }
        return new ConfusionMatrix(counts, names);
    }

    /**
     * Evaluates a classifier on a labelled data set: predicts every sample, in batches, and counts the
     * predictions ({@link Network#predictClasses(io.github.backprop4j.math.Matrix)}) against the labels.
     * The classes take the data set's names.
     *
     * @param network a network with one output per class, or a single output for two classes
     * @param data a data set with labels and the network's input size
     * @return the confusion matrix
     * @throws IllegalStateException if the data set has no labels
     * @throws IllegalArgumentException if the sizes do not fit, naming both
     */
    public static ConfusionMatrix of(Network network, DataSet data) {
        Checks.notNull(network, "network");
        Checks.notNull(data, "data");
        int[] actual = data.labels();
        Checks.sameSize(data.featureCount(), network.inputSize(), "data: the number of features",
                "the network's input size");
        int outputs = network.outputSize();
        if (!(outputs == data.classCount() || (outputs == 1 && data.classCount() == 2))) {
            throw new IllegalArgumentException("the network has " + outputs + " outputs but the data have "
                    + data.classCount() + " classes; a classifier needs one output per class, or one output for"
                    + " two classes");
        }
        int[] predicted = new int[actual.length];
        int next = 0;
        Precision precision = network.precision();
        try (DataSource.Batches batches = data.batches(1024, precision, null)) {
            while (batches.hasNext()) {
                int[] classes = network.predictClasses(batches.next().features());
                System.arraycopy(classes, 0, predicted, next, classes.length);
                next += classes.length;
            }
        }
        return of(actual, predicted, data.classNames());
    }

    private static int checkClass(int value, String name, int sample, int classCount) {
        if (value < 0 || value >= classCount) {
            throw new IllegalArgumentException(name + ": sample " + sample + " has class " + value
                    + " but classes are 0.." + (classCount - 1));
        }
        return value;
    }

    private int checkClass(int k, String name) {
        if (k < 0 || k >= counts.length) {
            throw new IndexOutOfBoundsException(name + ": class " + k + " does not exist: classes are 0.."
                    + (counts.length - 1));
        }
        return k;
    }

    /**
     * Returns the number of classes.
     *
     * @return the number of rows and columns
     */
    public int classCount() {
        return counts.length;
    }

    /**
     * Returns the class names.
     *
     * @return an unmodifiable list, one name per class
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Returns the number of samples of one class predicted as another.
     *
     * @param actual the true class
     * @param predicted the predicted class
     * @return the count
     * @throws IndexOutOfBoundsException if a class is out of range
     */
    public long count(int actual, int predicted) {
        return counts[checkClass(actual, "actual")][checkClass(predicted, "predicted")];
    }

    /**
     * Copies the counts, rows for actual classes and columns for predicted classes.
     *
     * @return a new {@code [classCount × classCount]} array
     */
    public long[][] counts() {
        return Arrays.stream(counts).map(long[]::clone).toArray(long[][]::new);
    }

    /**
     * Returns the number of samples counted.
     *
     * @return the sum of all counts
     */
    public long total() {
        return total;
    }

    /**
     * Returns the number of samples of a class, its support.
     *
     * @param k the class
     * @return {@code TPₖ + FNₖ}, the sum of row {@code k}
     */
    public long actualCount(int k) {
        checkClass(k, "k");
        return Arrays.stream(counts[k]).sum();
    }

    /**
     * Returns the number of samples predicted as a class.
     *
     * @param k the class
     * @return {@code TPₖ + FPₖ}, the sum of column {@code k}
     */
    public long predictedCount(int k) {
        checkClass(k, "k");
        return Arrays.stream(counts).mapToLong(row -> row[k]).sum();
    }

    /**
     * Returns the share of samples predicted correctly.
     *
     * @return the sum of the diagonal over the total, NaN if no sample was counted
     */
    public double accuracy() {
        long correct = IntStream.range(0, classCount()).mapToLong(k -> counts[k][k]).sum();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    /**
     * Returns the precision of a class, {@code TPₖ / (TPₖ + FPₖ)}.
     *
     * @param k the class
     * @return the precision, 0 if the class is never predicted
     */
    public double precision(int k) {
        checkClass(k, "k");
        return ratio(counts[k][k], predictedCount(k));
    }

    /**
     * Returns the recall of a class, {@code TPₖ / (TPₖ + FNₖ)}.
     *
     * @param k the class
     * @return the recall, 0 if the class never occurs
     */
    public double recall(int k) {
        checkClass(k, "k");
        return ratio(counts[k][k], actualCount(k));
    }

    /**
     * Returns the F1 score of a class, {@code 2 · precision · recall / (precision + recall)}.
     *
     * @param k the class
     * @return the F1 score, 0 if precision and recall are both 0
     */
    public double f1(int k) {
        checkClass(k, "k");
        double p = precision(k);
        double r = recall(k);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /**
     * Returns the unweighted mean of the per-class precisions.
     *
     * @return the macro-averaged precision
     */
    public double macroPrecision() {
        return IntStream.range(0, classCount()).mapToDouble(this::precision).average().orElseThrow();
    }

    /**
     * Returns the unweighted mean of the per-class recalls.
     *
     * @return the macro-averaged recall
     */
    public double macroRecall() {
        return IntStream.range(0, classCount()).mapToDouble(this::recall).average().orElseThrow();
    }

    /**
     * Returns the unweighted mean of the per-class F1 scores (not the F1 of the macro precision and recall).
     *
     * @return the macro-averaged F1 score
     */
    public double macroF1() {
        return IntStream.range(0, classCount()).mapToDouble(this::f1).average().orElseThrow();
    }

    private static double ratio(long numerator, long denominator) {
        return denominator == 0 ? 0 : (double) numerator / denominator;
    }

    /** Equal when the counts and class names are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ConfusionMatrix m && Arrays.deepEquals(m.counts, counts)
                && m.classNames.equals(classNames);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.deepHashCode(counts) + classNames.hashCode();
    }

    /**
     * Returns an aligned table: one row per actual class with its counts per predicted class, then its
     * precision, recall, F1 and support; then the accuracy and macro averages. For example:
     *
     * <pre>
     * actual \ predicted  setosa  versicolor  virginica  precision  recall     f1  support
     * setosa                  10           0          0      1.000   1.000  1.000       10
     * ...
     * </pre>
     */
    @Override
    public String toString() {
        int k = classCount();
        String corner = "actual \\ predicted";
        int nameWidth = corner.length();
        for (String name : classNames) {
            nameWidth = Math.max(nameWidth, name.length());
        }
        int[] widths = new int[k];
        for (int c = 0; c < k; c++) {
            widths[c] = Math.max(classNames.get(c).length(), Long.toString(predictedCount(c)).length());
            for (int r = 0; r < k; r++) {
                widths[c] = Math.max(widths[c], Long.toString(counts[r][c]).length());
            }
        }
        StringBuilder s = new StringBuilder();
        s.append(pad(corner, nameWidth, false));
        for (int c = 0; c < k; c++) {
            s.append("  ").append(pad(classNames.get(c), widths[c], true));
        }
        s.append(String.format(Locale.ROOT, "  %9s  %6s  %6s  %7s\n", "precision", "recall", "f1", "support"));
        for (int r = 0; r < k; r++) {
            s.append(pad(classNames.get(r), nameWidth, false));
            for (int c = 0; c < k; c++) {
                s.append("  ").append(pad(Long.toString(counts[r][c]), widths[c], true));
            }
            s.append(String.format(Locale.ROOT, "  %9.3f  %6.3f  %6.3f  %7d\n", precision(r), recall(r), f1(r),
                    actualCount(r)));
        }
        s.append(String.format(Locale.ROOT, "accuracy %.3f (%d samples); macro precision %.3f, recall %.3f, f1 %.3f",
                accuracy(), total, macroPrecision(), macroRecall(), macroF1()));
        return s.toString();
    }

    private static String pad(String text, int width, boolean right) {
        String spaces = " ".repeat(Math.max(0, width - text.length()));
        return right ? spaces + text : text + spaces;
    }
}
