package io.github.backprop4j.spark.ml;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import java.util.Arrays;
import org.apache.spark.ml.attribute.AttributeGroup;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The column params that {@link NetworkEstimator} and {@link NetworkModel} share (Spark's own shared-param traits,
 * {@code HasFeaturesCol} and the like, are {@code private[ml]}), each name, default and description written here
 * once, and the checks of a schema and of a row's values against a network.
 */
final class Columns {

    static final String FEATURES_COL = "featuresCol";
    static final String LABEL_COL = "labelCol";
    static final String PREDICTION_COL = "predictionCol";
    static final String PROBABILITY_COL = "probabilityCol";

    private Columns() {
    }

    /** What a network predicts, from its loss: which columns its model writes, and what a label is. */
    enum Task {
        /**
         * Softmax cross-entropy (also with class weights) over 2 or more outputs, or binary cross-entropy over one:
         * the label is a class index, the prediction the most probable class, the probability column the classes'
         * probabilities.
         */
        CLASSIFICATION,
        /** Any other loss: the label holds the targets, the prediction the network's outputs; no probabilities. */
        REGRESSION;

        /** The task of a network trained with a loss: see the constants. */
        static Task of(Loss loss, Network network) {
            String name = loss.name();
            boolean softmaxClasses = (name.equals("cross_entropy") || name.equals("weighted_cross_entropy"))
                    && network.outputSize() >= 2;
            boolean binary = name.equals("binary_cross_entropy") && network.outputSize() == 1;
            return softmaxClasses || binary ? CLASSIFICATION : REGRESSION;
        }

        /** The param value, {@code "classification"} or {@code "regression"}. */
        String paramValue() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static Task ofParamValue(String value) {
            return valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    /** The number of classes of a classifier: its outputs, or 2 for a single (sigmoid) output. */
    static int classCount(Network network) {
        return Math.max(2, network.outputSize());
    }

    static Param<String> featuresCol(Identifiable owner) {
        return new Param<>(owner, FEATURES_COL, "the features column: an ML Vector of the network's input size");
    }

    static Param<String> labelCol(Identifiable owner) {
        return new Param<>(owner, LABEL_COL, "the label column: a class index 0..classes-1 (classification), or "
                + "the targets, a number or a Vector of the network's output size (regression)");
    }

    static Param<String> predictionCol(Identifiable owner) {
        return new Param<>(owner, PREDICTION_COL, "the prediction column written by transform: the class index as "
                + "a double (classification), or the output as a double, or as a Vector for several outputs "
                + "(regression); empty for none");
    }

    static Param<String> probabilityCol(Identifiable owner) {
        return new Param<>(owner, PROBABILITY_COL, "the probability column written by transform for "
                + "classification: a Vector of the classes' probabilities; empty for none");
    }

    /** The defaults of the params above, Spark ML's usual names. */
    static final String DEFAULT_FEATURES = "features";
    static final String DEFAULT_LABEL = "label";
    static final String DEFAULT_PREDICTION = "prediction";
    static final String DEFAULT_PROBABILITY = "probability";

    /** Returns the field, or throws naming the param, the column and the columns there are. */
    static StructField field(StructType schema, String column, String param) {
        if (!Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + ": column '" + column + "' does not exist; the columns are "
                    + Arrays.toString(schema.fieldNames()));
        }
        return schema.apply(column);
    }

    /**
     * Checks that a column holds ML vectors of the network's input size (when the column's ML attributes say its
     * size, as {@code VectorAssembler}'s do; otherwise each row is checked when it is read).
     */
    static void checkFeatures(StructType schema, String column, Network network) {
        StructField f = field(schema, column, FEATURES_COL);
        String expected = "an ML Vector (org.apache.spark.ml.linalg.VectorUDT, e.g. from VectorAssembler) of size "
                + network.inputSize() + " (the network's input size)";
        if (!f.dataType().equals(SQLDataTypes.VectorType())) {
            throw new IllegalArgumentException(FEATURES_COL + ": column '" + column + "' must hold " + expected
                    + ", but is of type " + f.dataType().simpleString());
        }
        int size = AttributeGroup.fromStructField(f).size();
        if (size >= 0 && size != network.inputSize()) {
            throw new IllegalArgumentException(FEATURES_COL + ": column '" + column + "' holds vectors of size " + size
                    + ", but the network's input size is " + network.inputSize());
        }
    }

