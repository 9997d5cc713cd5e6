package io.github.backprop4j.spark.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.io.ModelFile;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.StandardScaler;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NetworkEstimator} and {@link NetworkModel} as Spark ML stages: fitted in a {@code Pipeline} on the bundled
 * irises, transformed, saved and loaded as a {@code PipelineModel}; regression columns; clear refusals of bad
 * columns. One local session for the class.
 */
class NetworkEstimatorTest {

    private static final String[] IRIS_COLUMNS = {"sepal_length", "sepal_width", "petal_length", "petal_width"};

    /**
     * The session fails a task that leaves a cached block's read lock taken ({@code spark.storage.exceptionOnPinLeak}),
     * as every Spark test here does: neither this package's jobs (the label check, transform, save and load) nor
     * {@code SparkTrainer.fit}'s barrier stages (which drain their iterators) may leave one.
     */
    private static final boolean PIN_LEAK_IS_AN_ERROR = true;

    private static SparkSession spark;
    private static Dataset<Row> iris;

    @BeforeAll
    static void start() throws URISyntaxException {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("backprop4j-ml-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.storage.exceptionOnPinLeak", String.valueOf(PIN_LEAK_IS_AN_ERROR))
                .getOrCreate();
        StructType schema = new StructType();
        for (String column : IRIS_COLUMNS) {
            schema = schema.add(column, DataTypes.DoubleType, false);
        }
        schema = schema.add("label", DataTypes.DoubleType, false);
        String csv = Path.of(NetworkEstimatorTest.class.getResource("/data/iris/iris.csv").toURI()).toString();
        iris = spark.read().option("header", "true").schema(schema).csv(csv); // the header line is 150,4,<names>
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Network irisNetwork() {
        return Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).seed(1).build();
    }

