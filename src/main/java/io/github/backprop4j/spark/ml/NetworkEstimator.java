package io.github.backprop4j.spark.ml;

import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.spark.Sample;
import io.github.backprop4j.spark.SparkData;
import io.github.backprop4j.spark.SparkTrainer;
import io.github.backprop4j.spark.ml.Columns.Task;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Trains a {@link Network} with {@link SparkTrainer} as a Spark ML {@code Estimator}, so that it can be a stage of
 * a {@code Pipeline}; {@link #fit} returns a {@link NetworkModel}.
 *
 * <pre>{@code
 * Network network = Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).seed(1).build();
 * Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01))
 *         .epochs(100).batchSize(16).seed(1).build();
 * Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {
 *         new VectorAssembler().setInputCols(new String[] {"sepal_length", "sepal_width", "petal_length", "petal_width"})
 *                 .setOutputCol("raw"),
 *         new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
 *         new NetworkEstimator(network, trainer)});               // reads "features" and "label"
 * PipelineModel model = pipeline.fit(train);
 * model.transform(test).select("label", "prediction", "probability").show();
 * model.write().save("iris-pipeline");                          // PipelineModel.load("iris-pipeline") reads it
 * }</pre>
 *
 * <p><b>What it trains.</b> The network it was made with, by the {@link Trainer}'s configuration (loss, optimizer,
 * epochs, batch size, seed, listeners...; {@link SparkTrainer#builder(Trainer)} says which options Spark training
 * refuses), synchronously (the single-machine network for the same seed and global batches) or, with
 * {@link #setParameterAveraging(int)}, by parameter averaging. The rows' order numbers the samples, so a
 * deterministic input (e.g. a file, or a cached {@code Dataset}) gives a reproducible network.
 *
 * <p><b>Classification or regression</b> follows from the loss. Softmax cross-entropy (also with class weights)
 * over 2 or more outputs, or binary cross-entropy over a single output, makes a classifier: {@code labelCol}
 * (default "label") holds class indices {@code 0..classes−1} as numbers (e.g. from {@code StringIndexer}), and the
 * model writes {@code predictionCol} and {@code probabilityCol}. Any other loss makes a regressor: {@code labelCol}
 * holds the targets, a number for a single output or a {@code Vector} (or array of numbers) of the output size,
 * and the model writes {@code predictionCol} only. {@code featuresCol} (default "features") holds ML
 * {@code Vector}s of the network's input size.
 *
 * <p><b>Checks.</b> {@link #transformSchema} (which {@code Pipeline.fit} calls before any work) refuses a missing
 * column, a column of the wrong type, vectors whose ML attributes give another size than the network's input, and
 * output columns that already exist, each naming the param, the column and what it expected. {@link #fit} then
 * reads the two columns once before training (a {@code take(1)} of the rows with a problem, which scans all rows
 * when there is none) and refuses a null, a feature vector of the wrong size, or a label
 * that is not a class (or not the targets' size), naming the column and the value, before training starts.
 *
 * <p>The estimator holds its network and trainer configuration as Java objects: it is copied (by
 * {@link #copy(ParamMap)}, as {@code CrossValidator} does) but not saved; save the fitted {@code PipelineModel}.
 *
 * @serial exclude
 */
public final class NetworkEstimator extends Estimator<NetworkModel> {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final transient Network network;
    private final transient Trainer trainer;
    private final Task task;

    private final Param<String> featuresCol;
    private final Param<String> labelCol;
    private final Param<String> predictionCol;
    private final Param<String> probabilityCol;
    private final IntParam parameterAveraging;

    /**
     * An estimator that trains {@code network} as {@code trainer} is configured, synchronously.
     *
     * @param network the network to start from; never changed (every fit starts from it)
     * @param trainer the training configuration
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the trainer uses what Spark training does not support (naming each
     *     option, see {@link SparkTrainer#builder(Trainer)}), or the loss does not fit the network's output layer
     */
    public NetworkEstimator(Network network, Trainer trainer) {
        this(Identifiable.randomUID("networkEstimator"), network, trainer);
    }

    private NetworkEstimator(String uid, Network network, Trainer trainer) {
        this.uid = uid;
        this.network = Checks.notNull(network, "network");
        this.trainer = Checks.notNull(trainer, "trainer");
        SparkTrainer.builder(trainer); // refuses now, rather than at fit, what Spark training does not do
        trainer.loss().checkOutputActivation(network.outputLayer().activation(), network.layerCount());
        this.task = Task.of(trainer.loss(), network);
        this.featuresCol = Columns.featuresCol(this);
        this.labelCol = Columns.labelCol(this);
        this.predictionCol = Columns.predictionCol(this);
        this.probabilityCol = Columns.probabilityCol(this);
        this.parameterAveraging = new IntParam(this, "parameterAveraging", "0 to train synchronously (the "
                + "single-machine network), or K >= 1 to average the partitions' networks every K local steps",
                ParamValidators.gtEq(0));
        setDefault(featuresCol, Columns.DEFAULT_FEATURES);
        setDefault(labelCol, Columns.DEFAULT_LABEL);
        setDefault(predictionCol, Columns.DEFAULT_PREDICTION);
        setDefault(probabilityCol, Columns.DEFAULT_PROBABILITY);
        setDefault(parameterAveraging, 0);
    }

    /**
     * Returns the estimator's unique id, which the models it fits share.
     *
     * @return the uid
     */
    @Override
    public String uid() {
        return uid;
    }

    /**
     * Returns the network every fit starts from.
     *
     * @return the network, immutable
     */
    public Network network() {
        return network;
    }

    /**
     * Returns the training configuration.
     *
     * @return the trainer
     */
    public Trainer trainer() {
        return trainer;
    }

    /**
     * Returns whether the fitted model predicts classes (by the loss, see the class comment).
     *
     * @return {@code true} for a classifier
     */
    public boolean isClassifier() {
        return task == Task.CLASSIFICATION;
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
     * The param naming the label column, default {@code "label"}.
     *
     * @return the param
     */
    public Param<String> labelCol() {
        return labelCol;
    }

    /**
     * The param naming the model's prediction column, default {@code "prediction"}; empty for none.
     *
     * @return the param
     */
    public Param<String> predictionCol() {
        return predictionCol;
    }

    /**
     * The param naming the model's probability column (classifiers), default {@code "probability"}; empty for none.
     *
     * @return the param
     */
    public Param<String> probabilityCol() {
        return probabilityCol;
    }

    /**
     * The param choosing the Spark mode: 0 (the default) for synchronous training, K ≥ 1 for parameter averaging
     * every K local steps.
     *
     * @return the param
     */
    public IntParam parameterAveraging() {
        return parameterAveraging;
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
     * Returns the label column's name.
     *
     * @return the name
     */
    public String getLabelCol() {
        return getOrDefault(labelCol);
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
     * Returns the Spark mode: 0 for synchronous, else the local steps between two averagings.
     *
     * @return 0 or K ≥ 1
     */
    public int getParameterAveraging() {
        return (Integer) getOrDefault(parameterAveraging);
    }

    /**
     * Sets the features column.
     *
     * @param value the column's name
     * @return this estimator
     */
    public NetworkEstimator setFeaturesCol(String value) {
        set(featuresCol, value);
        return this;
    }

    /**
     * Sets the label column.
     *
     * @param value the column's name
     * @return this estimator
     */
    public NetworkEstimator setLabelCol(String value) {
        set(labelCol, value);
        return this;
    }

    /**
     * Sets the model's prediction column.
     *
     * @param value the column's name, or empty for none
     * @return this estimator
     */
    public NetworkEstimator setPredictionCol(String value) {
        set(predictionCol, value);
        return this;
    }

    /**
     * Sets the model's probability column (classifiers).
     *
     * @param value the column's name, or empty for none
     * @return this estimator
     */
    public NetworkEstimator setProbabilityCol(String value) {
        set(probabilityCol, value);
        return this;
    }

    /**
     * Chooses the Spark mode.
     *
     * @param localSteps 0 for synchronous training, K ≥ 1 for parameter averaging every K local steps
     * @return this estimator
     * @throws IllegalArgumentException if {@code localSteps} is negative
     */
    public NetworkEstimator setParameterAveraging(int localSteps) {
        set(parameterAveraging, localSteps);
        return this;
    }

    /**
     * Checks the features and label columns and returns the schema the fitted model's {@code transform} gives.
     *
     * @param schema the training data's schema
     * @return the schema with the output columns appended
     * @throws IllegalArgumentException naming the param, the column and the expected type, see the class comment
     */
    @Override
    public StructType transformSchema(StructType schema) {
        Columns.checkFeatures(schema, getFeaturesCol(), network);
        Columns.checkLabel(schema, getLabelCol(), network, task);
        return Columns.withOutputs(schema, getPredictionCol(), getProbabilityCol(), network, task);
    }

    /**
     * Trains the network on the rows' features and labels with {@link SparkTrainer}.
     *
     * @param dataset the training rows
     * @return the model, with this estimator's uid, params and parent; its
     *     {@link NetworkModel#trainingResult()} holds the history
     * @throws IllegalArgumentException naming the column, if the schema does not fit (see
     *     {@link #transformSchema}) or a row holds a null, a feature vector of the wrong size or a label that is
     *     not a class (or not the targets' size); or as {@link SparkTrainer#fit} does
     */
    @Override
    public NetworkModel fit(Dataset<?> dataset) {
        transformSchema(dataset.schema(), true);
        Dataset<Row> rows = dataset.toDF();
        String features = getFeaturesCol();
        String label = getLabelCol();
        checkValues(rows, features, label);
        JavaRDD<Sample> samples = task == Task.CLASSIFICATION && network.outputSize() >= 2
                ? SparkData.labelledSamples(rows, features, label, network.outputSize())
                : SparkData.samples(rows, features, label); // regression, or one binary output whose target is the label
        SparkTrainer.Builder spark = SparkTrainer.builder(trainer);
        if (getParameterAveraging() > 0) {
            spark.parameterAveraging(getParameterAveraging());
        }
        TrainingResult result = spark.build().fit(network, samples);
        NetworkModel model = copyValues(new NetworkModel(uid, result.network(), task), new ParamMap());
        return model.withTrainingResult(result).setParent(this);
    }

    /** One pass over the two columns, failing with the first problem found, before any training job. */
    private void checkValues(Dataset<Row> rows, String features, String label) {
        int inputs = network.inputSize();
        int outputs = network.outputSize();
        Task t = task;
        List<String> problems = rows.select(features, label).toJavaRDD().map(row -> {
            try {
                Columns.features(row, 0, features, inputs);
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
            return Columns.labelProblem(row, 1, label, t, outputs);
        }).filter(problem -> problem != null).take(1);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(problems.get(0));
        }
    }

    /**
     * Returns a copy with the same network, trainer and uid, and this estimator's params overridden by
     * {@code extra}.
     *
     * @param extra params to set on the copy
     * @return the copy
     */
    @Override
    public NetworkEstimator copy(ParamMap extra) {
        return copyValues(new NetworkEstimator(uid, network, trainer), extra);
    }

    @Override
    public String toString() {
        return "NetworkEstimator[" + uid + ", " + task.paramValue() + ", " + network + "]";
    }
}