    /** Checks that a label column's type fits the task: numeric for classes, or the targets' shape. */
    static void checkLabel(StructType schema, String column, Network network, Task task) {
        DataType type = field(schema, column, LABEL_COL).dataType();
        boolean numeric = type instanceof NumericType;
        if (task == Task.CLASSIFICATION && !numeric) {
            throw new IllegalArgumentException(LABEL_COL + ": column '" + column + "' must be numeric, holding class "
                    + "indices 0.." + (classCount(network) - 1) + ", but is of type " + type.simpleString());
        }
        boolean vector = type.equals(SQLDataTypes.VectorType())
                || type instanceof ArrayType a && a.elementType() instanceof NumericType;
        if (task == Task.REGRESSION && !(vector || numeric && network.outputSize() == 1)) {
            throw new IllegalArgumentException(LABEL_COL + ": column '" + column + "' must hold the network's "
                    + network.outputSize() + " targets, " + (network.outputSize() == 1 ? "a number or " : "")
                    + "an ML Vector or an array of numbers, but is of type " + type.simpleString());
        }
    }

    /** The schema with the output columns that are not empty appended; refuses names already taken. */
    static StructType withOutputs(StructType schema, String prediction, String probability, Network network,
            Task task) {
        StructType out = schema;
        if (!prediction.isEmpty()) {
            refuseExisting(schema, prediction, PREDICTION_COL);
            DataType type = task == Task.REGRESSION && network.outputSize() > 1 ? SQLDataTypes.VectorType()
                    : DataTypes.DoubleType;
            out = out.add(prediction, type, false);
        }
        if (task == Task.CLASSIFICATION && !probability.isEmpty()) {
            refuseExisting(schema, probability, PROBABILITY_COL);
            if (probability.equals(prediction)) {
                throw new IllegalArgumentException(PROBABILITY_COL + " and " + PREDICTION_COL + " are both '"
                        + probability + "'; choose two names");
            }
            out = out.add(probability, SQLDataTypes.VectorType(), false);
        }
        return out;
    }

    private static void refuseExisting(StructType schema, String column, String param) {
        if (Arrays.asList(schema.fieldNames()).contains(column)) {
            throw new IllegalArgumentException(param + ": output column '" + column + "' already exists; the columns "
                    + "are " + Arrays.toString(schema.fieldNames()));
        }
    }

    /**
     * Returns a row's features, or throws naming the column, if they are null, not a vector, or not of the
     * network's input size.
     */
    static double[] features(Row row, int index, String column, int inputSize) {
        Object v = row.get(index);
        if (!(v instanceof Vector vector)) {
            throw new IllegalArgumentException("column '" + column + "' must hold ML Vectors of size " + inputSize
                    + ", but a row holds " + (v == null ? "null" : v.getClass().getName()));
        }
        if (vector.size() != inputSize) {
            throw new IllegalArgumentException("column '" + column + "' holds a vector of size " + vector.size()
                    + ", but the network's input size is " + inputSize);
        }
        return vector.toArray();
    }

    /**
     * Returns what is wrong with a row's label, or {@code null} if nothing: not a class index 0..classes−1
     * (classification), or not as many targets as the network has outputs (regression).
     */
    static String labelProblem(Row row, int index, String column, Task task, int outputs) {
        Object v = row.get(index);
        if (task == Task.CLASSIFICATION) {
            int classes = Math.max(2, outputs);
            if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0
                    || n.doubleValue() >= classes) {
                return "column '" + column + "' must hold class indices 0.." + (classes - 1) + ", but a row holds "
                        + v;
            }
            return null;
        }
        int size = v instanceof Number ? 1 : v instanceof Vector vector ? vector.size()
                : v instanceof scala.collection.Seq<?> ? row.getList(index).size() : -1;
        if (size != outputs) {
            return "column '" + column + "' must hold the network's " + outputs + " targets, but a row holds "
                    + (size < 0 ? String.valueOf(v) : size + " values");
        }
        return null;
    }
}
