package io.github.backprop4j.spark;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Turns a Spark SQL {@code Dataset<Row>} into the samples {@link SparkTrainer} trains on.
 *
 * <p>A feature or target column may hold an ML vector ({@code org.apache.spark.ml.linalg.Vector}, as
 * {@code VectorAssembler} writes it; needs {@code spark-mllib} on the cluster), an array of numbers
 * ({@code array<double>}, {@code array<float>}, …) or, for a target, a single number. Null values are an
 * error naming the column.
 */
public final class SparkData {

    private SparkData() {
    }

    /**
     * Samples whose targets are a column's values as they are, e.g. for regression.
     *
     * @param rows the data
     * @param featuresColumn a vector or array column
     * @param targetsColumn a vector, array or numeric column
     * @return one sample per row, in the rows' order
     * @throws IllegalArgumentException if a column does not exist
     */
    public static JavaRDD<Sample> samples(Dataset<Row> rows, String featuresColumn, String targetsColumn) {
        int f = rows.schema().fieldIndex(featuresColumn);
        int t = rows.schema().fieldIndex(targetsColumn);
        return rows.toJavaRDD().map(row -> new Sample(values(row, f, featuresColumn), values(row, t, targetsColumn)));
    }

    /**
     * Samples of classes: the label column's integer value becomes a one-hot target row.
     *
     * @param rows the data
     * @param featuresColumn a vector or array column
     * @param labelColumn a numeric column holding whole numbers 0..{@code classCount}−1
     * @param classCount the number of classes, at least 2
     * @return one sample per row, in the rows' order
     * @throws IllegalArgumentException if a column does not exist or {@code classCount} is below 2; a label
     *     that is not a class fails the Spark job with a message naming it
     */
    public static JavaRDD<Sample> labelledSamples(Dataset<Row> rows, String featuresColumn, String labelColumn,
            int classCount) {
        if (classCount < 2) {
            throw new IllegalArgumentException("classCount must be at least 2, was " + classCount);
        }
        int f = rows.schema().fieldIndex(featuresColumn);
        int l = rows.schema().fieldIndex(labelColumn);
        return rows.toJavaRDD().map(row -> {
            double label = number(row, l, labelColumn);
            if (label != Math.rint(label)) {
                throw new IllegalArgumentException("column '" + labelColumn + "' holds " + label
                        + ", which is not a class number");
            }
            return Sample.ofLabel(values(row, f, featuresColumn), (int) label, classCount);
        });
    }

    private static double number(Row row, int i, String column) {
        Object v = row.get(i);
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        throw new IllegalArgumentException("column '" + column + "' must hold a number, but holds " + describe(v));
    }

    static double[] values(Row row, int i, String column) {
        Object v = row.get(i);
        if (v == null) {
            throw new IllegalArgumentException("column '" + column + "' holds null");
        }
        if (v instanceof Number n) {
            return new double[] {n.doubleValue()};
        }
        if (v instanceof scala.collection.Seq<?>) {
            List<Object> list = row.getList(i);
            double[] out = new double[list.size()];
            for (int k = 0; k < out.length; k++) {
                if (!(list.get(k) instanceof Number n)) {
                    throw new IllegalArgumentException("column '" + column + "' holds an array with "
                            + describe(list.get(k)) + " at " + k);
                }
                out[k] = n.doubleValue();
            }
            return out;
        }
        if (v.getClass().getName().startsWith("org.apache.spark.ml.linalg.")) {
            return MlVectors.toArray(v); // loads spark-mllib only for vector columns
        }
        throw new IllegalArgumentException("column '" + column + "' must hold a vector, an array of numbers or a "
                + "number, but holds " + describe(v));
    }

    private static String describe(Object v) {
        return v == null ? "null" : v.getClass().getName();
    }

    /** Kept apart so that its reference to spark-mllib is resolved only when a vector column is read. */
    private static final class MlVectors {
        static double[] toArray(Object vector) {
            return ((org.apache.spark.ml.linalg.Vector) vector).toArray();
        }
    }
}
