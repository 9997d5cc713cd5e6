package io.github.backprop4j.spark.ml;

import io.github.backprop4j.Network;
import io.github.backprop4j.io.ModelFile;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.spark.ml.Columns.Task;
import io.github.backprop4j.train.TrainingResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

/**
 * A trained {@link Network} as a Spark ML {@code Model}: {@link #transform} appends the network's predictions to
 * a {@code Dataset}, and the model is saved and loaded with Spark ML's writer and reader, alone or as a stage of a
 * {@code PipelineModel}.
 *
 * <p><b>Columns.</b> It reads {@code featuresCol} (default "features"), ML {@code Vector}s of the network's input
 * size, and writes, for a <em>classification</em> network (trained with softmax cross-entropy, or binary
 * cross-entropy over a single output):
 * <ul>
 * <li>{@code predictionCol} (default "prediction"), a {@code double}: the class index, the largest output (the
 *     first of equal ones), or for a single output 1 if it exceeds {@link Network#BINARY_THRESHOLD}, else 0 (as
 *     {@link Network#predictClass(double[])});
 * <li>{@code probabilityCol} (default "probability"), a dense {@code Vector}: the network's outputs, or
 *     {@code [1 − p, p]} for a single output {@code p}.
 * </ul>
 * For a <em>regression</em> network (any other loss) it writes only {@code predictionCol}: the output as a
 * {@code double}, or a {@code Vector} of the outputs if there are several. Setting an output column to the empty
 * string leaves it out. A feature vector that is null or of another size fails the Spark job with a message
 * naming the column and the sizes.
 *
 * <p><b>Prediction</b> runs on the executors, {@value #BATCH} rows at a time through
 * {@link Network#predict(Matrix)}; the network reaches them once per {@code transform} as a broadcast of its
 * {@link ModelFile} bytes and is decoded once per partition. Predictions are those of {@code Network.predict}
 * on the same features, and equal bit for bit after a save and load.
 *
 * <p><b>Saving.</b> {@code model.write().save(path)} writes a directory holding Spark's metadata
 * ({@code metadata/}, JSON as Spark's {@code DefaultParamsWriter} writes it: the class, uid and params) and the
 * network as an ordinary backprop4j model file, {@value #NETWORK_FILE}, which {@link ModelFile#load(java.nio.file.Path)}
 * reads outside Spark. {@link #load(String)}, {@link #read()} and {@code PipelineModel.load} read it back. Custom
 * activations must be registered with {@code io.github.backprop4j.io.Components} wherever the model is loaded and
 * on the executors.
 *
 * <p>The network is not Java-serialized: a {@code NetworkModel} is meant to stay on the driver, as Spark's
 * pipeline stages do.
 *
 * @serial exclude
 */
public final class NetworkModel extends Model<NetworkModel> implements MLWritable {

    private static final long serialVersionUID = 1L;

    /** The rows that go through the network at a time. */
    static final int BATCH = 512;
    /** The name of the model file inside a saved model's directory. */
    public static final String NETWORK_FILE = "network.safetensors";

    private final String uid;
    private final transient Network network;
    private transient byte[] networkBytes;
    private transient TrainingResult trainingResult;

    private final Param<String> featuresCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final Param<String> task;

    NetworkModel(String uid, Network network, Task task) {
        this.uid = uid;
        this.network = Checks.notNull(network, "network");
        this.featuresCol = Columns.featuresCol(this);
        this.predictionCol = Columns.predictionCol(this);
        this.probabilityCol = Columns.probabilityCol(this);
        this.task = new Param<>(this, "task", "what the network predicts: 'classification' (class indices and "
                + "probabilities) or 'regression' (the outputs)",
                ParamValidators.inArray(new String[] {Task.CLASSIFICATION.paramValue(), Task.REGRESSION.paramValue()}));
        setDefault(featuresCol, Columns.DEFAULT_FEATURES);
        setDefault(predictionCol, Columns.DEFAULT_PREDICTION);
        setDefault(probabilityCol, Columns.DEFAULT_PROBABILITY);
        set(this.task, task.paramValue());
    }

    /**
     * Wraps a classification network trained elsewhere (e.g. by {@code Trainer.fit} on one machine), to predict
     * classes on Spark: a softmax output of 2 or more classes, or a single output whose value is the probability of
     * class 1.
     *
     * @param network the network
     * @return a model with a new uid and no parent
     * @throws NullPointerException if {@code network} is {@code null}
     */
    public static NetworkModel classifier(Network network) {
        return new NetworkModel(Identifiable.randomUID("networkModel"), network, Task.CLASSIFICATION);
    }

    /**
     * Wraps a regression network trained elsewhere, to predict its outputs on Spark.
     *
     * @param network the network
     * @return a model with a new uid and no parent
     * @throws NullPointerException if {@code network} is {@code null}
     */
    public static NetworkModel regressor(Network network) {
        return new NetworkModel(Identifiable.randomUID("networkModel"), network, Task.REGRESSION);
    }

