package io.github.backprop4j.optim;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in optimizer and gradient transform, run through its one-pass kernel, against the update as it
 * was first written ({@link ReferenceOptimizers}): the same parameters and the same state buffers, bit for
 * bit, over several steps (the first step's special cases and the bias corrections included), in both
 * precisions, on shapes of one element, odd sizes and sizes just above a vector's width.
 */
class OptimizerKernelsMatchReferenceTest {

    /** rows × cols: one element, odd sizes, and lengths just above 4, 8, 16 and 32 lanes. */
    private static final int[][] SHAPES = {{1, 1}, {1, 3}, {3, 5}, {1, 9}, {1, 17}, {3, 11}, {1, 33}, {5, 13},
        {7, 19}, {2, 129}};
    private static final int STEPS = 4;

    /** A fast optimizer and its reference: the reference transforms of its gradient, then the base update. */
    private record Case(String name, Optimizer fast, Optimizer base, List<Transform> transforms) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A reference transform of the gradient, given the parameter and the parameter's kind. */
    private interface Transform {
        Matrix apply(Matrix parameter, Matrix gradient, ParameterKind kind);
    }

    private static Case plain(Optimizer optimizer) {
        return new Case(optimizer.toString(), optimizer, optimizer, List.of());
    }

    static Stream<Arguments> cases() {
        List<Case> cases = new ArrayList<>();
        for (Optimizer o : List.of(Optimizer.sgd(0.1), Optimizer.sgd(0.1).withWeightDecay(0.05),
                Optimizer.momentum(0.1, 0.9), Optimizer.momentum(0.05, 0.5), Optimizer.nesterov(0.1, 0.9),
                Optimizer.adagrad(0.1), Optimizer.adagrad(0.1).withInitialAccumulator(0.1).withEpsilon(1e-6),
                Optimizer.rmsprop(0.01), Optimizer.rmsprop(0.01).withAlpha(0.9).withEpsilon(1e-4),
                Optimizer.adam(0.01), Optimizer.adam(0.01).withBetas(0.8, 0.95).withEpsilon(1e-6),
                Optimizer.adamW(0.01, 0.1), Optimizer.adamW(0.01, 0.1).excludingBiasesFromDecay())) {
            cases.add(plain(o));
        }
        Adam adam = Optimizer.adam(0.01);
        cases.add(new Case("adam with L2", adam.withL2(0.05), adam,
                List.of((p, g, k) -> ReferenceOptimizers.l2(0.05, p, g))));
        cases.add(new Case("sgd with L1, clipped", Optimizer.sgd(0.1).withL1(0.02).clippedByValue(0.5),
                Optimizer.sgd(0.1), List.of((p, g, k) -> ReferenceOptimizers.l1(0.02, p, g),
                        (p, g, k) -> ReferenceOptimizers.clipByValue(0.5, g))));
        cases.add(new Case("momentum, L2 on weights only, a user transform, clipped",
                Optimizer.momentum(0.1, 0.9)
                        .transformingGradients(GradientTransform.l2(0.1).onlyFor(ParameterKind.WEIGHTS))
                        .transformingGradients(OptimizerKernelsMatchReferenceTest::halved)
                        .clippedByValue(0.3),
                Optimizer.momentum(0.1, 0.9),
                List.of((p, g, k) -> k == ParameterKind.WEIGHTS ? ReferenceOptimizers.l2(0.1, p, g) : g,
                        (p, g, k) -> halved(p, g, null), (p, g, k) -> ReferenceOptimizers.clipByValue(0.3, g))));
        List<Arguments> arguments = new ArrayList<>();
        for (Case c : cases) {
            for (Precision precision : Precision.values()) {
                arguments.add(Arguments.of(c, precision));
            }
        }
        return arguments.stream();
    }

    /** A user's transform: {@code g ← g/2}, a new matrix. */
    private static Matrix halved(Matrix parameter, Matrix gradient, ParameterState state) {
        Matrix g = gradient.copy();
        g.scale(0.5);
        return g;
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void fastUpdateGivesTheReferenceBitsOnEveryShape(Case c, Precision precision) {
        SplittableRandom random = new SplittableRandom(42);
        for (int[] shape : SHAPES) {
            ParameterKind[] kinds = shape[0] == 1 ? ParameterKind.values() : new ParameterKind[] {ParameterKind.WEIGHTS};
            for (ParameterKind kind : kinds) {
                Matrix fastTheta = random(precision, shape, random, 1);
                Matrix referenceTheta = fastTheta.copy();
                OptimizerState fastState = new OptimizerState();
                OptimizerState referenceState = new OptimizerState();
                for (int step = 1; step <= STEPS; step++) {
                    // gradients of every scale, so that ε, the clipping and the squares all matter somewhere
                    Matrix g = random(precision, shape, random, Math.pow(10, random.nextInt(-4, 2)));
                    Matrix gradient = g.copy();
                    double eta = c.fast().learningRate() * (1 + 0.25 * step);
                    c.fast().update(fastTheta, g.readOnlyView(), eta, fastState.forParameter(2, kind, fastTheta));
                    fastState.completeStep();

                    ParameterState referenceView = referenceState.forParameter(2, kind, referenceTheta);
                    Matrix referenceGradient = gradient;
                    for (Transform t : c.transforms()) {
                        referenceGradient = t.apply(referenceTheta.readOnlyView(), referenceGradient, kind);
                    }
                    ReferenceOptimizers.update(c.base(), referenceTheta, referenceGradient, eta, referenceView);
                    referenceState.completeStep();

                    String where = shape[0] + " × " + shape[1] + " " + kind.label() + ", step " + step;
                    assertThat(g).as("the gradient is not changed, %s", where).isEqualTo(gradient);
                    assertMatches(c, precision, fastTheta, referenceTheta, 4, "θ, " + where);
                    Map<String, Matrix> fastSlots = fastState.slots();
                    Map<String, Matrix> referenceSlots = referenceState.slots();
                    assertThat(fastSlots.keySet()).as("buffers, %s", where).isEqualTo(referenceSlots.keySet());
                    for (String name : referenceSlots.keySet()) {
                        assertMatches(c, precision, fastSlots.get(name), referenceSlots.get(name), 4,
                                name + ", " + where);
                    }
                }
            }
        }
    }

    /**
     * Many steps on one long parameter, so that C2 compiles (and SuperWord vectorises) the kernels while they
     * run: the compiled loops must give the reference's bits too.
     */
    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("cases")
    void compiledKernelsKeepGivingTheReferenceBits(Case c, Precision precision) {
        SplittableRandom random = new SplittableRandom(7);
        int[] shape = {1, 1001};
        Matrix fastTheta = random(precision, shape, random, 1);
        Matrix referenceTheta = fastTheta.copy();
        OptimizerState fastState = new OptimizerState();
        OptimizerState referenceState = new OptimizerState();
        Matrix[] gradients = new Matrix[16];
        for (int i = 0; i < gradients.length; i++) {
            gradients[i] = random(precision, shape, random, Math.pow(10, random.nextInt(-4, 2))).readOnlyView();
        }
        for (int step = 1; step <= 1500; step++) {
            Matrix g = gradients[step % gradients.length];
            double eta = c.fast().learningRate() * 1e-2;
            c.fast().update(fastTheta, g, eta, fastState.forParameter(1, ParameterKind.WEIGHTS, fastTheta));
            fastState.completeStep();
            Matrix referenceGradient = g;
            for (Transform t : c.transforms()) {
                referenceGradient = t.apply(referenceTheta.readOnlyView(), referenceGradient, ParameterKind.WEIGHTS);
            }
            ReferenceOptimizers.update(c.base(), referenceTheta, referenceGradient, eta,
                    referenceState.forParameter(1, ParameterKind.WEIGHTS, referenceTheta));
            referenceState.completeStep();
        }
        assertMatches(c, precision, fastTheta, referenceTheta, 1500, "θ after 1500 steps");
        Map<String, Matrix> referenceSlots = referenceState.slots();
        for (String name : referenceSlots.keySet()) {
            assertMatches(c, precision, fastState.slots().get(name), referenceSlots.get(name), 1500, name);
        }
    }

    /** Gaussian values times {@code scale}, with about one element in eight exactly zero. */
    private static Matrix random(Precision precision, int[] shape, SplittableRandom random, double scale) {
        Matrix m = Matrix.zeros(precision, shape[0], shape[1]);
        for (int r = 0; r < shape[0]; r++) {
            for (int col = 0; col < shape[1]; col++) {
                m.set(r, col, random.nextInt(8) == 0 ? 0 : gaussian(random) * scale);
            }
        }
        return m;
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    /**
     * The float32 adaptive optimizers (AdaGrad, RMSProp, Adam, AdamW) compute in float, as torch.optim does,
     * where the reference computes each element in double and rounds once: those agree to float rounding, a
     * few units in the last place per step. Everything else must give the reference's bits.
     */
    private static void assertMatches(Case c, Precision precision, Matrix fast, Matrix reference, int steps,
            String what) {
        boolean inFloat = precision == Precision.FLOAT32 && (c.base() instanceof AdaGrad
                || c.base() instanceof RmsProp || c.base() instanceof Adam || c.base() instanceof AdamW);
        if (!inFloat) {
            assertThat(bits(fast)).as(what).isEqualTo(bits(reference));
            return;
        }
        // θ starts at unit scale and each step moves it by up to about 10·η: errors are ulps of that scale. A
        // buffer's elements are errors of its own scale (its largest element), e.g. v ≈ g² of every magnitude.
        double scale = what.startsWith("θ") ? 1 : 1e-2 * maxAbs(reference);
        for (int r = 0; r < reference.rows(); r++) {
            for (int col = 0; col < reference.cols(); col++) {
                double want = reference.get(r, col);
                double tolerance = 8 * steps * Math.ulp((float) Math.max(Math.abs(want), scale));
                assertThat(fast.get(r, col)).as("%s [%d][%d]", what, r, col).isCloseTo(want,
                        org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    private static double maxAbs(Matrix m) {
        double max = 0;
        for (int r = 0; r < m.rows(); r++) {
            for (int col = 0; col < m.cols(); col++) {
                max = Math.max(max, Math.abs(m.get(r, col)));
            }
        }
        return max;
    }

    /** The raw bits of every element, so that a difference shows as one number, −0 and +0 apart. */
    private static List<Long> bits(Matrix m) {
        List<Long> out = new ArrayList<>();
        for (int r = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                double v = m.get(r, c);
                out.add(m.precision() == Precision.FLOAT32 ? Float.floatToRawIntBits((float) v)
                        : Double.doubleToRawLongBits(v));
            }
        }
        return out;
    }

}
