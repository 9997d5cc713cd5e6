package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.Residual;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backpropagation through the layer kinds beyond dense against central finite differences of step 1e-6, in
 * float64, on small seeded random networks (random biases, shifts, scales and running statistics, so that no
 * parameter sits at a special value): {@code |backprop − numeric| ≤ 1e-6·max(|backprop|, |numeric|) + 1e-9} for
 * every parameter ({@link GradientCheck#run} in training mode) and for every numeric input
 * ({@link Gradients#inputGradient()}, against a central difference taken here).
 *
 * <p><b>The factors</b>: the kind under test — layer normalization, batch normalization, an embedding of two
 * categorical columns beside two numeric ones, a residual block of dense layers ({@code tanh}, then identity),
 * and a residual block that nests the norms ({@code dense(silu) → batch_norm(tanh) → dense → layer_norm}); the
 * activation after it — the ten built-ins; the loss with an output activation suited to it — MSE after identity,
 * MAE after tanh, Huber after identity (targets spread so that both of its pieces occur), cross-entropy after
 * softmax (soft targets), binary cross-entropy after sigmoid; and the kind's place — first (then
 * {@code kind → dense(5, tanh) → output}) or in the middle ({@code dense(5, tanh) → kind → output}); an embedding
 * is always first.
 *
 * <p><b>The design</b>: two strands, the place alternating with the case's number {@code n} in the strand:
 * <ol>
 *   <li>training mode, the full product kind × activation × loss (250 cases): every activation after every kind,
 *       with every loss's error signal;</li>
 *   <li>evaluation mode, the two kinds that hold batch normalization × activation (20), loss {@code n mod 5}:
 *       parameters and inputs against a central difference of the evaluation-mode loss
 *       ({@link ForwardPass#runForEvaluation}), whose gradient passes through the running statistics and no batch
 *       statistic.</li>
 * </ol>
 * Every case checks the input gradient too, so every kind's {@code ∂C/∂x} is checked both first and in the
 * middle. Kinks are avoided by construction: data are redrawn until no input of relu or leaky relu (inner layers'
 * included) lies within 1e-4 of 0, no MAE residual within 1e-4 of 0 and no Huber residual within 1e-4 of
 * {@code |a − y| = 1}, far more than a step of 1e-6 can move them.
 */
class LayerGradientCheckTest {

    private static final double RELATIVE = 1e-6;
    private static final double ABSOLUTE = 1e-9;
    private static final double STEP = 1e-6;
    private static final double KINK_MARGIN = 1e-4;

    private static final int INPUTS = 4;
    private static final int WIDTH = 5;
    private static final int OUTPUTS = 3;
    private static final int BATCH = 6;

    private static final List<Activation> ACTIVATIONS = List.of(Activation.IDENTITY, Activation.SIGMOID,
            Activation.TANH, Activation.RELU, Activation.LEAKY_RELU, Activation.ELU, Activation.SOFTPLUS,
            Activation.SILU, Activation.GELU, Activation.SOFTMAX);

    /** The kinds under test. */
    enum Kind {
        LAYER_NORM, BATCH_NORM, EMBEDDING, RESIDUAL, RESIDUAL_OF_NORMS
    }

    /** A loss with the output activation and targets it goes with. */
    enum LossCase {
        MSE(Loss.MSE, Activation.IDENTITY),
        MAE(Loss.MAE, Activation.TANH),
        HUBER(Loss.HUBER, Activation.IDENTITY),
        CROSS_ENTROPY(Loss.CROSS_ENTROPY, Activation.SOFTMAX),
        BINARY_CROSS_ENTROPY(Loss.BINARY_CROSS_ENTROPY, Activation.SIGMOID);

        final Loss loss;
        final Activation output;

        LossCase(Loss loss, Activation output) {
            this.loss = loss;
            this.output = output;
        }

        double[][] targets(SplittableRandom random) {
            double[][] y = uniform(random, BATCH, OUTPUTS, this == HUBER ? -3 : -1, this == HUBER ? 3 : 1);
            switch (this) {
                case CROSS_ENTROPY -> {
                    for (double[] row : y) {
                        double sum = 0;
                        for (int c = 0; c < row.length; c++) {
                            row[c] = Math.abs(row[c]) + 0.05;
                            sum += row[c];
                        }
                        for (int c = 0; c < row.length; c++) {
                            row[c] /= sum;
                        }
                    }
                }
                case BINARY_CROSS_ENTROPY -> {
                    for (double[] row : y) {
                        for (int c = 0; c < row.length; c++) {
                            row[c] = Math.abs(row[c]);
                        }
                    }
                }
                default -> {
                }
            }
            return y;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        LossCase[] losses = LossCase.values();
        int n = 0;
        for (Kind kind : Kind.values()) {
            for (Activation activation : ACTIVATIONS) {
                for (LossCase loss : losses) {
                    all.add(Arguments.of(kind, activation, loss, n % 2 == 1, false, 100L + n));
                    n++;
                }
            }
        }
        n = 0;
        for (Kind kind : List.of(Kind.BATCH_NORM, Kind.RESIDUAL_OF_NORMS)) {
            for (Activation activation : ACTIVATIONS) {
                all.add(Arguments.of(kind, activation, losses[n % losses.length], n % 2 == 1, true, 300L + n));
                n++;
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} + {1}, {2}, middle {3}, eval {4} (seed {5})")
    @MethodSource("cases")
    void backpropagationThroughTheKindAgreesWithFiniteDifferences(Kind kind, Activation activation, LossCase loss,
            boolean middle, boolean eval, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        Network network = randomized(network(kind, activation, loss, middle && kind != Kind.EMBEDDING, seed), random);
        double[][] x = null;
        double[][] y = null;
        for (int attempt = 0; attempt < 20 && x == null; attempt++) {
            double[][] inputs = inputs(kind, random);
            double[][] targets = loss.targets(random);
            if (awayFromKinks(network, inputs, targets, loss, eval)) {
                x = inputs;
                y = targets;
            }
        }
        assertThat(x).as("data away from every kink within 20 draws").isNotNull();
        Matrix inputs = Matrix.of(Precision.FLOAT64, x, "inputs");
        Matrix targets = Matrix.of(Precision.FLOAT64, y, "targets");
        Backpropagator backprop = new Backpropagator(loss.loss);
        Function<Matrix, ForwardPass> run = eval ? in -> ForwardPass.runForEvaluation(network, in)
                : in -> ForwardPass.run(network, in);
        Gradients g = backprop.gradients(run.apply(inputs), targets);

        if (eval) {
            List<String> failures = new ArrayList<>();
            int count = 0;
            for (int l = 1; l <= network.layerCount(); l++) {
                Layer layer = network.layer(l);
                List<Parameter> parameters = layer.parameters();
                for (int i = 0; i < parameters.size(); i++) {
                    Matrix value = parameters.get(i).value();
                    for (int r = 0; r < value.rows(); r++) {
                        for (int c = 0; c < value.cols(); c++) {
                            int layerNumber = l;
                            int index = i;
                            int row = r;
                            int col = c;
                            double numeric = centralDifference(value.get(r, c), v -> evalCost(backprop,
                                    network.withLayer(layerNumber, perturbed(layer, index, row, col, v)), inputs,
                                    targets));
                            check(failures, "layer " + l + " " + parameters.get(i).name() + "[" + r + "][" + c + "]",
                                    g.parameterGradients(l).get(i).value().get(r, c), numeric);
                            count++;
                        }
                    }
                }
            }
            assertThat(count).isEqualTo(network.parameterCount());
            assertThat(failures).as("eval-mode parameter gradients").isEmpty();
        } else {
            GradientCheck.Report report = GradientCheck.run(network, loss.loss, x, y, STEP);
            assertThat(report.entries()).hasSize((int) network.parameterCount());
            assertThat(report.passes(RELATIVE, ABSOLUTE)).as("%s; failures: %s", report,
                    report.failures(RELATIVE, ABSOLUTE)).isTrue();
        }

        // ∂C/∂x, numeric columns; the category columns of an embedding network get 0.
        int numeric = kind == Kind.EMBEDDING ? 2 : INPUTS;
        Matrix dx = g.inputGradient();
        List<String> failures = new ArrayList<>();
        for (int r = 0; r < BATCH; r++) {
            for (int k = 0; k < numeric; k++) {
                int row = r;
                int col = k;
                double estimate = centralDifference(x[r][k], v -> {
                    Matrix shifted = inputs.copy();
                    shifted.set(row, col, v);
                    return cost(backprop, run.apply(shifted), targets);
                });
                check(failures, "input[" + r + "][" + k + "]", dx.get(r, k), estimate);
            }
            for (int k = numeric; k < dx.cols(); k++) {
                assertThat(dx.get(r, k)).as("∂C/∂input[%d][%d], a category column", r, k).isZero();
            }
        }
        assertThat(failures).as("input gradient").isEmpty();
    }

    // ------------------------------------------------------------------------------------------------------

    /** The network of a case: the kind first or in the middle, then the output layer suited to the loss. */
    private static Network network(Kind kind, Activation activation, LossCase loss, boolean middle, long seed) {
        Network.Builder b = Network.builder().precision(Precision.FLOAT64).seed(seed);
        if (kind == Kind.EMBEDDING) {
            b.input(2).categorical(4, 2).categorical(3, 3);
        } else {
            b.input(INPUTS);
            if (middle) {
                b.dense(WIDTH, Activation.TANH);
            }
        }
        switch (kind) {
            case LAYER_NORM -> b.layerNorm(activation);
            case BATCH_NORM -> b.batchNorm(activation);
            case EMBEDDING -> {
            }
            case RESIDUAL -> b.residual(activation, r -> r.dense(3, Activation.TANH).dense(middle ? WIDTH : INPUTS));
            case RESIDUAL_OF_NORMS -> b.residual(activation, r -> r.dense(3, Activation.SILU)
                    .batchNorm(Activation.TANH).dense(middle ? WIDTH : INPUTS).layerNorm());
        }
        if (!middle) {
            b.dense(WIDTH, Activation.TANH);
        }
        Network network = b.dense(OUTPUTS, loss.output).build();
        if (kind == Kind.EMBEDDING) {
            network = network.withLayer(1, network.layer(1).withActivation(activation));
        }
        int at = kind == Kind.EMBEDDING || !middle ? 1 : 2;
        assertThat(network.layer(at).kind()).isEqualTo(switch (kind) {
            case LAYER_NORM -> "layer_norm";
            case BATCH_NORM -> "batch_norm";
            case EMBEDDING -> "embedding";
            default -> "residual";
        });
        assertThat(network.layer(at).activation()).isEqualTo(activation);
        return network;
    }

    /**
     * Every bias and shift uniform in [−0.5, 0.5], every scale in [0.5, 1.5], and batch normalization's running
     * mean in [−0.5, 0.5] and variance in [0.5, 2]; weights and tables as the builder drew them.
     */
    static Network randomized(Network network, SplittableRandom random) {
        Network result = network;
        for (int l = 1; l <= network.layerCount(); l++) {
            result = result.withLayer(l, randomized(network.layer(l), random));
        }
        return result;
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
            Matrix v = p.value().copy();
            switch (p.kind()) {
                case BIAS, SHIFT -> fill(v, random, -0.5, 0.5);
                case SCALE -> fill(v, random, 0.5, 1.5);
                default -> {
                }
            }
            values.add(v);
        }
        Layer result = layer.withParameters(values);
        if (result instanceof BatchNorm bn) {
            Matrix mean = bn.runningMean().copy();
            Matrix var = bn.runningVar().copy();
            fill(mean, random, -0.5, 0.5);
            fill(var, random, 0.5, 2);
            result = bn.withRunningStatistics(mean, var, 3);
        }
        return result;
    }

    private static void fill(Matrix m, SplittableRandom random, double low, double high) {
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                m.set(r, c, random.nextDouble(low, high));
            }
        }
    }

    /** Numeric inputs in [−2, 2]; for the embedding network two numeric columns, then indices of 4 and 3 categories. */
    private static double[][] inputs(Kind kind, SplittableRandom random) {
        if (kind != Kind.EMBEDDING) {
            return uniform(random, BATCH, INPUTS, -2, 2);
        }
        double[][] x = uniform(random, BATCH, 4, -2, 2);
        for (double[] row : x) {
            row[2] = random.nextInt(4);
            row[3] = random.nextInt(3);
        }
        return x;
    }

    /** Whether no kinked activation's input, and no MAE or Huber residual, lies within the margin of its kink. */
    private static boolean awayFromKinks(Network network, double[][] x, double[][] y, LossCase loss, boolean eval) {
        Matrix inputs = Matrix.of(Precision.FLOAT64, x, "inputs");
        ForwardPass pass = eval ? ForwardPass.runForEvaluation(network, inputs) : ForwardPass.run(network, inputs);
        for (int l = 1; l <= network.layerCount(); l++) {
            Layer layer = network.layer(l);
            if (kinked(layer.activation()) && nearZero(pass.weightedSums(l), 0)) {
                return false;
            }
            if (layer instanceof Residual r) {
                for (int j = 0; j < r.inner().size(); j++) {
                    if (kinked(r.inner().get(j).activation()) && nearZero(pass.recorded(l).get("inner." + j + ".z"), 0)) {
                        return false;
                    }
                }
            }
        }
        Matrix residual = pass.output().copy();
        residual.addScaled(-1, Matrix.of(Precision.FLOAT64, y, "targets"));
        return switch (loss) {
            case MAE -> !nearZero(residual, 0);
            case HUBER -> !nearZero(residual, 1);
            default -> true;
        };
    }

    private static boolean kinked(Activation activation) {
        return activation.equals(Activation.RELU) || activation.equals(Activation.LEAKY_RELU);
    }

    /** Whether some {@code |m[r][c]|} lies within the margin of {@code at}. */
    private static boolean nearZero(Matrix m, double at) {
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                if (Math.abs(Math.abs(m.get(r, c)) - at) < KINK_MARGIN) {
                    return true;
                }
            }
        }
        return false;
    }

    private static double centralDifference(double at, java.util.function.DoubleUnaryOperator f) {
        return (f.applyAsDouble(at + STEP) - f.applyAsDouble(at - STEP)) / (2 * STEP);
    }

    private static void check(List<String> failures, String what, double backprop, double numeric) {
        double scale = Math.max(Math.abs(backprop), Math.abs(numeric));
        if (!(Math.abs(backprop - numeric) <= RELATIVE * scale + ABSOLUTE)) {
            failures.add(what + ": backprop " + backprop + ", numeric " + numeric);
        }
    }

    private static double cost(Backpropagator backprop, ForwardPass pass, Matrix targets) {
        int last = pass.network().layerCount();
        return backprop.loss().value(pass.weightedSums(last), pass.activations(last), targets);
    }

    private static double evalCost(Backpropagator backprop, Network network, Matrix inputs, Matrix targets) {
        return cost(backprop, ForwardPass.runForEvaluation(network, inputs), targets);
    }

    /** The layer with element {@code [r][c]} of its parameter {@code i} set to {@code value}. */
    private static Layer perturbed(Layer layer, int i, int r, int c, double value) {
        List<Matrix> values = new ArrayList<>();
        for (Parameter p : layer.parameters()) {
            values.add(p.value().copy());
        }
        values.get(i).set(r, c, value);
        return layer.withParameters(values);
    }

    static double[][] uniform(SplittableRandom random, int rows, int cols, double low, double high) {
        double[][] values = new double[rows][cols];
        for (double[] row : values) {
            for (int c = 0; c < cols; c++) {
                row[c] = random.nextDouble(low, high);
            }
        }
        return values;
    }
}
