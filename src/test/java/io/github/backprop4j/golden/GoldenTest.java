package io.github.backprop4j.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.GradientDescent;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.Backpropagator;
import io.github.backprop4j.train.ForwardPass;
import io.github.backprop4j.train.Gradients;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every golden case of {@code src/test/resources/golden}, computed independently with PyTorch in float64,
 * reproduced in both precisions: forward pass, loss, error signals, gradients and optimizer steps.
 */
class GoldenTest {

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (String file : GoldenCase.FILES) {
            GoldenCase c = GoldenCase.load(file);
            for (Precision p : Precision.values()) {
                all.add(Arguments.of(c, p));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void forwardPassRecordsWeightedSumsAndActivations(GoldenCase c, Precision precision) {
        Tolerance tol = Tolerance.of(precision);
        ForwardPass pass = ForwardPass.run(c.network(precision), c.input());

        assertThat(pass.precision()).isEqualTo(precision);
        for (int l = 1; l <= c.layers().size(); l++) {
            tol.assertClose(c + " z" + l, pass.weightedSums(l), c.forward().get(l - 1).z());
            tol.assertClose(c + " a" + l, pass.activations(l), c.forward().get(l - 1).a());
        }
        tol.assertClose(c + " predict", Matrix.of(precision, c.network(precision).predict(c.input()), "p"),
                c.forward().get(c.layers().size() - 1).a());
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void backpropagationGivesLossErrorSignalsAndGradients(GoldenCase c, Precision precision) {
        Tolerance tol = Tolerance.of(precision);
        Gradients g = new Backpropagator(c.lossFunction()).gradients(c.network(precision), c.input(), c.target());

        tol.assertClose(c + " loss", g.loss(), c.lossValue());
        for (int l = 1; l <= c.layers().size(); l++) {
            tol.assertClose(c + " δ" + l, g.errorSignal(l), c.delta().get(l - 1));
            tol.assertClose(c + " ∂C/∂W" + l, g.weightGradient(l), c.gradients().get(l - 1).weights());
            tol.assertClose(c + " ∂C/∂b" + l, g.biasGradient(l), c.gradients().get(l - 1).bias());
        }
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void gradientDescentMatchesThreeStepsOfTorchSgd(GoldenCase c, Precision precision) {
        GoldenCase.OptimizerRun run = c.optimizers().get("sgd");
        assertOptimizerRun(c, precision, "sgd", run, GradientDescent.withLearningRate(run.number("lr")));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void gradientDescentWithWeightDecayMatchesTorch(GoldenCase c, Precision precision) {
        GoldenCase.OptimizerRun run = c.optimizers().get("sgd_weight_decay");
        assertOptimizerRun(c, precision, "sgd_weight_decay", run,
                GradientDescent.withLearningRate(run.number("lr")).withWeightDecay(run.number("weight_decay")));
    }

    /** Every optimizer entry beyond plain SGD, in both precisions, for every case. */
    static Stream<Arguments> optimizerRuns() {
        List<Arguments> all = new ArrayList<>();
        for (String file : GoldenCase.FILES) {
            GoldenCase c = GoldenCase.load(file);
            for (String name : List.of("momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw")) {
                for (Precision p : Precision.values()) {
                    all.add(Arguments.of(c, name, p));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{1} on {0} in {2}")
    @MethodSource("optimizerRuns")
    void optimizerMatchesThreeStepsOfTorchOptim(GoldenCase c, String name, Precision precision) {
        GoldenCase.OptimizerRun run = c.optimizers().get(name);
        assertThat(run).as(c + " has no " + name + " entry").isNotNull();
        assertOptimizerRun(c, precision, name, run, optimizerFor(name, run));
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    void l2TransformOnAnyOptimizerMatchesTorchWeightDecay(GoldenCase c, Precision precision) {
        GoldenCase.OptimizerRun run = c.optimizers().get("sgd_weight_decay");
        assertOptimizerRun(c, precision, "sgd_weight_decay via withL2", run,
                Optimizer.sgd(run.number("lr")).withL2(run.number("weight_decay")));
    }

    /** Builds the optimizer of a golden entry from the hyper-parameters in the file. */
    static Optimizer optimizerFor(String name, GoldenCase.OptimizerRun run) {
        double lr = run.number("lr");
        return switch (name) {
            case "momentum" -> Optimizer.momentum(lr, run.number("momentum"));
            case "nesterov" -> {
                assertThat(run.hyperparameters().get("nesterov")).isEqualTo(true);
                yield Optimizer.nesterov(lr, run.number("momentum"));
            }
            case "adagrad" -> Optimizer.adagrad(lr).withEpsilon(run.number("eps"));
            case "rmsprop" -> Optimizer.rmsprop(lr).withAlpha(run.number("alpha")).withEpsilon(run.number("eps"));
            case "adam" -> Optimizer.adam(lr).withBetas(run.number("beta1"), run.number("beta2"))
                    .withEpsilon(run.number("eps"));
            case "adamw" -> Optimizer.adamW(lr, run.number("weight_decay"))
                    .withBetas(run.number("beta1"), run.number("beta2")).withEpsilon(run.number("eps"));
            default -> throw new IllegalArgumentException("no optimizer for golden entry " + name);
        };
    }

    /**
     * Makes the run's steps on the case's batch, checking the loss before each step and the parameters
     * after the last.
     */
    static void assertOptimizerRun(GoldenCase c, Precision precision, String name, GoldenCase.OptimizerRun run,
            Optimizer optimizer) {
        Tolerance tol = Tolerance.of(precision);
        Backpropagator backprop = new Backpropagator(c.lossFunction());
        OptimizerState state = new OptimizerState();
        Network network = c.network(precision);
        for (int step = 0; step < run.steps(); step++) {
            Gradients g = backprop.gradients(network, c.input(), c.target());
            tol.assertClose(c + " " + name + " loss before step " + (step + 1), g.loss(),
                    run.lossBeforeEachStep()[step]);
            network = backprop.apply(network, g, optimizer, state);
        }
        assertThat(state.stepCount()).isEqualTo(run.steps());
        for (int l = 1; l <= network.layerCount(); l++) {
            tol.assertClose(c + " " + name + " W" + l + " after " + run.steps() + " steps",
                    network.dense(l).weightMatrix(), run.after().get(l - 1).weights());
            tol.assertClose(c + " " + name + " b" + l + " after " + run.steps() + " steps",
                    network.dense(l).biasVector(), run.after().get(l - 1).bias());
        }
    }
}
