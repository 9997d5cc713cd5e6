package io.github.backprop4j;

import static io.github.backprop4j.math.Precision.FLOAT32;
import static io.github.backprop4j.math.Precision.FLOAT64;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.CsvReader;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.data.IdxImages;
import io.github.backprop4j.data.IdxReader;
import io.github.backprop4j.data.MalformedDataException;
import io.github.backprop4j.data.MinMaxScaler;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.GradientTransform;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.Dropout;
import io.github.backprop4j.train.EarlyStopping;
import io.github.backprop4j.train.ForwardPass;
import io.github.backprop4j.train.GradientCheck;
import io.github.backprop4j.train.Gradients;
import io.github.backprop4j.train.Metric;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point fed its bad inputs: each case names the call, the exception type it must throw,
 * and fragments its message must contain — the argument's name, what is wrong, and the sizes, layer (1..L),
 * row and column where they apply.
 */
class BadInputTest {

    private static final Class<IllegalArgumentException> IAE = IllegalArgumentException.class;
    private static final Class<NullPointerException> NPE = NullPointerException.class;
    private static final Class<IllegalStateException> ISE = IllegalStateException.class;
    private static final Class<IndexOutOfBoundsException> IOOBE = IndexOutOfBoundsException.class;
    private static final Class<MalformedDataException> MDE = MalformedDataException.class;

    private static final double NAN = Double.NaN;
    private static final double INF = Double.POSITIVE_INFINITY;

    /** Two samples of three features, and one-hot targets for two classes. */
    private static final double[][] X = {{1, 2, 3}, {4, 5, 6}};
    private static final double[][] Y = {{1, 0}, {0, 1}};

    /** 3 → 4 relu → 2 softmax, FLOAT64. */
    private static final Network NET = Network.builder().input(3).dense(4, Activation.RELU)
            .dense(2, Activation.SOFTMAX).precision(FLOAT64).seed(1).build();
    private static final Network NET32 = NET.toPrecision(FLOAT32);
    /** 3 → 5 relu → 2 softmax: the same layer count as NET, other sizes. */
    private static final Network WIDE = Network.builder().input(3).dense(5, Activation.RELU)
            .dense(2, Activation.SOFTMAX).precision(FLOAT64).seed(1).build();
    private static final Network THREE_LAYERS = Network.builder().input(3).dense(4, Activation.RELU)
            .dense(4, Activation.RELU).dense(2, Activation.SOFTMAX).seed(1).build();
    private static final Network RELU_OUTPUT = Network.builder().input(3).dense(4, Activation.RELU)
            .dense(2, Activation.RELU).seed(1).build();
    /** 3 → 1 sigmoid. */
    private static final Network SIGMOID = Network.builder().input(3).dense(1, Activation.SIGMOID).seed(1).build();

    /** A 3 → 2 identity layer, FLOAT64. */
    private static final double[][] W = {{1, 2, 3}, {4, 5, 6}};
    private static final double[] B = {0, 0};
    private static final DenseLayer LAYER = Layer.of(W, B, Activation.IDENTITY);

    private static final DataSet DATA = DataSet.ofLabels(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
            new int[] {0, 1, 0}, 2);
    private static final DataSet UNLABELLED = DataSet.of(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
            new double[][] {{1}, {0}, {1}});
    private static final DataSet FOUR_FEATURES = DataSet.ofLabels(new double[][] {{1, 2, 3, 4}}, new int[] {1}, 2);

    private static final Backpropagator CE = new Backpropagator(Loss.CROSS_ENTROPY);

    // ------------------------------------------------------------------ the cases

    /** One bad call and what its failure must say. */
    record Case(String name, Class<? extends Throwable> type, Executable call, List<String> fragments) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Case c(String name, Class<? extends Throwable> type, Executable call, String... fragments) {
        return new Case(name, type, call, List.of(fragments));
    }