    /**
     * Returns the model's unique id, the uid of the {@link NetworkEstimator} that trained it.
     *
     * @return the uid
     */
    @Override
    public String uid() {
        return uid;
    }

    /**
     * Returns the trained network.
     *
     * @return the network, immutable
     */
    public Network network() {
        return network;
    }

    /**
     * Returns the result of the training that made this model: the network and the history of its epochs.
     *
     * @return the result, or empty for a model that was loaded or wraps a network trained elsewhere
     */
    public Optional<TrainingResult> trainingResult() {
        return Optional.ofNullable(trainingResult);
    }

    NetworkModel withTrainingResult(TrainingResult result) {
        this.trainingResult = result;
        return this;
    }

    /**
     * Returns whether the model predicts classes ({@code true}) or the network's outputs.
     *
     * @return {@code true} for a classification network
     */
    public boolean isClassifier() {
        return taskValue() == Task.CLASSIFICATION;
    }

    private Task taskValue() {
        return Task.ofParamValue(getOrDefault(task));
    }

    /**
     * The param naming the features column, default {@code "features"}.
     *
     * @return the param
     */
    public Param<String> featuresCol() {
        return featuresCol;
    }

    /**
     * The param naming the prediction column, default {@code "prediction"}; empty for none.
     *
     * @return the param
     */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /**
     * The param naming the probability column of a classifier, default {@code "probability"}; empty for none.
     *
     * @return the param
     */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /**
     * The param holding what the network predicts, {@code "classification"} or {@code "regression"}; set when the
     * model is made.
     *
     * @return the param
     */
    public Param<String> task() {
        return task;
    }

    /**
     * Returns the features column's name.
     *
     * @return the name
     */
    public String getFeaturesCol() {
        return getOrDefault(featuresCol);
    }

    /**
     * Returns the prediction column's name.
     *
     * @return the name, or empty for none
     */
    public String getPredictionCol() {
        return getOrDefault(predictionCol);
    }

    /**
     * Returns the probability column's name.
     *
     * @return the name, or empty for none
     */
    public String getProbabilityCol() {
        return getOrDefault(probabilityCol);
    }

    /**
     * Sets the features column.
     *
     * @param value the column's name
     * @return this model
     */
    public NetworkModel setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    /**
     * Sets the prediction column.
     *
     * @param value the column's name, or empty for none
     * @return this model
     */
    public NetworkModel setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    /**
     * Sets the probability column (written for a classifier only).
     *
     * @param value the column's name, or empty for none
     * @return this model
     */
    public NetworkModel setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    /**
     * Checks the features column and returns the schema with the output columns appended.
     *
     * @param schema the input's schema
     * @return the output's schema
     * @throws IllegalArgumentException naming the param and column, if the features column is missing or not
     *     a vector of the network's input size, or an output column already exists
     */
    @Override
    public StructType transformSchema(StructType schema) {
        Columns.checkFeatures(schema, getFeaturesCol(), network);
        return Columns.withOutputs(schema, getPredictionCol(), getProbabilityCol(), network, taskValue());
    }

