package io.github.backprop4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The builder and the value semantics of the layer kinds: sizes inferred through every kind, the builder's and
 * {@link Network#of}'s refusals, {@link Layer#withParameters}, {@link Network#summary()}, {@code toString},
 * {@code equals}/{@code hashCode}, precision conversions, seeded construction and {@link Network#toBuilder()}.
 */
class LayerKindsTest {

    /**
     * embedding(3 numeric + 5×2, 4×3) → dense(6, tanh) → layer_norm(silu) → batch_norm(elu) →
     * residual[dense(4, tanh), batch_norm, dense(6)] + tanh → dense(3, softmax).
     */
    private static Network.Builder allKinds() {
        return Network.builder().input(3).categorical(5, 2).categorical(4, 3).dense(6, Activation.TANH)
                .layerNorm(Activation.SILU).batchNorm(Activation.ELU)
                .residual(Activation.TANH, r -> r.dense(4, Activation.TANH).batchNorm().dense(6))
                .dense(3, Activation.SOFTMAX);
    }

    private static Network allKinds(Precision precision, long seed) {
        return allKinds().precision(precision).seed(seed).build();
    }

    /** {@link #allKinds} with every parameter and running statistic redrawn, so that none is 0 or 1. */
    private static Network randomized(Precision precision, long seed) {
        Network n = allKinds(precision, seed);
        SplittableRandom random = new SplittableRandom(seed);
        List<Layer> layers = new ArrayList<>();
        for (Layer layer : n.layers()) {
            layers.add(randomized(layer, random));
        }
        return Network.of(layers);
    }

    private static Layer randomized(Layer layer, SplittableRandom random) {
        if (layer instanceof Residual r) {
            List<Layer> inner = new ArrayList<>();
            for (Layer f : r.inner()) {
                inner.add(randomized(f, random));
            }
            return r.withInner(inner);
        }
        List<Matrix> values = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            values.add(filled(p.value(), random, -1, 1));
        }
        Layer redrawn = layer.withParameters(values);
        if (redrawn instanceof BatchNorm b) {
            return b.withRunningStatistics(filled(b.runningMean(), random, -1, 1),
                    filled(b.runningVar(), random, 0.5, 2), 3);
        }
        return redrawn;
    }

    private static Matrix filled(Matrix like, SplittableRandom random, double from, double to) {
        Matrix m = Matrix.zeros(like.precision(), like.rows(), like.cols());
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < m.cols(); j++) {
                m.set(i, j, random.nextDouble(from, to));
            }
        }
        return m;
    }

    private static List<Matrix> copiesOf(Layer layer) {
        return layer.parameters().stream().map(p -> p.value().copy()).toList();
    }

    /** Every layer of the network and, after each residual block, its inner layers. */
    private static List<Layer> layersAndInnerLayers(Network network) {
        List<Layer> all = new ArrayList<>();
        for (Layer layer : network.layers()) {
            all.add(layer);
            if (layer instanceof Residual r) {
                all.addAll(r.inner());
            }
        }
        return all;
    }

    // ------------------------------------------------------------------ sizes

    @Test
    void sizesAreInferredThroughEveryKind() {
        Network n = allKinds(Precision.FLOAT64, 1);

        assertThat(n.layers()).extracting(Layer::kind).containsExactly("embedding", "dense", "layer_norm", "batch_norm",
                "residual", "dense");
        assertThat(n.inputSize()).as("3 numeric columns and 2 category index columns").isEqualTo(5);
        assertThat(n.layers()).extracting(Layer::inputSize).containsExactly(5, 8, 6, 6, 6, 6);
        assertThat(n.layers()).extracting(Layer::outputSize).containsExactly(8, 6, 6, 6, 6, 3);
        assertThat(n.layers()).extracting(Layer::activation).containsExactly(Activation.IDENTITY, Activation.TANH,
                Activation.SILU, Activation.ELU, Activation.TANH, Activation.SOFTMAX);
        Embedding embedding = (Embedding) n.layer(1);
        assertThat(embedding.numericColumns()).isEqualTo(3);
        assertThat(embedding.cardinalities()).containsExactly(5, 4);
        assertThat(embedding.tables()).extracting(Matrix::rows, Matrix::cols)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(5, 2), org.assertj.core.groups.Tuple.tuple(4, 3));
        assertThat(n.dense(2).weightMatrix().rows()).isEqualTo(6);
        assertThat(n.dense(2).weightMatrix().cols()).as("the embedding's output width").isEqualTo(8);
        Residual block = (Residual) n.layer(5);
        assertThat(block.inner()).extracting(Layer::kind).containsExactly("dense", "batch_norm", "dense");
        assertThat(block.inner()).extracting(Layer::inputSize).containsExactly(6, 4, 4);
        assertThat(block.inner()).extracting(Layer::outputSize).containsExactly(4, 4, 6);
        assertThat(block.inner()).extracting(Layer::activation).containsExactly(Activation.TANH, Activation.IDENTITY,
                Activation.IDENTITY);
        assertThat(n.parameterCount()).isEqualTo((5 * 2 + 4 * 3) + (6 * 8 + 6) + 2 * 6 + 2 * 6
                + ((4 * 6 + 4) + 2 * 4 + (6 * 4 + 6)) + (3 * 6 + 3));
        for (Layer layer : layersAndInnerLayers(n)) {
            assertThat(layer.precision()).isEqualTo(Precision.FLOAT64);
        }

        double[] p = n.predict(new double[] {0.5, -1, 2, 4, 0});
        assertThat(p).hasSize(3);
        assertThat(p[0] + p[1] + p[2]).isCloseTo(1, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void freshNormsStartAtScaleOneShiftZeroAndStandardRunningStatistics() {
        Network n = allKinds(Precision.FLOAT64, 1);
        BatchNorm b = (BatchNorm) n.layer(4);

        for (int l : new int[] {3, 4}) {
            List<Parameter> p = n.layer(l).parameters();
            assertThat(p).extracting(Parameter::name).containsExactly("weight", "bias");
            assertThat(p).extracting(Parameter::kind).containsExactly(ParameterKind.SCALE, ParameterKind.SHIFT);
            assertThat(p.get(0).value().row(0)).containsOnly(1.0);
            assertThat(p.get(1).value().row(0)).containsOnly(0.0);
        }
        assertThat(b.runningMean().row(0)).containsOnly(0.0);
        assertThat(b.runningVar().row(0)).containsOnly(1.0);
        assertThat(b.numBatchesTracked()).isZero();
        assertThat(b.buffers()).containsOnlyKeys("running_mean", "running_var");
        assertThat(n.layer(5).buffers()).containsOnlyKeys("f.1.running_mean", "f.1.running_var");
        assertThat(n.layer(5).parameters()).extracting(Parameter::name).containsExactly("f.0.weight", "f.0.bias",
                "f.1.weight", "f.1.bias", "f.2.weight", "f.2.bias");
        assertThat(n.layer(1).parameters()).extracting(Parameter::name).containsExactly("tables.0.weight",
                "tables.1.weight");
    }

    // ------------------------------------------------------------------ the builder's refusals

    @Test
    void aResidualBlockThatDoesNotEndAtItsWidthIsRefusedNamingTheLayerAndSizes() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(4).dense(6).residual(b -> b.dense(8).dense(5)).seed(1).build())
                .withMessageStartingWith("layer 2 (residual block): ")
                .withMessageContaining("inner layer 0 takes 6 inputs but inner layer 1 gives 5 outputs");
        assertThatIllegalArgumentException()
                .as("a block inside a block")
                .isThrownBy(() -> Network.builder().input(4).dense(6).layerNorm()
                        .residual(b -> b.dense(6).residual(c -> c.dense(3))).seed(1).build())
                .withMessageStartingWith("layer 3 (residual block): inner layer 1 (residual block): ")
                .withMessageContaining("inner layer 0 takes 6 inputs but inner layer 0 gives 3 outputs");
        assertThatIllegalArgumentException()
                .as("an explicit inner layer that does not chain, numbered as the block numbers it")
                .isThrownBy(() -> Network.builder().input(4).dense(6)
                        .residual(b -> b.dense(5).layer(Layer.of(new double[6][4], new double[6], Activation.IDENTITY)))
                        .seed(1).build())
                .withMessage("layer 2 (residual block): inner layer 1 has 4 inputs but inner layer 0 has 5 outputs");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(4).dense(6)
                        .residual(b -> b.layer(Layer.of(new double[6][4], new double[6], Activation.IDENTITY)))
                        .seed(1).build())
                .withMessage("layer 2 (residual block): inner layer 0 has 4 inputs but the block's input width is 6");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(4).dense(1).residual(b -> b.layerNorm()).seed(1).build())
                .withMessage("layer 2 (residual block): inner layer 0: layer normalization needs at least 2 features, "
                        + "was 1");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(4).residual(b -> b.dense(4).dense(0)))
                .withMessage("inner layer 1 size must be at least 1, was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(4).residual(b -> { }))
                .withMessageContaining("residual: the block's inner builder added no layer");
        assertThatIllegalArgumentException()
                .as("Residual.of directly")
                .isThrownBy(() -> Residual.of(List.of(LayerNorm.of(6, Activation.IDENTITY, Precision.FLOAT64),
                        Layer.of(new double[5][6], new double[5], Activation.IDENTITY)), Activation.IDENTITY))
                .withMessageContaining("inner layer 0 takes 6 inputs but inner layer 1 gives 5 outputs");
    }

    @Test
    void theBuilderNumbersLayersAfterTheEmbeddingLayer() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(2).categorical(3, 2).dense(0))
                .withMessage("layer 2 size must be at least 1, was 0");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.builder().input(2).categorical(3, 2).dense(4)
                        .layer(Layer.of(new double[2][5], new double[2], Activation.IDENTITY)).seed(1).build())
                .withMessage("layer 3 has 5 inputs but layer 2 has 4 outputs");
    }

    @Test
    void categoricalAfterALayerIsRefused() {
        assertThatIllegalStateException()
                .isThrownBy(() -> Network.builder().input(3).dense(4).categorical(5, 2))
                .withMessage("categorical(5, 2) must come before the first layer");
        assertThatIllegalStateException()
                .isThrownBy(() -> Network.builder().input(3).categorical(5, 2).layerNorm().categorical(4, 3))
                .withMessage("categorical(4, 3) must come before the first layer");
    }

    @Test
    void callsThatDescribeTheWholeNetworkAreRefusedInsideAResidualBlock() {
        Map<String, Consumer<Network.Builder>> calls = Map.of(
                "seed(7)", b -> b.dense(4).seed(7),
                "precision(FLOAT64)", b -> b.dense(4).precision(Precision.FLOAT64),
                "input(4)", b -> b.input(4),
                "categorical(3, 2)", b -> b.categorical(3, 2),
                "build()", b -> b.dense(4).build());
        calls.forEach((call, inner) -> assertThatIllegalStateException()
                .as(call)
                .isThrownBy(() -> Network.builder().input(4).residual(inner))
                .withMessage(call + " describes the whole network and cannot be called inside a residual block"));
    }

    @Test
    void anEmbeddingThatIsNotLayerOneIsRefused() {
        Embedding embedding = Embedding.of(4, List.of(Matrix.of(Precision.FLOAT64, new double[][] {{1, 2}, {3, 4}},
                "t")), Activation.IDENTITY);
        DenseLayer dense = Layer.of(new double[5][3], new double[5], Activation.IDENTITY);

        assertThat(Network.of(embedding, Layer.of(new double[2][6], new double[2], Activation.IDENTITY)).layerCount())
                .as("as layer 1 it is fine").isEqualTo(2);
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Network.of(dense, embedding))
                .withMessage("layer 2 is an embedding layer, which must be layer 1: it reads the categorical columns "
                        + "of the input");
        assertThatIllegalArgumentException()
                .as("through the builder too")
                .isThrownBy(() -> Network.builder().input(3).layer(dense).layer(embedding).seed(1).build())
                .withMessageStartingWith("layer 2 is an embedding layer");
        assertThatIllegalArgumentException()
                .as("nor inside a residual block")
                .isThrownBy(() -> Residual.of(List.of(embedding, Layer.of(new double[5][6], new double[5],
                        Activation.IDENTITY)), Activation.IDENTITY))
                .withMessage("inner layer 0 is an embedding layer, which must be the first layer of a network");
    }

    @Test
    void denseOnALayerOfAnotherKindIsRefusedNamingItsKind() {
        Network n = allKinds(Precision.FLOAT32, 1);

        assertThat(n.dense(2)).isSameAs(n.layer(2));
        String[] kinds = {"embedding", null, "layer_norm", "batch_norm", "residual"};
        for (int l : new int[] {1, 3, 4, 5}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> n.dense(l))
                    .withMessage("layer " + l + " is a " + kinds[l - 1] + " layer, not a dense one: " + n.layer(l));
        }
    }

    // ------------------------------------------------------------------ withParameters

    @Test
    void withParametersRefusesAWrongCountShapeOrPrecisionNamingTheParameter() {
        Network n = randomized(Precision.FLOAT64, 2);
        for (Layer layer : layersAndInnerLayers(n)) {
            List<Parameter> parameters = layer.parameters();
            List<Matrix> values = copiesOf(layer);

            List<Matrix> tooFew = values.subList(0, values.size() - 1);
            assertThatIllegalArgumentException()
                    .as("%s: count", layer)
                    .isThrownBy(() -> layer.withParameters(tooFew))
                    .withMessage("values: the number of parameters is " + tooFew.size()
                            + " but the number of parameters of " + layer + " is " + values.size());

            for (int i = 0; i < values.size(); i++) {
                Parameter p = parameters.get(i);
                Matrix v = p.value();
                List<Matrix> wrongShape = new ArrayList<>(values);
                wrongShape.set(i, Matrix.zeros(Precision.FLOAT64, v.rows(), v.cols() + 1));
                assertThatIllegalArgumentException()
                        .as("%s: shape of %s", layer, p.name())
                        .isThrownBy(() -> layer.withParameters(wrongShape))
                        .withMessage("values: " + p.name() + " is Matrix[FLOAT64, " + v.rows() + " × " + (v.cols() + 1)
                                + "] but the parameter of " + layer + " is Matrix[FLOAT64, " + v.rows() + " × "
                                + v.cols() + "]");

                List<Matrix> wrongPrecision = new ArrayList<>(values);
                wrongPrecision.set(i, v.toPrecision(Precision.FLOAT32));
                assertThatIllegalArgumentException()
                        .as("%s: precision of %s", layer, p.name())
                        .isThrownBy(() -> layer.withParameters(wrongPrecision))
                        .withMessageStartingWith("values: " + p.name() + " is Matrix[FLOAT32, ")
                        .withMessageContaining("is Matrix[FLOAT64, ");

                List<Matrix> notFinite = new ArrayList<>(values);
                Matrix nan = v.copy();
                nan.set(v.rows() - 1, v.cols() - 1, Double.NaN);
                notFinite.set(i, nan);
                assertThatIllegalArgumentException()
                        .as("%s: NaN in %s", layer, p.name())
                        .isThrownBy(() -> layer.withParameters(notFinite))
                        .withMessage(p.name() + ": row " + (v.rows() - 1) + ", column " + (v.cols() - 1)
                                + " is NaN; every value must be finite");
            }
        }
    }

    @Test
    void withParametersTakesNewValuesAndKeepsTheActivationAndBuffers() {
        Network n = randomized(Precision.FLOAT64, 3);
        SplittableRandom random = new SplittableRandom(4);
        for (Layer layer : n.layers()) {
            List<Matrix> values = new ArrayList<>();
            for (Parameter p : layer.parameters()) {
                values.add(filled(p.value(), random, 2, 3));
            }

            Layer changed = layer.withParameters(values);

            assertThat(changed.getClass()).isEqualTo(layer.getClass());
            assertThat(changed.activation()).isEqualTo(layer.activation());
            assertThat(changed.buffers()).isEqualTo(layer.buffers());
            assertThat(changed.parameters()).extracting(Parameter::value).isEqualTo(values);
            assertThat(changed).isNotEqualTo(layer);
            assertThat(changed.withParameters(copiesOf(layer))).isEqualTo(layer);
            values.get(0).set(0, 0, 99);
            assertThat(changed.parameters().get(0).value().get(0, 0)).as("the values were copied").isNotEqualTo(99);
        }
    }

    // ------------------------------------------------------------------ summary and toString

    @Test
    void summaryHasTheInputRowOneLinePerLayerAndInnerLayerAndCountsThatAddUp() {
        Network n = allKinds(Precision.FLOAT64, 1);

        String[] lines = n.summary().split("\n");

        assertThat(lines).hasSize(1 + 1 + 6 + 3 + 1);
        assertThat(lines[0].split(" +")).containsExactly("layer", "kind", "activation", "outputs", "parameters",
                "details");
        assertThat(lines[1].split(" +")).containsExactly("0", "input", "5");
        String[] numbers = {"1", "2", "3", "4", "5", "5.f.0", "5.f.1", "5.f.2", "6"};
        String[] kinds = {"embedding", "dense", "layer_norm", "batch_norm", "residual", "dense", "batch_norm", "dense",
            "dense"};
        String[] activations = {"identity", "tanh", "silu", "elu(alpha=1.0)", "tanh", "tanh", "identity", "identity",
            "softmax"};
        String[] outputs = {"8", "6", "6", "6", "6", "4", "4", "6", "3"};
        long[] counts = new long[numbers.length];
        for (int i = 0; i < numbers.length; i++) {
            String[] cells = lines[2 + i].split(" +");
            assertThat(Arrays.copyOf(cells, 4)).as(lines[2 + i]).containsExactly(numbers[i], kinds[i], activations[i],
                    outputs[i]);
            counts[i] = Long.parseLong(cells[4]);
        }
        assertThat(counts).containsExactly(22, 54, 12, 12, 66, 28, 8, 30, 21);
        long layers = counts[0] + counts[1] + counts[2] + counts[3] + counts[4] + counts[8];
        assertThat(layers).as("the layers' counts add up").isEqualTo(n.parameterCount());
        assertThat(counts[5] + counts[6] + counts[7]).as("the inner layers' counts add up to the block's")
                .isEqualTo(counts[4]);
        assertThat(lines[2]).endsWith("3 numeric, 5×2, 4×3");
        assertThat(lines[4]).endsWith("eps=1.0E-5");
        assertThat(lines[5]).endsWith("eps=1.0E-5, momentum=0.1, 0 batches tracked");
        assertThat(lines[6]).endsWith("x + f(x), f = dense(4, tanh) batch_norm(4, identity) dense(6, identity)");
        assertThat(lines[lines.length - 1]).isEqualTo("187 parameters, FLOAT64, 1496 bytes of parameters");
        for (String line : lines) {
            assertThat(line).as("no trailing spaces").doesNotEndWith(" ");
        }
        assertThat(allKinds(Precision.FLOAT32, 1).summary()).endsWith("187 parameters, FLOAT32, 748 bytes of parameters");
    }

    @Test
    void toStringOfEachKindAndOfANetwork() {
        Network n = allKinds(Precision.FLOAT64, 1);

        assertThat(n.layers()).extracting(Layer::toString).containsExactly(
                "Embedding[3 numeric + 5×2, 4×3 → 8, identity, FLOAT64]",
                "Layer[8 → 6, tanh, FLOAT64]",
                "LayerNorm[6, silu, FLOAT64]",
                "BatchNorm[6, elu(alpha=1.0), FLOAT64]",
                "Residual[6: [Layer[6 → 4, tanh, FLOAT64], BatchNorm[4, identity, FLOAT64], "
                        + "Layer[4 → 6, identity, FLOAT64]], tanh]",
                "Layer[6 → 3, softmax, FLOAT64]");
        assertThat(n).hasToString("Network[5 → 8 embedding → 6 tanh → 6 layer_norm(silu) → 6 batch_norm(elu(alpha=1.0))"
                + " → 6 residual(tanh) → 3 softmax, FLOAT64, 187 parameters]");
        assertThat(Network.builder().input(4).dense(2, Activation.RELU).layerNorm().residual(b -> b.dense(2))
                .seed(1).build()).hasToString("Network[4 → 2 relu → 2 layer_norm → 2 residual, FLOAT32, 20 parameters]");
    }

    // ------------------------------------------------------------------ equals and hashCode

    @Test
    void bitIdenticalCopiesAreEqualWithEqualHashCodes() {
        Network n = randomized(Precision.FLOAT64, 5);
        List<Layer> copies = new ArrayList<>();
        for (Layer layer : n.layers()) {
            Layer copy = layer.withParameters(copiesOf(layer));
            assertThat(copy).isNotSameAs(layer).isEqualTo(layer).hasSameHashCodeAs(layer);
            copies.add(copy);
        }
        Network copy = Network.of(copies);

        assertThat(copy).isEqualTo(n).hasSameHashCodeAs(n);
        assertThat(randomized(Precision.FLOAT64, 5)).as("rebuilt from the seed").isEqualTo(n).hasSameHashCodeAs(n);
        assertThat(n.toPrecision(Precision.FLOAT32)).as("the other precision").isNotEqualTo(n);
    }

    @Test
    void anyChangeOfAParameterValueMakesLayersAndNetworksUnequal() {
        Network n = randomized(Precision.FLOAT64, 6);
        for (int l = 1; l <= n.layerCount(); l++) {
            Layer layer = n.layer(l);
            List<Parameter> parameters = layer.parameters();
            for (int i = 0; i < parameters.size(); i++) {
                Matrix v = parameters.get(i).value();
                for (int[] at : new int[][] {{0, 0}, {v.rows() - 1, v.cols() - 1}}) {
                    List<Matrix> values = new ArrayList<>(copiesOf(layer));
                    values.get(i).set(at[0], at[1], Math.nextUp(v.get(at[0], at[1])));

                    Layer changed = layer.withParameters(values);

                    assertThat(changed).as("%s, %s%s", layer, parameters.get(i).name(), Arrays.toString(at))
                            .isNotEqualTo(layer);
                    assertThat(changed.hashCode()).isNotEqualTo(layer.hashCode());
                    assertThat(n.withLayer(l, changed)).isNotEqualTo(n);
                }
            }
        }
        Layer zero = Layer.of(new double[][] {{0.0}}, new double[] {0.0}, Activation.IDENTITY);
        assertThat(Layer.of(new double[][] {{-0.0}}, new double[] {0.0}, Activation.IDENTITY))
                .as("bit-identical, so -0.0 is not 0.0").isNotEqualTo(zero);
    }

    @Test
    void aChangeOfABufferOrAnActivationOrAConstantMakesLayersUnequal() {
        Network n = randomized(Precision.FLOAT64, 7);
        BatchNorm b = (BatchNorm) n.layer(4);
        Matrix mean = b.runningMean().copy();
        mean.set(0, 5, Math.nextUp(mean.get(0, 5)));
        Matrix var = b.runningVar().copy();
        var.set(0, 0, Math.nextDown(var.get(0, 0)));

        assertThat(b.withRunningStatistics(b.runningMean(), b.runningVar(), b.numBatchesTracked())).isEqualTo(b)
                .hasSameHashCodeAs(b);
        assertThat(b.withRunningStatistics(mean, b.runningVar(), b.numBatchesTracked())).isNotEqualTo(b);
        assertThat(b.withRunningStatistics(b.runningMean(), var, b.numBatchesTracked())).isNotEqualTo(b);
        assertThat(b.withRunningStatistics(b.runningMean(), b.runningVar(), b.numBatchesTracked() + 1))
                .isNotEqualTo(b);
        assertThat(BatchNorm.of(b.parameters().get(0).value(), b.parameters().get(1).value(), b.runningMean(),
                b.runningVar(), b.numBatchesTracked(), 1e-3, b.momentum(), b.activation())).as("eps").isNotEqualTo(b);
        assertThat(BatchNorm.of(b.parameters().get(0).value(), b.parameters().get(1).value(), b.runningMean(),
                b.runningVar(), b.numBatchesTracked(), b.epsilon(), 0.2, b.activation())).as("momentum")
                .isNotEqualTo(b);
        LayerNorm norm = (LayerNorm) n.layer(3);
        assertThat(LayerNorm.of(norm.parameters().get(0).value(), norm.parameters().get(1).value(), 1e-3,
                norm.activation())).as("eps").isNotEqualTo(norm);

        Residual block = (Residual) n.layer(5);
        BatchNorm inner = (BatchNorm) block.inner().get(1);
        Residual withInnerBuffer = block.withInner(List.of(block.inner().get(0),
                inner.withRunningStatistics(inner.runningMean(), inner.runningVar(), inner.numBatchesTracked() + 1),
                block.inner().get(2)));
        assertThat(withInnerBuffer).as("an inner layer's buffer").isNotEqualTo(block);
        assertThat(n.withLayer(5, withInnerBuffer)).isNotEqualTo(n);
        assertThat(block.withInner(block.inner())).isEqualTo(block);

        for (Layer layer : layersAndInnerLayers(n)) {
            Activation other = layer.activation().equals(Activation.RELU) ? Activation.TANH : Activation.RELU;
            assertThat(layer.withActivation(other)).as("%s with %s", layer, other).isNotEqualTo(layer);
            assertThat(layer.withActivation(layer.activation())).isEqualTo(layer).hasSameHashCodeAs(layer);
        }
        Residual otherInnerActivation = block.withInner(List.of(block.inner().get(0).withActivation(Activation.RELU),
                block.inner().get(1), block.inner().get(2)));
        assertThat(otherInnerActivation).as("an inner layer's activation").isNotEqualTo(block);
    }

    // ------------------------------------------------------------------ precision

    @Test
    void float64ToFloat32AndBackIsTheRoundingOfEveryParameterAndBuffer() {
        Network wide = randomized(Precision.FLOAT64, 8);

        Network narrow = wide.toPrecision(Precision.FLOAT32);
        Network back = narrow.toPrecision(Precision.FLOAT64);

        assertThat(wide.toPrecision(Precision.FLOAT64)).isSameAs(wide);
        assertThat(narrow.toPrecision(Precision.FLOAT32)).isSameAs(narrow);
        assertThat(narrow.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(back).isNotEqualTo(wide).isEqualTo(back.toPrecision(Precision.FLOAT32).toPrecision(Precision.FLOAT64));
        assertThat(back.toPrecision(Precision.FLOAT32)).isEqualTo(narrow);
        for (int l = 1; l <= wide.layerCount(); l++) {
            Layer w = wide.layer(l);
            Layer f = narrow.layer(l);
            Layer b = back.layer(l);
            assertThat(f.activation()).isEqualTo(w.activation());
            assertThat(layersAndInnerLayers(narrow)).allSatisfy(x -> assertThat(x.precision())
                    .isEqualTo(Precision.FLOAT32));
            for (int i = 0; i < w.parameters().size(); i++) {
                assertRounded(f.parameters().get(i).value(), w.parameters().get(i).value(), Precision.FLOAT32);
                assertRounded(b.parameters().get(i).value(), w.parameters().get(i).value(), Precision.FLOAT64);
            }
            assertThat(f.buffers().keySet()).isEqualTo(w.buffers().keySet());
            for (String name : w.buffers().keySet()) {
                assertRounded(f.buffers().get(name), w.buffers().get(name), Precision.FLOAT32);
                assertRounded(b.buffers().get(name), w.buffers().get(name), Precision.FLOAT64);
            }
        }
        assertThat(((BatchNorm) back.layer(4)).numBatchesTracked()).isEqualTo(3);
        assertThat(((BatchNorm) back.layer(4)).epsilon()).isEqualTo(BatchNorm.DEFAULT_EPSILON);
    }

    private static void assertRounded(Matrix actual, Matrix original, Precision precision) {
        assertThat(actual.precision()).isEqualTo(precision);
        assertThat(actual.rows()).isEqualTo(original.rows());
        assertThat(actual.cols()).isEqualTo(original.cols());
        boolean changed = false;
        for (int i = 0; i < original.rows(); i++) {
            for (int j = 0; j < original.cols(); j++) {
                assertThat(actual.get(i, j)).isEqualTo((double) (float) original.get(i, j));
                changed |= actual.get(i, j) != original.get(i, j);
            }
        }
        assertThat(changed).as("random doubles do not all survive rounding").isTrue();
    }

    @Test
    void narrowingRefusesAValueBeyondFloatsRangeNamingTheLayerAndParameter() {
        Network wide = randomized(Precision.FLOAT64, 9);
        assertThat(narrowingWith(wide, 1, 1, 2e39)).isEqualTo("layer 1: table 1: row 3, column 2 is 2.0E39, outside "
                + "the range of FLOAT32 (±3.4028235E38)");
        assertThat(narrowingWith(wide, 2, 0, -1e300)).startsWith("layer 2: weights: row 5, column 7 is -1.0E300");
        assertThat(narrowingWith(wide, 2, 1, 1e300)).startsWith("layer 2: bias: row 0, column 5 is 1.0E300");
        assertThat(narrowingWith(wide, 3, 0, 1e300)).startsWith("layer 3: gamma: row 0, column 5 is 1.0E300");
        assertThat(narrowingWith(wide, 4, 1, 1e300)).startsWith("layer 4: beta: row 0, column 5 is 1.0E300");
        assertThat(narrowingWith(wide, 5, 4, 1e300)).startsWith("layer 5: inner layer 2: weights: row 5, column 3");
        assertThat(narrowingWith(wide, 5, 3, 1e300)).startsWith("layer 5: inner layer 1: beta: row 0, column 3");

        BatchNorm b = (BatchNorm) wide.layer(4);
        Matrix var = b.runningVar().copy();
        var.set(0, 2, 1e39);
        Network bigVariance = wide.withLayer(4, b.withRunningStatistics(b.runningMean(), var, 3));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> bigVariance.toPrecision(Precision.FLOAT32))
                .withMessageStartingWith("layer 4: running_var: row 0, column 2 is 1.0E39, outside the range of FLOAT32");

        Network edge = wide.withLayer(3, wide.layer(3).withParameters(List.of(
                filledWith(wide.layer(3).parameters().get(0).value(), Float.MAX_VALUE),
                wide.layer(3).parameters().get(1).value())));
        assertThat(edge.toPrecision(Precision.FLOAT32).layer(3).parameters().get(0).value().get(0, 0))
                .as("the largest float itself is fine").isEqualTo(Float.MAX_VALUE);
    }

    /** The message of narrowing {@code network} after parameter {@code i} of layer {@code l} got {@code value} last. */
    private static String narrowingWith(Network network, int l, int i, double value) {
        Layer layer = network.layer(l);
        List<Matrix> values = new ArrayList<>(copiesOf(layer));
        Matrix v = values.get(i);
        v.set(v.rows() - 1, v.cols() - 1, value);
        Network big = network.withLayer(l, layer.withParameters(values));
        try {
            big.toPrecision(Precision.FLOAT32);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("narrowing accepted " + value + " in layer " + l);
    }

    private static Matrix filledWith(Matrix like, double value) {
        Matrix m = Matrix.zeros(like.precision(), like.rows(), like.cols());
        m.fill(value);
        return m;
    }

    @Test
    void aFloat32NetworkFromASeedIsTheFloat64OneWithTheSameSeedRounded() {
        Network wide = allKinds(Precision.FLOAT64, 10);
        Network narrow = allKinds(Precision.FLOAT32, 10);

        assertThat(narrow).isEqualTo(wide.toPrecision(Precision.FLOAT32));
        Embedding w = (Embedding) wide.layer(1);
        Embedding f = (Embedding) narrow.layer(1);
        for (int k = 0; k < w.tables().size(); k++) {
            assertRounded(f.tables().get(k), w.tables().get(k), Precision.FLOAT32);
        }
        assertRounded(narrow.dense(2).weightMatrix(), wide.dense(2).weightMatrix(), Precision.FLOAT32);
        assertRounded(narrow.dense(6).weightMatrix(), wide.dense(6).weightMatrix(), Precision.FLOAT32);
        Residual block = (Residual) narrow.layer(5);
        Residual wideBlock = (Residual) wide.layer(5);
        assertRounded(block.inner().get(0).parameters().get(0).value(),
                wideBlock.inner().get(0).parameters().get(0).value(), Precision.FLOAT32);
        assertThat(allKinds(Precision.FLOAT64, 11)).as("another seed").isNotEqualTo(wide);
        assertThat(allKinds(Precision.FLOAT64, 11).layer(1)).as("another seed, other tables")
                .isNotEqualTo(wide.layer(1));
    }

    // ------------------------------------------------------------------ toBuilder

    @ParameterizedTest
    @EnumSource(Precision.class)
    void toBuilderOnANetworkOfEveryKindRebuildsAnEqualNetwork(Precision precision) {
        Network n = randomized(precision, 12);

        Network rebuilt = n.toBuilder().build();

        assertThat(rebuilt).isEqualTo(n).hasSameHashCodeAs(n);
        assertThat(rebuilt.summary()).isEqualTo(n.summary());
        assertThat(((BatchNorm) rebuilt.layer(4)).numBatchesTracked()).isEqualTo(3);

        Network longer = n.toBuilder().layerNorm().dense(2, Activation.SOFTMAX).seed(1).build();
        assertThat(longer.layerCount()).isEqualTo(n.layerCount() + 2);
        assertThat(longer.layers().subList(0, n.layerCount())).isEqualTo(n.layers());
        assertThat(longer.precision()).isEqualTo(precision);
        assertThat(longer.layer(7).inputSize()).isEqualTo(3);

        Network twoColumns = Network.builder().categorical(3, 2).categorical(2, 2).dense(2).seed(4).build();
        assertThat(twoColumns.inputSize()).as("no numeric columns").isEqualTo(2);
        assertThat(twoColumns.toBuilder().build()).isEqualTo(twoColumns);
    }
}
