package io.github.backprop4j.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.golden.LayerGoldenCase.BatchNorm;
import io.github.backprop4j.golden.LayerGoldenCase.Dense;
import io.github.backprop4j.golden.LayerGoldenCase.Embedding;
import io.github.backprop4j.golden.LayerGoldenCase.LayerForward;
import io.github.backprop4j.golden.LayerGoldenCase.LayerNorm;
import io.github.backprop4j.golden.LayerGoldenCase.LayerSpec;
import io.github.backprop4j.golden.LayerGoldenCase.OptimizerRun;
import io.github.backprop4j.golden.LayerGoldenCase.Pass;
import io.github.backprop4j.golden.LayerGoldenCase.Residual;
import io.github.backprop4j.golden.LayerGoldenCase.Table;
import io.github.backprop4j.golden.LayerGoldenCase.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every layers-1 case of {@code src/test/resources/golden/layers} reads into {@link LayerGoldenCase} and is
 * consistent with itself and with its README: shapes agree with the layer sizes, every parameter has a
 * gradient and an optimized value of its shape, the running statistics count the training forwards, and the
 * values that the README defines in closed form from other values of the file (an embedding's output, a dense
 * layer's gradients, batch_norm's running statistics) are those values.
 */
class LayerGoldenCaseTest {

    /** Within float64 rounding of a short sum: the file's values are PyTorch's, recomputed here in Java. */
    private static final Tolerance CLOSE = Tolerance.FLOAT64;
    private static final Set<String> KINKED = Set.of("relu", "leaky_relu", "elu");

    static Stream<LayerGoldenCase> cases() {
        return LayerGoldenCase.files().stream().map(LayerGoldenCase::load);
    }

