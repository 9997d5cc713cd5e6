package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.ElementwiseActivation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.DataSource;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.GradientTransform;
import io.github.backprop4j.optim.LearningRateSchedule;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import io.github.backprop4j.optim.ParameterState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Trainer#fit} runs its steps in the fast, package-private {@link TrainingSession}; this test holds it,
 * bit for bit, to the readable public path. For each case, {@code fit} trains a 6-17-9-3 network for two or
 * three epochs on 29 shuffled samples, in batches that leave a shorter last batch; then a loop here replays the
 * same run through {@link ForwardPass#run(Network, Matrix, Dropout, java.util.random.RandomGenerator)},
 * {@link Backpropagator#gradients(ForwardPass, Matrix)}, {@link Gradients#clippedByGlobalNorm(double)} and
 * {@link Backpropagator#apply(Network, Gradients, Optimizer, OptimizerState, double)}. The replay takes from
 * {@code fit} only what it documents: the epoch's random stream {@link Trainer#epochRandom(long, int)} (split
 * once for the shuffling, then once for the dropout masks), the data source's own seeded pass
 * ({@link DataSource#batches}), and the schedule's rate {@code schedule.learningRate(η₀, t, epoch)} of step
 * {@code t} counted over the run. Both must give the same network ({@link Network#equals} compares bits), the
 * same loss for every batch and the same loss for every epoch.
 *
 * <p><b>The factors</b> and their levels:
 * <ul>
 *   <li>precision: FLOAT32, FLOAT64;</li>
 *   <li>loss, with its output activation and targets: MSE after identity and after softmax, MAE after tanh,
 *       Huber (δ = 1) after identity, Huber (δ = 0.5) after sigmoid, cross-entropy with one-hot and with soft
 *       targets, class-weighted cross-entropy, the fused sigmoid + binary cross-entropy, a user-written loss
 *       (log-cosh, whose error signal goes through the output activation's backward step);</li>
 *   <li>hidden activation (either hidden layer): the ten built-ins, leaky ReLU and ELU with non-default
 *       parameters, a user {@link ElementwiseActivation} and one made by {@link Activation#elementwise};</li>
 *   <li>optimizer: SGD, SGD with weight decay, momentum, Nesterov, AdaGrad, RMSProp, Adam, AdamW, AdamW sparing
 *       the biases, a user-written optimizer with a buffer, a user optimizer wrapping a built-in one with L2;</li>
 *   <li>gradient transform: none, L1, L2, clip by value, L2 only for weights, L1 only for biases, a user
 *       transform, a user transform only for weights, L1 then clipping, layer 1 frozen, layer 2 frozen then L2,
 *       layers 1 and 3 (the output layer) frozen;</li>
 *   <li>learning-rate schedule: constant, step decay, exponential, cosine annealing, cosine with warm-up,
 *       cosine with warm-up and a minimum rate, {@code ofStep}, {@code ofEpoch}, a lambda;</li>
 *   <li>dropout: none, on the inputs, on layer 1, on layers 1 and 2, on layers 0, 1 and 2;</li>
 *   <li>global-norm clipping: off, 0.05 (the norm exceeds it in most steps), 1 (in a sixth of the steps);</li>
 *   <li>data source: a float64 {@link DataSet} and a float32 one (fit gathers their rows into its own buffers)
 *       and a streamed {@link DataSource} (fit uses its pass);</li>
 *   <li>batch size: 4, 9, 13 (last batches of 1, 2 and 3 samples; 5 instead of 4 with batch normalization,
 *       which cannot train on a batch of 1);</li>
 *   <li>architecture: the dense 6-17-9-3 network (strands 1–7), or one of six with other layer kinds: layer
 *       norms, batch norms, an embedding of two category columns (the data's last two columns become category
 *       indices; no dropout on its inputs), two residual blocks, batch norm inside a residual block, and every
 *       kind in one network.</li>
 * </ul>
 *
 * <p><b>The design</b>, not the full product: seven strands, each the full product of the factors named, every
 * other factor cycling through its levels with the case's number {@code n} in the whole design (level
 * {@code (n + s) mod size}, with an offset {@code s} per factor), and two or three epochs by the parity of
 * {@code n}. Every level of every factor thus appears at least once, and in both precisions; the pairs that
 * interact are complete:
 * <ol>
 *   <li>optimizer × precision (22 cases): the optimizers' kernels exist per element type;</li>
 *   <li>loss × precision (20): the fused error signals and losses per element type;</li>
 *   <li>hidden activation × precision (28): the activation in layer 1, the one five further in the list in
 *       layer 2, so each activation also runs in both hidden layers; the training session fuses the bias into
 *       {@code forward(z, b, a)} where {@link ForwardPass} keeps two steps;</li>
 *   <li>gradient transform × precision (24): the built-in transforms write into reused buffers in fit;</li>
 *   <li>user optimizer × gradient transform (24): a transform chain around an optimizer that is not built in;</li>
 *   <li>dropout × global-norm clipping × precision (30): the masks of both buffer sets of a run, the clipped
 *       copies of the session's gradient buffers;</li>
 *   <li>data source × batch size × precision (18), and schedule × precision (18);</li>
 *   <li>for each of the six architectures with other layer kinds: × optimizer (11), × gradient transform (12,
 *       among them frozen layers, so a frozen embedding or batch norm), × dropout × precision (10), × global-norm
 *       clipping × precision (6), × data source × precision (6), × batch size × precision (6) (306 cases): their
 *       parameters' optimizer state names and gradients, batch normalization's running statistics carried into
 *       the new network, an embedding's sparse gradients.</li>
 * </ol>
 * 490 cases, each named by its strand and all its levels. Networks are compared parameter by parameter and
 * buffer by buffer, then as wholes.
 */
class PathEquivalenceTest {

    private static final int SAMPLES = 29;
    private static final int FEATURES = 6;
    private static final int OUTPUTS = 3;

    /** One named level of a factor. */
    record Level<T>(String label, T value) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static <T> Level<T> level(String label, T value) {
        return new Level<>(label, value);
    }

    /** What the targets of a loss look like. */
    enum Targets {
        /** Real values in [−2, 2], for both branches of the Huber loss. */
        REAL,
        /** Values in [−0.9, 0.9], reachable by tanh. */
        BOUNDED,
        /** Values in [0.05, 0.95], reachable by sigmoid. */
        UNIT,
        /** One class per sample. */
        ONE_HOT,
        /** Rows that are distributions. */
        SOFT,
        /** Each output 0 or 1 (multi-label). */
        BINARY
    }

    /** A loss with the output activation and targets it is trained with. */
    record LossLevel(String label, Loss loss, Activation output, Targets targets) {
        @Override
        public String toString() {
            return label;
        }
    }

    // ------------------------------------------------------------------ user-written components

    /** A user activation written against {@link ElementwiseActivation}: softsign, {@code z / (1 + |z|)}. */
    record Softsign() implements ElementwiseActivation {
        @Override
        public String name() {
            return "softsign";
        }

        @Override
        public double value(double z) {
            return z / (1 + Math.abs(z));
        }

        @Override
        public double derivative(double z, double a) {
            double d = 1 + Math.abs(z);
            return 1 / (d * d);
        }
    }

    /** A user activation made by {@link Activation#elementwise}; one instance, since such instances are equal only to themselves. */
    private static final Activation SINE = Activation.elementwise("sin", Math::sin, (z, a) -> Math.cos(z));

    /** A user loss without a fused form: {@code C = mean(log cosh(a − y))}, {@code ∂C/∂a = tanh(a − y) / n}. */
    record LogCosh() implements Loss {
        @Override
        public String name() {
            return "log_cosh";
        }

        @Override
        public double value(Matrix z, Matrix a, Matrix target) {
            Matrix terms = a.copy();
            Matrix.zip(a, target, (ai, yi) -> Math.log(Math.cosh(ai - yi)), terms);
            return terms.sum() / ((double) a.rows() * a.cols());
        }

        @Override
        public void gradient(Matrix a, Matrix target, Matrix out) {
            double n = (double) a.rows() * a.cols();
            Matrix.zip(a, target, (ai, yi) -> Math.tanh(ai - yi) / n, out);
        }
    }

    /** A user optimizer with a buffer: {@code m ← β·m + (1 − β)·g}, {@code θ ← θ − η·sign(m)}. */
    record SignMomentum(double learningRate, double beta) implements Optimizer {
        @Override
        public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
            Matrix m = state.slot("m");
            m.scale(beta);
            m.addScaled(1 - beta, gradient);
            Matrix step = m.copy();
            m.map(Math::signum, step);
            parameter.addScaled(-eta, step);
        }
    }

    /** A user optimizer that halves the gradient and hands it to another optimizer (here a built-in one). */
    record HalvedGradients(Optimizer inner) implements Optimizer {
        @Override
        public double learningRate() {
            return inner.learningRate();
        }

        @Override
        public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
            Matrix half = gradient.copy();
            half.scale(0.5);
            inner.update(parameter, half, eta, state);
        }
    }

    /** A user gradient transform, not one of the fused built-ins: {@code g ← g·0.75}, as a new matrix. */
    private static final GradientTransform SHRINK = (theta, g, state) -> {
        Matrix out = g.copy();
        out.scale(0.75);
        return out;
    };

    /** A data source that is not a {@link DataSet}, so that fit consumes its own pass of new batches. */
    private record Streamed(DataSet data) implements DataSource {
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
            return data.batches(batchSize, precision, shuffle);
        }
    }

    // ------------------------------------------------------------------ the factors' levels

    private static final List<Precision> PRECISIONS = List.of(Precision.FLOAT32, Precision.FLOAT64);

    private static final List<LossLevel> LOSSES = List.of(
            new LossLevel("mse after identity", Loss.MSE, Activation.IDENTITY, Targets.REAL),
            new LossLevel("mse after softmax", Loss.MSE, Activation.SOFTMAX, Targets.SOFT),
            new LossLevel("mae after tanh", Loss.MAE, Activation.TANH, Targets.BOUNDED),
            new LossLevel("huber after identity", Loss.HUBER, Activation.IDENTITY, Targets.REAL),
            new LossLevel("huber(0.5) after sigmoid", Loss.huber(0.5), Activation.SIGMOID, Targets.UNIT),
            new LossLevel("cross-entropy, one-hot", Loss.CROSS_ENTROPY, Activation.SOFTMAX, Targets.ONE_HOT),
            new LossLevel("cross-entropy, soft targets", Loss.CROSS_ENTROPY, Activation.SOFTMAX, Targets.SOFT),
            new LossLevel("cross-entropy weighted (1, 2.5, 0.5)", Loss.crossEntropy(1, 2.5, 0.5), Activation.SOFTMAX,
                    Targets.ONE_HOT),
            new LossLevel("sigmoid + binary cross-entropy", Loss.BINARY_CROSS_ENTROPY, Activation.SIGMOID,
                    Targets.BINARY),
            new LossLevel("user log-cosh after tanh", new LogCosh(), Activation.TANH, Targets.BOUNDED));

    private static final List<Level<Activation>> HIDDEN = List.of(
            level("identity", Activation.IDENTITY),
            level("sigmoid", Activation.SIGMOID),
            level("tanh", Activation.TANH),
            level("relu", Activation.RELU),
            level("leaky_relu", Activation.LEAKY_RELU),
            level("leaky_relu(0.2)", Activation.leakyRelu(0.2)),
            level("elu", Activation.ELU),
            level("elu(0.5)", Activation.elu(0.5)),
            level("softplus", Activation.SOFTPLUS),
            level("silu", Activation.SILU),
            level("gelu_tanh", Activation.GELU),
            level("softmax", Activation.SOFTMAX),
            level("user softsign (ElementwiseActivation)", new Softsign()),
            level("user sin (Activation.elementwise)", SINE));

    private static final List<Level<Optimizer>> OPTIMIZERS = List.of(
            level("sgd(0.1)", Optimizer.sgd(0.1)),
            level("sgd(0.1) weight decay 1e-3", Optimizer.sgd(0.1).withWeightDecay(1e-3)),
            level("momentum(0.05, 0.9)", Optimizer.momentum(0.05, 0.9)),
            level("nesterov(0.05, 0.9)", Optimizer.nesterov(0.05, 0.9)),
            level("adagrad(0.05)", Optimizer.adagrad(0.05)),
            level("rmsprop(0.005)", Optimizer.rmsprop(0.005)),
            level("adam(0.01)", Optimizer.adam(0.01)),
            level("adamW(0.01, 0.05)", Optimizer.adamW(0.01, 0.05)),
            level("adamW(0.01, 0.05) sparing biases", Optimizer.adamW(0.01, 0.05).excludingBiasesFromDecay()),
            level("user SignMomentum(0.005, 0.9)", new SignMomentum(0.005, 0.9)),
            level("user HalvedGradients(adam(0.01) with L2 1e-3)",
                    new HalvedGradients(Optimizer.adam(0.01).withL2(1e-3))));

    /** The two user optimizers, the last two of {@link #OPTIMIZERS}. */
    private static final List<Level<Optimizer>> USER_OPTIMIZERS = OPTIMIZERS.subList(OPTIMIZERS.size() - 2,
            OPTIMIZERS.size());

    private static final List<Level<UnaryOperator<Optimizer>>> TRANSFORMS = List.of(
            level("no transform", o -> o),
            level("L1 1e-3", o -> o.withL1(1e-3)),
            level("L2 1e-3", o -> o.withL2(1e-3)),
            level("clipByValue 0.02", o -> o.clippedByValue(0.02)),
            level("L2 1e-2 onlyFor weights",
                    o -> o.transformingGradients(GradientTransform.l2(1e-2).onlyFor(ParameterKind.WEIGHTS))),
            level("L1 1e-3 onlyFor bias",
                    o -> o.transformingGradients(GradientTransform.l1(1e-3).onlyFor(ParameterKind.BIAS))),
            level("user transform ×0.75", o -> o.transformingGradients(SHRINK)),
            level("user transform ×0.75 onlyFor weights",
                    o -> o.transformingGradients(SHRINK.onlyFor(ParameterKind.WEIGHTS))),
            level("L1 1e-3 then clipByValue 0.02", o -> o.withL1(1e-3).clippedByValue(0.02)),
            level("layer 1 frozen", o -> o.freezing(1)),
            level("layer 2 frozen, then L2 1e-3", o -> o.freezing(2).withL2(1e-3)),
            level("layers 1 and 3 (output) frozen", o -> o.freezing(1, 3)));

    private static final List<Level<LearningRateSchedule>> SCHEDULES = List.of(
            level("constant rate", LearningRateSchedule.constant()),
            level("stepDecay(1, 0.5)", LearningRateSchedule.stepDecay(1, 0.5)),
            level("exponential(0.8)", LearningRateSchedule.exponential(0.8)),
            level("cosine(10)", LearningRateSchedule.cosine(10)),
            level("cosine(20) warm-up 3", LearningRateSchedule.cosine(20).withWarmup(3)),
            level("cosine(12) warm-up 2 minimum 1e-3",
                    LearningRateSchedule.cosine(12).withWarmup(2).withMinimumRate(1e-3)),
            level("ofStep(1/√t)", LearningRateSchedule.ofStep(t -> 1 / Math.sqrt(t))),
            level("ofEpoch(1/epoch)", LearningRateSchedule.ofEpoch(e -> 1.0 / e)),
            level("lambda: halved on even steps", (base, t, epoch) -> t % 2 == 0 ? base / 2 : base));

    private static final List<Level<Dropout>> DROPOUTS = List.of(
            level("no dropout", Dropout.none()),
            level("dropout inputs 0.2", Dropout.none().with(0, 0.2)),
            level("dropout layer 1 0.3", Dropout.none().with(1, 0.3)),
            level("dropout layers 1, 2 0.3, 0.5", Dropout.none().with(1, 0.3).with(2, 0.5)),
            level("dropout layers 0, 1, 2 0.1, 0.2, 0.3", Dropout.none().with(0, 0.1).with(1, 0.2).with(2, 0.3)));

    private static final List<Level<Double>> CLIP_NORMS = List.of(
            level("no norm clipping", 0.0),
            level("global norm 0.05", 0.05),
            level("global norm 1", 1.0));

    private static final List<Level<Function<DataSet, DataSource>>> SOURCES = List.of(
            level("DataSet float64", d -> d),
            level("DataSet float32", d -> DataSet.of(d.features().toPrecision(Precision.FLOAT32),
                    d.targets().toPrecision(Precision.FLOAT32))),
            level("streamed DataSource", Streamed::new));

    private static final List<Integer> BATCH_SIZES = List.of(4, 9, 13);

    /**
     * The layers of a case's network: the dense 6-17-9-3 network of the first strands, or one with other layer
     * kinds (6 inputs, 3 outputs, the case's two hidden activations and output activation in it).
     */
    record Architecture(String label, boolean batchNormalization, boolean embedding,
            Function<Case, Network.Builder> layers) {
        @Override
        public String toString() {
            return label;
        }
    }

    private static final Architecture DENSE = new Architecture("dense 6-17-9-3", false, false,
            c -> Network.builder().input(FEATURES).dense(17, c.hidden1().value()).dense(9, c.hidden2().value())
                    .dense(OUTPUTS, c.loss().output()));

    /** Numeric columns and the cardinalities of the two category columns of the embedding architectures. */
    private static final int NUMERIC = FEATURES - 2;
    private static final int[] CARDINALITIES = {5, 4};

    private static final List<Architecture> KINDS = List.of(
            new Architecture("layer norm: 6-17 LN-9 LN(tanh)-3", false, false,
                    c -> Network.builder().input(FEATURES).dense(17, c.hidden1().value()).layerNorm()
                            .dense(9, c.hidden2().value()).layerNorm(Activation.TANH).dense(OUTPUTS, c.loss().output())),
            new Architecture("batch norm: 6-17 BN(relu)-9 BN-3", true, false,
                    c -> Network.builder().input(FEATURES).dense(17).batchNorm(c.hidden1().value())
                            .dense(9, c.hidden2().value()).batchNorm().dense(OUTPUTS, c.loss().output())),
            new Architecture("embedding 4 + 5×3, 4×2 → 9-17-9-3", false, true,
                    c -> Network.builder().input(NUMERIC).categorical(CARDINALITIES[0], 3)
                            .categorical(CARDINALITIES[1], 2).dense(17, c.hidden1().value())
                            .dense(9, c.hidden2().value()).dense(OUTPUTS, c.loss().output())),
            new Architecture("residual: 6-8, 8 + f(8-12 tanh-8), relu(8 + f(8)), 3", false, false,
                    c -> Network.builder().input(FEATURES).dense(8, c.hidden1().value())
                            .residual(b -> b.dense(12, Activation.TANH).dense(8))
                            .residual(Activation.RELU, b -> b.dense(8, c.hidden2().value()))
                            .dense(OUTPUTS, c.loss().output())),
            new Architecture("batch norm in a residual block: 6-8, 8 + f(8 BN(tanh) 8), LN, 3", true, false,
                    c -> Network.builder().input(FEATURES).dense(8, c.hidden1().value())
                            .residual(b -> b.dense(8).batchNorm(Activation.TANH).dense(8, c.hidden2().value()))
                            .layerNorm().dense(OUTPUTS, c.loss().output())),
            new Architecture("every kind: embedding, dense, LN, residual(dense, BN, dense), BN(relu), 3", true, true,
                    c -> Network.builder().input(NUMERIC).categorical(CARDINALITIES[0], 3)
                            .categorical(CARDINALITIES[1], 2).dense(10, c.hidden1().value()).layerNorm()
                            .residual(Activation.TANH, b -> b.dense(7, c.hidden2().value()).batchNorm().dense(10))
                            .batchNorm(Activation.RELU).dense(OUTPUTS, c.loss().output())));

    // ------------------------------------------------------------------ the design

    /** One case: a level of every factor. */
    record Case(String strand, int number, Precision precision, LossLevel loss, Level<Activation> hidden1,
            Level<Activation> hidden2, Level<Optimizer> optimizer, Level<UnaryOperator<Optimizer>> transform,
            Level<LearningRateSchedule> schedule, Level<Dropout> dropout, Level<Double> clipNorm,
            Level<Function<DataSet, DataSource>> source, int batchSize, int epochs, Architecture architecture) {

        long seed() {
            return 1000L + number;
        }

        @Override
        public String toString() {
            return "#" + number + " " + strand + " | " + precision + ", " + loss + ", hidden " + hidden1 + " + "
                    + hidden2 + ", " + optimizer + ", " + transform + ", " + schedule + ", " + dropout + ", "
                    + clipNorm + ", " + source + ", batch " + batchSize + ", " + epochs + " epochs"
                    + (architecture == DENSE ? "" : ", " + architecture);
        }
    }

    /** A case under construction: every factor cycles with the case's number until a strand sets it. */
    private static final class Draft {
        final String strand;
        final int n;
        Precision precision;
        LossLevel loss;
        Level<Activation> hidden1;
        Level<Activation> hidden2;
        Level<Optimizer> optimizer;
        Level<UnaryOperator<Optimizer>> transform;
        Level<LearningRateSchedule> schedule;
        Level<Dropout> dropout;
        Level<Double> clipNorm;
        Level<Function<DataSet, DataSource>> source;
        int batchSize;
        Architecture architecture = DENSE;

        Draft(String strand, int n) {
            this.strand = strand;
            this.n = n;
            precision = cycle(PRECISIONS, 0);
            loss = cycle(LOSSES, 1);
            hidden1 = cycle(HIDDEN, 2);
            hidden2 = cycle(HIDDEN, 9);
            optimizer = cycle(OPTIMIZERS, 3);
            transform = cycle(TRANSFORMS, 4);
            schedule = cycle(SCHEDULES, 5);
            dropout = cycle(DROPOUTS, 6);
            clipNorm = cycle(CLIP_NORMS, 7);
            source = cycle(SOURCES, 8);
            batchSize = cycle(BATCH_SIZES, 1);
        }

        private <T> T cycle(List<T> levels, int offset) {
            return levels.get((n + offset) % levels.size());
        }

        Case build() {
            int size = batchSize;
            if (architecture.batchNormalization() && SAMPLES % size == 1) {
                size++; // batch normalization cannot train on a last batch of 1 sample (Trainer refuses it)
            }
            if (architecture.embedding() && dropout.value().rate(0) > 0) {
                dropout = DROPOUTS.get(0); // an embedding's category indices cannot drop (Trainer refuses it)
            }
            return new Case(strand, n, precision, loss, hidden1, hidden2, optimizer, transform, schedule, dropout,
                    clipNorm, source, size, 2 + n % 2, architecture);
        }
    }

    /** Collects the cases of the design, numbering them in order. */
    private static final class Design {
        final List<Case> cases = new ArrayList<>();

        void add(String strand, Consumer<Draft> levels) {
            Draft draft = new Draft(strand, cases.size());
            levels.accept(draft);
            cases.add(draft.build());
        }
    }

    static Stream<Case> design() {
        Design d = new Design();
        for (Level<Optimizer> optimizer : OPTIMIZERS) {
            for (Precision precision : PRECISIONS) {
                d.add("optimizer × precision", c -> {
                    c.optimizer = optimizer;
                    c.precision = precision;
                });
            }
        }
        for (LossLevel loss : LOSSES) {
            for (Precision precision : PRECISIONS) {
                d.add("loss × precision", c -> {
                    c.loss = loss;
                    c.precision = precision;
                });
            }
        }
        for (int k = 0; k < HIDDEN.size(); k++) {
            Level<Activation> first = HIDDEN.get(k);
            Level<Activation> second = HIDDEN.get((k + 5) % HIDDEN.size());
            for (Precision precision : PRECISIONS) {
                d.add("hidden activation × precision", c -> {
                    c.hidden1 = first;
                    c.hidden2 = second;
                    c.precision = precision;
                });
            }
        }
        for (Level<UnaryOperator<Optimizer>> transform : TRANSFORMS) {
            for (Precision precision : PRECISIONS) {
                d.add("transform × precision", c -> {
                    c.transform = transform;
                    c.precision = precision;
                });
            }
        }
        for (Level<Optimizer> optimizer : USER_OPTIMIZERS) {
            for (Level<UnaryOperator<Optimizer>> transform : TRANSFORMS) {
                d.add("user optimizer × transform", c -> {
                    c.optimizer = optimizer;
                    c.transform = transform;
                });
            }
        }
        for (Level<Dropout> dropout : DROPOUTS) {
            for (Level<Double> clipNorm : CLIP_NORMS) {
                for (Precision precision : PRECISIONS) {
                    d.add("dropout × norm clipping × precision", c -> {
                        c.dropout = dropout;
                        c.clipNorm = clipNorm;
                        c.precision = precision;
                    });
                }
            }
        }
        for (Level<Function<DataSet, DataSource>> source : SOURCES) {
            for (int batchSize : BATCH_SIZES) {
                for (Precision precision : PRECISIONS) {
                    d.add("source × batch size × precision", c -> {
                        c.source = source;
                        c.batchSize = batchSize;
                        c.precision = precision;
                    });
                }
            }
        }
        for (Level<LearningRateSchedule> schedule : SCHEDULES) {
            for (Precision precision : PRECISIONS) {
                d.add("schedule × precision", c -> {
                    c.schedule = schedule;
                    c.precision = precision;
                });
            }
        }
        for (Architecture architecture : KINDS) {
            for (Level<Optimizer> optimizer : OPTIMIZERS) {
                d.add("layer kind × optimizer", c -> {
                    c.architecture = architecture;
                    c.optimizer = optimizer;
                });
            }
            for (Level<UnaryOperator<Optimizer>> transform : TRANSFORMS) {
                d.add("layer kind × transform", c -> {
                    c.architecture = architecture;
                    c.transform = transform;
                });
            }
            for (Precision precision : PRECISIONS) {
                for (Level<Dropout> dropout : DROPOUTS) {
                    d.add("layer kind × dropout × precision", c -> {
                        c.architecture = architecture;
                        c.dropout = dropout;
                        c.precision = precision;
                    });
                }
                for (Level<Double> clipNorm : CLIP_NORMS) {
                    d.add("layer kind × norm clipping × precision", c -> {
                        c.architecture = architecture;
                        c.clipNorm = clipNorm;
                        c.precision = precision;
                    });
                }
                for (Level<Function<DataSet, DataSource>> source : SOURCES) {
                    d.add("layer kind × source × precision", c -> {
                        c.architecture = architecture;
                        c.source = source;
                        c.precision = precision;
                    });
                }
                for (int batchSize : BATCH_SIZES) {
                    d.add("layer kind × batch size × precision", c -> {
                        c.architecture = architecture;
                        c.batchSize = batchSize;
                        c.precision = precision;
                    });
                }
            }
        }
        return d.cases.stream();
    }

    // ------------------------------------------------------------------ the test

    @ParameterizedTest(name = "{0}")
    @MethodSource("design")
    void fitGivesTheBitsOfTheReadablePath(Case c) {
        DataSource training = sourceOf(c);
        Network start = network(c);
        Optimizer optimizer = c.transform().value().apply(c.optimizer().value());

        List<Double> fitBatchLosses = new ArrayList<>();
        Trainer.Builder builder = Trainer.builder().loss(c.loss().loss()).optimizer(optimizer).epochs(c.epochs())
                .batchSize(c.batchSize()).shuffle(true).seed(c.seed()).logging(false)
                .learningRateSchedule(c.schedule().value())
                .listeners(new TrainingListener() {
                    @Override
                    public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
                        fitBatchLosses.add(loss);
                    }
                });
        for (int layer = 0; layer < start.layerCount(); layer++) {
            double rate = c.dropout().value().rate(layer);
            if (rate > 0) {
                builder.dropout(layer, rate);
            }
        }
        if (c.clipNorm().value() > 0) {
            builder.clipGradientNorm(c.clipNorm().value());
        }
        TrainingResult fitted = builder.build().fit(start, training);

        Replay replay = replay(c, start, training, optimizer);

        String at = c + ": "; // the case in every message, also where a report shows only its index
        assertThat(fitted.stopReason()).as(at + "how fit ended").startsWith("completed");
        assertThat(fitBatchLosses).as(at + "the loss of every batch, in order").isEqualTo(replay.batchLosses);
        assertThat(boxed(fitted.history().values("loss"))).as(at + "the loss of every epoch")
                .isEqualTo(replay.epochLosses);
        for (int l = 1; l <= start.layerCount(); l++) { // first where they differ, then every bit
            List<Parameter> expected = replay.network.layer(l).parameters();
            List<Parameter> actual = fitted.network().layer(l).parameters();
            for (int i = 0; i < expected.size(); i++) {
                assertThat(actual.get(i).value().toDoubleArray()).as(at + "layer %d %s", l, expected.get(i).name())
                        .isDeepEqualTo(expected.get(i).value().toDoubleArray());
            }
            for (var buffer : replay.network.layer(l).buffers().entrySet()) {
                assertThat(fitted.network().layer(l).buffers().get(buffer.getKey()).toDoubleArray())
                        .as(at + "layer %d buffer %s", l, buffer.getKey()).isDeepEqualTo(buffer.getValue().toDoubleArray());
            }
        }
        assertThat(fitted.network()).as(at + "the trained network, bit for bit").isEqualTo(replay.network);
        assertThat(replay.network).as(at + "training moved the parameters").isNotEqualTo(start);
    }

    /** What the readable path gives: the network, the loss of every batch and of every epoch. */
    private record Replay(Network network, List<Double> batchLosses, List<Double> epochLosses) {
    }

    /**
     * Replays fit's run through the public, immutable path: for each epoch the documented random stream, split
     * for shuffling and then for dropout; the source's seeded pass; per batch a forward pass with dropout,
     * backpropagation, optional clipping by global norm, and the update at the schedule's rate of step t.
     */
    private static Replay replay(Case c, Network start, DataSource training, Optimizer optimizer) {
        Backpropagator backprop = new Backpropagator(c.loss().loss());
        OptimizerState state = new OptimizerState();
        LearningRateSchedule schedule = c.schedule().value();
        Dropout dropout = c.dropout().value();
        double clipNorm = c.clipNorm().value();
        List<Double> batchLosses = new ArrayList<>();
        List<Double> epochLosses = new ArrayList<>();
        Network network = start;
        long step = 0;
        for (int epoch = 1; epoch <= c.epochs(); epoch++) {
            SplittableRandom epochRandom = Trainer.epochRandom(c.seed(), epoch);
            SplittableRandom shuffle = epochRandom.split();
            SplittableRandom dropoutRandom = epochRandom.split();
            double lossSum = 0;
            long samples = 0;
            try (DataSource.Batches batches = training.batches(c.batchSize(), c.precision(), shuffle)) {
                while (batches.hasNext()) {
                    Batch batch = batches.next();
                    ForwardPass pass = ForwardPass.run(network, batch.features(), dropout, dropoutRandom);
                    Gradients g = backprop.gradients(pass, batch.targets());
                    batchLosses.add(g.loss());
                    lossSum += g.loss() * batch.features().rows(); // an epoch's loss: the mean over its samples
                    samples += batch.features().rows();
                    if (clipNorm > 0) {
                        g = g.clippedByGlobalNorm(clipNorm);
                    }
                    step++;
                    double eta = schedule.learningRate(optimizer.learningRate(), step, epoch);
                    network = backprop.apply(network, g, optimizer, state, eta);
                }
            }
            epochLosses.add(lossSum / samples);
        }
        return new Replay(network, batchLosses, epochLosses);
    }

    // ------------------------------------------------------------------ data and network

    private static Network network(Case c) {
        return c.architecture().layers().apply(c).seed(c.seed()).precision(c.precision()).build();
    }

    private static DataSource sourceOf(Case c) {
        DataSet data = data(c.loss().targets(), c.seed());
        if (c.architecture().embedding()) {
            data = withCategories(data, c.seed());
        }
        return c.source().value().apply(data);
    }

    /** The data with their last two columns replaced by category indices of {@link #CARDINALITIES}. */
    private static DataSet withCategories(DataSet data, long seed) {
        SplittableRandom random = new SplittableRandom(~seed);
        double[][] x = data.features().toDoubleArray();
        for (double[] row : x) {
            for (int k = 0; k < CARDINALITIES.length; k++) {
                row[NUMERIC + k] = random.nextInt(CARDINALITIES[k]);
            }
        }
        return DataSet.of(x, data.targets().toDoubleArray());
    }

    /** 29 samples of 6 features in [−1, 1], with targets of the given kind, all drawn from the seed. */
    private static DataSet data(Targets kind, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[][] x = new double[SAMPLES][FEATURES];
        double[][] y = new double[SAMPLES][OUTPUTS];
        for (int i = 0; i < SAMPLES; i++) {
            for (int f = 0; f < FEATURES; f++) {
                x[i][f] = random.nextDouble(-1, 1);
            }
            switch (kind) {
                case REAL -> fill(y[i], () -> random.nextDouble(-2, 2));
                case BOUNDED -> fill(y[i], () -> random.nextDouble(-0.9, 0.9));
                case UNIT -> fill(y[i], () -> random.nextDouble(0.05, 0.95));
                case ONE_HOT -> y[i][random.nextInt(OUTPUTS)] = 1;
                case SOFT -> {
                    fill(y[i], () -> random.nextDouble(0.1, 1));
                    double sum = Arrays.stream(y[i]).sum();
                    for (int o = 0; o < OUTPUTS; o++) {
                        y[i][o] /= sum;
                    }
                }
                case BINARY -> fill(y[i], () -> random.nextInt(2));
                default -> throw new AssertionError(kind);
            }
        }
        return DataSet.of(x, y);
    }

    private static void fill(double[] row, java.util.function.DoubleSupplier value) {
        for (int o = 0; o < row.length; o++) {
            row[o] = value.getAsDouble();
        }
    }

    private static List<Double> boxed(double[] values) {
        return Arrays.stream(values).boxed().toList();
    }
}
