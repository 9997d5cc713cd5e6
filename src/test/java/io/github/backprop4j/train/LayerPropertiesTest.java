package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.backprop4j.Activation;
import io.github.backprop4j.BatchNorm;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.Residual;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Properties of training that every layer kind must keep, in both precisions: batch normalization makes the bias
 * of an identity dense layer before it irrelevant (its gradient ≈ 0); a training batch of one sample is refused by
 * batch normalization, naming it, and by no other kind; a learning rate of 0 changes no parameter of any kind but
 * still moves the running statistics; and training never changes the network it starts from. Each is checked on
 * the readable path ({@link ForwardPass}, {@link Backpropagator}) and in {@link Trainer#fit}.
 */
class LayerPropertiesTest {

    private static final int NUMERIC = 3;
    private static final int BATCH = 8;

    /**
     * A network of every kind, with batch normalization at the top level and inside a residual block:
     * embedding(3 numeric + 5×2, 4×3) → dense(6, tanh) → layer_norm(silu) → batch_norm(elu) →
     * residual[dense(4, tanh), batch_norm, dense(6)] + tanh → dense(3, softmax); random biases, shifts, scales and
     * running statistics.
     */
    static Network allKinds(Precision precision, long seed) {
        Network n = Network.builder().precision(precision).seed(seed).input(NUMERIC).categorical(5, 2)
                .categorical(4, 3).dense(6, Activation.TANH).layerNorm(Activation.SILU).batchNorm(Activation.ELU)
                .residual(Activation.TANH, r -> r.dense(4, Activation.TANH).batchNorm().dense(6))
                .dense(3, Activation.SOFTMAX).build();
        return LayerGradientCheckTest.randomized(n, new SplittableRandom(seed));
    }

    /** Three numeric columns in [−2, 2], then indices of 5 and 4 categories. */
    static Matrix inputs(Precision precision, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = LayerGradientCheckTest.uniform(random, rows, NUMERIC + 2, -2, 2);
        for (double[] row : x) {
            row[NUMERIC] = random.nextInt(5);
            row[NUMERIC + 1] = random.nextInt(4);
        }
        return Matrix.of(precision, x, "inputs");
    }

    /** One-hot rows of 3 classes. */
    static Matrix targets(Precision precision, int rows, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] y = new double[rows][3];
        for (double[] row : y) {
            row[random.nextInt(3)] = 1;
        }
        return Matrix.of(precision, y, "targets");
    }

    // ------------------------------------------------------------------------------------------------------
    // Batch normalization cancels a preceding bias

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void biasOfAnIdentityDenseLayerBeforeBatchNormGetsNoGradient(Precision precision) {
        SplittableRandom random = new SplittableRandom(5);
        Network network = LayerGradientCheckTest.randomized(Network.builder().precision(precision).seed(5).input(4)
                .dense(5).batchNorm(Activation.TANH).dense(2).build(), random);
        Matrix x = Matrix.of(precision, LayerGradientCheckTest.uniform(random, BATCH, 4, -2, 2), "x");
        Matrix y = Matrix.of(precision, LayerGradientCheckTest.uniform(random, BATCH, 2, -1, 1), "y");
        Backpropagator backprop = new Backpropagator(Loss.MSE);
        double noise = precision == Precision.FLOAT64 ? 1e-12 : 1e-5;

        Gradients g = backprop.gradients(ForwardPass.run(network, x), y);
        double weights = maxAbs(g.weightGradient(1));
        assertThat(weights).as("the weights do matter").isGreaterThan(1e-2);
        assertThat(maxAbs(g.biasGradient(1))).as("∂C/∂b¹, beside max |∂C/∂W¹| = %s", weights)
                .isLessThanOrEqualTo(noise * weights);

        // The control: in evaluation mode the running statistics are fixed, and the bias does matter.
        Gradients eval = backprop.gradients(ForwardPass.runForEvaluation(network, x), y);
        assertThat(maxAbs(eval.biasGradient(1))).isGreaterThan(1e-3);

        // Trainer.fit's workspace computes the same gradient: three SGD steps leave the bias where it was.
        Network trained = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(3).batchSize(BATCH)
                .shuffle(false).logging(false).seed(1).build().fit(network, DataSet.of(x, y)).network();
        assertThat(maxAbs(difference(trained.dense(1).weightMatrix(), network.dense(1).weightMatrix())))
                .isGreaterThan(1e-4);
        assertThat(maxAbs(difference(trained.dense(1).biasVector(), network.dense(1).biasVector())))
                .isLessThanOrEqualTo(3 * 0.1 * noise * weights + (precision == Precision.FLOAT64 ? 0 : 1e-6));
    }

    // ------------------------------------------------------------------------------------------------------
    // A batch of one sample

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void batchNormalizationRefusesATrainingBatchOfOneSample(Precision precision) {
        Network top = Network.builder().precision(precision).seed(3).input(4).dense(6, Activation.TANH)
                .batchNorm(Activation.RELU).dense(2).build();
        Network inner = Network.builder().precision(precision).seed(3).input(4)
                .residual(r -> r.dense(3, Activation.TANH).batchNorm().dense(4)).dense(2).build();
        Matrix one = Matrix.of(precision, new double[][] {{0.1, -0.2, 0.3, 0.4}}, "one");
        Matrix target = Matrix.of(precision, new double[][] {{1, 0}}, "target");

        assertThatThrownBy(() -> ForwardPass.run(top, one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch normalization (6 features)").hasMessageContaining("batch of 1 sample");
        assertThatThrownBy(() -> ForwardPass.run(inner, one)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("batch normalization (3 features)").hasMessageContaining("batch of 1 sample");
        assertThatThrownBy(() -> new Backpropagator(Loss.MSE).step(top, one, target, Optimizer.sgd(0.1),
                new OptimizerState())).hasMessageContaining("batch normalization");

        // Trainer.fit: 9 samples in batches of 4 leave a last batch of 1, refused before training starts.
        Matrix nine = Matrix.of(precision, LayerGradientCheckTest.uniform(new SplittableRandom(4), 9, 4, -2, 2), "x");
        Matrix y = Matrix.zeros(precision, 9, 2);
        Trainer trainer = Trainer.builder().loss(Loss.MSE).optimizer(Optimizer.sgd(0.1)).epochs(1).batchSize(4)
                .shuffle(false).logging(false).seed(1).build();
        assertThatThrownBy(() -> trainer.fit(top, DataSet.of(nine, y))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("9 samples in batches of 4 leave a batch of 1 sample")
                .hasMessageContaining("layer 2 (batch normalization)").hasMessageContaining("use a batch size of 3");

        // One sample is fine where no batch statistic is needed: evaluation mode and prediction.
        assertThat(ForwardPass.runForEvaluation(top, one).output().rows()).isEqualTo(1);
        assertThat(top.predict(one).rows()).isEqualTo(1);
        assertThat(inner.predict(one).rows()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void everyOtherKindTrainsOnOneSample(Precision precision) {
        Network network = Network.builder().precision(precision).seed(4).input(NUMERIC).categorical(5, 2)
                .categorical(4, 3).dense(6, Activation.TANH).layerNorm(Activation.SILU)
                .residual(Activation.TANH, r -> r.dense(4, Activation.TANH).layerNorm().dense(6))
                .dense(3, Activation.SOFTMAX).build();
        Matrix one = inputs(precision, 1, 6);
        Matrix target = targets(precision, 1, 6);

        Network stepped = new Backpropagator(Loss.CROSS_ENTROPY).step(network, one, target, Optimizer.sgd(0.1),
                new OptimizerState());
        assertThat(stepped).isNotEqualTo(network);
        assertThatCode(() -> Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.sgd(0.1)).epochs(1)
                .batchSize(1).logging(false).seed(1).build().fit(network, DataSet.of(one, target)))
                .doesNotThrowAnyException();
    }

    // ------------------------------------------------------------------------------------------------------
    // η = 0

    static Stream<Arguments> zeroRateOptimizers() {
        List<Arguments> all = new ArrayList<>();
        for (Precision p : Precision.values()) {
            all.add(Arguments.of("sgd", Optimizer.sgd(0), p));
            all.add(Arguments.of("momentum", Optimizer.momentum(0, 0.9), p));
            all.add(Arguments.of("adam", Optimizer.adam(0), p));
            all.add(Arguments.of("adamW", Optimizer.adamW(0, 0.01), p));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} in {2}")
    @MethodSource("zeroRateOptimizers")
    void zeroLearningRateKeepsEveryParameterButMovesTheRunningStatistics(String name, Optimizer optimizer,
            Precision precision) {
        Network start = allKinds(precision, 11);
        Matrix x = inputs(precision, BATCH, 12);
        Matrix y = targets(precision, BATCH, 12);
        double tol = precision == Precision.FLOAT64 ? 1e-12 : 1e-5;

        // The readable path, two steps.
        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);
        OptimizerState state = new OptimizerState();
        Network network = start;
        for (int step = 1; step <= 2; step++) {
            ForwardPass pass = ForwardPass.run(network, x);
            Network next = backprop.apply(network, backprop.gradients(pass, y), optimizer, state);
            assertSameParameters(next, start);
            // running_mean ← 0.9·running_mean + 0.1·μ, running_var ← 0.9·running_var + 0.1·σ²·N/(N − 1)
            BatchNorm before = (BatchNorm) network.layer(4);
            BatchNorm after = (BatchNorm) next.layer(4);
            assertRunningStatistics(before, after, pass.recorded(4).get("mean"), pass.recorded(4).get("var"), tol);
            BatchNorm innerBefore = (BatchNorm) ((Residual) network.layer(5)).inner().get(1);
            BatchNorm innerAfter = (BatchNorm) ((Residual) next.layer(5)).inner().get(1);
            assertRunningStatistics(innerBefore, innerAfter, pass.recorded(5).get("inner.1.mean"),
                    pass.recorded(5).get("inner.1.var"), tol);
            assertThat(after.numBatchesTracked()).isEqualTo(3 + step);
            assertThat(innerAfter.numBatchesTracked()).isEqualTo(3 + step);
            network = next;
        }

        // Trainer.fit, two epochs of two batches: four steps.
        Network fitted = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(optimizer).epochs(2).batchSize(4)
                .logging(false).seed(1).build().fit(start, DataSet.of(x, y)).network();
        assertSameParameters(fitted, start);
        BatchNorm top = (BatchNorm) fitted.layer(4);
        BatchNorm inner = (BatchNorm) ((Residual) fitted.layer(5)).inner().get(1);
        assertThat(top.numBatchesTracked()).isEqualTo(3 + 4);
        assertThat(inner.numBatchesTracked()).isEqualTo(3 + 4);
        assertThat(top.runningMean()).isNotEqualTo(((BatchNorm) start.layer(4)).runningMean());
        assertThat(top.runningVar()).isNotEqualTo(((BatchNorm) start.layer(4)).runningVar());
        assertThat(inner.runningMean()).isNotEqualTo(((BatchNorm) ((Residual) start.layer(5)).inner().get(1))
                .runningMean());
    }

    private static void assertRunningStatistics(BatchNorm before, BatchNorm after, Matrix mean, Matrix var,
            double tol) {
        double m = before.momentum();
        for (int j = 0; j < before.inputSize(); j++) {
            double wantMean = (1 - m) * before.runningMean().get(0, j) + m * mean.get(0, j);
            double wantVar = (1 - m) * before.runningVar().get(0, j) + m * var.get(0, j) * BATCH / (BATCH - 1);
            assertThat(after.runningMean().get(0, j)).as("running_mean[%d]", j)
                    .isCloseTo(wantMean, within(tol * (1 + Math.abs(wantMean))));
            assertThat(after.runningVar().get(0, j)).as("running_var[%d]", j)
                    .isCloseTo(wantVar, within(tol * (1 + Math.abs(wantVar))));
        }
        assertThat(after.runningMean()).isNotEqualTo(before.runningMean());
        assertThat(after.numBatchesTracked()).isEqualTo(before.numBatchesTracked() + 1);
    }

    /** Every parameter of every layer, bit for bit (inner layers' included: a residual block lists them). */
    private static void assertSameParameters(Network got, Network want) {
        assertThat(got.layerCount()).isEqualTo(want.layerCount());
        for (int l = 1; l <= want.layerCount(); l++) {
            List<Parameter> g = got.layer(l).parameters();
            List<Parameter> w = want.layer(l).parameters();
            assertThat(g).hasSameSizeAs(w);
            for (int i = 0; i < w.size(); i++) {
                assertThat(g.get(i).value()).as("layer %d %s", l, w.get(i).name()).isEqualTo(w.get(i).value());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // The input network is never changed

    @ParameterizedTest(name = "{0}")
    @EnumSource(Precision.class)
    void trainingNeverChangesTheNetworkItStartsFrom(Precision precision) {
        Network start = allKinds(precision, 21);
        Network twin = allKinds(precision, 21);
        assertThat(start).isEqualTo(twin).isNotSameAs(twin);
        Matrix x = inputs(precision, 12, 22);
        Matrix y = targets(precision, 12, 22);
        Backpropagator backprop = new Backpropagator(Loss.CROSS_ENTROPY);

        OptimizerState state = new OptimizerState();
        Network stepped = backprop.step(start, x, y, Optimizer.adam(0.01), state);
        stepped = backprop.step(stepped, x, y, Optimizer.adam(0.01), state);
        backprop.gradients(ForwardPass.runForEvaluation(start, x), y);
        start.predict(x);
        Network fitted = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.momentum(0.05, 0.9))
                .epochs(3).batchSize(5).logging(false).seed(2).build().fit(start, DataSet.of(x, y)).network();

        assertThat(start).as("the network training started from").isEqualTo(twin);
        for (int l = 1; l <= start.layerCount(); l++) {
            assertThat(start.layer(l).buffers()).isEqualTo(twin.layer(l).buffers());
        }
        assertThat(((BatchNorm) start.layer(4)).numBatchesTracked()).isEqualTo(3);
        // The controls: both runs did train, every kind's parameters and the statistics.
        for (Network trained : List.of(stepped, fitted)) {
            for (int l = 1; l <= start.layerCount(); l++) {
                Layer before = start.layer(l);
                Layer after = trained.layer(l);
                for (int i = 0; i < before.parameters().size(); i++) {
                    assertThat(after.parameters().get(i).value()).as("layer %d %s moved", l,
                            before.parameters().get(i).name()).isNotEqualTo(before.parameters().get(i).value());
                }
            }
            assertThat(trained.layer(4).buffers()).isNotEqualTo(start.layer(4).buffers());
            assertThat(trained.layer(5).buffers()).isNotEqualTo(start.layer(5).buffers());
        }
    }

    @Test
    void recordedValuesAreEmptyWhereAKindRecordsNothing() {
        Network network = allKinds(Precision.FLOAT64, 31);
        Matrix x = inputs(Precision.FLOAT64, BATCH, 32);
        ForwardPass pass = ForwardPass.run(network, x);
        Gradients g = new Backpropagator(Loss.CROSS_ENTROPY).gradients(pass, targets(Precision.FLOAT64, BATCH, 32));

        assertThat(pass.recorded(1)).isEmpty(); // embedding
        assertThat(pass.recorded(2)).isEmpty(); // dense
        assertThat(pass.recorded(3)).containsOnlyKeys("mean", "var", "x_hat");
        assertThat(pass.recorded(5)).containsOnlyKeys("inner.0.z", "inner.0.a", "inner.1.z", "inner.1.a",
                "inner.1.mean", "inner.1.var", "inner.1.x_hat", "inner.2.z", "inner.2.a");
        assertThat(g.recorded(5)).containsOnlyKeys("inner.0.delta", "inner.1.delta", "inner.2.delta");
        assertThat(g.recorded(3)).isEmpty();
        // δ of the last inner layer is ∂C/∂z of the block itself: its activation is the identity.
        assertThat(g.recorded(5).get("inner.2.delta")).isEqualTo(g.errorSignal(5));
        assertThatThrownBy(() -> pass.recorded(0)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("1..6");
        assertThat(Gradients.ofParameters(0, List.of(network.layer(1).parameters())).recorded(1)).isEmpty();
    }

    private static double maxAbs(Matrix m) {
        double max = 0;
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                max = Math.max(max, Math.abs(m.get(r, c)));
            }
        }
        return max;
    }

    private static Matrix difference(Matrix a, Matrix b) {
        Matrix d = a.copy();
        d.addScaled(-1, b);
        return d;
    }
}