    /**
     * Appends the prediction (and, for a classifier, probability) columns; lazy, like every Spark transformation.
     *
     * @param dataset rows with the features column
     * @return the rows with the output columns appended, in the same order
     * @throws IllegalArgumentException as {@link #transformSchema}
     */
    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema(), true);
        Dataset<Row> rows = dataset.toDF();
        boolean classifier = isClassifier();
        boolean prediction = !getPredictionCol().isEmpty();
        boolean probability = classifier && !getProbabilityCol().isEmpty();
        if (!prediction && !probability) {
            return rows;
        }
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(rows.sparkSession().sparkContext());
        Broadcast<byte[]> model = spark.broadcast(networkBytes());
        Predictor predictor = new Predictor(model, rows.schema().fieldIndex(getFeaturesCol()), getFeaturesCol(),
                network.inputSize(), classifier, prediction, probability);
        return rows.mapPartitions(predictor, Encoders.row(schema));
    }

    private byte[] networkBytes() {
        if (networkBytes == null) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                ModelFile.save(network, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            networkBytes = out.toByteArray();
        }
        return networkBytes;
    }

    /** The task of one partition: its rows, {@value #BATCH} at a time through the network, with outputs appended. */
    private static final class Predictor implements MapPartitionsFunction<Row, Row> {
        private static final long serialVersionUID = 1L;

        private final Broadcast<byte[]> model;
        private final int featuresIndex;
        private final String featuresCol;
        private final int inputSize;
        private final boolean classifier;
        private final boolean prediction;
        private final boolean probability;

        Predictor(Broadcast<byte[]> model, int featuresIndex, String featuresCol, int inputSize, boolean classifier,
                boolean prediction, boolean probability) {
            this.model = model;
            this.featuresIndex = featuresIndex;
            this.featuresCol = featuresCol;
            this.inputSize = inputSize;
            this.classifier = classifier;
            this.prediction = prediction;
            this.probability = probability;
        }

        @Override
        public Iterator<Row> call(Iterator<Row> rows) {
            return new Iterator<>() {
                private Network network; // decoded at the first batch: an empty partition decodes nothing
                private final Row[] batch = new Row[BATCH];
                private double[][] outputs;
                private int[] classes;
                private int size;
                private int next;

                @Override
                public boolean hasNext() {
                    return next < size || rows.hasNext();
                }

                @Override
                public Row next() {
                    if (next == size) {
                        if (!rows.hasNext()) {
                            throw new NoSuchElementException();
                        }
                        predictNextBatch();
                    }
                    Row row = batch[next];
                    Object[] values = Arrays.copyOf(toArray(row), row.size() + (prediction ? 1 : 0)
                            + (probability ? 1 : 0));
                    int at = row.size();
                    double[] out = outputs[next];
                    if (prediction) {
                        values[at++] = classifier ? (Object) (double) classes[next]
                                : out.length == 1 ? (Object) out[0] : Vectors.dense(out);
                    }
                    if (probability) {
                        values[at] = Vectors.dense(out.length == 1 ? new double[] {1 - out[0], out[0]} : out);
                    }
                    batch[next++] = null;
                    return RowFactory.create(values);
                }

                private void predictNextBatch() {
                    size = 0;
                    next = 0;
                    while (size < BATCH && rows.hasNext()) {
                        batch[size++] = rows.next();
                    }
                    double[][] x = new double[size][];
                    for (int i = 0; i < size; i++) {
                        x[i] = Columns.features(batch[i], featuresIndex, featuresCol, inputSize);
                    }
                    if (network == null) {
                        try (InputStream in = new ByteArrayInputStream(model.value())) {
                            network = ModelFile.load(in);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                    Matrix out = network.predict(Matrix.of(network.precision(), x, "column '" + featuresCol + "'"));
                    if (classifier) {
                        int[] bad = out.firstNonFinite();
                        if (bad != null) {
                            throw new IllegalArgumentException("column '" + featuresCol + "': the network's outputs "
                                    + "for the features " + Arrays.toString(x[bad[0]]) + " are "
                                    + Arrays.toString(out.row(bad[0])) + " (the weighted sums overflowed "
                                    + network.precision() + "), so no class can be predicted; scale the features");
                        }
                        classes = Network.classesOf(out);
                    }
                    outputs = out.toDoubleArray();
                }
            };
        }

        private static Object[] toArray(Row row) {
            Object[] values = new Object[row.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = row.get(i);
            }
            return values;
        }
    }

    /**
     * Returns a copy with the same network and uid, and the params of this model overridden by {@code extra}.
     *
     * @param extra params to set on the copy
     * @return the copy, with this model's parent
     */
    @Override
    public NetworkModel copy(ParamMap extra) {
        NetworkModel copy = copyValues(new NetworkModel(uid, network, taskValue()), extra);
        copy.trainingResult = trainingResult;
        return copy.setParent(parent());
    }

    /**
     * Returns a writer that saves this model as a directory: Spark's metadata and {@value #NETWORK_FILE}.
     *
     * @return a new writer; {@code write().overwrite().save(path)} replaces an existing directory
     */
    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /**
     * Returns the reader of saved models; {@code PipelineModel.load} finds it by reflection.
     *
     * @return a new reader
     */
    public static MLReader<NetworkModel> read() {
        return new Reader();
    }

    /**
     * Loads a model saved by {@link #write()} with the active Spark session.
     *
     * @param path the saved model's directory
     * @return the model, with its uid and params, and no parent
     * @throws IllegalArgumentException if the directory holds another kind of stage
     * @throws java.io.UncheckedIOException if the model file cannot be read, or is not valid (then with an
     *     {@link io.github.backprop4j.io.ModelFormatException} as its cause)
     */
    public static NetworkModel load(String path) {
        return read().load(path);
    }

    @Override
    public String toString() {
        return "NetworkModel[" + uid + ", " + taskValue().paramValue() + ", " + network + "]";
    }

    private static final class Writer extends MLWriter {
        private final NetworkModel model;

        Writer(NetworkModel model) {
            this.model = model;
        }

        @Override
        public void saveImpl(String path) {
            SparkSession spark = sparkSession();
            StageMetadata.save(model, path, spark);
            Path file = new Path(path, NETWORK_FILE);
            try {
                FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
                try (OutputStream out = fs.create(file, false)) {
                    out.write(model.networkBytes());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + file, e);
            }
        }
    }

    private static final class Reader extends MLReader<NetworkModel> {
        @Override
        public NetworkModel load(String path) {
            SparkSession spark = sparkSession();
            StageMetadata metadata = StageMetadata.load(path, spark, NetworkModel.class);
            Path file = new Path(path, NETWORK_FILE);
            Network network;
            try {
                FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
                try (InputStream in = fs.open(file)) {
                    network = ModelFile.load(in);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + file, e);
            }
            NetworkModel model = new NetworkModel(metadata.uid(), network, Task.REGRESSION);
            metadata.setParams(model); // the saved task among them
            return model;
        }
    }
}
