package io.github.backprop4j.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Embedding;
import io.github.backprop4j.Layer;
import io.github.backprop4j.LayerNorm;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.Residual;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.golden.LayerGoldenCase.LayerForward;
import io.github.backprop4j.golden.LayerGoldenCase.LayerSpec;
import io.github.backprop4j.golden.LayerGoldenCase.OptimizerRun;
import io.github.backprop4j.golden.LayerGoldenCase.Pass;
import io.github.backprop4j.golden.LayerGoldenCase.Tensor;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.ForwardPass;
import io.github.backprop4j.train.Gradients;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingRun;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of {@code src/test/resources/golden/layers} (layer norm, batch norm, embeddings, residual blocks
 * beside dense layers), computed with PyTorch in float64, reproduced in both precisions within the README's
 * bounds ({@link Tolerance}; in float32 the parameters and inputs are rounded to float first): the training-mode
 * forward pass of every layer with the norms' statistics and the residual blocks' inner values, the loss, every
 * error signal (the inner ones too), every parameter gradient by its state_dict name, the input gradient, the
 * running statistics after the pass, the evaluation-mode pass, and three steps of SGD, momentum and Adam, both on
 * the readable path ({@link ForwardPass}, {@link Backpropagator}) and in {@link Trainer#fit} (the fast workspace).
 *
 * <p>The Java network is built from the case's layer specs, and each Java parameter is matched to its state_dict
 * name through its role: the fixture names {@code weights}, {@code bias}, {@code gamma}, {@code beta} and each
 * table, the Java layers give each parameter a {@link ParameterKind}; nothing here relies on the Java parameter
 * names agreeing with PyTorch's. JSON layer {@code i} is Java layer {@code i + 1}.
 */
class LayerGoldenTest {

    /** The fixture's role of each Java parameter kind of a dense or normalization layer. */
    private static final Map<ParameterKind, String> ROLE = Map.of(ParameterKind.WEIGHTS, "weights",
            ParameterKind.BIAS, "bias", ParameterKind.SCALE, "gamma", ParameterKind.SHIFT, "beta");

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String file : LayerGoldenCase.files()) {
            LayerGoldenCase c = LayerGoldenCase.load(file);
            for (Precision p : Precision.values()) {
                all.add(Arguments.of(c, p));
            }
        }
        return all.stream();
    }

    static Stream<Arguments> optimizerRuns() {
        List<Arguments> all = new ArrayList<>();
        for (String file : LayerGoldenCase.files()) {
            LayerGoldenCase c = LayerGoldenCase.load(file);
            for (String name : List.of("sgd", "momentum", "adam")) {
                for (Precision p : Precision.values()) {
                    all.add(Arguments.of(c, name, p));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void parametersMapThroughTheirRolesInTorchOrder(LayerGoldenCase c, Precision precision) {
        Built built = Built.of(c, precision);
        Tolerance tol = Tolerance.of(precision);

        List<String> order = new ArrayList<>();
        for (int l = 1; l <= built.network.layerCount(); l++) {
            for (Parameter p : built.network.layer(l).parameters()) {
                String name = built.stateDictName(l, p.name());
                order.add(name);
                assertTensor(tol, c + " " + name, p.value(), c.stateDict().get(name));
            }
        }
        assertThat(order).as(c + ": the Java parameters in order, by state_dict name")
                .containsExactlyElementsOf(c.parameterOrder());
        assertThat(built.network.parameterCount()).isEqualTo(c.parameterOrder().stream()
                .mapToLong(n -> c.stateDict().get(n).values().length).sum());
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void trainingForwardPassRecordsEveryLayer(LayerGoldenCase c, Precision precision) {
        Built built = Built.of(c, precision);
        ForwardPass pass = ForwardPass.run(built.network, built.inputs);

        assertThat(pass.isTraining()).isTrue();
        assertForward(c, built, pass, c.training(), Tolerance.of(precision), c + " training");
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void trainingBackpropagationGivesLossErrorSignalsAndGradients(LayerGoldenCase c, Precision precision) {
        Built built = Built.of(c, precision);
        ForwardPass pass = ForwardPass.run(built.network, built.inputs);
        Gradients g = new Backpropagator(built.loss).gradients(pass, built.targets);

        assertBackward(c, built, g, c.training(), Tolerance.of(precision), c + " training");
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void runningStatisticsAfterTheTrainingForward(LayerGoldenCase c, Precision precision) {
        Built built = Built.of(c, precision);
        Backpropagator backprop = new Backpropagator(built.loss);
        Gradients g = backprop.gradients(ForwardPass.run(built.network, built.inputs), built.targets);

        // η = 0 changes no parameter, so the step's network shows the statistics the pass left.
        Network after = backprop.apply(built.network, g, Optimizer.sgd(0.1), new OptimizerState(), 0);

        assertThat(built.checkRunningStatistics(after, c.runningStatsAfterForward(), Tolerance.of(precision),
                c + " after the training forward")).isEqualTo(c.runningStatsAfterForward().keySet());
        assertThat(c.hasBatchNorm()).isEqualTo(!c.runningStatsAfterForward().isEmpty());
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void evaluationModePassAndItsGradients(LayerGoldenCase c, Precision precision) {
        if (c.eval() == null) {
            assertThat(c.hasBatchNorm()).isFalse();
            return;
        }
        Built built = Built.of(c, precision);
        Tolerance tol = Tolerance.of(precision);
        Backpropagator backprop = new Backpropagator(built.loss);
        ForwardPass pass = ForwardPass.runForEvaluation(built.network, built.inputs);

        assertThat(pass.isTraining()).isFalse();
        assertForward(c, built, pass, c.eval(), tol, c + " eval");
        Gradients g = backprop.gradients(pass, built.targets);
        assertBackward(c, built, g, c.eval(), tol, c + " eval");

        // An evaluation pass leaves the running statistics, and the count, as they were.
        Network after = backprop.apply(built.network, g, Optimizer.sgd(0.1), new OptimizerState(), 0);
        assertThat(after).isEqualTo(built.network);
    }

    @ParameterizedTest(name = "{1} on {0} in {2}, readable path")
    @MethodSource("optimizerRuns")
    void threeOptimizerStepsOnTheReadablePath(LayerGoldenCase c, String name, Precision precision) {
        Built built = Built.of(c, precision);
        OptimizerRun run = c.optimizers().get(name);
        Tolerance tol = Tolerance.of(precision);
        Backpropagator backprop = new Backpropagator(built.loss);
        OptimizerState state = new OptimizerState();
        Network network = built.network;
        for (int step = 0; step < run.steps(); step++) {
            ForwardPass pass = ForwardPass.run(network, built.inputs);
            Gradients g = backprop.gradients(pass, built.targets);
            tol.assertClose(c + " " + name + " loss before step " + (step + 1), g.loss(),
                    run.lossBeforeEachStep()[step]);
            network = backprop.apply(network, g, optimizerFor(name, run), state);
            if (!run.runningStatsAfterEachStep().isEmpty()) {
                built.checkRunningStatistics(network, run.runningStatsAfterEachStep().get(step), tol,
                        c + " " + name + " after step " + (step + 1));
            }
        }
        assertThat(state.stepCount()).isEqualTo(run.steps());
        assertThat(built.checkParameters(network, run.after(), tol, c + " " + name + " after " + run.steps()
                + " steps")).isEqualTo(run.after().keySet());
        assertThat(run.runningStatsAfterEachStep()).hasSize(c.hasBatchNorm() ? run.steps() : 0);
    }

    @ParameterizedTest(name = "{1} on {0} in {2}, Trainer.fit")
    @MethodSource("optimizerRuns")
    void threeOptimizerStepsInTrainerFit(LayerGoldenCase c, String name, Precision precision) {
        Built built = Built.of(c, precision);
        OptimizerRun run = c.optimizers().get(name);
        Tolerance tol = Tolerance.of(precision);
        List<Double> losses = new ArrayList<>();
        List<Network> afterEachStep = new ArrayList<>();
        TrainingListener record = new TrainingListener() {
            @Override
            public void onBatchEnd(TrainingRun r, int epoch, int batch, double loss) {
                losses.add(loss);
                afterEachStep.add(r.network());
            }
        };
        // The full batch, not shuffled: each epoch is one step on the case's batch.
        Trainer trainer = Trainer.builder().loss(built.loss).optimizer(optimizerFor(name, run)).epochs(run.steps())
                .batchSize(c.batchSize()).shuffle(false).logging(false).listeners(record).seed(1).build();

        Network trained = trainer.fit(built.network, DataSet.of(built.inputs, built.targets)).network();

        assertThat(losses).hasSize(run.steps());
        for (int step = 0; step < run.steps(); step++) {
            tol.assertClose(c + " " + name + " fit loss before step " + (step + 1), losses.get(step),
                    run.lossBeforeEachStep()[step]);
            if (!run.runningStatsAfterEachStep().isEmpty()) {
                built.checkRunningStatistics(afterEachStep.get(step), run.runningStatsAfterEachStep().get(step), tol,
                        c + " " + name + " fit after step " + (step + 1));
            }
        }
        assertThat(trained).isEqualTo(afterEachStep.get(run.steps() - 1));
        assertThat(built.checkParameters(trained, run.after(), tol, c + " " + name + " fit after " + run.steps()
                + " steps")).isEqualTo(run.after().keySet());
    }

    /** The optimizer of an entry, from the hyper-parameters in the file. */
    static Optimizer optimizerFor(String name, OptimizerRun run) {
        double lr = run.number("lr");
        return switch (name) {
            case "sgd" -> Optimizer.sgd(lr);
            case "momentum" -> Optimizer.momentum(lr, run.number("momentum"));
            case "adam" -> Optimizer.adam(lr).withBetas(run.number("beta1"), run.number("beta2"))
                    .withEpsilon(run.number("eps"));
            default -> throw new IllegalArgumentException("no optimizer for layers golden entry " + name);
        };
    }

    // ------------------------------------------------------------------------------------------------------
    // The checks of a pass

    /** z and a of every layer, the norms' statistics and the residual blocks' inner z and a. */
    private static void assertForward(LayerGoldenCase c, Built built, ForwardPass pass, Pass want, Tolerance tol,
            String at) {
        assertThat(want.forward()).hasSize(c.layers().size());
        for (int i = 0; i < c.layers().size(); i++) {
            int l = i + 1;
            LayerSpec spec = c.layers().get(i);
            LayerForward f = want.forward().get(i);
            String where = at + " layer " + i + " (" + spec.kind() + ")";
            tol.assertClose(where + " z", pass.weightedSums(l), f.z());
            tol.assertClose(where + " a", pass.activations(l), f.a());
            Map<String, Matrix> recorded = pass.recorded(l);
            if (spec instanceof LayerGoldenCase.LayerNorm) {
                tol.assertClose(where + " mean", recorded.get("mean"), column(f.mean()));
                tol.assertClose(where + " var", recorded.get("var"), column(f.var()));
                assertThat(recorded).containsOnlyKeys("mean", "var", "x_hat");
            } else if (spec instanceof LayerGoldenCase.BatchNorm) {
                if (pass.isTraining()) {
                    tol.assertClose(where + " mean", recorded.get("mean"), f.mean());
                    tol.assertClose(where + " var", recorded.get("var"), f.var());
                    assertThat(recorded).containsOnlyKeys("mean", "var", "x_hat");
                } else {
                    assertThat(f.mean()).isNull();
                    assertThat(recorded).containsOnlyKeys("x_hat");
                }
            } else if (spec instanceof LayerGoldenCase.Residual r) {
                assertThat(f.inner()).hasSameSizeAs(r.layers());
                for (int j = 0; j < r.layers().size(); j++) {
                    tol.assertClose(where + " inner " + j + " z", recorded.get("inner." + j + ".z"),
                            f.inner().get(j).z());
                    tol.assertClose(where + " inner " + j + " a", recorded.get("inner." + j + ".a"),
                            f.inner().get(j).a());
                }
                assertThat(recorded).hasSize(2 * r.layers().size());
            } else {
                assertThat(recorded).as(where + " records nothing more").isEmpty();
            }
        }
        tol.assertClose(at + " output", pass.output(), want.forward().get(c.layers().size() - 1).a());
    }

    /** The loss, every error signal (inner ones too), every parameter gradient and the input gradient. */
    private static void assertBackward(LayerGoldenCase c, Built built, Gradients g, Pass want, Tolerance tol,
            String at) {
        tol.assertClose(at + " loss", g.loss(), want.lossValue());
        for (int i = 0; i < c.layers().size(); i++) {
            int l = i + 1;
            String where = at + " layer " + i + " (" + c.layers().get(i).kind() + ")";
            tol.assertClose(where + " delta", g.errorSignal(l), want.delta().get(i));
            if (c.layers().get(i) instanceof LayerGoldenCase.Residual r) {
                List<double[][]> inner = want.innerDelta().get(i);
                assertThat(inner).as(where + " inner_delta").hasSameSizeAs(r.layers());
                for (int j = 0; j < inner.size(); j++) {
                    tol.assertClose(where + " inner delta " + j, g.recorded(l).get("inner." + j + ".delta"),
                            inner.get(j));
                }
                assertThat(g.recorded(l)).hasSize(inner.size());
            } else {
                assertThat(g.recorded(l)).as(where + " records nothing in the backward pass").isEmpty();
            }
        }
        assertThat(want.innerDelta().keySet()).allSatisfy(
                i -> assertThat(c.layers().get(i)).isInstanceOf(LayerGoldenCase.Residual.class));
        Set<String> checked = new LinkedHashSet<>();
        for (int l = 1; l <= built.network.layerCount(); l++) {
            for (Parameter p : g.parameterGradients(l)) {
                String name = built.stateDictName(l, p.name());
                assertTensor(tol, at + " ∂C/∂" + name, g.parameterGradient(l, p.name()), want.gradients().get(name));
                checked.add(name);
            }
        }
        assertThat(checked).as(at + ": every gradient of the file").isEqualTo(want.gradients().keySet());

        Matrix dx = g.inputGradient();
        int numeric = c.layers().get(0).inputWidth();
        assertThat(dx.rows()).isEqualTo(c.batchSize());
        assertThat(dx.cols()).isEqualTo(built.inputs.cols());
        for (int r = 0; r < dx.rows(); r++) {
            for (int k = 0; k < numeric; k++) {
                tol.assertClose(at + " ∂C/∂input[" + r + "][" + k + "]", dx.get(r, k), want.inputGradient()[r][k]);
            }
            for (int k = numeric; k < dx.cols(); k++) {
                assertThat(dx.get(r, k)).as(at + " ∂C/∂input[%d][%d], a category column", r, k).isZero();
            }
        }
    }

    private static void assertTensor(Tolerance tol, String what, Matrix got, Tensor want) {
        assertThat(want).as(what + " is in the file").isNotNull();
        if (want.rank() == 1) {
            tol.assertClose(what, got, want.vector());
        } else {
            tol.assertClose(what, got, want.matrix());
        }
    }

    /** A vector as one column: a layer norm's per-sample statistics are {@code [batch × 1]}. */
    private static double[][] column(double[] v) {
        double[][] m = new double[v.length][1];
        for (int i = 0; i < v.length; i++) {
            m[i][0] = v[i];
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------------------
    // Building the network from the specs

    /**
     * The case's network in one precision, its inputs (numeric columns, then the category indices) and targets,
     * and where each Java parameter and buffer is in the state dict.
     */
    static final class Built {

        final Network network;
        final Matrix inputs;
        final Matrix targets;
        final Loss loss;
        /** Per Java layer 1..L (index l − 1): Java parameter name → state_dict name. */
        final List<Map<String, String>> names = new ArrayList<>();
        /** Per Java layer 1..L: the batch_norm spec, or null. */
        final List<LayerGoldenCase.BatchNorm> batchNorms = new ArrayList<>();

        private Built(LayerGoldenCase c, Precision precision) {
            List<Layer> layers = new ArrayList<>();
            for (LayerSpec spec : c.layers()) {
                Map<String, String> map = new LinkedHashMap<>();
                layers.add(layer(spec, precision, map, ""));
                names.add(map);
                batchNorms.add(spec instanceof LayerGoldenCase.BatchNorm b ? b : null);
            }
            this.network = Network.of(layers);
            double[][] x = new double[c.batchSize()][];
            for (int r = 0; r < x.length; r++) {
                int numeric = c.input()[r].length;
                int tables = c.categories() == null ? 0 : c.categories()[r].length;
                x[r] = new double[numeric + tables];
                System.arraycopy(c.input()[r], 0, x[r], 0, numeric);
                for (int k = 0; k < tables; k++) {
                    x[r][numeric + k] = c.categories()[r][k];
                }
            }
            this.inputs = Matrix.of(precision, x, "inputs");
            this.targets = Matrix.of(precision, c.target(), "targets");
            this.loss = GoldenCase.loss(c.loss());
        }

        static Built of(LayerGoldenCase c, Precision precision) {
            return new Built(c, precision);
        }

        String stateDictName(int layer, String javaName) {
            String name = names.get(layer - 1).get(javaName);
            assertThat(name).as("layer %d parameter %s has a state_dict name; the layer's are %s", layer, javaName,
                    names.get(layer - 1)).isNotNull();
            return name;
        }

        /**
         * Builds one layer and records, for each of its parameters (read back through {@link Layer#parameters()}),
         * the state_dict name its role has in the spec, under {@code prefix + its Java name}.
         */
        private static Layer layer(LayerSpec spec, Precision precision, Map<String, String> names, String prefix) {
            Layer layer;
            Map<String, String> byRole;
            if (spec instanceof LayerGoldenCase.Dense d) {
                layer = Layer.of(d.weights(), d.bias(), GoldenCase.activation(d.activation()), precision);
                byRole = d.parameterNames();
            } else if (spec instanceof LayerGoldenCase.LayerNorm n) {
                layer = LayerNorm.of(row(precision, n.gamma()), row(precision, n.beta()), n.eps(),
                        GoldenCase.activation(n.activation()));
                byRole = n.parameterNames();
            } else if (spec instanceof LayerGoldenCase.BatchNorm n) {
                layer = BatchNorm.of(row(precision, n.gamma()), row(precision, n.beta()),
                        row(precision, n.runningMean()), row(precision, n.runningVar()), n.numBatchesTracked(),
                        n.eps(), n.momentum(), GoldenCase.activation(n.activation()));
                byRole = n.parameterNames();
            } else if (spec instanceof LayerGoldenCase.Embedding e) {
                List<Matrix> tables = new ArrayList<>();
                for (LayerGoldenCase.Table t : e.tables()) {
                    tables.add(Matrix.of(precision, t.weight(), t.parameterName()));
                }
                layer = Embedding.of(e.numeric(), tables, GoldenCase.activation(e.activation()));
                List<Parameter> p = layer.parameters();
                assertThat(p).hasSameSizeAs(e.tables());
                for (int k = 0; k < p.size(); k++) {
                    assertThat(p.get(k).kind()).isEqualTo(ParameterKind.EMBEDDING);
                    names.put(prefix + p.get(k).name(), e.tables().get(k).parameterName());
                }
                return layer;
            } else {
                LayerGoldenCase.Residual r = (LayerGoldenCase.Residual) spec;
                List<Layer> inner = new ArrayList<>();
                List<String> innerNames = new ArrayList<>();
                for (LayerGoldenCase.Dense d : r.layers()) {
                    Map<String, String> m = new LinkedHashMap<>();
                    inner.add(layer(d, precision, m, ""));
                    innerNames.addAll(m.values());
                }
                layer = Residual.of(inner, GoldenCase.activation(r.activation()));
                // The block's parameters are its inner layers', in order: match them position by position.
                List<Parameter> p = layer.parameters();
                assertThat(p).hasSameSizeAs(innerNames);
                for (int i = 0; i < p.size(); i++) {
                    names.put(prefix + p.get(i).name(), innerNames.get(i));
                }
                return layer;
            }
            for (Parameter p : layer.parameters()) {
                String role = ROLE.get(p.kind());
                assertThat(byRole).as("%s: the role %s of a %s parameter", spec.kind(), role, p.kind())
                        .containsKey(role);
                names.put(prefix + p.name(), byRole.get(role));
            }
            assertThat(layer.parameters()).hasSameSizeAs(byRole.keySet());
            return layer;
        }

        private static Matrix row(Precision precision, double[] v) {
            return Matrix.of(precision, new double[][] {v}, "vector");
        }

        /**
         * Checks every batch_norm layer's buffers in {@code network} against {@code want} (state_dict name →
         * value) and returns the names checked.
         */
        Set<String> checkRunningStatistics(Network network, Map<String, Tensor> want, Tolerance tol, String at) {
            Set<String> checked = new LinkedHashSet<>();
            for (int l = 1; l <= network.layerCount(); l++) {
                LayerGoldenCase.BatchNorm spec = batchNorms.get(l - 1);
                if (spec == null) {
                    assertThat(network.layer(l).buffers()).isEmpty();
                    continue;
                }
                BatchNorm bn = (BatchNorm) network.layer(l);
                String mean = spec.bufferNames().get("running_mean");
                String var = spec.bufferNames().get("running_var");
                assertTensor(tol, at + " " + mean, bn.runningMean(), want.get(mean));
                assertTensor(tol, at + " " + var, bn.runningVar(), want.get(var));
                checked.add(mean);
                checked.add(var);
                String count = spec.bufferNames().get("num_batches_tracked");
                assertThat(bn.numBatchesTracked()).as(at + " " + count).isEqualTo(want.get(count).count());
                checked.add(count);
            }
            return checked;
        }

        /** Checks every parameter of {@code network} against {@code want} by state_dict name; returns the names. */
        Set<String> checkParameters(Network network, Map<String, Tensor> want, Tolerance tol, String at) {
            Set<String> checked = new LinkedHashSet<>();
            for (int l = 1; l <= network.layerCount(); l++) {
                for (Parameter p : network.layer(l).parameters()) {
                    String name = stateDictName(l, p.name());
                    assertTensor(tol, at + " " + name, p.value(), want.get(name));
                    checked.add(name);
                }
            }
            return checked;
        }
    }
}
