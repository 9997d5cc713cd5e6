package io.github.backprop4j.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.io.ModelFile;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import org.apache.spark.ml.linalg.VectorUDT;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Data frames become samples; a trained network is an ordinary one. */
class SparkDataTest {

    private static SparkSession spark;
    private static Dataset<Row> frame;

    @BeforeAll
    static void start() {
        spark = SparkTestSupport.session(1);
        StructType schema = new StructType()
                .add("vector", new VectorUDT())
                .add("array", DataTypes.createArrayType(DataTypes.DoubleType))
                .add("label", DataTypes.IntegerType)
                .add("y", DataTypes.DoubleType);
        frame = spark.createDataFrame(List.of(
                RowFactory.create(Vectors.dense(0, 0), new double[] {0, 0}, 0, 0.0),
                RowFactory.create(Vectors.dense(0, 1), new double[] {0, 1}, 1, 1.0),
                RowFactory.create(Vectors.sparse(2, new int[] {0}, new double[] {1}), new double[] {1, 0}, 1, 1.0),
                RowFactory.create(Vectors.dense(1, 1), new double[] {1, 1}, 0, 0.0)), schema);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void readsVectorAndArrayColumnsWithLabelsOrTargets() {
        List<Sample> fromVectors = SparkData.labelledSamples(frame, "vector", "label", 2).collect();
        List<Sample> fromArrays = SparkData.samples(frame, "array", "y").collect();

        assertThat(fromVectors).containsExactly(
                new Sample(new double[] {0, 0}, new double[] {1, 0}),
                new Sample(new double[] {0, 1}, new double[] {0, 1}),
                new Sample(new double[] {1, 0}, new double[] {0, 1}),
                new Sample(new double[] {1, 1}, new double[] {1, 0}));
        assertThat(fromArrays.get(2)).isEqualTo(new Sample(new double[] {1, 0}, new double[] {1}));
    }

    @Test
    void aColumnOfTheWrongKindIsNamed() {
        assertThatThrownBy(() -> SparkData.samples(frame, "array", "nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
    }

    @Test
    void trainsFromADataFrameToANetworkThatSavesAndLoads() throws IOException {
        Network network = Network.builder().input(2).dense(4, Activation.TANH).dense(2, Activation.SOFTMAX).seed(3)
                .build();

        TrainingResult result = SparkTrainer.builder(Trainer.builder().loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.adam(0.05)).epochs(5).batchSize(4).seed(1).logging(false).build()).build()
                .fit(network, SparkData.labelledSamples(frame, "vector", "label", 2));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelFile.save(result.network(), bytes);
        assertThat(ModelFile.load(new ByteArrayInputStream(bytes.toByteArray()))).isEqualTo(result.network());
        assertThat(result.network()).isNotEqualTo(network);
    }
}
