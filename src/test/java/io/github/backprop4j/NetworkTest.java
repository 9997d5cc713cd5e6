package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The builder, value semantics, derived copies and prediction of {@link Network}. */
class NetworkTest {

    private static Network.Builder iris() {
        return Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX);
    }

    @Test
    void builderInfersEveryLayerSizeFromThePreviousOne() {
        Network network = Network.builder()
                .input(4)
                .dense(16, Activation.RELU)
                .dense(8, Activation.TANH)
                .dense(3, Activation.SOFTMAX)
                .seed(1)
                .build();

        assertThat(network.layerCount()).isEqualTo(3);
        assertThat(network.inputSize()).isEqualTo(4);
        assertThat(network.outputSize()).isEqualTo(3);
        assertThat(network.layer(1).inputSize()).isEqualTo(4);
        assertThat(network.layer(2).inputSize()).isEqualTo(16);
        assertThat(network.layer(3).inputSize()).isEqualTo(8);
        assertThat(network.layer(3).activation()).isEqualTo(Activation.SOFTMAX);
        assertThat(network.parameterCount()).isEqualTo(16 * 4 + 16 + 8 * 16 + 8 + 3 * 8 + 3);
        assertThat(network.precision()).as("the default precision").isEqualTo(Precision.FLOAT32);
        for (DenseLayer layer : network.layers().stream().map(DenseLayer.class::cast).toList()) {
            assertThat(layer.bias()).containsOnly(0.0);
        }
    }

    @Test
    void sameSeedGivesBitIdenticalNetworksAndAnotherSeedDoesNot() {
        Network a = iris().seed(42).build();
        Network b = iris().seed(42).build();
        Network c = iris().seed(43).build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        for (int l = 1; l <= a.layerCount(); l++) {
            assertThat(a.dense(l).weights()).isDeepEqualTo(b.dense(l).weights());
        }
        assertThat(a).isNotEqualTo(c);
        assertThat(a.dense(1).weights()[0]).isNotEqualTo(c.dense(1).weights()[0]);
    }

    @Test
    void builderCanBuildTwiceWithTheSameResult() {
        Network.Builder builder = iris().seed(5);

        assertThat(builder.build()).isEqualTo(builder.build());
    }

    @Test
    void float32NetworkIsTheFloat64NetworkRoundedToFloat() {
        Network wide = iris().seed(9).build();
        Network narrow = iris().seed(9).precision(Precision.FLOAT32).build();

        assertThat(narrow.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(narrow).isEqualTo(wide.toPrecision(Precision.FLOAT32));
        for (int l = 1; l <= wide.layerCount(); l++) {
            double[][] w = wide.dense(l).weights();
            double[][] f = narrow.dense(l).weights();
            for (int j = 0; j < w.length; j++) {
                for (int k = 0; k < w[j].length; k++) {
                    assertThat(f[j][k]).isEqualTo((double) (float) w[j][k]);
                }
            }
        }
    }

    @Test
    void reluFamilyGetsHeUniformAndOthersGlorotUniform() {
        int in = 60;
        int out = 40;
        double he = Math.sqrt(6.0 / in);
        double glorot = Math.sqrt(6.0 / (in + out));
        for (Activation relu : List.of(Activation.RELU, Activation.LEAKY_RELU, Activation.ELU,
                Activation.leakyRelu(0.2), Activation.elu(0.5))) {
            double max = maxAbsWeight(Network.builder().input(in).dense(out, relu).seed(2).build());
            assertThat(max).as("%s", relu).isLessThanOrEqualTo(he).isGreaterThan(0.98 * he);
        }
        for (Activation other : List.of(Activation.IDENTITY, Activation.SIGMOID, Activation.TANH,
                Activation.SOFTPLUS, Activation.SOFTMAX)) {
            double max = maxAbsWeight(Network.builder().input(in).dense(out, other).seed(2).build());
            assertThat(max).as("%s", other).isLessThanOrEqualTo(glorot).isGreaterThan(0.98 * glorot);
        }
    }

    @Test
    void explicitWeightInitOverridesTheActivationsDefault() {
        int in = 60;
        double lecun = Math.sqrt(3.0 / in);
        Network network = Network.builder().input(in).dense(40, Activation.RELU, WeightInit.LECUN_UNIFORM).seed(2)
                .build();

        assertThat(maxAbsWeight(network)).isLessThanOrEqualTo(lecun).isGreaterThan(0.98 * lecun);
    }

    private static double maxAbsWeight(Network network) {
        double max = 0;
        for (double[] row : network.dense(1).weights()) {
            for (double w : row) {
                max = Math.max(max, Math.abs(w));
            }
        }
        return max;
    }

    @Test
    void builderRefusesMissingOrBadSizes() {
        assertThatIllegalStateException().isThrownBy(() -> Network.builder().dense(3, Activation.TANH).build())
                .withMessageContaining("input(size)");
        assertThatIllegalStateException().isThrownBy(() -> Network.builder().input(3).build())
                .withMessageContaining("at least one layer");
        assertThatIllegalArgumentException().isThrownBy(() -> Network.builder().input(0))
                .withMessageContaining("input size must be at least 1, was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(2).dense(3, Activation.TANH).dense(-1, Activation.TANH))
                .withMessageContaining("layer 2 size must be at least 1, was -1");
        assertThatIllegalStateException()
                .isThrownBy(() -> Network.builder().input(2).dense(3, Activation.TANH).input(4))
                .withMessageContaining("input(4)");
    }

    @Test
    void builderRefusesAnExplicitLayerThatDoesNotChain() {
        DenseLayer fiveInputs = Layer.of(new double[2][5], new double[2], Activation.TANH);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(3).layer(fiveInputs).build())
                .withMessageContaining("layer 1 has 5 inputs but the input size is 3");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(3).dense(4, Activation.TANH).layer(fiveInputs).build())
                .withMessageContaining("layer 2 has 5 inputs but layer 1 has 4 outputs");
    }

    @Test
    void layerNumbersOutsideTheRangeNameTheValidRange() {
        Network network = iris().seed(1).build();

        assertThatThrownBy(() -> network.layer(0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("layer 0").hasMessageContaining("1..2");
        assertThatThrownBy(() -> network.layer(3)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("layer 3").hasMessageContaining("1..2");
        assertThatThrownBy(() -> network.withLayer(3, network.layer(2)))
                .isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("1..2");
        assertThat(network.layer(1)).isSameAs(network.layers().get(0));
        assertThat(network.outputLayer()).isSameAs(network.layer(2));
    }

    @Test
    void withLayerReplacesOneLayerAndChecksTheChain() {
        Network network = iris().seed(1).build();
        Layer replacement = network.dense(1).withBias(new double[16]).withActivation(Activation.TANH);

        Network changed = network.withLayer(1, replacement);

        assertThat(changed.layer(1)).isEqualTo(replacement);
        assertThat(changed.layer(2)).isEqualTo(network.layer(2));
        assertThat(network.layer(1).activation()).isEqualTo(Activation.RELU);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> network.withLayer(2, Layer.of(new double[3][7], new double[3], Activation.SOFTMAX)))
                .withMessageContaining("layer 2 has 7 inputs but layer 1 has 16 outputs");
    }

    @Test
    void toBuilderKeepsTheLayersAndAddsNewOnes() {
        Network network = iris().seed(1).build();

        Network deeper = network.toBuilder().dense(2, Activation.SIGMOID).seed(3).build();

        assertThat(deeper.layerCount()).isEqualTo(3);
        assertThat(deeper.layers().subList(0, 2)).isEqualTo(network.layers());
        assertThat(deeper.layer(3).inputSize()).isEqualTo(3);
        assertThat(network.toBuilder().build()).isEqualTo(network);
    }

    @Test
    void toPrecisionConvertsAndReturnsItselfWhenNothingChanges() {
        Network network = iris().seed(1).precision(Precision.FLOAT64).build();

        assertThat(network.toPrecision(Precision.FLOAT64)).isSameAs(network);
        Network narrow = network.toPrecision(Precision.FLOAT32);
        assertThat(narrow.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(narrow.layers()).allMatch(l -> l.precision() == Precision.FLOAT32);
        assertThat(narrow).isNotEqualTo(network);
        assertThat(narrow.toPrecision(Precision.FLOAT64).toPrecision(Precision.FLOAT32)).isEqualTo(narrow);
    }

    @Test
    void toStringShowsSizesAndActivationsButNoNumbers() {
        Network network = iris().seed(1).build();

        assertThat(network).hasToString("Network[4 → 16 relu → 3 softmax, FLOAT32, 131 parameters]");
        assertThat(network.toString()).doesNotContain(String.valueOf(network.dense(1).weight(0, 0)));
    }

    @Test
    void equalsComparesLayersInOrder() {
        DenseLayer a = Layer.of(new double[][] {{1, 2}, {3, 4}}, new double[] {0, 1}, Activation.TANH);
        DenseLayer b = Layer.of(new double[][] {{5, 6}, {7, 8}}, new double[] {0, 1}, Activation.TANH);

        assertThat(Network.of(a, b)).isEqualTo(Network.of(List.of(a, b))).isNotEqualTo(Network.of(b, a));
        assertThat(Network.of(a, b).hashCode()).isEqualTo(Network.of(a, b).hashCode());
        assertThat(Network.of(a)).isNotEqualTo(null).isNotEqualTo("Network");
    }

    @Test
    void networkOfRefusesNoLayersAndNullLayers() {
        assertThatIllegalArgumentException().isThrownBy(() -> Network.of(List.of()))
                .withMessageContaining("at least one layer");
        DenseLayer a = Layer.of(new double[][] {{1}}, new double[] {0}, Activation.TANH);
        assertThatThrownBy(() -> Network.of(a, null)).isInstanceOf(NullPointerException.class)
                .hasMessage("layer 2 must not be null");
    }

    @ParameterizedTest
    @EnumSource(Precision.class)
    void everyPredictOverloadAgrees(Precision precision) {
        Network network = Network.builder().input(3).dense(5, Activation.GELU).dense(2, Activation.SIGMOID)
                .precision(precision).seed(17).build();
        // Values that floats hold exactly, so that float and double inputs are the same numbers.
        double[][] doubles = {{0.5, -1.25, 2}, {0.125, 3, -0.75}};
        float[][] floats = {{0.5f, -1.25f, 2f}, {0.125f, 3f, -0.75f}};

        double[][] batch = network.predict(doubles);
        float[][] floatBatch = network.predict(floats);
        Matrix matrixBatch = network.predict(Matrix.of(Precision.FLOAT32, floats, "x"));

        assertThat(matrixBatch.precision()).isEqualTo(precision);
        for (int r = 0; r < doubles.length; r++) {
            assertThat(network.predict(doubles[r])).containsExactly(batch[r]);
            assertThat(network.predict(floats[r])).containsExactly(floatBatch[r]);
            assertThat(matrixBatch.row(r)).containsExactly(batch[r]);
            for (int c = 0; c < batch[r].length; c++) {
                assertThat(floatBatch[r][c]).isEqualTo((float) batch[r][c]);
            }
        }
    }

    @Test
    void predictChecksTheInput() {
        Network network = iris().seed(1).build();

        assertThatIllegalArgumentException().isThrownBy(() -> network.predict(new double[] {1, 2, 3}))
                .withMessageContaining("is 3").withMessageContaining("input size of layer 1 is 4");
        assertThatIllegalArgumentException().isThrownBy(() -> network.predict(new float[] {1, 2, Float.NaN, 4}))
                .withMessageContaining("row 0, column 2 is NaN");
        assertThatThrownBy(() -> network.predict((double[]) null)).isInstanceOf(NullPointerException.class)
                .hasMessage("input must not be null");
    }

    /**
     * Prediction scans z¹ rather than the inputs and looks at the inputs only when z¹ is not finite: a bad
     * feature must still be found wherever it is, in either precision, for batches on every multiply path
     * (1 row: dot products; 9 rows: tiles), even where its weights are zero.
     */
    @ParameterizedTest
    @EnumSource(Precision.class)
    void predictFindsEveryNonFiniteFeatureWhereverItIs(Precision precision) {
        Network trained = Network.builder().input(20).dense(12, Activation.RELU).dense(10, Activation.SOFTMAX)
                .precision(precision).seed(3).build();
        double[][] zeroColumn = trained.dense(1).weightMatrix().toDoubleArray();
        for (double[] row : zeroColumn) {
            row[7] = 0; // feature 7 has no weight: 0·∞ is NaN, so it must be caught too
        }
        Network network = trained.withLayer(1, Layer.of(zeroColumn, trained.dense(1).biasVector().row(0),
                Activation.RELU, precision));
        for (int rows : new int[] {1, 9}) {
            for (int at = 0; at < rows * 20; at += 7) {
                for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
                    double[][] x = new double[rows][20];
                    x[at / 20][at % 20] = bad;
                    Matrix inputs = Matrix.of(precision, x, "x");
                    assertThatIllegalArgumentException().as("%s at %d of %d rows", bad, at, rows)
                            .isThrownBy(() -> network.predict(inputs))
                            .withMessageContaining("row " + at / 20 + ", column " + at % 20 + " is ");
                }
            }
        }
    }

    @Test
    void finiteInputsWhoseWeightedSumsOverflowAreNotTheCallersError() {
        Network network = Network.of(Layer.of(new double[][] {{1e38, 1e38}}, new double[] {0}, Activation.IDENTITY,
                Precision.FLOAT32));

        assertThat(network.predict(new float[] {3e38f, 3e38f})[0]).isEqualTo(Float.POSITIVE_INFINITY);
    }
}