    private static Trainer irisTrainer() {
        return Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.05)).epochs(25).batchSize(36)
                .seed(1).logging(false).build();
    }

    private static Pipeline irisPipeline(PipelineStage last) {
        return new Pipeline().setStages(new PipelineStage[] {
            new VectorAssembler().setInputCols(IRIS_COLUMNS).setOutputCol("raw"),
            new StandardScaler().setInputCol("raw").setOutputCol("features").setWithMean(true),
            last});
    }

    @Test
    void aPipelineOnIrisPredictsClassesAndItsSavedModelPredictsTheSameBits(@TempDir Path dir) throws IOException {
        Dataset<Row>[] split = iris.randomSplit(new double[] {0.7, 0.3}, 7);
        Dataset<Row> train = split[0];
        Dataset<Row> test = split[1];
        NetworkEstimator estimator = new NetworkEstimator(irisNetwork(), irisTrainer());

        PipelineModel fitted = irisPipeline(estimator).fit(train);

        NetworkModel model = (NetworkModel) fitted.stages()[2];
        assertThat(model.uid()).isEqualTo(estimator.uid());
        assertThat(model.isClassifier()).isTrue();
        assertThat(model.trainingResult()).hasValueSatisfying(r -> assertThat(r.history().epochs()).hasSize(25));
        Dataset<Row> predicted = fitted.transform(test);
        StructType schema = predicted.schema();
        assertThat(schema.apply("prediction").dataType()).isEqualTo(DataTypes.DoubleType);
        assertThat(schema.apply("probability").dataType()).isEqualTo(SQLDataTypes.VectorType());
        assertThat(fitted.transformSchema(test.schema()).fieldNames()).containsExactly(schema.fieldNames());

        List<Row> rows = predicted.select("label", "prediction", "probability", "features").collectAsList();
        assertThat(rows).hasSize((int) test.count());
        int correct = 0;
        for (Row row : rows) {
            double[] p = ((Vector) row.get(2)).toArray();
            double[] direct = model.network().predict(((Vector) row.get(3)).toArray());
            assertThat(p).containsExactly(direct, within(1e-6));
            assertThat(p[0] + p[1] + p[2]).isCloseTo(1, within(1e-5));
            assertThat(row.getDouble(1)).isEqualTo(model.network().predictClass(((Vector) row.get(3)).toArray()));
            correct += row.getDouble(0) == row.getDouble(1) ? 1 : 0;
        }
        assertThat((double) correct / rows.size()).as("test accuracy").isGreaterThanOrEqualTo(0.9);

        String saved = dir.resolve("iris-pipeline").toString();
        fitted.write().save(saved);
        PipelineModel loaded = PipelineModel.load(saved);

        NetworkModel loadedModel = (NetworkModel) loaded.stages()[2];
        assertThat(loadedModel.uid()).isEqualTo(model.uid());
        assertThat(loadedModel.isClassifier()).isTrue();
        assertThat(loadedModel.network()).isEqualTo(model.network());
        List<Row> again = loaded.transform(test).select("label", "prediction", "probability", "features")
                .collectAsList();
        assertThat(again).isEqualTo(rows); // bit for bit, Vector equality compares the doubles
        try (Stream<Path> files = Files.walk(dir)) {
            Path file = files.filter(f -> f.getFileName().toString().equals(NetworkModel.NETWORK_FILE)).findFirst()
                    .orElseThrow();
            assertThat(ModelFile.load(file)).as("an ordinary model file").isEqualTo(model.network());
        }
    }

    @Test
    void badColumnsAreRefusedNamingTheColumnAndWhatItShouldHold() {
        NetworkEstimator estimator = new NetworkEstimator(irisNetwork(), irisTrainer());
        Dataset<Row> assembled = new VectorAssembler().setInputCols(IRIS_COLUMNS).setOutputCol("features")
                .transform(iris);

        assertThatThrownBy(() -> estimator.fit(iris))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("featuresCol: column 'features' does not exist");
        assertThatThrownBy(() -> estimator.copy(new ParamMap())
                .setFeaturesCol("sepal_length").fit(iris))
                .hasMessageContaining("column 'sepal_length' must hold an ML Vector")
                .hasMessageContaining("of size 4")
                .hasMessageContaining("but is of type double");
        Dataset<Row> threeFeatures = new VectorAssembler().setInputCols(new String[] {"sepal_length", "sepal_width",
            "petal_length"}).setOutputCol("features").transform(iris);
        assertThatThrownBy(() -> estimator.fit(threeFeatures))
                .hasMessageContaining("column 'features' holds vectors of size 3, but the network's input size is 4");
        assertThatThrownBy(() -> estimator.fit(assembled.withColumn("label",
                assembled.col("label").cast(DataTypes.StringType))))
                .hasMessageContaining("labelCol: column 'label' must be numeric, holding class indices 0..2")
                .hasMessageContaining("string");
        assertThatThrownBy(() -> estimator.fit(assembled.withColumn("label", assembled.col("label").plus(1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column 'label' must hold class indices 0..2, but a row holds 3.0");
        assertThatThrownBy(() -> estimator.fit(assembled.withColumn("prediction", assembled.col("label"))))
                .hasMessageContaining("predictionCol: output column 'prediction' already exists");

        // the Spark mode is a param like the columns: copied with the params of a grid, validated when set
        NetworkEstimator averaging = estimator.copy(new ParamMap().put(estimator.parameterAveraging().w(4)));
        assertThat(averaging.getParameterAveraging()).isEqualTo(4);
        assertThat(averaging.uid()).isEqualTo(estimator.uid());
        assertThat(averaging.network()).isSameAs(estimator.network());
        assertThat(estimator.getParameterAveraging()).isZero();
        assertThatThrownBy(() -> estimator.setParameterAveraging(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameterAveraging");

        // vectors without ML attributes are checked row by row, when the job runs
        NetworkModel model = NetworkModel.classifier(irisNetwork());
        Dataset<Row> five = spark.createDataFrame(List.of(RowFactory.create(Vectors.dense(1, 2, 3, 4, 5))),
                new StructType().add("features", SQLDataTypes.VectorType()));
        assertThatThrownBy(() -> model.transform(five).collectAsList())
                .hasMessageContaining("column 'features' holds a vector of size 5, but the network's input size is 4");
    }

    @Test
    void regressionWritesTheOutputsAsThePredictionAndSavesItsTask(@TempDir Path dir) throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            double a = random.nextDouble(-1, 1);
            double b = random.nextDouble(-1, 1);
            rows.add(RowFactory.create(Vectors.dense(a, b), a - 2 * b));
        }
        Dataset<Row> data = spark.createDataFrame(rows, new StructType()
                .add("x", SQLDataTypes.VectorType()).add("y", DataTypes.DoubleType));
        Network start = Network.builder().input(2).dense(8, Activation.TANH).dense(1).precision(Precision.FLOAT64)
                .seed(3).build();
        Trainer trainer = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.adam(0.05)).epochs(10).batchSize(32)
                .seed(2).logging(false).build();
        NetworkEstimator estimator = new NetworkEstimator(start, trainer).setFeaturesCol("x").setLabelCol("y")
                .setPredictionCol("yHat");

        NetworkModel model = estimator.fit(data);

        assertThat(model.isClassifier()).isFalse();
        assertThat(model.getFeaturesCol()).isEqualTo("x");
        Dataset<Row> predicted = model.transform(data);
        assertThat(predicted.schema().fieldNames()).containsExactly("x", "y", "yHat");
        assertThat(predicted.schema().apply("yHat").dataType()).isEqualTo(DataTypes.DoubleType);
        List<Row> out = predicted.collectAsList();
        double before = 0;
        double after = 0;
        for (Row row : out) {
            double[] x = ((Vector) row.get(0)).toArray();
            assertThat(row.getDouble(2)).isEqualTo(model.network().predict(x)[0], within(1e-12));
            before += Math.pow(start.predict(x)[0] - row.getDouble(1), 2);
            after += Math.pow(row.getDouble(2) - row.getDouble(1), 2);
        }
        assertThat(after).as("squared error after training").isLessThan(before / 2);

        String saved = dir.resolve("regressor").toString();
        NetworkModel.regressor(model.network()).setFeaturesCol("x").write().save(saved);
        NetworkModel loaded = NetworkModel.load(saved);
        assertThat(loaded.isClassifier()).isFalse();
        assertThat(loaded.getFeaturesCol()).isEqualTo("x");
        assertThat(loaded.transform(data).select("prediction").collectAsList())
                .isEqualTo(predicted.select("yHat").collectAsList());

        Network twoOutputs = Network.builder().input(2).dense(2).seed(4).build();
        Dataset<Row> vectors = NetworkModel.regressor(twoOutputs).setFeaturesCol("x").transform(data);
        assertThat(vectors.schema().fieldNames()).containsExactly("x", "y", "prediction");
        Row first = vectors.first();
        assertThat(((Vector) first.get(2)).toArray())
                .containsExactly(twoOutputs.predict(((Vector) first.get(0)).toArray()), within(1e-6));
    }
}
