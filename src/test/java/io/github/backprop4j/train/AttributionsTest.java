package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.golden.GoldenCase;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Attributions.Rule;
import io.github.backprop4j.train.Attributions.Target;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Attributions} against PyTorch autograd on the golden networks (the fixtures of
 * src/test/python/generate_attribution_fixtures.py, compared in float64 with {@code |got − want| ≤
 * 1e-10·|want| + 1e-13}), the completeness of integrated gradients, and permutation importance.
 */
class AttributionsTest {

    private static final String[] TARGETS = {"score", "probability", "loss"};

    /** The golden networks whose activations and loss have a kink somewhere (ReLU, leaky ReLU, absolute error). */
    private static final List<String> KINKED = List.of("relu-softmax-ce", "leaky-elu-softmax-ce");

    static Stream<Arguments> casesAndTargets() {
        List<Arguments> all = new ArrayList<>();
        for (String file : GoldenCase.FILES) {
            for (String target : TARGETS) {
                all.add(Arguments.of(file, target));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndTargets")
    void everyMethodMatchesPyTorchAutograd(String file, String targetName) {
        GoldenCase c = GoldenCase.load(file);
        JsonObject fixture = fixture(file);
        JsonObject want = fixture.getAsJsonObject("targets").getAsJsonObject(targetName);
        Network network = c.network(Precision.FLOAT64);
        Matrix x = Matrix.of(Precision.FLOAT64, c.input(), "input");
        Target target = target(c, targetName, fixture.get("class").getAsInt());
        Attributions attributions = Attributions.of(network);

        assertClose(new double[][] {attributions.values(x, target)}, new double[][] {vector(want, "f")}, "f");
        assertClose(attributions.gradient(x, target).toDoubleArray(), matrix(want, "gradient"), "gradient");
        assertClose(attributions.inputTimesGradient(x, target).toDoubleArray(), matrix(want, "input_x_gradient"),
                "input × gradient");
        Matrix zero = Matrix.zeros(Precision.FLOAT64, 1, x.cols());
        assertClose(attributions.integratedGradients(x, target, zero, Attributions.DEFAULT_STEPS, Rule.PLAIN_TRAPEZOID)
                .toDoubleArray(), matrix(want, "ig_trapezoid"), "integrated gradients, plain trapezoid");
        Matrix mean = Matrix.of(Precision.FLOAT64, new double[][] {vector(fixture, "midpoint_baseline")}, "baseline");
        assertClose(attributions.integratedGradients(x, target, mean, fixture.get("midpoint_steps").getAsInt(),
                Rule.PLAIN_MIDPOINT).toDoubleArray(), matrix(want, "ig_midpoint"), "integrated gradients, plain midpoint");
    }

    /**
     * Completeness, {@code |Σⱼ φⱼ − (f(x) − f(0))| ≤ 0.01·|Δf| + 1e-6}, for every sample of every golden case and
     * target at 50 steps of both kink-aware rules, also where the path crosses kinks (ReLU, leaky ReLU, the absolute
     * error); there the plain trapezoid sum at 50 steps misses the bound, and converges only as 1/m: 500 plain steps
     * are closer than 50. Prints the worst ratio per rule, the numbers of docs/explain.md's table.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("casesAndTargets")
    void integratedGradientsSumToTheChangeOfTheOutput(String file, String targetName) {
        GoldenCase c = GoldenCase.load(file);
        Network network = c.network(Precision.FLOAT64);
        Matrix x = Matrix.of(Precision.FLOAT64, c.input(), "input");
        Target target = target(c, targetName, network.outputSize() - 1);
        Attributions attributions = Attributions.of(network);
        Matrix zero = Matrix.zeros(Precision.FLOAT64, 1, x.cols());
        double[] fx = attributions.values(x, target);
        double[] f0 = attributions.values(Matrix.zeros(Precision.FLOAT64, x.rows(), x.cols()), target);
        int steps = Attributions.DEFAULT_STEPS;

        double trapezoid = worstRatio(attributions.integratedGradients(x, target), fx, f0);
        double midpoint = worstRatio(attributions.integratedGradients(x, target, zero, steps, Rule.MIDPOINT), fx, f0);
        double plain = worstRatio(attributions.integratedGradients(x, target, zero, steps, Rule.PLAIN_TRAPEZOID), fx,
                f0);
        double plainMidpoint = worstRatio(attributions.integratedGradients(x, target, zero, steps,
                Rule.PLAIN_MIDPOINT), fx, f0);
        double plainFine = worstRatio(attributions.integratedGradients(x, target, zero, 10 * steps,
                Rule.PLAIN_TRAPEZOID), fx, f0);
        System.out.printf(java.util.Locale.ROOT, "completeness | %s | %s | %.3f | %.3f | %.3f | %.3f | %.3f |%n",
                file, targetName, plain, plainMidpoint, plainFine, trapezoid, midpoint);

        assertThat(trapezoid).as("worst |Σφ − Δf| / bound, kink-aware trapezoid, %d steps", steps).isLessThan(1);
        assertThat(midpoint).as("worst |Σφ − Δf| / bound, kink-aware midpoint, %d steps", steps).isLessThan(1);
        boolean kinked = KINKED.contains(file) || (file.endsWith("-mae") && targetName.equals("loss"));
        if (kinked) {
            assertThat(plain).as("the plain trapezoid at %d steps misses the bound", steps).isGreaterThan(1);
            assertThat(plainFine).as("500 plain steps closer than 50").isLessThan(plain);
            assertThat(trapezoid).as("kink-aware closer than plain").isLessThan(plain);
        } else { //                                       nothing to split: the kink-aware sums are the plain ones
            assertThat(trapezoid).isEqualTo(plain);
        }
    }

    /**
     * A ReLU network's class score is linear in α between the switches, so the kink-aware sums are exact up to
     * rounding and the switches' brackets, at any number of steps, where the plain ones are not.
     */
    @Test
    void theKinkAwareSumOfAReluNetworksScoreIsExact() {
        GoldenCase c = GoldenCase.load("relu-softmax-ce");
        Network network = c.network(Precision.FLOAT64);
        Matrix x = Matrix.of(Precision.FLOAT64, c.input(), "input");
        Attributions attributions = Attributions.of(network);
        Matrix zero = Matrix.zeros(Precision.FLOAT64, 1, x.cols());
        for (int k = 0; k < network.outputSize(); k++) {
            Target target = Target.score(k);
            double[] fx = attributions.values(x, target);
            double[] f0 = attributions.values(Matrix.zeros(Precision.FLOAT64, x.rows(), x.cols()), target);
            for (int steps : new int[] {1, 7, 50}) {
                for (Rule rule : new Rule[] {Rule.TRAPEZOID, Rule.MIDPOINT}) {
                    Matrix phi = attributions.integratedGradients(x, target, zero, steps, rule);
                    for (int n = 0; n < x.rows(); n++) {
                        assertThat(rowSum(phi, n)).as("class %d, %s, %d steps, sample %d", k, rule, steps, n)
                                .isCloseTo(fx[n] - f0[n], within(1e-9 * Math.abs(fx[n] - f0[n]) + 1e-12));
                    }
                }
            }
        }
    }

    /**
     * In float32 the weighted sums near a switch are rounded, so a trapezoid end at a switch is evaluated a little
     * inside its piece; then the ReLU network's score sum is exact to float32 rounding, far closer than the plain
     * sum.
     */
    @Test
    void aFloat32ReluNetworksKinkAwareSumIsExactToRounding() {
        GoldenCase c = GoldenCase.load("relu-softmax-ce");
        Network network = c.network(Precision.FLOAT32);
        Matrix x = Matrix.of(Precision.FLOAT32, c.input(), "input");
        Attributions attributions = Attributions.of(network);
        Matrix zero = Matrix.zeros(Precision.FLOAT32, 1, x.cols());
        Target target = Target.score(2);
        double[] fx = attributions.values(x, target);
        double[] f0 = attributions.values(Matrix.zeros(Precision.FLOAT32, x.rows(), x.cols()), target);
        Matrix phi = attributions.integratedGradients(x, target, zero, 50, Rule.TRAPEZOID);
        Matrix plain = attributions.integratedGradients(x, target, zero, 50, Rule.PLAIN_TRAPEZOID);
        double plainError = 0;
        for (int n = 0; n < x.rows(); n++) {
            double delta = fx[n] - f0[n];
            assertThat(rowSum(phi, n)).as("sample %d", n).isCloseTo(delta, within(1e-5 * Math.abs(delta) + 1e-6));
            plainError = Math.max(plainError, Math.abs(rowSum(plain, n) - delta));
        }
        assertThat(plainError).isGreaterThan(1e-3);
    }

    /**
     * The kinks inside a residual block (its inner ReLU, its leaky-ReLU sum) are watched too: a network of
     * piecewise-linear units only has an exact kink-aware sum if every unit's switches are found (and, deeper than
     * the first layer, where z bends along the path, if no unit switches twice within one interval: at 5 or 20
     * steps some do here).
     */
    @Test
    void switchesInsideAResidualBlockAreFound() {
        Network network = LayerGradientCheckTest.randomized(Network.builder().precision(Precision.FLOAT64).seed(9)
                .input(4).dense(6, Activation.RELU).residual(Activation.leakyRelu(0.2), r -> r.dense(5, Activation.RELU).dense(6))
                .dense(3, Activation.IDENTITY).build(), new SplittableRandom(9));
        Matrix x = Matrix.of(Precision.FLOAT64, LayerGradientCheckTest.uniform(new SplittableRandom(2), 8, 4, -2, 2),
                "x");
        Matrix baseline = Matrix.of(Precision.FLOAT64, new double[][] {{0.5, -1, 1, 0.25}}, "baseline");
        Attributions attributions = Attributions.of(network);
        Target target = Target.score(1);
        double[] fx = attributions.values(x, target);
        double fb = attributions.values(baseline, target)[0];
        Matrix phi = attributions.integratedGradients(x, target, baseline, 50, Rule.TRAPEZOID);
        Matrix plain = attributions.integratedGradients(x, target, baseline, 50, Rule.PLAIN_TRAPEZOID);
        double plainError = 0;
        for (int n = 0; n < x.rows(); n++) {
            double delta = fx[n] - fb;
            assertThat(rowSum(phi, n)).as("sample %d", n).isCloseTo(delta, within(1e-9 * Math.abs(delta) + 1e-12));
            plainError = Math.max(plainError, Math.abs(rowSum(plain, n) - delta));
        }
        assertThat(plainError).as("the plain sum is not exact here").isGreaterThan(1e-6);
    }

    @Test
    void theActivationsAndLossesWithAJumpingDerivativeDeclareTheirKinks() {
        assertThat(Activation.RELU.kinks()).containsExactly(0);
        assertThat(Activation.LEAKY_RELU.kinks()).containsExactly(0);
        assertThat(Activation.leakyRelu(1).kinks()).isEmpty();
        assertThat(Activation.elu(0.5).kinks()).containsExactly(0);
        assertThat(Activation.ELU.kinks()).as("alpha 1: continuous derivative").isEmpty();
        for (Activation smooth : new Activation[] {Activation.IDENTITY, Activation.SIGMOID, Activation.TANH,
            Activation.SOFTPLUS, Activation.SILU, Activation.GELU, Activation.SOFTMAX}) {
            assertThat(smooth.kinks()).as(smooth.name()).isEmpty();
        }
        assertThat(Loss.MAE.kinks()).containsExactly(0);
        assertThat(Loss.HUBER.kinks()).as("continuous gradient").isEmpty();
        assertThat(Loss.MSE.kinks()).isEmpty();
        assertThat(Loss.CROSS_ENTROPY.kinks()).isEmpty();
    }

    private static double worstRatio(Matrix phi, double[] fx, double[] f0) {
        double worst = 0;
        for (int n = 0; n < fx.length; n++) {
            double delta = fx[n] - f0[n];
            worst = Math.max(worst, Math.abs(rowSum(phi, n) - delta) / (0.01 * Math.abs(delta) + 1e-6));
        }
        return worst;
    }

    @Test
    void theScoreOfAnIdentityOutputIsItsProbabilityAndTheLossGradientIsTheBackpropagatorsTimesTheBatch() {
        GoldenCase c = GoldenCase.load("tanh-identity-mse");
        Network network = c.network(Precision.FLOAT64);
        Matrix x = Matrix.of(Precision.FLOAT64, c.input(), "input");
        Attributions a = Attributions.of(network);
        assertThat(a.gradient(x, Target.score(1))).isEqualTo(a.gradient(x, Target.probability(1)));

        // one sample: the loss target's gradient is Gradients.inputGradient of that batch of one
        Matrix first = Matrix.of(Precision.FLOAT64, new double[][] {c.input()[0]}, "first");
        Matrix y = Matrix.of(Precision.FLOAT64, new double[][] {c.target()[0]}, "y");
        Matrix want = new Backpropagator(Loss.MSE).gradients(ForwardPass.runForEvaluation(network, first), y)
                .inputGradient();
        assertThat(a.gradient(first, Target.loss(Loss.MSE, y))).isEqualTo(want);
    }

    @Test
    void aFloat32NetworkGivesFloat32AttributionsCloseToFloat64() {
        GoldenCase c = GoldenCase.load("softplus-silu-sigmoid-bce");
        Matrix x64 = Matrix.of(Precision.FLOAT64, c.input(), "input");
        Matrix g64 = Attributions.of(c.network(Precision.FLOAT64)).integratedGradients(x64, Target.probability(0));
        Matrix g32 = Attributions.of(c.network(Precision.FLOAT32)).integratedGradients(
                Matrix.of(Precision.FLOAT32, c.input(), "input"), Target.probability(0));
        assertThat(g32.precision()).isEqualTo(Precision.FLOAT32);
        for (int n = 0; n < x64.rows(); n++) {
            for (int j = 0; j < x64.cols(); j++) {
                assertThat(g32.get(n, j)).isCloseTo(g64.get(n, j), within(1e-4 * Math.abs(g64.get(n, j)) + 1e-5));
            }
        }
    }

    @Test
    void permutationImportanceFindsTheOneFeatureThatMattersAndIsSeeded() {
        // y = class of sign(x0); x1 and x2 are noise; a trained network should lean on x0 alone
        SplittableRandom random = new SplittableRandom(4);
        double[][] features = new double[300][3];
        int[] labels = new int[300];
        for (int n = 0; n < features.length; n++) {
            for (int j = 0; j < 3; j++) {
                features[n][j] = random.nextDouble(-1, 1);
            }
            labels[n] = features[n][0] > 0 ? 1 : 0;
        }
        DataSet data = DataSet.ofLabels(features, labels, 2);
        Network start = Network.builder().input(3).dense(8, Activation.TANH).dense(2, Activation.SOFTMAX).seed(3)
                .build();
        Network trained = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.05)).epochs(30)
                .batchSize(32).logging(false).seed(5).build().fit(start, data).network();
        Attributions attributions = Attributions.of(trained);

        Attributions.PermutationImportance importance = attributions.permutationImportance(data, Metrics.ACCURACY, 5,
                11);

        assertThat(importance.baseline()).isGreaterThan(0.95);
        assertThat(importance.metric()).isEqualTo("accuracy");
        assertThat(importance.ranking()[0]).isZero();
        assertThat(importance.importances()[0]).isGreaterThan(0.3);
        assertThat(Math.abs(importance.importances()[1])).isLessThan(0.05);
        assertThat(Math.abs(importance.importances()[2])).isLessThan(0.05);
        assertThat(importance.standardDeviations()[0]).isPositive();
        Attributions.PermutationImportance again = attributions.permutationImportance(data, Metrics.ACCURACY, 5, 11);
        assertThat(again.importances()).containsExactly(importance.importances());
        assertThat(attributions.permutationImportance(data, Metrics.ACCURACY, 5, 12).importances())
                .isNotEqualTo(importance.importances());
        // a metric where lower is better is turned round: shuffling x0 raises the error, a positive importance
        assertThat(attributions.permutationImportance(data, Metrics.MEAN_SQUARED_ERROR, 2, 1).importances()[0])
                .isPositive();
    }

    @Test
    void badArgumentsAreRefusedByName() {
        GoldenCase c = GoldenCase.load("relu-softmax-ce");
        Attributions a = Attributions.of(c.network(Precision.FLOAT64));
        Matrix x = Matrix.of(Precision.FLOAT64, c.input(), "input");
        assertThatThrownBy(() -> a.gradient(x, Target.score(4))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output 4").hasMessageContaining("4 outputs");
        assertThatThrownBy(() -> Target.probability(-1)).hasMessageContaining("k").hasMessageContaining("-1");
        assertThatThrownBy(() -> a.integratedGradients(x, Target.score(0), Matrix.zeros(Precision.FLOAT64, 2, 5), 10,
                Rule.MIDPOINT)).hasMessageContaining("baseline").hasMessageContaining("2 × 5").hasMessageContaining("6");
        assertThatThrownBy(() -> a.integratedGradients(x, Target.score(0), Matrix.zeros(Precision.FLOAT64, 1, 5), 0,
                Rule.MIDPOINT)).hasMessageContaining("steps").hasMessageContaining("0");
        assertThatThrownBy(() -> a.gradient(x, Target.loss(Loss.CROSS_ENTROPY,
                Matrix.of(Precision.FLOAT64, new double[][] {{1, 0, 0, 0}}, "y"))))
                .hasMessageContaining("target rows").hasMessageContaining("1").hasMessageContaining("6");
        assertThatThrownBy(() -> a.gradient(Matrix.zeros(Precision.FLOAT64, 1, 3), Target.score(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("inputs");
        DataSet data = DataSet.of(c.input(), c.target());
        assertThatThrownBy(() -> a.permutationImportance(data, Metrics.ACCURACY, 0, 1))
                .hasMessageContaining("repeats").hasMessageContaining("0");
    }

    @Test
    void anEmbeddingNetworksCategoricalColumnsKeepTheirCategory() {
        Network network = LayerPropertiesTest.allKinds(Precision.FLOAT64, 5);
        Matrix x = LayerPropertiesTest.inputs(Precision.FLOAT64, 4, 6);
        Attributions a = Attributions.of(network);
        Matrix g = a.gradient(x, Target.probability(2));
        for (int n = 0; n < 4; n++) {
            assertThat(g.get(n, 3)).isZero();
            assertThat(g.get(n, 4)).isZero();
        }
        Matrix baseline = x.copy();
        for (int n = 0; n < 4; n++) {
            for (int j = 0; j < 3; j++) {
                baseline.set(n, j, 0);
            }
        }
        Matrix phi = a.integratedGradients(x, Target.probability(2), baseline, 100, Rule.TRAPEZOID);
        double[] fx = a.values(x, Target.probability(2));
        double[] fb = a.values(baseline, Target.probability(2));
        for (int n = 0; n < 4; n++) {
            assertThat(rowSum(phi, n)).isCloseTo(fx[n] - fb[n], within(0.01 * Math.abs(fx[n] - fb[n]) + 1e-6));
        }
        assertThatThrownBy(() -> a.integratedGradients(x, Target.probability(2), Matrix.zeros(Precision.FLOAT64, 1, 5),
                10, Rule.TRAPEZOID)).hasMessageContaining("categorical").hasMessageContaining("column 3");
    }

    private static Target target(GoldenCase c, String name, int k) {
        return switch (name) {
            case "score" -> Target.score(k);
            case "probability" -> Target.probability(k);
            default -> Target.loss(c.lossFunction(), Matrix.of(Precision.FLOAT64, c.target(), "target"));
        };
    }

    private static double rowSum(Matrix m, int row) {
        double s = 0;
        for (int j = 0; j < m.cols(); j++) {
            s += m.get(row, j);
        }
        return s;
    }

    private static void assertClose(double[][] got, double[][] want, String what) {
        assertThat(got.length).as(what + " rows").isEqualTo(want.length);
        for (int r = 0; r < want.length; r++) {
            assertThat(got[r].length).as(what + " columns").isEqualTo(want[r].length);
            for (int k = 0; k < want[r].length; k++) {
                assertThat(got[r][k]).as("%s [%d][%d]", what, r, k)
                        .isCloseTo(want[r][k], within(1e-10 * Math.abs(want[r][k]) + 1e-13));
            }
        }
    }

    private static JsonObject fixture(String file) {
        String path = "/golden/attributions/" + file + ".json";
        try (InputStream in = AttributionsTest.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            JsonObject json = new Gson().fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), JsonObject.class);
            assertThat(json.get("format").getAsString()).isEqualTo("attributions-1");
            return json;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double[] vector(JsonObject json, String key) {
        JsonArray a = json.getAsJsonArray(key);
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).getAsDouble();
        }
        return v;
    }

    private static double[][] matrix(JsonObject json, String key) {
        JsonArray a = json.getAsJsonArray(key);
        double[][] m = new double[a.size()][];
        for (int i = 0; i < m.length; i++) {
            JsonArray row = a.get(i).getAsJsonArray();
            m[i] = new double[row.size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = row.get(j).getAsDouble();
            }
        }
        return m;
    }
}