    private static String readme() throws IOException {
        try (InputStream in = LayerGoldenCaseTest.class.getResourceAsStream(LayerGoldenCase.DIRECTORY + "README.md")) {
            assertThat(in).as("golden/layers/README.md").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void theDirectoryHoldsExactlyTheCasesItsReadmeLists() throws IOException {
        Set<String> listed = new LinkedHashSet<>();
        Matcher m = Pattern.compile("(?m)^\\| `([a-z0-9]+(?:-[a-z0-9]+)+)` \\|").matcher(readme());
        while (m.find()) {
            assertThat(listed.add(m.group(1))).as("listed twice: " + m.group(1)).isTrue();
        }
        assertThat(listed).hasSizeGreaterThanOrEqualTo(11)
                .contains("mix-embedding-bn-residual-ln-ce", "dense-layernorm-relu-dense-mae");
        assertThat(LayerGoldenCase.files()).containsExactlyInAnyOrderElementsOf(listed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void layerWidthsChainFromInputToTarget(LayerGoldenCase c) {
        List<LayerSpec> layers = c.layers();
        assertThat(layers).isNotEmpty();
        assertThat(c.batchSize()).isBetween(2, 6);
        assertRectangular(c + " input", c.input(), c.batchSize(), layers.get(0).inputWidth());
        assertRectangular(c + " target", c.target(), c.batchSize(), layers.get(layers.size() - 1).outputWidth());
        for (int i = 1; i < layers.size(); i++) {
            assertThat(layers.get(i).inputWidth()).as("%s layer %d input width = layer %d output width", c, i, i - 1)
                    .isEqualTo(layers.get(i - 1).outputWidth());
            assertThat(layers.get(i)).as("%s: embedding only first", c).isNotInstanceOf(Embedding.class);
        }
        for (LayerSpec l : layers) {
            assertThat(GoldenCase.activation(l.activation())).as(c + " activation").isNotNull();
            assertThat(l.outputWidth()).isBetween(1, 8);
            if (l instanceof Residual r) {
                assertThat(r.layers()).as(c + " residual inner layers").isNotEmpty();
                assertThat(r.layers().get(0).in()).isEqualTo(r.features());
                assertThat(r.layers().get(r.layers().size() - 1).out()).isEqualTo(r.features());
                for (int j = 1; j < r.layers().size(); j++) {
                    assertThat(r.layers().get(j).in()).isEqualTo(r.layers().get(j - 1).out());
                }
            }
        }
        if (layers.get(0) instanceof Embedding e) {
            assertThat(c.categories()).as(c + " categories").isNotNull();
            assertThat(e.out()).isEqualTo(e.numeric() + e.tables().stream().mapToInt(Table::dim).sum());
            assertThat(e.activation()).isEqualTo("identity");
            for (int n = 0; n < c.batchSize(); n++) {
                assertThat(c.categories()[n]).as("%s categories row %d", c, n).hasSize(e.tables().size());
                for (int k = 0; k < e.tables().size(); k++) {
                    assertThat(e.tables().get(k).column()).isEqualTo(k);
                    assertThat(c.categories()[n][k]).isBetween(0, e.tables().get(k).cardinality() - 1);
                }
            }
            assertThat(c.categories()).hasNumberOfRows(c.batchSize());
        } else {
            assertThat(c.categories()).as(c + " categories without an embedding").isNull();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void parametersHaveTheirLayersShapesAndTheStateDictHoldsThemAndTheBuffers(LayerGoldenCase c) {
        Map<String, Tensor> state = c.stateDict();
        Set<String> expectedNames = new LinkedHashSet<>();
        for (int i = 0; i < c.layers().size(); i++) {
            LayerSpec l = c.layers().get(i);
            for (Map.Entry<String, Tensor> p : l.parameters().entrySet()) {
                assertThat(p.getKey()).as("%s layer %d parameter name", c, i).startsWith(i + ".");
                assertThat(p.getValue().shape()).as(p.getKey()).isEqualTo(expectedShape(l, p.getKey()));
            }
            expectedNames.addAll(l.parameters().keySet());
            expectedNames.addAll(l.buffers().keySet());
            for (Map.Entry<String, Tensor> b : l.buffers().entrySet()) {
                assertThat(state).as(c + " state_dict").containsKey(b.getKey());
                assertSameValues(c + " " + b.getKey(), state.get(b.getKey()), b.getValue());
            }
        }
        assertThat(state.keySet()).as(c + " state_dict names").containsExactlyElementsOf(expectedNames);
        c.layerParameters().forEach((name, value) -> assertSameValues(c + " state_dict " + name, state.get(name),
                value));
        assertThat(c.parameterOrder()).as(c + " parameter_order").containsExactlyElementsOf(
                c.layerParameters().keySet());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyParameterHasAGradientOfItsShapeInEveryPass(LayerGoldenCase c) {
        Map<String, Tensor> params = c.layerParameters();
        List<Pass> passes = new ArrayList<>(List.of(c.training()));
        if (c.eval() != null) {
            passes.add(c.eval());
        }
        for (Pass pass : passes) {
            assertThat(pass.gradients().keySet()).as(c + " gradient names").containsExactlyElementsOf(c.parameterOrder());
            params.forEach((name, p) -> assertThat(pass.gradients().get(name).shape()).as(c + " gradient " + name)
                    .isEqualTo(p.shape()));
            assertRectangular(c + " input_gradient", pass.inputGradient(), c.batchSize(), c.input()[0].length);
            assertThat(pass.lossValue()).as(c + " loss").isFinite().isPositive();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void forwardAndDeltaHaveEveryLayersShapeAndTheNormStatisticsTheirs(LayerGoldenCase c) {
        checkPass(c, c.training(), false);
        assertThat(c.eval() == null).as(c + ": eval exactly for batch_norm networks").isEqualTo(!c.hasBatchNorm());
        if (c.eval() != null) {
            checkPass(c, c.eval(), true);
        }
    }

    private static void checkPass(LayerGoldenCase c, Pass pass, boolean eval) {
        String what = c + (eval ? " eval" : "");
        int n = c.batchSize();
        assertThat(pass.forward()).as(what + " forward").hasSameSizeAs(c.layers());
        assertThat(pass.delta()).as(what + " delta").hasSameSizeAs(c.layers());
        Set<Integer> residuals = new LinkedHashSet<>();
        for (int i = 0; i < c.layers().size(); i++) {
            LayerSpec l = c.layers().get(i);
            LayerForward f = pass.forward().get(i);
            String at = what + " layer " + i;
            assertRectangular(at + " z", f.z(), n, l.outputWidth());
            assertRectangular(at + " a", f.a(), n, l.outputWidth());
            assertRectangular(at + " delta", pass.delta().get(i), n, l.outputWidth());
            boolean statistics = l instanceof LayerNorm || (l instanceof BatchNorm && !eval);
            assertThat(f.mean() != null).as(at + " has mean and var").isEqualTo(statistics);
            if (statistics) {
                int length = l instanceof LayerNorm ? n : l.outputWidth();
                assertThat(f.mean()).as(at + " mean").hasSize(length);
                assertThat(f.var()).as(at + " var").hasSize(length);
                for (double v : f.var()) {
                    assertThat(v).as(at + " var").isPositive();
                }
            }
            if (l.activation().equals("identity")) {
                assertThat(f.a()).as(at + " a = z for identity").isDeepEqualTo(f.z());
            }
            if (l.activation().equals("softmax")) {
                for (double[] row : f.a()) {
                    assertThat(java.util.Arrays.stream(row).sum()).as(at + " softmax row").isCloseTo(1, within(1e-12));
                }
            }
            assertAwayFromKinks(at, l.activation(), f.z());
            if (l instanceof Residual r) {
                residuals.add(i);
                assertThat(f.inner()).as(at + " inner").hasSameSizeAs(r.layers());
                assertThat(pass.innerDelta().get(i)).as(at + " inner_delta").hasSameSizeAs(r.layers());
                for (int j = 0; j < r.layers().size(); j++) {
                    int width = r.layers().get(j).out();
                    assertRectangular(at + " inner " + j + " z", f.inner().get(j).z(), n, width);
                    assertRectangular(at + " inner " + j + " a", f.inner().get(j).a(), n, width);
                    assertRectangular(at + " inner_delta " + j, pass.innerDelta().get(i).get(j), n, width);
                    assertAwayFromKinks(at + " inner " + j, r.layers().get(j).activation(), f.inner().get(j).z());
                }
                // z = x + u_last
                double[][] x = i == 0 ? c.input() : pass.forward().get(i - 1).a();
                double[][] u = f.inner().get(r.layers().size() - 1).a();
                for (int s = 0; s < n; s++) {
                    for (int k = 0; k < r.features(); k++) {
                        CLOSE.assertClose(at + " z = x + f(x)", f.z()[s][k], x[s][k] + u[s][k]);
                    }
                }
            } else {
                assertThat(f.inner()).as(at + " inner").isEmpty();
            }
        }
        assertThat(pass.innerDelta().keySet()).as(what + " inner_delta layers").containsExactlyElementsOf(residuals);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theLossMatchesTheOutputActivationAndTheTargets(LayerGoldenCase c) {
        assertThat(GoldenCase.loss(c.loss())).as(c + " loss").isNotNull();
        String last = c.layers().get(c.layers().size() - 1).activation();
        for (double[] row : c.target()) {
            switch (c.loss()) {
                case "cross_entropy" -> {
                    assertThat(last).isEqualTo("softmax");
                    assertThat(row).as(c + " one-hot").satisfies(r -> assertZerosAndOnes(r));
                    assertThat(java.util.Arrays.stream(row).sum()).as(c + " one-hot").isEqualTo(1.0);
                }
                case "binary_cross_entropy" -> {
                    assertThat(last).isEqualTo("sigmoid");
                    assertZerosAndOnes(row);
                }
                default -> assertThat(last).isNotIn("softmax");
            }
        }
        double[][] a = c.forward().get(c.layers().size() - 1).a();
        for (int s = 0; s < c.batchSize(); s++) {
            for (int k = 0; k < c.target()[0].length; k++) {
                double residual = Math.abs(a[s][k] - c.target()[s][k]);
                if (c.loss().equals("huber")) {
                    assertThat(Math.abs(residual - 1)).as(c + " huber residual from 1").isGreaterThanOrEqualTo(0.05);
                }
                if (c.loss().equals("mae")) {
                    assertThat(residual).as(c + " mae residual from 0").isGreaterThanOrEqualTo(1e-3);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void anEmbeddingPassesTheNumericColumnsAndLooksUpItsTablesAndItsGradientAccumulates(LayerGoldenCase c) {
        if (!(c.layers().get(0) instanceof Embedding e)) {
            return;
        }
        double[][] out = c.forward().get(0).a();
        double[][] delta = c.delta().get(0);
        for (int s = 0; s < c.batchSize(); s++) {
            for (int k = 0; k < e.numeric(); k++) {
                assertThat(out[s][k]).as("%s sample %d numeric %d", c, s, k).isEqualTo(c.input()[s][k]);
                CLOSE.assertClose(c + " input_gradient = numeric part of delta[0]", c.training().inputGradient()[s][k],
                        delta[s][k]);
            }
        }
        int offset = e.numeric();
        for (int t = 0; t < e.tables().size(); t++) {
            Table table = e.tables().get(t);
            double[][] want = new double[table.cardinality()][table.dim()];
            boolean[] used = new boolean[table.cardinality()];
            for (int s = 0; s < c.batchSize(); s++) {
                int row = c.categories()[s][t];
                used[row] = true;
                for (int j = 0; j < table.dim(); j++) {
                    assertThat(out[s][offset + j]).as("%s sample %d table %d", c, s, t)
                            .isEqualTo(table.weight()[row][j]);
                    want[row][j] += delta[s][offset + j];
                }
            }
            double[][] gradient = c.gradients().get(table.parameterName()).matrix();
            for (int r = 0; r < table.cardinality(); r++) {
                for (int j = 0; j < table.dim(); j++) {
                    if (used[r]) {
                        CLOSE.assertClose(c + " " + table.parameterName() + " gradient", gradient[r][j], want[r][j]);
                    } else {
                        assertThat(gradient[r][j]).as("%s unused row %d of table %d", c, r, t).isZero();
                        for (OptimizerRun run : c.optimizers().values()) {
                            assertThat(run.after().get(table.parameterName()).matrix()[r][j])
                                    .as("%s %s leaves unused row %d", c, run.name(), r).isEqualTo(table.weight()[r][j]);
                        }
                    }
                }
            }
            offset += table.dim();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void denseGradientsAreTheErrorSignalsTimesThePreviousActivations(LayerGoldenCase c) {
        List<Pass> passes = new ArrayList<>(List.of(c.training()));
        if (c.eval() != null) {
            passes.add(c.eval());
        }
        for (Pass pass : passes) {
            for (int i = 0; i < c.layers().size(); i++) {
                if (!(c.layers().get(i) instanceof Dense d)) {
                    continue;
                }
                double[][] previous = i == 0 ? c.input() : pass.forward().get(i - 1).a();
                double[][] delta = pass.delta().get(i);
                double[][] dW = pass.gradients().get(d.parameterNames().get("weights")).matrix();
                double[] db = pass.gradients().get(d.parameterNames().get("bias")).vector();
                for (int j = 0; j < d.out(); j++) {
                    double sum = 0;
                    for (int s = 0; s < c.batchSize(); s++) {
                        sum += delta[s][j];
                    }
                    CLOSE.assertClose(c + " layer " + i + " ∂C/∂b = Σ δ", db[j], sum);
                    for (int k = 0; k < d.in(); k++) {
                        double dot = 0;
                        for (int s = 0; s < c.batchSize(); s++) {
                            dot += delta[s][j] * previous[s][k];
                        }
                        CLOSE.assertClose(c + " layer " + i + " ∂C/∂W = δᵀ·a_prev", dW[j][k], dot);
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void theRunningStatisticsCountTrainingForwardsAndMoveByTheMomentum(LayerGoldenCase c) {
        assertThat(c.runningStatsAfterForward().isEmpty()).as(c + " running_stats_after_forward exactly for batch_norm")
                .isEqualTo(!c.hasBatchNorm());
        for (int i = 0; i < c.layers().size(); i++) {
            if (!(c.layers().get(i) instanceof BatchNorm b)) {
                continue;
            }
            Map<String, String> names = b.bufferNames();
            Map<String, Tensor> after = c.runningStatsAfterForward();
            assertThat(after.keySet()).containsAll(names.values());
            assertThat(after.get(names.get("num_batches_tracked")).count()).as(c + " count after one forward")
                    .isEqualTo(b.numBatchesTracked() + 1);
            double m = b.momentum();
            int n = c.batchSize();
            LayerForward f = c.forward().get(i);
            double[] mean = after.get(names.get("running_mean")).vector();
            double[] var = after.get(names.get("running_var")).vector();
            for (int j = 0; j < b.features(); j++) {
                CLOSE.assertClose(c + " running_mean", mean[j], (1 - m) * b.runningMean()[j] + m * f.mean()[j]);
                CLOSE.assertClose(c + " running_var (unbiased)", var[j],
                        (1 - m) * b.runningVar()[j] + m * f.var()[j] * n / (n - 1));
            }
            for (OptimizerRun run : c.optimizers().values()) {
                List<Map<String, Tensor>> steps = run.runningStatsAfterEachStep();
                assertThat(steps).as(c + " " + run.name() + " running stats per step").hasSize(run.steps());
                for (int s = 0; s < steps.size(); s++) {
                    assertThat(steps.get(s).get(names.get("num_batches_tracked")).count())
                            .as("%s %s num_batches_tracked after step %d", c, run.name(), s + 1)
                            .isEqualTo(b.numBatchesTracked() + s + 1);
                }
                // The first step's forward is the case's training forward.
                assertSameValues(c + " " + run.name() + " step 1 running_mean",
                        steps.get(0).get(names.get("running_mean")), after.get(names.get("running_mean")));
            }
        }
        if (!c.hasBatchNorm()) {
            c.optimizers().values().forEach(run -> assertThat(run.runningStatsAfterEachStep()).isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void eachOptimizerRunsThreeStepsWithTheReadmesHyperParametersOverEveryParameter(LayerGoldenCase c) {
        assertThat(c.optimizers().keySet()).containsExactly("sgd", "momentum", "adam");
        assertThat(c.optimizers().get("sgd").hyperparameters()).isEqualTo(Map.of("lr", 0.1));
        assertThat(c.optimizers().get("momentum").hyperparameters()).isEqualTo(Map.of("lr", 0.05, "momentum", 0.9));
        assertThat(c.optimizers().get("adam").hyperparameters())
                .isEqualTo(Map.of("lr", 0.01, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8));
        Map<String, Tensor> params = c.layerParameters();
        for (OptimizerRun run : c.optimizers().values()) {
            assertThat(run.steps()).as(c + " " + run.name() + " steps").isEqualTo(3);
            assertThat(run.lossBeforeEachStep()).hasSize(3);
            assertThat(run.lossBeforeEachStep()[0]).as(c + " " + run.name() + " first loss is the case's")
                    .isEqualTo(c.lossValue());
            assertThat(run.after().keySet()).containsExactlyElementsOf(c.parameterOrder());
            boolean moved = false;
            for (Map.Entry<String, Tensor> p : params.entrySet()) {
                Tensor after = run.after().get(p.getKey());
                assertThat(after.shape()).as(c + " " + run.name() + " after " + p.getKey()).isEqualTo(p.getValue().shape());
                moved |= !java.util.Arrays.equals(after.values(), p.getValue().values());
            }
            assertThat(moved).as(c + " " + run.name() + " changes some parameter").isTrue();
        }
        // sgd's first step from the case's parameters: w − lr·g, seen in the loss falling.
        assertThat(c.optimizers().get("sgd").lossBeforeEachStep()[1]).as(c + " sgd lowers the loss")
                .isLessThan(c.lossValue());
    }

    @Test
    void aWrongFormatAnUnknownKeyAndARaggedMatrixAreRefusedWithTheirPlace() throws IOException {
        String text;
        try (InputStream in = LayerGoldenCaseTest.class.getResourceAsStream(
                LayerGoldenCase.DIRECTORY + "dense-layernorm-softmax-ce.json")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(LayerGoldenCase.read(new StringReader(text), "t").name()).isEqualTo("dense-layernorm-softmax-ce");

        String format = text.replace("\"format\": \"layers-1\"", "\"format\": \"layers-2\"");
        assertThatThrownBy(() -> LayerGoldenCase.read(new StringReader(format), "t.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("t.json: format")
                .hasMessageContaining("\"layers-2\"");

        String unknown = text.replace("\"seed\":", "\"seeds\":");
        assertThatThrownBy(() -> LayerGoldenCase.read(new StringReader(unknown), "t.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("missing key \"seed\"");

        int bias = text.indexOf("\"bias\": [") + "\"bias\": [".length();
        String notAVector = text.substring(0, bias) + "[1.0]," + text.substring(bias);
        assertThatThrownBy(() -> LayerGoldenCase.read(new StringReader(notAVector), "t.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers[0].bias[0]")
                .hasMessageContaining("expected a number");

        int row = text.indexOf("\"weights\": [") + "\"weights\": [".length();
        int firstValue = text.indexOf('[', row) + 1;
        String ragged = text.substring(0, firstValue) + "0.5, " + text.substring(firstValue);
        assertThatThrownBy(() -> LayerGoldenCase.read(new StringReader(ragged), "t.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("layers[0].weights[1]")
                .hasMessageContaining("ragged");

        String duplicate = text.replace("\"seed\":", "\"name\": \"again\", \"seed\":");
        assertThatThrownBy(() -> LayerGoldenCase.read(new StringReader(duplicate), "t.json"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("duplicate key \"name\"");
    }

    // ------------------------------------------------------------------------------------------------------

    private static int[] expectedShape(LayerSpec l, String name) {
        if (l instanceof Dense d) {
            return name.equals(d.parameterNames().get("weights")) ? new int[] {d.out(), d.in()} : new int[] {d.out()};
        }
        if (l instanceof Residual r) {
            for (Dense d : r.layers()) {
                if (d.parameterNames().containsValue(name)) {
                    return expectedShape(d, name);
                }
            }
            throw new AssertionError(name + " is no inner layer's");
        }
        if (l instanceof Embedding e) {
            for (Table t : e.tables()) {
                if (t.parameterName().equals(name)) {
                    return new int[] {t.cardinality(), t.dim()};
                }
            }
            throw new AssertionError(name + " is no table's");
        }
        return new int[] {l.outputWidth()}; // gamma, beta of a norm layer
    }

    private static void assertZerosAndOnes(double[] row) {
        for (double v : row) {
            assertThat(v).as("a 0/1 target").isIn(0.0, 1.0);
        }
    }

    private static void assertRectangular(String what, double[][] m, int rows, int columns) {
        assertThat(m).as(what + " rows").hasNumberOfRows(rows);
        for (double[] row : m) {
            assertThat(row).as(what + " columns").hasSize(columns);
        }
    }

    private static void assertSameValues(String what, Tensor got, Tensor want) {
        assertThat(got).as(what).isNotNull();
        assertThat(got.shape()).as(what + " shape").isEqualTo(want.shape());
        assertThat(got.integer()).as(what + " integer").isEqualTo(want.integer());
        assertThat(got.values()).as(what).isEqualTo(want.values());
    }

    private static void assertAwayFromKinks(String what, String activation, double[][] z) {
        if (!KINKED.contains(activation)) {
            return;
        }
        for (double[] row : z) {
            for (double v : row) {
                assertThat(Math.abs(v)).as(what + " " + activation + " input from its kink").isGreaterThanOrEqualTo(1e-3);
            }
        }
    }
}