    static List<Case> cases() {
        List<Case> all = new ArrayList<>();
        all.addAll(networkBuilder());
        all.addAll(network());
        all.addAll(layer());
        all.addAll(activationsAndLosses());
        all.addAll(matrix());
        all.addAll(optimizers());
        all.addAll(schedulesAndState());
        all.addAll(forwardAndBackward());
        all.addAll(trainer());
        all.addAll(dataSets());
        all.addAll(scalers());
        all.addAll(readers());
        all.addAll(metrics());
        return all;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithAMessageThatSaysWhatIsWrong(Case c) {
        Throwable thrown = catchThrowable(c.call()::execute);

        assertThat(thrown).as(c.name()).isExactlyInstanceOf(c.type());
        for (String fragment : c.fragments()) {
            assertThat(thrown.getMessage()).as(c.name()).contains(fragment);
        }
    }

    @Test
    void thereAreWellOverOneHundredAndFiftyCases() {
        List<Case> all = cases();

        assertThat(all).hasSizeGreaterThan(150);
        assertThat(all.stream().map(Case::name).distinct().count()).as("distinct names").isEqualTo(all.size());
        assertThat(all).allSatisfy(c -> assertThat(c.fragments()).as(c.name()).isNotEmpty());
    }

    // ------------------------------------------------------------------ model

    private static List<Case> networkBuilder() {
        return List.of(
                c("builder: input(0)", IAE, () -> Network.builder().input(0),
                        "input size must be at least 1, was 0"),
                c("builder: input(-3)", IAE, () -> Network.builder().input(-3), "input size", "-3"),
                c("builder: dense(0) as layer 1", IAE, () -> Network.builder().input(3).dense(0, Activation.RELU),
                        "layer 1 size must be at least 1, was 0"),
                c("builder: dense(-1) as layer 2", IAE, () -> Network.builder().input(3).dense(4, Activation.RELU)
                        .dense(-1, Activation.RELU), "layer 2 size must be at least 1, was -1"),
                c("builder: dense with null activation", NPE, () -> Network.builder().input(3).dense(4, null),
                        "activation must not be null"),
                c("builder: dense with null init", NPE, () -> Network.builder().input(3)
                        .dense(4, Activation.RELU, null), "init must not be null"),
                c("builder: layer(null)", NPE, () -> Network.builder().input(3).layer(null),
                        "layer must not be null"),
                c("builder: precision(null)", NPE, () -> Network.builder().precision(null),
                        "precision must not be null"),
                c("builder: build without input", ISE, () -> Network.builder().dense(2, Activation.RELU).build(),
                        "input(size)"),
                c("builder: build without layers", ISE, () -> Network.builder().input(3).build(),
                        "at least one layer", "input(3)"),
                c("builder: input after a layer", ISE, () -> Network.builder().input(3).dense(2, Activation.RELU)
                        .input(4), "input(4) must come before the first layer"),
                c("builder: explicit first layer too narrow", IAE, () -> Network.builder().input(5).layer(LAYER)
                        .build(), "layer 1 has 3 inputs but the input size is 5"),
                c("builder: explicit second layer does not chain", IAE, () -> Network.builder().input(3)
                        .dense(4, Activation.RELU).layer(LAYER).build(), "layer 2 has 3 inputs but layer 1 has 4"));
    }

    private static List<Case> network() {
        DenseLayer float32Layer = Layer.of(new float[][] {{1, 2}, {3, 4}}, new float[] {0, 0}, Activation.IDENTITY);
        DenseLayer five = Layer.of(new double[5][3], new double[5], Activation.RELU);
        return List.of(
                c("Network.of(null list)", NPE, () -> Network.of((List<Layer>) null), "layers must not be null"),
                c("Network.of(null array)", NPE, () -> Network.of((Layer[]) null), "layers must not be null"),
                c("Network.of(empty)", IAE, () -> Network.of(List.of()), "layers", "at least one layer"),
                c("Network.of(layer, null)", NPE, () -> Network.of(LAYER, null), "layer 2 must not be null"),
                c("Network.of: layers do not chain", IAE, () -> Network.of(LAYER, LAYER),
                        "layers do not chain: layer 2 has 3 inputs but layer 1 has 2 outputs"),
                c("Network.of: FLOAT64 then FLOAT32 layer", IAE, () -> Network.of(LAYER, float32Layer),
                        "layers differ in precision: layer 2 is FLOAT32 but layer 1 is FLOAT64"),
                c("layer(0)", IOOBE, () -> NET.layer(0), "layer 0 does not exist", "1..2", "input is layer 0"),
                c("layer(3) of 2", IOOBE, () -> NET.layer(3), "layer 3 does not exist", "1..2"),
                c("withLayer(3, …) of 2", IOOBE, () -> NET.withLayer(3, LAYER), "layer 3 does not exist"),
                c("withLayer(1, null)", NPE, () -> NET.withLayer(1, null), "replacement must not be null"),
                c("withLayer: replacement does not chain", IAE, () -> NET.withLayer(1, five),
                        "layer 2 has 4 inputs but layer 1 has 5 outputs"),
                c("withLayer: replacement of the other precision", IAE,
                        () -> NET.withLayer(2, NET.layer(2).toPrecision(FLOAT32)),
                        "layers differ in precision: layer 2 is FLOAT32 but layer 1 is FLOAT64"),
                c("toPrecision(null)", NPE, () -> NET.toPrecision(null), "precision must not be null"),
                c("predict(null double[])", NPE, () -> NET.predict((double[]) null), "input must not be null"),
                c("predict(double[2]) into 3 inputs", IAE, () -> NET.predict(new double[2]),
                        "input: the number of features per sample is 2 but the input size of layer 1 is 3"),
                c("predict(double[0])", IAE, () -> NET.predict(new double[0]), "input", "0 values"),
                c("predict(double[] with NaN)", IAE, () -> NET.predict(new double[] {1, NAN, 3}),
                        "input: row 0, column 1 is NaN"),
                c("predict(double[] with infinity)", IAE, () -> NET.predict(new double[] {1, 2, -INF}),
                        "input: row 0, column 2 is -Infinity"),
                c("predict(null double[][])", NPE, () -> NET.predict((double[][]) null), "inputs must not be null"),
                c("predict(double[0][])", IAE, () -> NET.predict(new double[0][]),
                        "inputs must have at least one row"),
                c("predict(ragged double[][])", IAE, () -> NET.predict(new double[][] {{1, 2, 3}, {1, 2}}),
                        "inputs: rows must all have the same length, but row 0 has 3 values and row 1 has 2"),
                c("predict(double[][] with a null row)", NPE, () -> NET.predict(new double[][] {{1, 2, 3}, null}),
                        "inputs: row 1 is null"),
                c("predict(double[][] too wide)", IAE, () -> NET.predict(new double[2][4]),
                        "inputs: the number of features per sample is 4 but the input size of layer 1 is 3"),
                c("predict(double[][] with NaN)", IAE, () -> NET.predict(new double[][] {{1, 2, 3}, {4, 5, NAN}}),
                        "inputs: row 1, column 2 is NaN"),
                c("predict(null float[])", NPE, () -> NET.predict((float[]) null), "input must not be null"),
                c("predict(float[4]) into 3 inputs", IAE, () -> NET32.predict(new float[4]),
                        "input: the number of features per sample is 4 but the input size of layer 1 is 3"),
                c("predict(float[] with NaN)", IAE, () -> NET32.predict(new float[] {Float.NaN, 0, 0}),
                        "input: row 0, column 0 is NaN"),
                c("predict(ragged float[][])", IAE, () -> NET32.predict(new float[][] {{1, 2, 3}, {1}}),
                        "inputs: rows must all have the same length"),
                c("predict(null Matrix)", NPE, () -> NET.predict((Matrix) null), "inputs must not be null"),
                c("predict(Matrix too wide)", IAE, () -> NET.predict(Matrix.zeros(FLOAT64, 2, 5)),
                        "inputs: the number of features per sample is 5 but the input size of layer 1 is 3"),
                c("FLOAT32 predict(double[] beyond float range)", IAE, () -> NET32.predict(new double[] {1e300, 0, 0}),
                        "input: row 0, column 0 is 1.0E300, outside the range of FLOAT32"),
                c("FLOAT32 predict(FLOAT64 Matrix beyond float range)", IAE,
                        () -> NET32.predict(Matrix.of(FLOAT64, new double[][] {{0, 0, 0}, {0, -1e300, 0}}, "x")),
                        "inputs: row 1, column 1 is -1.0E300, outside the range of FLOAT32"),
                c("predictClass(null)", NPE, () -> NET.predictClass((double[]) null), "input must not be null"),
                c("predictClass(double[5])", IAE, () -> NET.predictClass(new double[5]),
                        "input: the number of features per sample is 5 but the input size of layer 1 is 3"),
                c("predictClass(float[] with NaN)", IAE, () -> NET.predictClass(new float[] {0, 0, Float.NaN}),
                        "input: row 0, column 2 is NaN"),
                c("predictClasses(double[][] too narrow)", IAE, () -> NET.predictClasses(new double[3][2]),
                        "inputs: the number of features per sample is 2 but the input size of layer 1 is 3"),
                c("predictClasses(null Matrix)", NPE, () -> NET.predictClasses((Matrix) null),
                        "inputs must not be null"),
                c("classesOf(null)", NPE, () -> Network.classesOf(null), "outputs must not be null"),
                c("classOf(null, 0)", NPE, () -> Network.classOf(null, 0), "outputs must not be null"),
                c("classOf(row 2 of 2)", IOOBE, () -> Network.classOf(Matrix.zeros(FLOAT64, 2, 3), 2), "row 2",
                        "rows are 0..1"),
                c("checkInputs(null)", NPE, () -> NET.checkInputs(null, "batch"), "batch must not be null"),
                c("checkInputs(too narrow)", IAE, () -> NET.checkInputs(Matrix.zeros(FLOAT64, 1, 2), "batch"),
                        "batch: the number of features per sample is 2 but the input size of layer 1 is 3"),
                c("checkInputs(infinite value)", IAE, () -> NET.checkInputs(Matrix.of(FLOAT64,
                        new double[][] {{0, INF, 0}}, "b"), "batch"), "batch: row 0, column 1 is Infinity"));
    }

    private static List<Case> layer() {
        Matrix w = Matrix.of(FLOAT64, W, "w");
        Matrix b = Matrix.rowVector(FLOAT64, B, "b");
        return List.of(
                c("Layer.of(null weights)", NPE, () -> Layer.of((double[][]) null, B, Activation.RELU),
                        "weights must not be null"),
                c("Layer.of(null bias)", NPE, () -> Layer.of(W, (double[]) null, Activation.RELU),
                        "bias must not be null"),
                c("Layer.of(null activation)", NPE, () -> Layer.of(W, B, null), "activation must not be null"),
                c("Layer.of(no weight rows)", IAE, () -> Layer.of(new double[0][], B, Activation.RELU),
                        "weights must have at least one row"),
                c("Layer.of(ragged weights)", IAE, () -> Layer.of(new double[][] {{1, 2, 3}, {1, 2}}, B,
                        Activation.RELU), "weights: rows must all have the same length, but row 0 has 3 values and "
                        + "row 1 has 2"),
                c("Layer.of(empty bias)", IAE, () -> Layer.of(W, new double[0], Activation.RELU),
                        "bias must not be empty"),
                c("Layer.of(bias of 3 for 2 neurons)", IAE, () -> Layer.of(W, new double[3], Activation.RELU),
                        "bias length is 3 but the number of weight rows (the layer's outputs) is 2"),
                c("Layer.of(NaN weight)", IAE, () -> Layer.of(new double[][] {{1, 2, 3}, {4, 5, NAN}}, B,
                        Activation.RELU), "weights: row 1, column 2 is NaN"),
                c("Layer.of(infinite bias)", IAE, () -> Layer.of(W, new double[] {0, INF}, Activation.RELU),
                        "bias: row 0, column 1 is Infinity"),
                c("Layer.of(null precision)", NPE, () -> Layer.of(W, B, Activation.RELU, null),
                        "precision must not be null"),
                c("Layer.of(FLOAT32, weight beyond float range)", IAE, () -> Layer.of(new double[][] {{1e300, 0, 0},
                        {0, 0, 0}}, B, Activation.RELU, FLOAT32), "weights: row 0, column 0 is 1.0E300, outside the "
                        + "range of FLOAT32"),
                c("Layer.of(null float weights)", NPE, () -> Layer.of((float[][]) null, new float[2], Activation.RELU),
                        "weights must not be null"),
                c("Layer.of(float bias of 1 for 2 neurons)", IAE, () -> Layer.of(new float[2][3], new float[1],
                        Activation.RELU), "bias length is 1 but the number of weight rows (the layer's outputs) is 2"),
                c("Layer.of(NaN float weight)", IAE, () -> Layer.of(new float[][] {{Float.NaN}}, new float[1],
                        Activation.RELU), "weights: row 0, column 0 is NaN"),
                c("Layer.of(null weight matrix)", NPE, () -> Layer.of((Matrix) null, b, Activation.RELU),
                        "weights must not be null"),
                c("Layer.of(null bias matrix)", NPE, () -> Layer.of(w, (Matrix) null, Activation.RELU),
                        "bias must not be null"),
                c("Layer.of(FLOAT32 weights, FLOAT64 bias)", IAE, () -> Layer.of(w.toPrecision(FLOAT32), b,
                        Activation.RELU), "bias is FLOAT64 but weights are FLOAT32"),
                c("Layer.of(bias of two rows)", IAE, () -> Layer.of(w, Matrix.zeros(FLOAT64, 2, 2), Activation.RELU),
                        "bias must be one row, but is 2 × 2"),
                c("Layer.of(bias matrix of 3 for 2 neurons)", IAE, () -> Layer.of(w, Matrix.zeros(FLOAT64, 1, 3),
                        Activation.RELU), "bias length is 3 but the number of weight rows (the layer's outputs) is 2"),
                c("Layer.of(weight matrix with NaN)", IAE, () -> Layer.of(Matrix.of(FLOAT64,
                        new double[][] {{NAN, 0, 0}, {0, 0, 0}}, "w"), b, Activation.RELU),
                        "weights: row 0, column 0 is NaN"),
                c("withWeights(null)", NPE, () -> LAYER.withWeights(null), "weights must not be null"),
                c("withWeights(3 × 3 for 2 × 3)", IAE, () -> LAYER.withWeights(new double[3][3]),
                        "weights are 3 × 3 but this layer's weights are 2 × 3"),
                c("withWeights(NaN)", IAE, () -> LAYER.withWeights(new double[][] {{0, NAN, 0}, {0, 0, 0}}),
                        "weights: row 0, column 1 is NaN"),
                c("withBias(null)", NPE, () -> LAYER.withBias(null), "bias must not be null"),
                c("withBias(3 for 2 neurons)", IAE, () -> LAYER.withBias(new double[3]),
                        "bias length is 3 but the number of weight rows (the layer's outputs) is 2"),
                c("withBias(NaN)", IAE, () -> LAYER.withBias(new double[] {NAN, 0}), "bias: row 0, column 0 is NaN"),
                c("withActivation(null)", NPE, () -> LAYER.withActivation(null), "activation must not be null"),
                c("Layer.toPrecision(null)", NPE, () -> LAYER.toPrecision(null), "precision must not be null"),
                c("weight(neuron 2) of 2", IOOBE, () -> LAYER.weight(2, 0),
                        "neuron 2 does not exist: this layer has 2 neurons, numbered 0..1"),
                c("weight(input 3) of 3", IOOBE, () -> LAYER.weight(0, 3),
                        "input 3 does not exist: this layer has 3 inputs, numbered 0..2"),
                c("bias(-1)", IOOBE, () -> LAYER.bias(-1), "neuron -1 does not exist: this layer has 2 neurons"),
                c("weightedSums(null)", NPE, () -> LAYER.weightedSums(null), "input must not be null"),
                c("weightedSums(too narrow)", IAE, () -> LAYER.weightedSums(Matrix.zeros(FLOAT64, 4, 2)),
                        "input width is 2 but the layer's input size is 3"),
                c("weightedSums(FLOAT32 input into FLOAT64 layer)", IAE,
                        () -> LAYER.weightedSums(Matrix.zeros(FLOAT32, 4, 3)), "input is FLOAT32 but the layer is "
                                + "FLOAT64"),
                c("activate(null)", NPE, () -> LAYER.activate(null), "z must not be null"));
    }

    private static List<Case> activationsAndLosses() {
        Matrix readOnly = Matrix.zeros(FLOAT64, 2, 3).readOnlyView();
        ForwardPass sigmoidPass = ForwardPass.run(SIGMOID, X);
        ForwardPass softmaxPass = ForwardPass.run(NET, X);
        return List.of(
                c("leakyRelu(-0.1)", IAE, () -> Activation.leakyRelu(-0.1),
                        "slope must be a finite number >= 0, was -0.1"),
                c("leakyRelu(NaN)", IAE, () -> Activation.leakyRelu(NAN), "slope", "NaN"),
                c("leakyRelu(infinity)", IAE, () -> Activation.leakyRelu(INF), "slope", "Infinity"),
                c("elu(0)", IAE, () -> Activation.elu(0), "alpha must be a finite number > 0, was 0.0"),
                c("elu(-1)", IAE, () -> Activation.elu(-1), "alpha", "-1.0"),
                c("elu(NaN)", IAE, () -> Activation.elu(NAN), "alpha", "NaN"),
                c("elementwise(null name)", NPE, () -> Activation.elementwise(null, z -> z, (z, a) -> 1),
                        "name must not be null"),
                c("elementwise(blank name)", IAE, () -> Activation.elementwise(" ", z -> z, (z, a) -> 1),
                        "name must not be blank"),
                c("elementwise(null function)", NPE, () -> Activation.elementwise("f", null, (z, a) -> 1),
                        "function must not be null"),
                c("elementwise(null derivative)", NPE, () -> Activation.elementwise("f", z -> z, null),
                        "derivative must not be null"),
                c("huber(0)", IAE, () -> Loss.huber(0), "delta must be a finite number > 0, was 0.0"),
                c("huber(-1)", IAE, () -> Loss.huber(-1), "delta", "-1.0"),
                c("huber(NaN)", IAE, () -> Loss.huber(NAN), "delta", "NaN"),
                c("huber(infinity)", IAE, () -> Loss.huber(INF), "delta", "Infinity"),
                c("crossEntropy()", IAE, () -> Loss.crossEntropy(), "classWeights must not be empty"),
                c("crossEntropy(null)", NPE, () -> Loss.crossEntropy((double[]) null), "classWeights must not be null"),
                c("crossEntropy(1, -1)", IAE, () -> Loss.crossEntropy(1, -1),
                        "classWeights[1] must be a finite number >= 0, was -1.0"),
                c("crossEntropy(NaN, 1)", IAE, () -> Loss.crossEntropy(NAN, 1), "classWeights[0]", "NaN"),
                c("BCE target above 1", IAE, () -> new Backpropagator(Loss.BINARY_CROSS_ENTROPY)
                        .gradients(sigmoidPass, new double[][] {{0}, {1.5}}),
                        "targets: row 1, column 0 is 1.5; binary cross-entropy needs targets in [0, 1]"),
                c("BCE target below 0", IAE, () -> new Backpropagator(Loss.BINARY_CROSS_ENTROPY)
                        .gradients(sigmoidPass, new double[][] {{-0.5}, {1}}), "targets: row 0, column 0 is -0.5",
                        "[0, 1]"),
                c("BCE checkTargets directly", IAE, () -> Loss.BINARY_CROSS_ENTROPY.checkTargets(
                        Matrix.of(FLOAT64, new double[][] {{0, 1}, {1, 2}}, "y")), "targets: row 1, column 1 is 2.0"),
                c("CE negative target", IAE, () -> CE.gradients(softmaxPass, new double[][] {{1, 0}, {-0.5, 1.5}}),
                        "targets: row 1, column 0 is -0.5; cross-entropy needs targets >= 0"),
                c("weighted CE negative target", IAE, () -> new Backpropagator(Loss.crossEntropy(1, 2))
                        .gradients(softmaxPass, new double[][] {{1, -1}, {0, 1}}), "targets: row 0, column 1 is -1.0"),
                c("CE after a relu output layer", IAE, () -> CE.gradients(ForwardPass.run(RELU_OUTPUT, X), Y),
                        "loss cross_entropy needs a softmax output layer, but layer 2 (the output layer) has relu"),
                c("BCE after a softmax output layer", IAE, () -> new Backpropagator(Loss.BINARY_CROSS_ENTROPY)
                        .gradients(softmaxPass, Y), "loss binary_cross_entropy needs a sigmoid output layer, but "
                        + "layer 2 (the output layer) has softmax"),
                c("weighted CE with 3 weights for 2 classes", IAE, () -> new Backpropagator(Loss.crossEntropy(1, 1, 1))
                        .gradients(softmaxPass, Y), "classWeights has 3 entries but the targets have 2 classes"),
                c("WeightInit.initialize(null weights)", NPE, () -> WeightInit.HE_UNIFORM.initialize(null,
                        new SplittableRandom(1)), "weights must not be null"),
                c("WeightInit.initialize(null random)", NPE, () -> WeightInit.GLOROT_NORMAL.initialize(
                        Matrix.zeros(FLOAT64, 2, 3), null), "random must not be null"),
                c("WeightInit.initialize(read-only weights)", IAE, () -> WeightInit.LECUN_UNIFORM.initialize(readOnly,
                        new SplittableRandom(1)), "weights is a read-only view"));
    }

    private static List<Case> matrix() {
        Matrix a23 = Matrix.zeros(FLOAT64, 2, 3);
        Matrix b24 = Matrix.zeros(FLOAT64, 2, 4);
        Matrix b34 = Matrix.zeros(FLOAT64, 3, 4);
        Matrix out22 = Matrix.zeros(FLOAT64, 2, 2);
        Matrix out24 = Matrix.zeros(FLOAT64, 2, 4);
        Matrix m32 = Matrix.zeros(FLOAT64, 3, 2);
        Matrix readOnly = Matrix.zeros(FLOAT64, 2, 3).readOnlyView();
        return List.of(
                c("Matrix.zeros(null precision)", NPE, () -> Matrix.zeros(null, 1, 1), "precision must not be null"),
                c("Matrix.zeros(0 rows)", IAE, () -> Matrix.zeros(FLOAT64, 0, 3), "rows must be at least 1, was 0"),
                c("Matrix.zeros(-1 cols)", IAE, () -> Matrix.zeros(FLOAT32, 3, -1), "cols must be at least 1, was -1"),
                c("Matrix.zeros(too many elements)", IAE, () -> Matrix.zeros(FLOAT64, 100_000, 100_000),
                        "a 100000 × 100000 matrix has 10000000000 elements"),
                c("Matrix.of(null double[][])", NPE, () -> Matrix.of(FLOAT64, (double[][]) null, "w"),
                        "w must not be null"),
                c("Matrix.of(no rows)", IAE, () -> Matrix.of(FLOAT64, new double[0][], "w"),
                        "w must have at least one row"),
                c("Matrix.of(empty row)", IAE, () -> Matrix.of(FLOAT64, new double[][] {{}}, "w"),
                        "w: rows must not be empty, row 0 has 0 values"),
                c("Matrix.of(ragged)", IAE, () -> Matrix.of(FLOAT64, new double[][] {{1, 2}, {1}}, "w"),
                        "w: rows must all have the same length, but row 0 has 2 values and row 1 has 1"),
                c("Matrix.of(null row)", NPE, () -> Matrix.of(FLOAT64, new double[][] {{1}, null}, "w"),
                        "w: row 1 is null"),
                c("Matrix.of(null precision)", NPE, () -> Matrix.of(null, new double[][] {{1}}, "w"),
                        "precision must not be null"),
                c("Matrix.of(FLOAT32, beyond float range)", IAE, () -> Matrix.of(FLOAT32,
                        new double[][] {{1, 2}, {3, 1e39}}, "w"), "w: row 1, column 1 is 1.0E39, outside the range of "
                        + "FLOAT32"),
                c("Matrix.of(ragged float[][])", IAE, () -> Matrix.of(FLOAT32, new float[][] {{1}, {1, 2}}, "w"),
                        "w: rows must all have the same length, but row 0 has 1 values and row 1 has 2"),
                c("Matrix.rowVector(null double[])", NPE, () -> Matrix.rowVector(FLOAT64, (double[]) null, "v"),
                        "v must not be null"),
                c("Matrix.rowVector(empty double[])", IAE, () -> Matrix.rowVector(FLOAT64, new double[0], "v"),
                        "v must not be empty"),
                c("Matrix.rowVector(empty float[])", IAE, () -> Matrix.rowVector(FLOAT32, new float[0], "v"),
                        "v must not be empty"),
                c("Matrix.get outside", IOOBE, () -> a23.get(2, 0), "(2, 0) is outside a 2 × 3 matrix"),
                c("Matrix.set outside", IOOBE, () -> a23.copy().set(0, -1, 1), "(0, -1) is outside a 2 × 3 matrix"),
                c("Matrix.set on a read-only view", ISE, () -> readOnly.set(0, 0, 1),
                        "this matrix is a read-only view"),
                c("Matrix.row outside", IOOBE, () -> a23.row(5), "row 5 is outside a 2 × 3 matrix", "0..1"),
                c("Matrix.rowAsFloat outside", IOOBE, () -> a23.toPrecision(FLOAT32).rowAsFloat(-1),
                        "row -1 is outside a 2 × 3 matrix"),
                c("multiplyTransposed: inner sizes differ", IAE, () -> Matrix.multiplyTransposed(a23, b24, out22),
                        "a · bᵀ: inner sizes differ, a is 2 × 3 and b is 2 × 4"),
                c("multiply: out of the wrong shape", IAE, () -> Matrix.multiply(a23, b34, out22),
                        "a · b: out is 2 × 2 but must be 2 × 4"),
                c("multiply: FLOAT32 operand, FLOAT64 out", IAE, () -> Matrix.multiply(a23.toPrecision(FLOAT32), b34,
                        out24), "precision mismatch: out is FLOAT64, operands are FLOAT32 and FLOAT64"),
                c("multiply: read-only out", ISE, () -> Matrix.multiply(a23, b34, out24.readOnlyView()),
                        "out is a read-only view"),
                c("multiply: out shares storage with a", IAE, () -> {
                    Matrix square = Matrix.zeros(FLOAT64, 2, 2);
                    Matrix.multiply(square, square.copy(), square);
                }, "out must not share storage with an operand"),
                c("multiply(null a)", NPE, () -> Matrix.multiply(null, b34, out24), "a must not be null"),
                c("transposedMultiply: inner sizes differ", IAE, () -> Matrix.transposedMultiply(a23, b34,
                        Matrix.zeros(FLOAT64, 3, 4)), "aᵀ · b: inner sizes differ, a is 2 × 3 and b is 3 × 4"),
                c("addRowVector: wrong width", IAE, () -> a23.copy().addRowVector(Matrix.zeros(FLOAT64, 1, 2)),
                        "addRowVector: v is 1 × 2 but must be 1 × 3 for a 2 × 3 matrix"),
                c("addRowVector on a read-only view", ISE, () -> readOnly.addRowVector(Matrix.zeros(FLOAT64, 1, 3)),
                        "this matrix is a read-only view"),
                c("addRowVectorRelu: wrong width", IAE, () -> a23.copy().addRowVectorRelu(Matrix.zeros(FLOAT64, 1, 2),
                        a23.copy()), "addRowVectorRelu: v is 1 × 2 but must be 1 × 3 for a 2 × 3 matrix"),
                c("addRowVectorRelu: wrong out", IAE, () -> a23.copy().addRowVectorRelu(Matrix.zeros(FLOAT64, 1, 3),
                        m32), "addRowVectorRelu: shapes differ, 3 × 2 and 2 × 3"),
                c("addRowVectorRelu on a read-only view", ISE, () -> readOnly.addRowVectorRelu(
                        Matrix.zeros(FLOAT64, 1, 3), a23.copy()), "this matrix is a read-only view"),
                c("addRowVectorRelu(null v)", NPE, () -> a23.copy().addRowVectorRelu(null, a23.copy()),
                        "operand must not be null"),
                c("columnSums: wrong out", IAE, () -> a23.columnSums(Matrix.zeros(FLOAT64, 1, 2)),
                        "columnSums: out is 1 × 2 but must be 1 × 3"),
                c("map(null f)", NPE, () -> a23.map(null, a23.copy()), "f must not be null"),
                c("map: shapes differ", IAE, () -> a23.map(x -> x, m32), "map: shapes differ, 3 × 2 and 2 × 3"),
                c("addScaled: shapes differ", IAE, () -> a23.copy().addScaled(1, m32),
                        "addScaled: shapes differ, 2 × 3 and 3 × 2"),
                c("addScaled: precisions differ", IAE, () -> a23.copy().addScaled(1, a23.toPrecision(FLOAT32)),
                        "precision mismatch: out is FLOAT64, operands are FLOAT32"),
                c("addScaled on a read-only view", ISE, () -> readOnly.addScaled(1, a23),
                        "this matrix is a read-only view"),
                c("copyFrom: shapes differ", IAE, () -> a23.copy().copyFrom(m32), "copyFrom: shapes differ"),
                c("dot: shapes differ", IAE, () -> Matrix.dot(a23, m32),
                        "dot: operands differ, Matrix[FLOAT64, 2 × 3] and Matrix[FLOAT64, 3 × 2]"),
                c("dot(null x)", NPE, () -> Matrix.dot(null, a23), "x must not be null"),
                c("zip(null f)", NPE, () -> Matrix.zip(a23, a23, null, a23.copy()), "f must not be null"),
                c("zip: shapes differ", IAE, () -> Matrix.zip(a23, m32, Double::sum, a23.copy()),
                        "zip: shapes differ, 2 × 3 and 3 × 2"),
                c("softmaxRows: shapes differ", IAE, () -> a23.softmaxRows(m32), "softmaxRows: shapes differ"),
                c("rowSums: wrong out", IAE, () -> a23.rowSums(Matrix.zeros(FLOAT64, 1, 1)),
                        "rowSums: out is 1 × 1 but must be 2 × 1"),
                c("multiplyRows: wrong v", IAE, () -> a23.copy().multiplyRows(Matrix.zeros(FLOAT64, 1, 2)),
                        "multiplyRows: v is 1 × 2 but must be 2 × 1"),
                c("scale on a read-only view", ISE, () -> readOnly.scale(2), "this matrix is a read-only view"),
                c("fill on a read-only view", ISE, () -> readOnly.fill(0), "this matrix is a read-only view"),
                c("fillDropoutMask(rate 1)", IAE, () -> a23.copy().fillDropoutMask(new SplittableRandom(1), 1),
                        "dropout rate must be in [0, 1), was 1.0"),
                c("fillDropoutMask(null random)", NPE, () -> a23.copy().fillDropoutMask(null, 0.5),
                        "random must not be null"),
                c("requireFinite finds NaN", IAE, () -> Matrix.of(FLOAT64, new double[][] {{0}, {NAN}}, "m")
                        .requireFinite("m"), "m: row 1, column 0 is NaN; every value must be finite"),
                c("toPrecision(FLOAT32, name) beyond float range", IAE, () -> Matrix.of(FLOAT64,
                        new double[][] {{0, 4e38}}, "m").toPrecision(FLOAT32, "x"),
                        "x: row 0, column 1 is 4.0E38, outside the range of FLOAT32"),
                c("firstWhere(null)", NPE, () -> a23.firstWhere(null), "condition must not be null"));
    }

    // ------------------------------------------------------------------ optimizers

    private static List<Case> optimizers() {
        return List.of(
                c("sgd(-0.1)", IAE, () -> Optimizer.sgd(-0.1), "learningRate must be a finite number >= 0, was -0.1"),
                c("sgd(NaN)", IAE, () -> Optimizer.sgd(NAN), "learningRate", "NaN"),
                c("sgd(infinity)", IAE, () -> Optimizer.sgd(INF), "learningRate", "Infinity"),
                c("sgd.withWeightDecay(-1)", IAE, () -> Optimizer.sgd(0.1).withWeightDecay(-1),
                        "weightDecay must be a finite number >= 0, was -1.0"),
                c("momentum(0.1, 1)", IAE, () -> Optimizer.momentum(0.1, 1),
                        "momentum must be a number in [0, 1), was 1.0"),
                c("momentum(-0.1, 0.9)", IAE, () -> Optimizer.momentum(-0.1, 0.9), "learningRate", "-0.1"),
                c("momentum(0.1, NaN)", IAE, () -> Optimizer.momentum(0.1, NAN), "momentum", "NaN"),
                c("nesterov(0.1, -0.5)", IAE, () -> Optimizer.nesterov(0.1, -0.5), "momentum", "-0.5"),
                c("nesterov(NaN, 0.9)", IAE, () -> Optimizer.nesterov(NAN, 0.9), "learningRate", "NaN"),
                c("adagrad(-1)", IAE, () -> Optimizer.adagrad(-1), "learningRate", "-1.0"),
                c("adagrad.withEpsilon(0)", IAE, () -> Optimizer.adagrad().withEpsilon(0),
                        "epsilon must be a finite number > 0, was 0.0"),
                c("adagrad.withInitialAccumulator(-1)", IAE, () -> Optimizer.adagrad().withInitialAccumulator(-1),
                        "initialAccumulator", "-1.0"),
                c("rmsprop(infinity)", IAE, () -> Optimizer.rmsprop(INF), "learningRate", "Infinity"),
                c("rmsprop.withAlpha(1)", IAE, () -> Optimizer.rmsprop().withAlpha(1),
                        "alpha must be a number in [0, 1), was 1.0"),
                c("rmsprop.withEpsilon(-1)", IAE, () -> Optimizer.rmsprop().withEpsilon(-1), "epsilon", "-1.0"),
                c("adam(-0.001)", IAE, () -> Optimizer.adam(-1e-3), "learningRate", "-0.001"),
                c("adam.withBetas(1, 0.999)", IAE, () -> Optimizer.adam().withBetas(1, 0.999),
                        "beta1 must be a number in [0, 1), was 1.0"),
                c("adam.withBetas(0.9, -0.1)", IAE, () -> Optimizer.adam().withBetas(0.9, -0.1), "beta2", "-0.1"),
                c("adam.withEpsilon(NaN)", IAE, () -> Optimizer.adam().withEpsilon(NAN), "epsilon", "NaN"),
                c("adamW(0.001, -0.01)", IAE, () -> Optimizer.adamW(0.001, -0.01), "weightDecay", "-0.01"),
                c("adamW(NaN, 0.01)", IAE, () -> Optimizer.adamW(NAN, 0.01), "learningRate", "NaN"),
                c("adamW.withBetas(0.9, 1.5)", IAE, () -> Optimizer.adamW().withBetas(0.9, 1.5), "beta2", "1.5"),
                c("adamW.withEpsilon(0)", IAE, () -> Optimizer.adamW().withEpsilon(0), "epsilon", "0.0"),
                c("withL1(-1)", IAE, () -> Optimizer.adam().withL1(-1), "lambda must be a finite number >= 0, was -1.0"),
                c("withL2(NaN)", IAE, () -> Optimizer.sgd(0.1).withL2(NAN), "lambda", "NaN"),
                c("clippedByValue(0)", IAE, () -> Optimizer.sgd(0.1).clippedByValue(0),
                        "limit must be a finite number > 0, was 0.0"),
                c("clippedByValue(infinity)", IAE, () -> Optimizer.momentum(0.1, 0.9).clippedByValue(INF), "limit",
                        "Infinity"),
                c("freezing()", IAE, () -> Optimizer.sgd(0.1).freezing(), "freezing needs at least one layer number"),
                c("freezing(0)", IAE, () -> Optimizer.adam().freezing(1, 0), "layer must be at least 1, was 0"),
                c("freezing(null)", NPE, () -> Optimizer.adam().freezing((int[]) null), "layers must not be null"),
                c("frozen optimizer withL2(-1)", IAE, () -> Optimizer.adam().freezing(1).withL2(-1), "lambda", "-1.0"),
                c("transformingGradients(null)", NPE, () -> Optimizer.adam().transformingGradients(null),
                        "transform must not be null"),
                c("GradientTransform.l2(1).onlyFor(null)", NPE, () -> GradientTransform.l2(1).onlyFor(null),
                        "kind must not be null"),
                c("GradientTransform.clipByValue(-1)", IAE, () -> GradientTransform.clipByValue(-1), "limit", "-1.0"));
    }

    private static List<Case> schedulesAndState() {
        Matrix m23 = Matrix.zeros(FLOAT64, 2, 3);
        Map<String, Matrix> withNull = new HashMap<>();
        withNull.put("layer1.weights.m", null);
        Map<String, Matrix> mixedShapes = new HashMap<>();
        mixedShapes.put("layer1.weights.m", m23);
        mixedShapes.put("layer1.weights.v", Matrix.zeros(FLOAT64, 3, 3));
        OptimizerState filled = new OptimizerState();
        filled.forParameter(1, ParameterKind.WEIGHTS, m23).slot("m");
        return List.of(
                c("stepDecay(0, 0.5)", IAE, () -> LearningRateSchedule.stepDecay(0, 0.5),
                        "everyEpochs must be at least 1, was 0"),
                c("stepDecay(1, 0)", IAE, () -> LearningRateSchedule.stepDecay(1, 0),
                        "gamma must be a finite number > 0, was 0.0"),
                c("stepDecay(1, NaN)", IAE, () -> LearningRateSchedule.stepDecay(1, NAN), "gamma", "NaN"),
                c("exponential(-0.5)", IAE, () -> LearningRateSchedule.exponential(-0.5), "gamma", "-0.5"),
                c("exponential(infinity)", IAE, () -> LearningRateSchedule.exponential(INF), "gamma", "Infinity"),
                c("cosine(0)", IAE, () -> LearningRateSchedule.cosine(0), "totalSteps must be at least 1, was 0"),
                c("cosine(10).withWarmup(10)", IAE, () -> LearningRateSchedule.cosine(10).withWarmup(10),
                        "warmupSteps must be less than totalSteps 10, was 10"),
                c("cosine(10).withWarmup(-1)", IAE, () -> LearningRateSchedule.cosine(10).withWarmup(-1),
                        "warmupSteps must be at least 0, was -1"),
                c("cosine(10).withMinimumRate(-0.1)", IAE, () -> LearningRateSchedule.cosine(10).withMinimumRate(-0.1),
                        "minimumRate", "-0.1"),
                c("cosine(10).withMinimumRate(NaN)", IAE, () -> LearningRateSchedule.cosine(10).withMinimumRate(NAN),
                        "minimumRate", "NaN"),
                c("ofStep(null)", NPE, () -> LearningRateSchedule.ofStep(null), "factor must not be null"),
                c("ofEpoch(null)", NPE, () -> LearningRateSchedule.ofEpoch(null), "factor must not be null"),
                c("constant: negative base rate", IAE, () -> LearningRateSchedule.constant().learningRate(-1, 1, 1),
                        "baseRate", "-1.0"),
                c("constant: step 0", IAE, () -> LearningRateSchedule.constant().learningRate(0.1, 0, 1),
                        "step must be at least 1, was 0"),
                c("exponential: epoch 0", IAE, () -> LearningRateSchedule.exponential(0.9).learningRate(0.1, 1, 0),
                        "epoch must be at least 1, was 0"),
                c("cosine: NaN base rate", IAE, () -> LearningRateSchedule.cosine(5).learningRate(NAN, 1, 1),
                        "baseRate", "NaN"),
                c("OptimizerState.restore(null)", NPE, () -> OptimizerState.restore(null, 0),
                        "slots must not be null"),
                c("OptimizerState.restore(stepCount -1)", IAE, () -> OptimizerState.restore(Map.of(), -1),
                        "stepCount must be at least 0, was -1"),
                c("OptimizerState.restore(layer 0)", IAE, () -> OptimizerState.restore(Map.of("layer0.weights.m",
                        m23), 0), "slots: buffer name", "'layer0.weights.m'"),
                c("OptimizerState.restore(unknown kind)", IAE, () -> OptimizerState.restore(Map.of("layer1.gamma.m",
                        m23), 0), "'layer1.gamma.m'"),
                c("OptimizerState.restore(null buffer)", NPE, () -> OptimizerState.restore(withNull, 0),
                        "slots: buffer layer1.weights.m must not be null"),
                c("OptimizerState.restore(buffers of one parameter differ)", IAE,
                        () -> OptimizerState.restore(mixedShapes, 0), "slots: buffers of layer1.weights differ"),
                c("forParameter(layer 0)", IAE, () -> new OptimizerState().forParameter(0, ParameterKind.WEIGHTS, m23),
                        "layer must be at least 1, was 0"),
                c("forParameter(null kind)", NPE, () -> new OptimizerState().forParameter(1, null, m23),
                        "kind must not be null"),
                c("forParameter(null parameter)", NPE, () -> new OptimizerState().forParameter(1, ParameterKind.BIAS,
                        null), "parameter must not be null"),
                c("forParameter: buffers of another shape", IAE, () -> filled.forParameter(1, ParameterKind.WEIGHTS,
                        Matrix.zeros(FLOAT64, 3, 3)), "optimizer state does not fit this network: layer1.weights.m is "
                        + "Matrix[FLOAT64, 2 × 3] but the parameter is Matrix[FLOAT64, 3 × 3]"),
                c("ParameterState.slot(bad name)", IAE, () -> new OptimizerState().forParameter(1,
                        ParameterKind.WEIGHTS, m23).slot("bad name"), "buffer name must be letters, digits and "
                        + "underscores, was 'bad name'"),
                c("ParameterState.slot(null)", NPE, () -> new OptimizerState().forParameter(1, ParameterKind.WEIGHTS,
                        m23).slot(null), "name must not be null"),
                c("ParameterState.hasSlot(null)", NPE, () -> new OptimizerState().forParameter(1, ParameterKind.BIAS,
                        m23).hasSlot(null), "name must not be null"));
    }

    // ------------------------------------------------------------------ training

    private static List<Case> forwardAndBackward() {
        Matrix x = Matrix.of(FLOAT64, X, "x");
        Matrix y = Matrix.of(FLOAT64, Y, "y");
        Gradients gradients = CE.gradients(NET, X, Y);
        Dropout dropLayer1 = Dropout.none().with(1, 0.5);
        double[][] y1 = {{0.5}, {0.5}};
        return List.of(
                c("ForwardPass.run(null network)", NPE, () -> ForwardPass.run(null, x), "network must not be null"),
                c("ForwardPass.run(null inputs)", NPE, () -> ForwardPass.run(NET, (Matrix) null),
                        "inputs must not be null"),
                c("ForwardPass.run(too wide)", IAE, () -> ForwardPass.run(NET, Matrix.zeros(FLOAT64, 2, 4)),
                        "inputs: the number of features per sample is 4 but the input size of layer 1 is 3"),
                c("ForwardPass.run(NaN input)", IAE, () -> ForwardPass.run(NET, new double[][] {{1, 2, 3}, {NAN, 0, 0}}),
                        "inputs: row 1, column 0 is NaN"),
                c("ForwardPass.run(null float inputs)", NPE, () -> ForwardPass.run(NET, (float[][]) null),
                        "inputs must not be null"),
                c("ForwardPass.run(null dropout)", NPE, () -> ForwardPass.run(NET, x, null, new SplittableRandom(1)),
                        "dropout must not be null"),
                c("ForwardPass.run(dropout without random)", NPE, () -> ForwardPass.run(NET, x, dropLayer1, null),
                        "random must not be null when dropout is used"),
                c("ForwardPass.run(dropout on the output layer)", IAE, () -> ForwardPass.run(NET, x,
                        Dropout.none().with(2, 0.5), new SplittableRandom(1)), "dropout on layer 2 is not possible",
                        "layers 0..1", "output layer 2"),
                c("ForwardPass.run(FLOAT32 network, FLOAT64 beyond float range)", IAE, () -> ForwardPass.run(NET32,
                        Matrix.of(FLOAT64, new double[][] {{0, 0, 1e40}}, "x")),
                        "inputs: row 0, column 2 is 1.0E40, outside the range of FLOAT32"),
                c("ForwardPass.weightedSums(0)", IOOBE, () -> ForwardPass.run(NET, x).weightedSums(0),
                        "layer 0 does not exist here: the valid layers are 1..2"),
                c("ForwardPass.activations(3)", IOOBE, () -> ForwardPass.run(NET, x).activations(3),
                        "layer 3 does not exist here: the valid layers are 0..2"),
                c("new Backpropagator(null)", NPE, () -> new Backpropagator(null), "loss must not be null"),
                c("gradients(null pass)", NPE, () -> CE.gradients((ForwardPass) null, y), "pass must not be null"),
                c("gradients(null targets)", NPE, () -> CE.gradients(ForwardPass.run(NET, x), (Matrix) null),
                        "targets must not be null"),
                c("gradients: 3 target rows for 2 samples", IAE, () -> CE.gradients(ForwardPass.run(NET, x),
                        new double[][] {{1, 0}, {0, 1}, {1, 0}}),
                        "targets: the number of rows is 3 but the number of input samples is 2"),
                c("gradients: 3 targets for 2 outputs", IAE, () -> CE.gradients(ForwardPass.run(NET, x),
                        new double[2][3]), "targets: the number of values per sample is 3 but the output size of "
                        + "layer 2 (the output layer) is 2"),
                c("gradients: NaN target", IAE, () -> CE.gradients(ForwardPass.run(NET, x), new double[][] {{1, NAN},
                        {0, 1}}), "targets: row 0, column 1 is NaN"),
                c("gradients: FLOAT32 pass, FLOAT64 target beyond float range", IAE, () -> new Backpropagator(Loss.MSE)
                        .gradients(ForwardPass.run(NET32, x), Matrix.of(FLOAT64, new double[][] {{0, 0}, {0, 1e300}},
                                "y")), "targets: row 1, column 1 is 1.0E300, outside the range of FLOAT32"),
                c("gradients: ragged targets", IAE, () -> CE.gradients(NET, X, new double[][] {{1, 0}, {1}}),
                        "targets: rows must all have the same length"),
                c("gradients: inputs too narrow", IAE, () -> CE.gradients(NET, new double[2][2], Y),
                        "inputs: the number of features per sample is 2 but the input size of layer 1 is 3"),
                c("apply(null network)", NPE, () -> CE.apply(null, gradients, Optimizer.sgd(0.1), new OptimizerState()),
                        "network must not be null"),
                c("apply(null gradients)", NPE, () -> CE.apply(NET, null, Optimizer.sgd(0.1), new OptimizerState()),
                        "gradients must not be null"),
                c("apply(null optimizer)", NPE, () -> CE.apply(NET, gradients, null, new OptimizerState()),
                        "optimizer must not be null"),
                c("apply(null state)", NPE, () -> CE.apply(NET, gradients, Optimizer.sgd(0.1), null),
                        "state must not be null"),
                c("apply(learning rate -0.1)", IAE, () -> CE.apply(NET, gradients, Optimizer.sgd(0.1),
                        new OptimizerState(), -0.1), "learningRate must be a finite number >= 0, was -0.1"),
                c("apply(learning rate NaN)", IAE, () -> CE.apply(NET, gradients, Optimizer.sgd(0.1),
                        new OptimizerState(), NAN), "learningRate", "NaN"),
                c("apply: gradients of 2 layers to a network of 3", IAE, () -> CE.apply(THREE_LAYERS, gradients,
                        Optimizer.sgd(0.1), new OptimizerState()),
                        "gradients: the number of layers is 2 but the network's number of layers is 3"),
                c("apply: gradients of another shape", IAE, () -> CE.apply(WIDE, gradients, Optimizer.sgd(0.1),
                        new OptimizerState()), "gradients: layer 1 weights gradient is Matrix[FLOAT64, 4 × 3] but the "
                        + "parameter is Matrix[FLOAT64, 5 × 3]"),
                c("apply: FLOAT64 gradients to a FLOAT32 network", IAE, () -> CE.apply(NET32, gradients,
                        Optimizer.sgd(0.1), new OptimizerState()), "gradients: layer 1 weights gradient is "
                        + "Matrix[FLOAT64, 4 × 3] but the parameter is Matrix[FLOAT32, 4 × 3]"),
                c("apply: optimizer state of another network", IAE, () -> {
                    OptimizerState wideState = new OptimizerState();
                    CE.apply(WIDE, CE.gradients(WIDE, X, Y), Optimizer.adam(), wideState);
                    CE.apply(NET, gradients, Optimizer.adam(), wideState);
                }, "optimizer state does not fit this network: layer1.weights.exp_avg is Matrix[FLOAT64, 5 × 3] but "
                        + "the parameter is Matrix[FLOAT64, 4 × 3]"),
                c("step: inputs too wide", IAE, () -> CE.step(NET, new double[2][4], Y, Optimizer.sgd(0.1),
                        new OptimizerState()), "inputs: the number of features per sample is 4"),
                c("step: target rows differ from input rows", IAE, () -> CE.step(NET, x, Matrix.zeros(FLOAT64, 3, 2),
                        Optimizer.sgd(0.1), new OptimizerState()), "targets: the number of rows is 3 but the number "
                        + "of input samples is 2"),
                c("GradientCheck.run(null network)", NPE, () -> GradientCheck.run(null, Loss.MSE, X, Y),
                        "network must not be null"),
                c("GradientCheck.run(null loss)", NPE, () -> GradientCheck.run(NET, null, X, Y),
                        "loss must not be null"),
                c("GradientCheck.run(null inputs)", NPE, () -> GradientCheck.run(NET, Loss.MSE, null, Y),
                        "inputs must not be null"),
                c("GradientCheck.run(epsilon 0)", IAE, () -> GradientCheck.run(NET, Loss.MSE, X, Y, 0),
                        "epsilon must be a finite number > 0, was 0.0"),
                c("GradientCheck.run(epsilon NaN)", IAE, () -> GradientCheck.run(NET, Loss.MSE, X, Y, NAN),
                        "epsilon", "NaN"),
                c("GradientCheck.run(inputs too narrow)", IAE, () -> GradientCheck.run(NET, Loss.MSE, new double[2][2],
                        Y), "inputs: the number of features per sample is 2 but the input size of layer 1 is 3"),
                c("GradientCheck.run(targets too narrow)", IAE, () -> GradientCheck.run(NET, Loss.MSE, X, y1),
                        "targets: the number of values per sample is 1 but the output size of layer 2 (the output "
                                + "layer) is 2"),
                c("GradientCheck.run(CE after relu)", IAE, () -> GradientCheck.run(RELU_OUTPUT, Loss.CROSS_ENTROPY, X,
                        Y), "loss cross_entropy needs a softmax output layer, but layer 2"),
                c("Gradients.weightGradient(0)", IOOBE, () -> gradients.weightGradient(0),
                        "layer 0 does not exist: layers are numbered 1..2"),
                c("Gradients.errorSignal(3)", IOOBE, () -> gradients.errorSignal(3), "layer 3 does not exist"),
                c("Gradients.clippedByGlobalNorm(0)", IAE, () -> gradients.clippedByGlobalNorm(0),
                        "maxNorm must be a finite number > 0, was 0.0"),
                c("Dropout.with(layer -1)", IAE, () -> Dropout.none().with(-1, 0.5),
                        "dropout layer must be >= 0 (0 is the input), was -1"),
                c("Dropout.with(rate 1)", IAE, () -> Dropout.none().with(1, 1),
                        "dropout rate of layer 1 must be in [0, 1), was 1.0"),
                c("Dropout.with(rate -0.1)", IAE, () -> Dropout.none().with(0, -0.1), "dropout rate of layer 0",
                        "-0.1"),
                c("Dropout.with(rate NaN)", IAE, () -> Dropout.none().with(2, NAN), "dropout rate of layer 2", "NaN"),
                c("Dropout.checkFits(null)", NPE, () -> dropLayer1.checkFits(null), "network must not be null"),
                c("Dropout.checkFits(layer beyond the network)", IAE, () -> Dropout.none().with(5, 0.5).checkFits(NET),
                        "dropout on layer 5 is not possible: it may apply to layers 0..1 (the output layer 2 cannot "
                                + "drop)"));
    }

    private static Trainer.Builder configured(Loss loss) {
        return Trainer.builder().loss(loss).optimizer(Optimizer.sgd(0.1)).epochs(1).batchSize(2).logging(false)
                .seed(1);
    }

    /** A source that is not a DataSet: the rows of {@code data}, batched in order, with every target scaled. */
    private static DataSource streamed(DataSet data, double targetScale) {
        return new DataSource() {
            @Override
            public int featureCount() {
                return data.featureCount();
            }

            @Override
            public int targetCount() {
                return data.targetCount();
            }

            @Override
            public Batches batches(int batchSize, Precision precision, SplittableRandom shuffle) {
                Batches inner = data.batches(batchSize, precision, null);
                return new Batches() {
                    @Override
                    public boolean hasNext() {
                        return inner.hasNext();
                    }

                    @Override
                    public Batch next() {
                        Batch b = inner.next();
                        Matrix t = b.targets().copy();
                        t.scale(targetScale);
                        return new Batch(b.features(), t);
                    }

                    @Override
                    public void close() {
                        inner.close();
                    }
                };
            }
        };
    }

    private static List<Case> trainer() {
        Trainer trainer = configured(Loss.CROSS_ENTROPY).build();
        DataSet threeTargets = DataSet.ofLabels(new double[][] {{1, 2, 3}}, new int[] {2}, 3);
        DataSet badBinary = DataSet.of(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
                new double[][] {{0}, {1}, {1.5}});
        return List.of(
                c("Trainer.loss(null)", NPE, () -> Trainer.builder().loss(null), "loss must not be null"),
                c("Trainer.optimizer(null)", NPE, () -> Trainer.builder().optimizer(null),
                        "optimizer must not be null"),
                c("Trainer.epochs(0)", IAE, () -> Trainer.builder().epochs(0), "epochs must be at least 1, was 0"),
                c("Trainer.epochs(-5)", IAE, () -> Trainer.builder().epochs(-5), "epochs", "-5"),
                c("Trainer.batchSize(0)", IAE, () -> Trainer.builder().batchSize(0),
                        "batchSize must be at least 1, was 0"),
                c("Trainer.metrics(null)", NPE, () -> Trainer.builder().metrics((Metric[]) null),
                        "metrics must not be null"),
                c("Trainer.metrics(accuracy, null)", NPE, () -> Trainer.builder().metrics(Metrics.ACCURACY, null),
                        "metric must not be null"),
                c("Trainer.metrics(accuracy twice)", IAE, () -> Trainer.builder().metrics(Metrics.ACCURACY,
                        Metrics.ACCURACY), "metric name 'accuracy' is already measured"),
                c("Trainer.earlyStopping(null)", NPE, () -> Trainer.builder().earlyStopping(null),
                        "earlyStopping must not be null"),
                c("Trainer.listeners(null listener)", NPE, () -> Trainer.builder().listeners(
                        new TrainingListener() { }, null), "listener must not be null"),
                c("Trainer.dropout(layer -1)", IAE, () -> Trainer.builder().dropout(-1, 0.5),
                        "dropout layer must be >= 0"),
                c("Trainer.dropout(rate 1.5)", IAE, () -> Trainer.builder().dropout(1, 1.5),
                        "dropout rate of layer 1 must be in [0, 1), was 1.5"),
                c("Trainer.clipGradientNorm(0)", IAE, () -> Trainer.builder().clipGradientNorm(0),
                        "maxNorm must be a finite number > 0, was 0.0"),
                c("Trainer.clipGradientNorm(NaN)", IAE, () -> Trainer.builder().clipGradientNorm(NAN), "maxNorm",
                        "NaN"),
                c("Trainer.learningRateSchedule(null)", NPE, () -> Trainer.builder().learningRateSchedule(null),
                        "learningRateSchedule must not be null"),
                c("Trainer.validationFraction(0)", IAE, () -> Trainer.builder().validationFraction(0),
                        "validationFraction must be strictly between 0 and 1, was 0.0"),
                c("Trainer.validationFraction(1)", IAE, () -> Trainer.builder().validationFraction(1),
                        "validationFraction", "1.0"),
                c("Trainer.validationFraction(NaN)", IAE, () -> Trainer.builder().validationFraction(NAN),
                        "validationFraction", "NaN"),
                c("Trainer.build() without loss", ISE, () -> Trainer.builder().optimizer(Optimizer.adam()).build(),
                        "a Trainer needs a loss: call loss(...)"),
                c("Trainer.build() without optimizer", ISE, () -> Trainer.builder().loss(Loss.MSE).build(),
                        "a Trainer needs an optimizer: call optimizer(...)"),
                c("fit(null network)", NPE, () -> trainer.fit(null, DATA), "network must not be null"),
                c("fit(null training)", NPE, () -> trainer.fit(NET, null), "training must not be null"),
                c("fit(null training) with validationFraction", NPE, () -> configured(Loss.CROSS_ENTROPY)
                        .validationFraction(0.5).build().fit(NET, null), "training must not be null"),
                c("fit: data with 4 features, network with 3 inputs", IAE, () -> trainer.fit(NET, FOUR_FEATURES),
                        "training: the number of features is 4 but the input size of layer 1 is 3"),
                c("fit: data with 3 targets, network with 2 outputs", IAE, () -> trainer.fit(NET, threeTargets),
                        "training: the number of targets is 3 but the output size of layer 2 (the output layer) is 2"),
                c("fit: validation with 4 features", IAE, () -> trainer.fit(NET, DATA, FOUR_FEATURES),
                        "validation: the number of features is 4 but the input size of layer 1 is 3"),
                c("fit: cross-entropy after a relu output", IAE, () -> trainer.fit(RELU_OUTPUT, DATA),
                        "loss cross_entropy needs a softmax output layer, but layer 2 (the output layer) has relu"),
                c("fit: dropout on the output layer", IAE, () -> configured(Loss.CROSS_ENTROPY).dropout(2, 0.5).build()
                        .fit(NET, DATA), "dropout on layer 2 is not possible"),
                c("fit: validationFraction with a streamed source", IAE, () -> configured(Loss.CROSS_ENTROPY)
                        .validationFraction(0.2).build().fit(NET, streamed(DATA, 1)),
                        "validationFraction needs in-memory training data (a DataSet)"),
                c("fit: validationFraction too large for the data", IAE, () -> configured(Loss.CROSS_ENTROPY)
                        .validationFraction(0.1).build().fit(NET, DATA),
                        "validationFraction 0.1 cannot be held out of 3 training samples"),
                c("fit: BCE target 1.5 in row 2 of a DataSet", IAE, () -> configured(Loss.BINARY_CROSS_ENTROPY).build()
                        .fit(SIGMOID, badBinary), "training: targets: row 2, column 0 is 1.5; binary cross-entropy "
                        + "needs targets in [0, 1]"),
                c("fit: FLOAT32 network, FLOAT64 feature beyond float range", IAE, () -> configured(Loss.MSE).build()
                        .fit(SIGMOID.toPrecision(FLOAT32), DataSet.of(new double[][] {{1, 2, 3}, {4, 5, 6e300}},
                                new double[][] {{0}, {1}})), "training: features: row 1, column 2 is 6.0E300, outside "
                        + "the range of FLOAT32"),
                c("evaluate: streamed data with a NaN target", IAE, () -> configured(Loss.MSE).build()
                        .evaluate(SIGMOID, streamed(UNLABELLED, NAN)), "data: batch 1 (rows are numbered within the batch): "
                        + "targets: row 0, column 0 is NaN"),
                c("evaluate: BCE target 1.5 in row 2 of a DataSet", IAE, () -> configured(Loss.BINARY_CROSS_ENTROPY)
                        .build().evaluate(SIGMOID, DataSet.of(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}},
                                new double[][] {{0}, {1}, {1.5}})), "data: targets: row 2, column 0 is 1.5"),
                c("fit: BCE target 1.5 in validation data", IAE, () -> configured(Loss.BINARY_CROSS_ENTROPY).build()
                        .fit(SIGMOID, UNLABELLED, badBinary), "validation: targets: row 2, column 0 is 1.5"),
                c("fit: streamed BCE target 2", IAE, () -> configured(Loss.BINARY_CROSS_ENTROPY).build()
                        .fit(SIGMOID, streamed(UNLABELLED, 2)), "training: epoch 1, batch 1", "targets: row 0, column "
                        + "0 is 2.0; binary cross-entropy needs targets in [0, 1]"),
                c("fit: schedule returning NaN", ISE, () -> configured(Loss.CROSS_ENTROPY)
                        .learningRateSchedule((base, step, epoch) -> NAN).build().fit(NET, DATA),
                        "learning-rate schedule", "returned NaN for step 1 of epoch 1"),
                c("fit: schedule returning a negative rate", ISE, () -> configured(Loss.CROSS_ENTROPY)
                        .learningRateSchedule(LearningRateSchedule.ofStep(t -> -1)).build().fit(NET, DATA),
                        "returned -0.1 for step 1 of epoch 1"),
                c("fit: early stopping on val_loss without validation", IAE, () -> configured(Loss.CROSS_ENTROPY)
                        .earlyStopping(EarlyStopping.monitor("val_loss")).build().fit(NET, DATA),
                        "early stopping monitors 'val_loss', but fit was given no validation data"),
                c("fit: early stopping on an unmeasured metric", IAE, () -> configured(Loss.CROSS_ENTROPY)
                        .metrics(Metrics.ACCURACY).earlyStopping(EarlyStopping.monitor("val_f1")).build()
                        .fit(NET, DATA, DATA), "early stopping monitors 'val_f1', which is not measured",
                        "[loss, accuracy]"),
                c("evaluate(null network)", NPE, () -> trainer.evaluate(null, DATA), "network must not be null"),
                c("evaluate(null data)", NPE, () -> trainer.evaluate(NET, null), "data must not be null"),
                c("evaluate: data with 4 features", IAE, () -> trainer.evaluate(NET, FOUR_FEATURES),
                        "data: the number of features is 4 but the input size of layer 1 is 3"),
                c("evaluate: data with 3 targets", IAE, () -> trainer.evaluate(NET, threeTargets),
                        "data: the number of targets is 3 but the output size of layer 2 (the output layer) is 2"),
                c("evaluate: cross-entropy after a relu output", IAE, () -> trainer.evaluate(RELU_OUTPUT, DATA),
                        "loss cross_entropy needs a softmax output layer, but layer 2 (the output layer) has relu"),
                c("EarlyStopping.monitor(null)", NPE, () -> EarlyStopping.monitor(null),
                        "measurement must not be null"),
                c("EarlyStopping.monitor(blank)", IAE, () -> EarlyStopping.monitor(""), "measurement", "blank"),
                c("EarlyStopping.patience(0)", IAE, () -> EarlyStopping.monitor("loss").patience(0),
                        "patience must be at least 1, was 0"),
                c("EarlyStopping.minDelta(-1)", IAE, () -> EarlyStopping.monitor("loss").minDelta(-1),
                        "minDelta must be a finite number >= 0, was -1.0"),
                c("EarlyStopping.minDelta(NaN)", IAE, () -> EarlyStopping.monitor("loss").minDelta(NAN), "minDelta",
                        "NaN"));
    }

    // ------------------------------------------------------------------ data

    private static List<Case> dataSets() {
        double[][] x3 = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
        double[][] y3 = {{1}, {0}, {1}};
        return List.of(
                c("DataSet.of(null features)", NPE, () -> DataSet.of((double[][]) null, y3),
                        "features must not be null"),
                c("DataSet.of(null targets)", NPE, () -> DataSet.of(x3, (double[][]) null), "targets must not be null"),
                c("DataSet.of(no rows)", IAE, () -> DataSet.of(new double[0][], y3), "features must have at least one "
                        + "row"),
                c("DataSet.of(ragged features)", IAE, () -> DataSet.of(new double[][] {{1, 2, 3}, {4, 5, 6}, {7, 8}},
                        y3), "features: rows must all have the same length, but row 0 has 3 values and row 2 has 2"),
                c("DataSet.of(NaN feature)", IAE, () -> DataSet.of(new double[][] {{1, 2, 3}, {4, 5, NAN}, {7, 8, 9}},
                        y3), "features: row 1, column 2 is NaN"),
                c("DataSet.of(infinite target)", IAE, () -> DataSet.of(x3, new double[][] {{INF}, {0}, {1}}),
                        "targets: row 0, column 0 is Infinity"),
                c("DataSet.of(2 target rows for 3 feature rows)", IAE, () -> DataSet.of(x3, new double[][] {{1}, {0}}),
                        "targets: the number of rows is 2 but the number of feature rows is 3"),
                c("DataSet.of(NaN float feature)", IAE, () -> DataSet.of(new float[][] {{Float.NaN}}, new float[][] {{1}}),
                        "features: row 0, column 0 is NaN"),
                c("DataSet.of(float rows differ)", IAE, () -> DataSet.of(new float[2][1], new float[3][1]),
                        "targets: the number of rows is 3 but the number of feature rows is 2"),
                c("DataSet.of(null feature matrix)", NPE, () -> DataSet.of((Matrix) null, Matrix.zeros(FLOAT64, 1, 1)),
                        "features must not be null"),
                c("DataSet.of(FLOAT32 features, FLOAT64 target beyond float range)", IAE, () -> DataSet.of(
                        Matrix.zeros(FLOAT32, 1, 2), Matrix.of(FLOAT64, new double[][] {{1e300}}, "t")),
                        "targets: row 0, column 0 is 1.0E300, outside the range of FLOAT32"),
                c("ofLabels: label 2 of 2 classes", IAE, () -> DataSet.ofLabels(x3, new int[] {0, 2, 1}, 2),
                        "labels: row 1 is 2 but must be in 0..1 for 2 classes"),
                c("ofLabels: label -1", IAE, () -> DataSet.ofLabels(x3, new int[] {-1, 0, 1}, 2),
                        "labels: row 0 is -1 but must be in 0..1"),
                c("ofLabels: classCount 0", IAE, () -> DataSet.ofLabels(x3, new int[] {0, 0, 0}, 0),
                        "classCount must be at least 1, was 0"),
                c("ofLabels: classCount -2", IAE, () -> DataSet.ofLabels(x3, new int[] {0, 0, 0}, -2), "classCount",
                        "-2"),
                c("ofLabels: 2 labels for 3 rows", IAE, () -> DataSet.ofLabels(x3, new int[] {0, 1}, 2),
                        "labels: the number of labels is 2 but the number of feature rows is 3"),
                c("ofLabels: null labels", NPE, () -> DataSet.ofLabels(x3, null, 2), "labels must not be null"),
                c("ofLabels: NaN feature", IAE, () -> DataSet.ofLabels(new double[][] {{1, NAN}}, new int[] {0}, 2),
                        "features: row 0, column 1 is NaN"),
                c("ofLabels: ragged float features", IAE, () -> DataSet.ofLabels(new float[][] {{1, 2}, {3}},
                        new int[] {0, 1}, 2), "features: rows must all have the same length"),
                c("ofLabels(Matrix): label 5 of 3 classes", IAE, () -> DataSet.ofLabels(Matrix.of(FLOAT32, x3, "x"),
                        new int[] {0, 1, 5}, 3), "labels: row 2 is 5 but must be in 0..2 for 3 classes"),
                c("ofBinaryLabels: label 2", IAE, () -> DataSet.ofBinaryLabels(x3, new int[] {0, 2, 1}),
                        "labels: row 1 is 2 but must be in 0..1 for 2 classes"),
                c("withClassNames on unlabelled data", ISE, () -> UNLABELLED.withClassNames(List.of("a")),
                        "withClassNames: this data set has no class labels"),
                c("withClassNames: 1 name for 2 classes", IAE, () -> DATA.withClassNames(List.of("a")),
                        "names: the number of class names is 1 but the number of classes is 2"),
                c("withClassNames: null name", NPE, () -> DATA.withClassNames(Arrays.asList("a", null)),
                        "names: class 1 must not be null"),
                c("labels() of unlabelled data", ISE, UNLABELLED::labels, "labels: this data set has no class labels"),
                c("label(5) of 3 rows", IOOBE, () -> DATA.label(5),
                        "row 5 does not exist: the data set has 3 rows, numbered 0..2"),
                c("features(-1)", IOOBE, () -> DATA.features(-1), "row -1 does not exist: the data set has 3 rows"),
                c("targets(3)", IOOBE, () -> DATA.targets(3), "row 3 does not exist"),
                c("subset(null)", NPE, () -> DATA.subset(null), "rows must not be null"),
                c("subset(empty)", IAE, () -> DATA.subset(new int[0]), "rows must not be empty"),
                c("subset(row 3 of 3)", IAE, () -> DATA.subset(new int[] {0, 3}),
                        "rows: element 1 is 3 but the data set has 3 rows, numbered 0..2"),
                c("subset(row -1)", IAE, () -> DATA.subset(new int[] {-1}), "rows: element 0 is -1"),
                c("head(0)", IAE, () -> DATA.head(0), "count must be at least 1, was 0"),
                c("split(0)", IAE, () -> DATA.split(0, 1), "trainFraction must be strictly between 0 and 1, was 0.0"),
                c("split(1)", IAE, () -> DATA.split(1, 1), "trainFraction", "1.0"),
                c("split(NaN)", IAE, () -> DATA.split(NAN, 1), "trainFraction", "NaN"),
                c("split leaving the training part empty", IAE, () -> DATA.split(0.01, 1),
                        "trainFraction 0.01 of 3 samples gives 0 training and 3 test samples; both need at least 1"),
                c("batches(0)", IAE, () -> DATA.batches(0, FLOAT64, null), "batchSize must be at least 1, was 0"),
                c("batches(null precision)", NPE, () -> DATA.batches(1, null, null), "precision must not be null"),
                c("Batch: rows differ", IAE, () -> new Batch(Matrix.zeros(FLOAT64, 2, 3), Matrix.zeros(FLOAT64, 3, 1)),
                        "targets: the number of rows is 3 but the number of feature rows is 2"),
                c("Batch: precisions differ", IAE, () -> new Batch(Matrix.zeros(FLOAT64, 2, 3),
                        Matrix.zeros(FLOAT32, 2, 1)), "targets are FLOAT32 but features are FLOAT64"),
                c("Batch(null features)", NPE, () -> new Batch(null, Matrix.zeros(FLOAT64, 2, 1)),
                        "features must not be null"));
    }

    private static List<Case> scalers() {
        Standardizer standardizer = Standardizer.fit(DATA);
        MinMaxScaler minMax = MinMaxScaler.fit(DATA);
        DataSet twoFeatures = DataSet.of(new double[][] {{1, 2}}, new double[][] {{0}});
        return List.of(
                c("Standardizer.fit(null DataSet)", NPE, () -> Standardizer.fit((DataSet) null),
                        "training must not be null"),
                c("Standardizer.fit(null array)", NPE, () -> Standardizer.fit((double[][]) null),
                        "training must not be null"),
                c("Standardizer.fit(no rows)", IAE, () -> Standardizer.fit(new double[0][]),
                        "training must have at least one row"),
                c("Standardizer.fit(ragged)", IAE, () -> Standardizer.fit(new double[][] {{1, 2}, {3}}),
                        "training: rows must all have the same length, but row 0 has 2 values and row 1 has 1"),
                c("Standardizer.fit(NaN)", IAE, () -> Standardizer.fit(new double[][] {{1, NAN}}),
                        "training: row 0, column 1 is NaN"),
                c("Standardizer.transform(double[2]) fitted on 3", IAE, () -> standardizer.transform(new double[2]),
                        "features: the number of values is 2 but the number of features the scaler was fitted on is 3"),
                c("Standardizer.transform(double[][] row 1 of 4)", IAE, () -> standardizer.transform(
                        new double[][] {{1, 2, 3}, {1, 2, 3, 4}}), "features: the number of values in row 1 is 4 but "
                        + "the number of features the scaler was fitted on is 3"),
                c("Standardizer.transform(double[][] null row)", NPE, () -> standardizer.transform(
                        new double[][] {{1, 2, 3}, null}), "features: row 1 must not be null"),
                c("Standardizer.transform(DataSet of 2 features)", IAE, () -> standardizer.transform(twoFeatures),
                        "data: the number of features is 2 but the number of features the scaler was fitted on is 3"),
                c("Standardizer.transform(feature 3, v)", IOOBE, () -> standardizer.transform(3, 0.0),
                        "feature 3 does not exist: the scaler was fitted on 3 features, numbered 0..2"),
                c("Standardizer.of: lengths differ", IAE, () -> Standardizer.of(new double[3], new double[2]),
                        "standardDeviations: the number of values is 2 but the number of means is 3"),
                c("Standardizer.of: empty", IAE, () -> Standardizer.of(new double[0], new double[0]),
                        "means: the number of features must be at least 1, was 0"),
                c("Standardizer.of: NaN mean", IAE, () -> Standardizer.of(new double[] {0, NAN}, new double[2]),
                        "means: feature 1 must be a finite number, was NaN"),
                c("Standardizer.of: negative deviation", IAE, () -> Standardizer.of(new double[1], new double[] {-1}),
                        "standardDeviations: feature 0 must be a finite number >= 0, was -1.0"),
                c("MinMaxScaler.fit(null DataSet)", NPE, () -> MinMaxScaler.fit((DataSet) null),
                        "training must not be null"),
                c("MinMaxScaler.fit(upper below lower)", IAE, () -> MinMaxScaler.fit(DATA, 1, 0),
                        "upper must be greater than lower, but the range is [1.0, 0.0]"),
                c("MinMaxScaler.fit(lower NaN)", IAE, () -> MinMaxScaler.fit(DATA, NAN, 1),
                        "lower must be a finite number, was NaN"),
                c("MinMaxScaler.fit(ragged)", IAE, () -> MinMaxScaler.fit(new double[][] {{1}, {2, 3}}),
                        "training: rows must all have the same length"),
                c("MinMaxScaler.fit(infinite)", IAE, () -> MinMaxScaler.fit(new double[][] {{1}, {-INF}}),
                        "training: row 1, column 0 is -Infinity"),
                c("MinMaxScaler.of: maximum below minimum", IAE, () -> MinMaxScaler.of(new double[] {0, 1},
                        new double[] {1, 0}, 0, 1), "feature 1: maximum 0.0 is below minimum 1.0"),
                c("MinMaxScaler.of: lengths differ", IAE, () -> MinMaxScaler.of(new double[2], new double[3], 0, 1),
                        "maximums: the number of values is 3 but the number of minimums is 2"),
                c("MinMaxScaler.transform(double[4]) fitted on 3", IAE, () -> minMax.transform(new double[4]),
                        "features: the number of values is 4 but the number of features the scaler was fitted on is 3"),
                c("MinMaxScaler.transform(DataSet of 2 features)", IAE, () -> minMax.transform(twoFeatures),
                        "data: the number of features is 2 but the number of features the scaler was fitted on is 3"),
                c("MinMaxScaler.transform(feature -1, v)", IOOBE, () -> minMax.transform(-1, 0.0),
                        "feature -1 does not exist: the scaler was fitted on 3 features"));
    }

    private static DataSet csv(CsvReader reader, String text) {
        try {
            return reader.read(new StringReader(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An IDX file: the magic number, the dimensions, then {@code bytes} data bytes. */
    private static byte[] idx(int magic, int[] dims, int bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DataOutputStream data = new DataOutputStream(out)) {
            data.writeInt(magic);
            for (int d : dims) {
                data.writeInt(d);
            }
            data.write(new byte[bytes]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static InputStream in(byte[] bytes) {
        return new ByteArrayInputStream(bytes);
    }

    private static List<Case> readers() {
        CsvReader labelled = CsvReader.create().labelColumn(2);
        byte[] twoImages = idx(IdxReader.IMAGES_MAGIC, new int[] {2, 2, 2}, 8);
        return List.of(
                c("CSV: a field that is not a number", MDE, () -> labelled.read(new StringReader("1,2,0\n3,abc,1\n")),
                        "input: line 2, column 2 (index 1): \"abc\" is not a number"),
                c("CSV: a bad number named by its header", MDE, () -> CsvReader.create().header(true)
                        .labelColumn("label").read(new StringReader("a,b,label\n1,2,0\nx,2,1\n")),
                        "line 3, column 1 (index 0, \"a\"): \"x\" is not a number"),
                c("CSV: an empty field", MDE, () -> labelled.read(new StringReader("1,,0\n")),
                        "line 1, column 2 (index 1): the field is empty"),
                c("CSV: NaN", MDE, () -> labelled.read(new StringReader("1,2,0\nNaN,2,1\n")),
                        "line 2, column 1 (index 0): \"NaN\" is not a number"),
                c("CSV: a number too large for a double", MDE, () -> labelled.read(new StringReader("1,1e999,0\n")),
                        "line 1, column 2 (index 1): 1e999 is too large for a double"),
                c("CSV: a ragged line", MDE, () -> labelled.read(new StringReader("1,2,0\n3,4,1\n5,1\n")),
                        "input: line 3 has 2 columns but line 1 has 3"),
                c("CSV: an unknown feature column name", MDE, () -> CsvReader.create().header(true)
                        .featureColumns("a", "zz").labelColumn("label").read(new StringReader("a,b,label\n1,2,0\n")),
                        "featureColumns: no column named \"zz\" in the header (line 1)"),
                c("CSV: an unknown label column name", MDE, () -> CsvReader.create().header(true).labelColumn("kind")
                        .read(new StringReader("a,b,label\n1,2,0\n")), "labelColumn: no column named \"kind\""),
                c("CSV: columns by name without a header", ISE, () -> CsvReader.create().featureColumns("a")
                        .labelColumn(2).read(new StringReader("1,2,0\n")),
                        "featureColumns: columns chosen by name [a] need a header line; call header(true)"),
                c("CSV: label column index beyond the line", MDE, () -> CsvReader.create().labelColumn(7)
                        .read(new StringReader("1,2,0\n")), "labelColumn: column index 7 does not exist: line 1 has 3 "
                        + "columns (indices 0..2)"),
                c("CSV: neither label nor targets", ISE, () -> CsvReader.create().read(new StringReader("1,2\n")),
                        "choose a labelColumn (classification) or targetColumns (regression)"),
                c("CSV: a label that is not a class", MDE, () -> CsvReader.create().labelColumn(2)
                        .classNames("cat", "bird").read(new StringReader("1,2,cat\n3,4,dog\n")),
                        "line 2, column 3 (index 2): \"dog\" is neither a class name [cat, bird] nor a class index 0..1"),
                c("CSV: fewer lines than skipLines", MDE, () -> CsvReader.create().skipLines(3).labelColumn(2)
                        .read(new StringReader("1,2,0\n")), "has only 1 lines, fewer than the 3 to skip"),
                c("CSV: no data lines", MDE, () -> CsvReader.create().header(true).labelColumn(2)
                        .read(new StringReader("a,b,c\n\n")), "input: has no data lines"),
                c("CSV: an unclosed quote", MDE, () -> labelled.read(new StringReader("1,\"2,0\n")),
                        "line 1, column 2 (index 1): the quoted field is not closed"),
                c("CSV: a column both feature and label", IAE, () -> CsvReader.create().featureColumns(0, 2)
                        .labelColumn(2).read(new StringReader("1,2,0\n")),
                        "column 2 is chosen both as a feature and as the label"),
                c("CsvReader.skipLines(-1)", IAE, () -> CsvReader.create().skipLines(-1),
                        "skipLines: count must be at least 0, was -1"),
                c("CsvReader.delimiter('\"')", IAE, () -> CsvReader.create().delimiter('"'),
                        "delimiter must not be a quote"),
                c("CsvReader.featureColumns()", IAE, () -> CsvReader.create().featureColumns(new int[0]),
                        "featureColumns: the number of columns must be at least 1, was 0"),
                c("CsvReader.featureColumns(-1)", IAE, () -> CsvReader.create().featureColumns(1, -1),
                        "featureColumns: column index -1 is negative"),
                c("CsvReader.labelColumn(-2)", IAE, () -> CsvReader.create().labelColumn(-2),
                        "labelColumn: column index -2 is negative"),
                c("CsvReader.targetColumns(null name)", NPE, () -> CsvReader.create().targetColumns("y", null),
                        "targetColumns: name 1 must not be null"),
                c("CsvReader.classNames(duplicates)", IAE, () -> CsvReader.create().classNames("a", "b", "a"),
                        "classNames must be distinct, were [a, b, a]"),
                c("CsvReader.classNames()", IAE, () -> CsvReader.create().classNames(),
                        "classNames: the number of classes must be at least 1, was 0"),
                c("CsvReader.precision(null)", NPE, () -> CsvReader.create().precision(null),
                        "precision must not be null"),
                c("CsvReader.read(null Path)", NPE, () -> labelled.read((Path) null), "file must not be null"),
                c("CsvReader.read(null Reader)", NPE, () -> labelled.read((Reader) null), "in must not be null"),
                c("IDX: a label file read as images", MDE, () -> IdxReader.readImages(in(idx(IdxReader.LABELS_MAGIC,
                        new int[] {2}, 2))), "images: bad magic number 0x00000801 (it is an IDX label file); an IDX "
                        + "image file starts with 0x00000803"),
                c("IDX: an unknown magic number", MDE, () -> IdxReader.readLabels(in(idx(0x12345678, new int[0], 0))),
                        "labels: bad magic number 0x12345678", "starts with 0x00000801"),
                c("IDX: truncated labels", MDE, () -> IdxReader.readLabels(in(idx(IdxReader.LABELS_MAGIC,
                        new int[] {10}, 3))), "labels: truncated: the header declares [10] = 10 values but the data "
                        + "end after 3"),
                c("IDX: truncated images", MDE, () -> IdxReader.readImages(in(idx(IdxReader.IMAGES_MAGIC,
                        new int[] {2, 2, 2}, 5))), "images: truncated", "[2, 2, 2] = 8 values", "after 5"),
                c("IDX: truncated header", MDE, () -> IdxReader.readImages(in(Arrays.copyOf(twoImages, 8))),
                        "images: truncated header: it ends before dimension 2 of 3"),
                c("IDX: shorter than a magic number", MDE, () -> IdxReader.readLabels(in(new byte[] {0, 0})),
                        "labels: too short for an IDX file"),
                c("IDX: more data than declared", MDE, () -> IdxReader.readLabels(in(idx(IdxReader.LABELS_MAGIC,
                        new int[] {2}, 3))), "labels: more data than the header declares: [2] = 2 values"),
                c("IDX: a dimension of 0", MDE, () -> IdxReader.readImages(in(idx(IdxReader.IMAGES_MAGIC,
                        new int[] {0, 2, 2}, 0))), "images: dimension 1 is 0; every dimension must be at least 1"),
                c("IdxReader.readImages(null Path)", NPE, () -> IdxReader.readImages((Path) null),
                        "file must not be null"),
                c("IdxReader.readLabels(null stream)", NPE, () -> IdxReader.readLabels((InputStream) null),
                        "in must not be null"),
                c("IdxReader.dataSet: 3 labels for 2 images", IAE, () -> IdxReader.dataSet(IdxReader.readImages(
                        in(twoImages)), new int[] {0, 1, 2}, 10), "images holds 2 images but labels holds 3 labels"),
                c("IdxReader.dataSet: label 10 of 10 classes", IAE, () -> IdxReader.dataSet(IdxReader.readImages(
                        in(twoImages)), new int[] {0, 10}, 10),
                        "labels: the label of image 1 is 10 but must be in 0..9 for 10 classes"),
                c("IdxReader.dataSet: classCount 0", IAE, () -> IdxReader.dataSet(IdxReader.readImages(in(twoImages)),
                        new int[] {0, 1}, 0), "classCount must be at least 1, was 0"),
                c("IdxReader.dataSet(streams): classCount -1", IAE, () -> IdxReader.dataSet(in(twoImages),
                        in(idx(IdxReader.LABELS_MAGIC, new int[] {2}, 2)), -1), "classCount must be at least 1, was -1"),
                c("IdxImages.pixel(image 5)", IOOBE, () -> IdxReader.readImages(in(twoImages)).pixel(5, 0, 0),
                        "image 5 does not exist: there are 2 images, numbered 0..1"),
                c("IdxImages.pixel(column 9)", IOOBE, () -> IdxReader.readImages(in(twoImages)).pixel(0, 0, 9),
                        "column 9 does not exist: there are 2 columns"),
                c("IdxImages.pixels(-1)", IOOBE, () -> IdxReader.readImages(in(twoImages)).pixels(-1),
                        "image -1 does not exist"));
    }

    private static List<Case> metrics() {
        Matrix o23 = Matrix.zeros(FLOAT64, 2, 3);
        ConfusionMatrix cm = ConfusionMatrix.of(new int[] {0, 1}, new int[] {1, 1}, 2);
        DataSet threeClasses = DataSet.ofLabels(new double[][] {{1, 2, 3}}, new int[] {2}, 3);
        return List.of(
                c("accuracy: outputs and targets differ in shape", IAE, () -> Metrics.ACCURACY.newAccumulator()
                        .add(o23, Matrix.zeros(FLOAT64, 3, 3)),
                        "outputs are 2 × 3 but targets are 3 × 3; they must have the same shape"),
                c("mse: null outputs", NPE, () -> Metrics.MEAN_SQUARED_ERROR.newAccumulator().add(null, o23),
                        "outputs must not be null"),
                c("r2: null targets", NPE, () -> Metrics.R_SQUARED.newAccumulator().add(o23, null),
                        "targets must not be null"),
                c("mae: batches of different widths", IAE, () -> {
                    Metric.Accumulator mae = Metrics.MEAN_ABSOLUTE_ERROR.newAccumulator();
                    mae.add(o23, o23);
                    mae.add(Matrix.zeros(FLOAT64, 2, 2), Matrix.zeros(FLOAT64, 2, 2));
                }, "outputs: the number of columns is 2 but the number of columns of the earlier batches is 3"),
                c("ConfusionMatrix: lengths differ", IAE, () -> ConfusionMatrix.of(new int[] {0, 1}, new int[] {0}, 2),
                        "predicted: the number of samples is 1 but the number of actual classes is 2"),
                c("ConfusionMatrix: actual class out of range", IAE, () -> ConfusionMatrix.of(new int[] {0, 2},
                        new int[] {0, 1}, 2), "actual: sample 1 has class 2 but classes are 0..1"),
                c("ConfusionMatrix: predicted class -1", IAE, () -> ConfusionMatrix.of(new int[] {0, 1},
                        new int[] {0, -1}, 2), "predicted: sample 1 has class -1"),
                c("ConfusionMatrix: classCount 0", IAE, () -> ConfusionMatrix.of(new int[0], new int[0], 0),
                        "classCount must be at least 1, was 0"),
                c("ConfusionMatrix: null actual", NPE, () -> ConfusionMatrix.of(null, new int[0], 2),
                        "actual must not be null"),
                c("ConfusionMatrix: no class names", IAE, () -> ConfusionMatrix.of(new int[0], new int[0], List.of()),
                        "classNames: the number of classes must be at least 1, was 0"),
                c("ConfusionMatrix.of(network, data): features differ", IAE, () -> ConfusionMatrix.of(NET,
                        FOUR_FEATURES), "data: the number of features is 4 but the network's input size is 3"),
                c("ConfusionMatrix.of(network, data): classes differ", IAE, () -> ConfusionMatrix.of(NET, threeClasses),
                        "the network has 2 outputs but the data have 3 classes"),
                c("ConfusionMatrix.of(network, unlabelled data)", ISE, () -> ConfusionMatrix.of(NET, UNLABELLED),
                        "labels: this data set has no class labels"),
                c("ConfusionMatrix.count(actual 2)", IOOBE, () -> cm.count(2, 0),
                        "actual: class 2 does not exist: classes are 0..1"),
                c("ConfusionMatrix.count(predicted -1)", IOOBE, () -> cm.count(0, -1), "predicted: class -1"),
                c("ConfusionMatrix.precision(5)", IOOBE, () -> cm.precision(5), "k: class 5 does not exist"),
                c("ConfusionMatrix.recall(-1)", IOOBE, () -> cm.recall(-1), "k: class -1 does not exist"),
                c("ConfusionMatrix.f1(2)", IOOBE, () -> cm.f1(2), "class 2 does not exist"),
                c("ConfusionMatrix.actualCount(3)", IOOBE, () -> cm.actualCount(3), "class 3 does not exist"));
    }
}
