package io.github.backprop4j.spark.ml;

import io.github.backprop4j.internal.JsonText;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.Params;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Spark ML's metadata of a saved stage, written and read as {@code DefaultParamsWriter} and
 * {@code DefaultParamsReader} do (both {@code private[ml]}): one line of JSON in a text file under
 * {@code <path>/metadata}, {@code {"class", "timestamp", "sparkVersion", "uid", "paramMap", "defaultParamMap"}},
 * each param as its {@link Param#jsonEncode} value. {@code PipelineModel}'s reader finds the stage's class there
 * and calls its static {@code read()}.
 */
final class StageMetadata {

    /** The metadata's folder inside a saved stage's directory, as Spark names it. */
    static final String FOLDER = "metadata";

    private final String uid;
    private final Row paramMap;

    private StageMetadata(String uid, Row paramMap) {
        this.uid = uid;
        this.paramMap = paramMap;
    }

    /** The saved stage's uid. */
    String uid() {
        return uid;
    }

    /** Writes the metadata of a stage into {@code <path>/metadata}. */
    static void save(Params stage, String path, SparkSession spark) {
        StringBuilder json = new StringBuilder("{\"class\":");
        JsonText.appendString(json, stage.getClass().getName());
        json.append(",\"timestamp\":").append(System.currentTimeMillis()).append(",\"sparkVersion\":");
        JsonText.appendString(json, spark.version());
        json.append(",\"uid\":");
        JsonText.appendString(json, stage.uid());
        StringBuilder set = new StringBuilder();
        StringBuilder defaults = new StringBuilder();
        for (Param<?> p : stage.params()) {
            @SuppressWarnings("unchecked")
            Param<Object> param = (Param<Object>) p;
            if (stage.isSet(param)) {
                member(set, param, stage.get(param).get());
            } else if (stage.hasDefault(param)) {
                member(defaults, param, stage.getDefault(param).get());
            }
        }
        json.append(",\"paramMap\":{").append(set).append("},\"defaultParamMap\":{").append(defaults).append("}}");
        Dataset<Row> text = spark.createDataFrame(List.of(RowFactory.create(json.toString())),
                new StructType().add("value", DataTypes.StringType));
        text.coalesce(1).write().text(path + "/" + FOLDER);
    }

    private static void member(StringBuilder members, Param<Object> param, Object value) {
        if (members.length() > 0) {
            members.append(',');
        }
        JsonText.appendString(members, param.name());
        members.append(':').append(param.jsonEncode(value));
    }

    /**
     * Reads the metadata under {@code <path>/metadata}.
     *
     * @throws IllegalArgumentException if it describes another class than {@code expected}
     */
    static StageMetadata load(String path, SparkSession spark, Class<?> expected) {
        Row row = spark.read().json(path + "/" + FOLDER).first();
        List<String> fields = Arrays.asList(row.schema().fieldNames());
        if (!fields.contains("class") || !fields.contains("uid")) {
            throw new IllegalArgumentException(path + ": the metadata hold no class and uid, but " + fields);
        }
        String cls = row.getAs("class");
        if (!expected.getName().equals(cls)) {
            throw new IllegalArgumentException(path + " holds a saved " + cls + ", not a " + expected.getName());
        }
        return new StageMetadata(row.getAs("uid"), fields.contains("paramMap") ? row.getAs("paramMap") : null);
    }

    /**
     * Sets on a stage the params that were set when it was saved (those left at their defaults keep this version's
     * defaults). String and integer params only: the stages of this package have no others.
     */
    void setParams(Params stage) {
        if (paramMap == null) {
            return;
        }
        for (String name : paramMap.schema().fieldNames()) {
            Object value = paramMap.getAs(name);
            if (value == null) {
                continue;
            }
            Param<?> param = stage.getParam(name); // throws naming the param if the class has no such param
            stage.set(name, param instanceof IntParam ? (Object) ((Number) value).intValue() : value);
        }
    }
}
